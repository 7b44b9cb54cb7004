// The decision policy: one ordered table turning the model's verdict, the label's class and the caption
// into reverse_keep_label / reverse_swap_label / exclude, with a reason a person can read.

/** How cautious the decision is: `balanced` is the default. */
export type Policy = 'strict' | 'balanced' | 'permissive';
export const POLICIES: readonly Policy[] = Object.freeze(['strict', 'balanced', 'permissive'] as const);

/** What to do with a clip when augmenting by time reversal. */
export type Decision = 'reverse_keep_label' | 'reverse_swap_label' | 'exclude';
export const DECISIONS: readonly Decision[] = Object.freeze([
  'reverse_keep_label',
  'reverse_swap_label',
  'exclude',
] as const);

export type Verdict = 'invariant' | 'equivariant' | 'irreversible';

/** The model's output for one clip (the `verdict`, `p_*`, `confidence` columns of clips.jsonl). */
export interface ModelOpinion {
  verdict: Verdict;
  p_invariant: number;
  p_equivariant: number;
  p_irreversible: number;
  /** The winning probability. */
  confidence: number;
  p_forward?: number | null;
}

/** What a taxonomy says about the label's class (a structural subset of a taxonomy class). */
export interface ClassPrior {
  name: string;
  verdict: Verdict;
  /** The counterpart class's name for an equivariant class, when the taxonomy has one. */
  counterpart: string | null;
  reason: string;
  /** The class id and its counterpart's id, for corpora that label clips by class id. */
  id?: string;
  counterpartId?: string | null;
}

/** What caption analysis says (a structural subset of the caption analyser's result). */
export interface CaptionInfo {
  status: 'swap' | 'keep' | 'irreversible' | 'unknown';
  /** The caption for the reversed clip (swap: rewritten; keep: unchanged); null otherwise. */
  reversed: string | null;
  reason: string;
}

/** Everything known about one clip. Absent fields mean the source is not used (no model, no label column, ...). */
export interface DecisionInput {
  /** The row failed (manifest problem, decode or analysis error): always excluded with this reason. */
  error?: { code: string; message: string; stage?: string } | null;
  model?: ModelOpinion | null;
  /** Present when a label column is used: the cell (null when empty) and its taxonomy class (null when none matches). */
  label?: { text: string | null; prior: ClassPrior | null } | null;
  /** Present when a caption column is used: the cell (null when empty) and its analysis (null when it could not be analysed). */
  caption?: { text: string | null; analysis: CaptionInfo | null } | null;
  /**
   * Why the pixels cannot be trusted for this clip (the clip row's `doubt`): a degenerate clip (tiny, blank, still)
   * or footage unlike the model's training data (`in_domain` below the card's threshold). Empty or absent: no doubt.
   */
  doubt?: readonly string[] | null;
}

/** The decision for one clip; `label_reversed`/`caption_reversed` are what the reversed copy should carry. */
export interface DecisionResult {
  decision: Decision;
  /** decision !== 'exclude'. */
  reverse: boolean;
  /** The verdict the decision rests on (text and pixels combined); null when nothing is known (failed rows). */
  verdict: Verdict | null;
  /** The first reason is the deciding one; later parts give context. */
  reason: string;
  /** For a reversed clip: the label to use (swapped, or unchanged when kept); null when excluded or no label column. */
  label_reversed: string | null;
  /** For a reversed clip: the caption to use (rewritten, or unchanged when kept); null when excluded or no caption column. */
  caption_reversed: string | null;
  /** Id of the table row that decided. */
  rule: string;
}

/** The numbers behind each policy. */
export interface PolicyThresholds {
  /** The model's p_irreversible at or above which a clip is excluded. */
  irreversibleP: number;
  /** Probability the model must give the reversible reading it is trusted for (0: no minimum). */
  minConfidence: number;
  /** The minimum applies even when the label's class or the caption vouches for the clip (else only when they are silent). */
  confidenceAlways: boolean;
  /** A label or caption that the taxonomy or the caption lexicon cannot judge excludes the clip. */
  requireJudgedText: boolean;
  /** A pixel-only verdict on a doubtful clip (degenerate, or out of domain) excludes the clip. */
  doubtExcludes: boolean;
}

/** The thresholds of each policy (documented in src/decide/README.md and docs/design.md, "The decision table"). */
export const POLICY_THRESHOLDS: Readonly<Record<Policy, Readonly<PolicyThresholds>>> = Object.freeze({
  strict: Object.freeze({
    irreversibleP: 0.2,
    minConfidence: 0.8,
    confidenceAlways: true,
    requireJudgedText: true,
    doubtExcludes: true,
  }),
  balanced: Object.freeze({
    irreversibleP: 0.5,
    minConfidence: 0.6,
    confidenceAlways: false,
    requireJudgedText: false,
    doubtExcludes: true,
  }),
  permissive: Object.freeze({
    irreversibleP: 0.8,
    minConfidence: 0,
    confidenceAlways: false,
    requireJudgedText: false,
    doubtExcludes: false,
  }),
});

/** Facts derived once from a DecisionInput. */
interface Facts {
  input: DecisionInput;
  /** What the class or caption says about irreversibility (reasons). */
  textIrreversible: string[];
  /** Invariant/equivariant as the text tells it (equivariant when any text source is), null when the text is silent. */
  textKind: 'invariant' | 'equivariant' | null;
  textReasons: string[];
  /** Text sources given but not judgeable (reasons). */
  unjudged: string[];
}

type Hit = {
  decision: Decision;
  verdict: Verdict | null;
  reason: string;
  label_reversed?: string | null;
  caption_reversed?: string | null;
};

interface Rule {
  id: string;
  when: string;
  /** What the rule does under a policy, in words (for the table). */
  outcome(t: PolicyThresholds): string;
  apply(f: Facts, t: PolicyThresholds): Hit | null;
}

const fmt = (p: number): string => p.toFixed(2);
const quote = (s: string): string => `'${s.length > 80 ? `${s.slice(0, 77)}...` : s}'`;

function modelText(m: ModelOpinion): string {
  return `model: ${m.verdict} ${fmt(m.confidence)}`;
}

function pOf(m: ModelOpinion, v: Verdict): number {
  return v === 'invariant' ? m.p_invariant : v === 'equivariant' ? m.p_equivariant : m.p_irreversible;
}

/** The model's reversible reading: its verdict, or the likelier of invariant/equivariant when it says irreversible. */
function modelKind(m: ModelOpinion): 'invariant' | 'equivariant' {
  if (m.verdict !== 'irreversible') return m.verdict;
  return m.p_equivariant > m.p_invariant ? 'equivariant' : 'invariant';
}

function deriveFacts(input: DecisionInput): Facts {
  const textIrreversible: string[] = [];
  const textReasons: string[] = [];
  const unjudged: string[] = [];
  let eq = false;
  let inv = false;
  const label = input.label;
  if (label) {
    const prior = label.prior;
    if (prior) {
      if (prior.verdict === 'irreversible') textIrreversible.push(`class ${quote(prior.name)} is irreversible`);
      else if (prior.verdict === 'equivariant') {
        eq = true;
        textReasons.push(
          prior.counterpart
            ? `class ${quote(prior.name)} pairs with ${quote(prior.counterpart)}`
            : `class ${quote(prior.name)} is equivariant`,
        );
      } else {
        inv = true;
        textReasons.push(`class ${quote(prior.name)} is invariant`);
      }
    } else unjudged.push(label.text ? `label ${quote(label.text)} is in no known taxonomy` : 'the label is empty');
  }
  const caption = input.caption;
  if (caption) {
    const a = caption.analysis;
    if (!caption.text) unjudged.push('the caption is empty');
    else if (!a) unjudged.push('the caption could not be analysed');
    else if (a.status === 'irreversible') textIrreversible.push(a.reason);
    else if (a.status === 'swap') {
      eq = true;
      textReasons.push(a.reason);
    } else if (a.status === 'keep') {
      inv = true;
      textReasons.push(a.reason);
    } else unjudged.push(`caption: ${a.reason}`);
  }
  return { input, textIrreversible, textKind: eq ? 'equivariant' : inv ? 'invariant' : null, textReasons, unjudged };
}

/** True when the decision rests on the model's pixels alone: a model verdict, and no label class or caption that speaks. */
export function restsOnPixels(input: DecisionInput): boolean {
  if (!input.model) return false;
  const f = deriveFacts(input);
  return f.textKind === null && f.textIrreversible.length === 0;
}

/** Joins reason parts: the deciding one first. */
function because(...parts: Array<string | null | undefined | false>): string {
  return parts.filter((p): p is string => typeof p === 'string' && p.length > 0).join('; ');
}

function contextOf(f: Facts): string[] {
  const m = f.input.model;
  const out = [...f.textReasons];
  if (m) out.push(modelText(m));
  if (m && typeof m.p_forward === 'number' && m.p_forward < 0.1)
    out.push(`the clip probably already plays backwards (p_forward ${fmt(m.p_forward)})`);
  return out;
}

/**
 * What the reversed copy's label becomes for an equivariant class: the counterpart, with the objects of a raw
 * label carried over when the class name is a template ("Opening [something]" + "Opening a drawer" ->
 * "Closing a drawer"); the counterpart name as it is otherwise.
 */
export function swapLabel(text: string, prior: ClassPrior): string | null {
  const target = prior.counterpart;
  if (!target) return null;
  if (prior.id !== undefined && text.trim() === prior.id) return prior.counterpartId ?? target;
  const holes = /\[[^\]]*\]/g;
  const parts = prior.name.split(holes);
  const targetHoles = target.match(holes) ?? [];
  if (parts.length > 1 && targetHoles.length === parts.length - 1) {
    // the template's own spaces stay required, so a fixed word is never found inside an object's name ("in" of "ring")
    const escaped = parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
    const re = new RegExp(`^\\s*${escaped.join('(.+?)')}\\s*$`, 'i');
    const m = re.exec(text);
    if (m?.slice(1).every((g) => !/^\[[^\]]*\]$/.test(g))) {
      let i = 1;
      return target.replace(holes, () => m[i++] as string);
    }
  }
  return target;
}

/** Under an equivariant verdict: the swapped label and caption, or why a given one cannot be swapped. */
function swapTargets(f: Facts): {
  label: string | null;
  caption: string | null;
  changed: boolean;
  missing: string | null;
} {
  let changed = false;
  let label: string | null = null;
  let caption: string | null = null;
  const l = f.input.label;
  if (l) {
    const prior = l.prior;
    if (!l.text) return { label, caption, changed, missing: 'no counterpart label: the label is empty' };
    if (!prior)
      return {
        label,
        caption,
        changed,
        missing: `no counterpart label: label ${quote(l.text)} is in no known taxonomy`,
      };
    if (prior.verdict === 'invariant') label = l.text;
    else {
      label = swapLabel(l.text, prior);
      if (label === null)
        return { label, caption, changed, missing: `no counterpart label: class ${quote(prior.name)} has none` };
      changed = true;
    }
  }
  const c = f.input.caption;
  if (c) {
    const a = c.analysis;
    if (!c.text || !a)
      return { label, caption, changed, missing: 'no counterpart caption: the caption could not be analysed' };
    if (a.status === 'swap' && a.reversed !== null) {
      caption = a.reversed;
      changed = true;
    } else if (a.status === 'keep') caption = c.text;
    else return { label, caption, changed, missing: `no counterpart caption (${a.reason})` };
  }
  if (!changed)
    return {
      label,
      caption,
      changed,
      missing:
        l || c
          ? 'no counterpart label: nothing in the label or caption changes with direction'
          : 'no counterpart label: no label or caption column to swap',
    };
  return { label, caption, changed, missing: null };
}

/** The kind the decision rests on: the text's when it speaks, else the model's reversible reading, else invariant. */
function kindOf(f: Facts): 'invariant' | 'equivariant' {
  if (f.textKind) return f.textKind;
  const m = f.input.model;
  return m ? modelKind(m) : 'invariant';
}

const RULES: readonly Rule[] = Object.freeze([
  {
    id: 'failed',
    when: 'the manifest row or the clip failed (bad row, duplicate id, missing file, decode or analysis error)',
    outcome: () => 'exclude',
    apply: (f) => {
      const e = f.input.error;
      if (!e) return null;
      const where = e.stage === 'manifest' ? 'manifest row' : `${e.stage ?? 'scan'} error`;
      return { decision: 'exclude', verdict: null, reason: `${where} (${e.code}): ${e.message}` };
    },
  },
  {
    id: 'text-irreversible',
    when: "the label's class or the caption says irreversible (class 'Dropping something', caption says 'falls')",
    outcome: () => 'exclude',
    apply: (f) => {
      if (!f.textIrreversible.length) return null;
      const m = f.input.model;
      return {
        decision: 'exclude',
        verdict: 'irreversible',
        reason: because(...f.textIrreversible, m && modelText(m)),
      };
    },
  },
  {
    id: 'model-irreversible',
    when: "the model's p_irreversible reaches the policy's threshold",
    outcome: (t) => `exclude at p_irreversible >= ${t.irreversibleP}`,
    apply: (f, t) => {
      const m = f.input.model;
      if (!m || m.p_irreversible < t.irreversibleP) return null;
      const head =
        m.verdict === 'irreversible'
          ? modelText(m)
          : `model: p_irreversible ${fmt(m.p_irreversible)} >= ${t.irreversibleP} (${m.verdict} ${fmt(m.confidence)})`;
      return { decision: 'exclude', verdict: 'irreversible', reason: because(head, ...f.textReasons) };
    },
  },
  {
    id: 'unjudged-text',
    when: 'a label is in no known taxonomy, or a caption has no known motion word (or is empty)',
    outcome: (t) => (t.requireJudgedText ? 'exclude' : 'no effect (the text is silent)'),
    apply: (f, t) => {
      if (!t.requireJudgedText || f.unjudged.length === 0) return null;
      return {
        decision: 'exclude',
        verdict: f.textKind ?? f.input.model?.verdict ?? null,
        reason: because(...f.unjudged, ...contextOf(f)),
      };
    },
  },
  {
    id: 'doubtful-pixels',
    when: 'the pixels are in doubt: a degenerate clip (under 16 px, blank, still) or one unlike the training footage (in_domain below the threshold)',
    outcome: (t) =>
      !t.doubtExcludes
        ? 'no effect'
        : t.confidenceAlways
          ? 'exclude (even when the class or caption speaks: a trusted model is required)'
          : 'exclude when the class and caption are silent',
    apply: (f, t) => {
      const doubt = f.input.doubt ?? [];
      if (!t.doubtExcludes || doubt.length === 0 || (f.textKind !== null && !t.confidenceAlways)) return null;
      const m = f.input.model;
      const head = f.textKind === null ? 'unsure: pixels only' : 'unsure: a trusted model is required';
      return {
        decision: 'exclude',
        verdict: f.textKind ?? m?.verdict ?? null,
        reason: because(`${head}, and ${doubt.join('; ')}`, ...f.textReasons, m && modelText(m)),
      };
    },
  },
  {
    id: 'unsure-model',
    when: 'the model is missing or less sure of its reversible reading than the policy asks',
    outcome: (t) =>
      t.minConfidence === 0
        ? 'no effect'
        : `exclude below ${t.minConfidence}${t.confidenceAlways ? ' (always; a model is required)' : ' when the class and caption are silent'}`,
    apply: (f, t) => {
      if (t.minConfidence === 0 || (!t.confidenceAlways && f.textKind !== null)) return null;
      const m = f.input.model;
      if (!m)
        return {
          decision: 'exclude',
          verdict: f.textKind,
          reason: because(
            t.confidenceAlways
              ? `no model verdict (a confident model is required)`
              : 'no model verdict and no label class or caption to go by',
            ...f.textReasons,
          ),
        };
      const kind = modelKind(m);
      const p = pOf(m, kind);
      if (p >= t.minConfidence) return null;
      const head =
        m.verdict === kind
          ? `model unsure: ${kind} ${fmt(p)} < ${t.minConfidence}`
          : `model unsure: ${modelText(m)}, ${kind} ${fmt(p)} < ${t.minConfidence}`;
      return { decision: 'exclude', verdict: f.textKind ?? m.verdict, reason: because(head, ...f.textReasons) };
    },
  },
  {
    id: 'equivariant-no-counterpart',
    when: 'equivariant, but a given label or caption has no counterpart (or there is nothing to swap)',
    outcome: () => 'exclude',
    apply: (f) => {
      if (kindOf(f) !== 'equivariant') return null;
      const s = swapTargets(f);
      return s.missing
        ? { decision: 'exclude', verdict: 'equivariant', reason: because(s.missing, ...contextOf(f)) }
        : null;
    },
  },
  {
    id: 'equivariant',
    when: 'equivariant, and every given label and caption has its counterpart',
    outcome: () => 'reverse_swap_label',
    apply: (f) => {
      if (kindOf(f) !== 'equivariant') return null;
      const s = swapTargets(f);
      return {
        decision: 'reverse_swap_label',
        verdict: 'equivariant',
        reason: because(...contextOf(f)),
        label_reversed: s.label,
        caption_reversed: s.caption,
      };
    },
  },
  {
    id: 'invariant',
    when: 'otherwise (invariant by the text, the model, or, under permissive, for want of evidence against it)',
    outcome: () => 'reverse_keep_label',
    apply: (f) => {
      const ctx = contextOf(f);
      return {
        decision: 'reverse_keep_label',
        verdict: 'invariant',
        reason: ctx.length
          ? because(...ctx)
          : 'no evidence of irreversibility (nothing but the permissive policy to go by)',
        label_reversed: f.input.label?.text ?? null,
        caption_reversed: f.input.caption?.text ?? null,
      };
    },
  },
] satisfies Rule[]);

/** One row of the documented table: the rule, and what it does under each policy. */
export interface DecisionTableRow {
  id: string;
  when: string;
  strict: string;
  balanced: string;
  permissive: string;
}

/** The decision table as plain rows (first matching row wins), for docs and tests (docs/design.md). */
export const DECISION_TABLE: readonly DecisionTableRow[] = Object.freeze(
  RULES.map((r) =>
    Object.freeze({
      id: r.id,
      when: r.when,
      strict: r.outcome(POLICY_THRESHOLDS.strict),
      balanced: r.outcome(POLICY_THRESHOLDS.balanced),
      permissive: r.outcome(POLICY_THRESHOLDS.permissive),
    }),
  ),
);

/** The decision table as Markdown (the one in src/decide/README.md). */
export function formatDecisionTable(): string {
  const lines = ['| # | rule | when | strict | balanced | permissive |', '|---|---|---|---|---|---|'];
  DECISION_TABLE.forEach((r, i) => {
    lines.push(`| ${i + 1} | \`${r.id}\` | ${r.when} | ${r.strict} | ${r.balanced} | ${r.permissive} |`);
  });
  return lines.join('\n');
}

/**
 * Decides one clip: the first rule of {@link DECISION_TABLE} that applies under `policy` wins.
 * Pure: the same input always gives the same result.
 * @example
 * decide({ model: { verdict: 'irreversible', p_invariant: 0.02, p_equivariant: 0.05, p_irreversible: 0.93, confidence: 0.93 } }, 'balanced');
 * // -> { decision: 'exclude', reason: 'model: irreversible 0.93', ... }
 */
export function decide(input: DecisionInput, policy: Policy = 'balanced'): DecisionResult {
  const t = POLICY_THRESHOLDS[policy];
  if (!t)
    throw new TypeError(`Expected one of ${POLICIES.join(', ')} for policy but received ${JSON.stringify(policy)}`);
  const f = deriveFacts(input);
  for (const rule of RULES) {
    const hit = rule.apply(f, t);
    if (!hit) continue;
    const reverse = hit.decision !== 'exclude';
    return {
      decision: hit.decision,
      reverse,
      verdict: hit.verdict,
      reason: hit.reason,
      label_reversed: reverse ? (hit.label_reversed ?? null) : null,
      caption_reversed: reverse ? (hit.caption_reversed ?? null) : null,
      rule: rule.id,
    };
  }
  // The last rule always applies; this is unreachable.
  throw new Error('decision table has no fallback rule');
}
