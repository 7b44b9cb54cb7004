// Builds the SSv2 and Jester taxonomies from the shared source files: overrides, then name rules, then PDDL undo-pairs.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditError } from '../../errors.js';
import { CsvRecordSplitter, type CsvRecord } from '../../io/formats/csv-records.js';
import { deriveUndoPairs, type UndoPair } from './derive.js';
import { JESTER_OVERRIDES, SSV2_OVERRIDES } from './overrides.js';
import { parseDomain, PddlError, type PddlDomain } from './pddl.js';
import { directionPairs, matchRule, SSV2_RULES } from './rules.js';
import { taxonomyCounts } from './counts.js';
import type { ClassVerdict, Taxonomy, TaxonomyClass, TaxonomyOverride, VerdictSource } from './types.js';

/** Version of the derivation, rules and override tables; bump it when any of them changes the output. */
export const TAXONOMY_GENERATOR_VERSION = '1.0.0';

/** The source files, their upstream (from shared/data/README.md), and the key they are read under. */
export const TAXONOMY_SOURCES = Object.freeze({
  ssv2Labels: {
    file: 'ssv2_labels.json',
    upstream:
      "Something-Something v2 label templates (the dataset's 174 classes; shared/data/README.md names no repository)",
  },
  ssv2Domain: {
    file: 'ssv2_domain.pddl',
    upstream: 'github.com/tmigimatsu/grounding-predicates (Migimatsu and Bohg, ICRA 2022)',
  },
  ssv2FineToCoarse: {
    file: 'ssv2_fine_to_coarse.csv',
    upstream: 'github.com/willprice/20bn-something-something-label-hierarchies',
  },
  ssv2Coarse: {
    file: 'ssv2_coarse_classes.csv',
    upstream: 'github.com/willprice/20bn-something-something-label-hierarchies',
  },
  jesterLabels: { file: 'jester_labels.txt', upstream: 'github.com/open-mmlab/mmaction2 (Jester label map)' },
} as const);

export type TaxonomySourceKey = keyof typeof TAXONOMY_SOURCES;

/** The text of every source file. */
export type TaxonomySourceTexts = Record<TaxonomySourceKey, string>;

/** A taxonomy input that is missing or malformed; `where.path` names the file, `where.row` the line or entry. */
export class TaxonomyError extends AuditError {
  constructor(message: string, where: { path?: string; row?: number } = {}) {
    super('taxonomy', message, where);
  }
}

/** Reads the source files from `dir` (the shared `data/taxonomy` folder). */
export async function readTaxonomySources(dir: string): Promise<TaxonomySourceTexts> {
  const out: Partial<TaxonomySourceTexts> = {};
  for (const [key, src] of Object.entries(TAXONOMY_SOURCES) as [
    TaxonomySourceKey,
    (typeof TAXONOMY_SOURCES)[TaxonomySourceKey],
  ][]) {
    const path = join(dir, src.file);
    try {
      out[key] = await readFile(path, 'utf8');
    } catch (err) {
      throw new TaxonomyError(
        `Expected a readable taxonomy source for ${path} but received ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        { path },
      );
    }
  }
  return out as TaxonomySourceTexts;
}

function sourceEntry(
  texts: TaxonomySourceTexts,
  key: TaxonomySourceKey,
): { file: string; sha256: string; upstream: string } {
  const { file, upstream } = TAXONOMY_SOURCES[key];
  return { file, sha256: createHash('sha256').update(texts[key]).digest('hex'), upstream };
}

interface Decision {
  verdict: ClassVerdict;
  counterpart: string | null;
  reason: string;
  source: VerdictSource;
}

interface BaseClass {
  id: string;
  name: string;
  coarse?: string;
}

/** Applies the override table; checks every entry names a class, once, and every counterpart exists. */
function applyOverrides(
  classes: readonly BaseClass[],
  overrides: readonly TaxonomyOverride[],
  table: string,
): Map<string, Decision> {
  const names = new Set(classes.map((c) => c.name));
  const out = new Map<string, Decision>();
  overrides.forEach((o, k) => {
    const where = { path: table, row: k + 1 };
    if (!names.has(o.class))
      throw new TaxonomyError(
        `Expected a class name of the taxonomy for override ${k + 1} but received ${JSON.stringify(o.class)}`,
        where,
      );
    if (out.has(o.class))
      throw new TaxonomyError(
        `Expected one override per class for ${JSON.stringify(o.class)} but received a second one`,
        where,
      );
    if (!o.reason.trim())
      throw new TaxonomyError(
        `Expected a reason for the override of ${JSON.stringify(o.class)} but received an empty one`,
        where,
      );
    const counterpart = o.counterpart ?? null;
    if (counterpart !== null && (o.verdict !== 'equivariant' || !names.has(counterpart))) {
      throw new TaxonomyError(
        `Expected an equivariant verdict and an existing counterpart class for the override of ${JSON.stringify(o.class)} but received ${o.verdict} -> ${JSON.stringify(counterpart)}`,
        where,
      );
    }
    out.set(o.class, { verdict: o.verdict, counterpart, reason: o.reason, source: 'override' });
  });
  return out;
}

/** Checks that counterparts are symmetric and equivariant, and that every class has a verdict. */
function finish(classes: readonly BaseClass[], decided: Map<string, Decision>, what: string): TaxonomyClass[] {
  const missing = classes.filter((c) => !decided.has(c.name));
  if (missing.length) {
    throw new TaxonomyError(
      `Expected a verdict for every ${what} class but received none for ${missing.map((c) => JSON.stringify(c.name)).join(', ')}; add an override entry for each`,
    );
  }
  const out = classes.map((c): TaxonomyClass => {
    const d = decided.get(c.name)!;
    return {
      id: c.id,
      name: c.name,
      verdict: d.verdict,
      counterpart: d.counterpart,
      reason: d.reason,
      source: d.source,
      ...(c.coarse !== undefined ? { coarse: c.coarse } : {}),
    };
  });
  for (const c of out) {
    if (c.counterpart === null) continue;
    const back = decided.get(c.counterpart);
    if (c.verdict !== 'equivariant' || back?.verdict !== 'equivariant' || back.counterpart !== c.name) {
      throw new TaxonomyError(
        `Expected ${JSON.stringify(c.counterpart)} to have ${JSON.stringify(c.name)} as its counterpart (pairs are symmetric) but received ${back ? `${back.verdict} -> ${JSON.stringify(back.counterpart)}` : 'no verdict'}`,
      );
    }
  }
  return out;
}

// ---------- SSv2 ----------

function parseSsv2Labels(text: string): { id: string; name: string; label: string }[] {
  const file = TAXONOMY_SOURCES.ssv2Labels.file;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new TaxonomyError(
      `Expected JSON for ${file} but received text that does not parse (${(err as Error).message})`,
      { path: file },
    );
  }
  if (!Array.isArray(data))
    throw new TaxonomyError(`Expected an array of {id, label, template} for ${file} but received ${typeof data}`, {
      path: file,
    });
  const seen = new Set<string>();
  return data.map((x: unknown, k) => {
    const e = x as { id?: unknown; label?: unknown; template?: unknown };
    if (
      typeof e !== 'object' ||
      e === null ||
      !Number.isInteger(e.id) ||
      typeof e.label !== 'string' ||
      typeof e.template !== 'string'
    ) {
      throw new TaxonomyError(
        `Expected {id: integer, label: string, template: string} for entry ${k} of ${file} but received ${JSON.stringify(x)}`,
        { path: file, row: k },
      );
    }
    const id = String(e.id);
    if (seen.has(id) || seen.has(e.template))
      throw new TaxonomyError(
        `Expected unique ids and templates in ${file} but received ${id} / ${JSON.stringify(e.template)} twice`,
        { path: file, row: k },
      );
    seen.add(id).add(e.template);
    return { id, name: e.template, label: e.label };
  });
}

function parseCsv(text: string, file: string): string[][] {
  const splitter = new CsvRecordSplitter(',', false);
  const records: CsvRecord[] = [];
  text.split('\n').forEach((t, k) => {
    splitter.push({ line: k + 1, text: t.replace(/\r$/, ''), terminated: true }, records);
  });
  splitter.end(records);
  return records.map((r) => {
    if ('error' in r)
      throw new TaxonomyError(`Expected CSV for line ${r.line} of ${file} but received ${r.error}`, {
        path: file,
        row: r.line,
      });
    return r.fields;
  });
}

/** Template -> coarse class name, checked against the coarse class list. */
function parseCoarse(fineCsv: string, coarseCsv: string): Map<string, string> {
  const fineFile = TAXONOMY_SOURCES.ssv2FineToCoarse.file;
  const coarseFile = TAXONOMY_SOURCES.ssv2Coarse.file;
  const coarse = parseCsv(coarseCsv, coarseFile);
  const names = new Map(coarse.slice(1).map((r) => [r[0], r[1]]));
  const fine = parseCsv(fineCsv, fineFile);
  const head = fine[0] ?? [];
  const col = (name: string): number => {
    const k = head.indexOf(name);
    if (k < 0)
      throw new TaxonomyError(`Expected a ${name} column in ${fineFile} but received columns ${head.join(', ')}`, {
        path: fineFile,
        row: 1,
      });
    return k;
  };
  const [fc, cc, ci] = [col('fine_grained_class'), col('coarse_grained_class'), col('coarse_grained_class_index')];
  const out = new Map<string, string>();
  fine.slice(1).forEach((r, k) => {
    if (names.get(r[ci]) !== r[cc]) {
      throw new TaxonomyError(
        `Expected coarse class ${r[ci]} to be named ${JSON.stringify(names.get(r[ci]))} as in ${coarseFile} for row ${k + 2} of ${fineFile} but received ${JSON.stringify(r[cc])}`,
        { path: fineFile, row: k + 2 },
      );
    }
    out.set(r[fc], r[cc]);
  });
  return out;
}

/** Lower-case words of a template without its placeholders, for comparing templates. */
function templateWords(name: string): Set<string> {
  return new Set(
    name
      .replace(/\[[^\]]*\]/g, ' ')
      .toLowerCase()
      .match(/[a-z']+/g) ?? [],
  );
}

function jaccard(a: Set<string>, b: Set<string>): number {
  const inter = [...a].filter((w) => b.has(w)).length;
  return inter / (a.size + b.size - inter || 1);
}

const showLiteral = (key: string): string => (key.startsWith('!') ? `not ${key.slice(1)}` : key);

/** What happened to each mechanically derived candidate pair, for the provenance. */
interface CandidateNote {
  a: string;
  b: string;
  actions: [string, string];
  extra: number;
  similarity: number;
  used: boolean;
  note: string;
}

/**
 * Builds the SSv2 taxonomy: the reviewed overrides first, then the keyword rules, then undo-pairs
 * derived from the PDDL domain among the classes still open, matched one-to-one (exact inverses first,
 * then the pair whose templates share the most words, then the most general templates, then the lowest ids).
 */
export function buildSsv2Taxonomy(texts: TaxonomySourceTexts): Taxonomy {
  const labels = parseSsv2Labels(texts.ssv2Labels);
  const coarse = parseCoarse(texts.ssv2FineToCoarse, texts.ssv2Coarse);
  const classes: BaseClass[] = labels.map((l) => ({ id: l.id, name: l.name, coarse: coarse.get(l.name) }));
  const domain = readSsv2Domain(texts.ssv2Domain);
  const classOfAction = actionClasses(domain, labels);
  const decided = decideByOverridesAndRules(classes);
  const candidates = pairUndoActions(domain, classOfAction, classes, decided);
  const out = finish(classes, decided, 'SSv2');
  return {
    name: 'ssv2',
    title: 'Something-Something v2: 174 classes under time reversal',
    version: TAXONOMY_GENERATOR_VERSION,
    provenance: ssv2Provenance(texts, candidates, taxonomyCounts(out)),
    classes: out,
  };
}

/** The PDDL domain, its parse errors named with the source file and line. */
function readSsv2Domain(text: string): PddlDomain {
  const pddlFile = TAXONOMY_SOURCES.ssv2Domain.file;
  try {
    return parseDomain(text);
  } catch (err) {
    if (err instanceof PddlError)
      throw new TaxonomyError(`${err.message} in ${pddlFile}`, { path: pddlFile, row: err.line });
    throw err;
  }
}

/** The class each action models, from the comment before it: "; <id> <label>". */
function actionClasses(
  domain: PddlDomain,
  labels: ReturnType<typeof parseSsv2Labels>,
): Map<string, { id: string; name: string }> {
  const byId = new Map(labels.map((l) => [l.id, l]));
  const classOfAction = new Map<string, { id: string; name: string }>();
  for (const action of domain.actions) {
    const m = action.comments.map((c) => /^(\d+)\s+(.+)$/.exec(c)).find((x) => x !== null);
    const cls = m ? byId.get(m[1]) : undefined;
    if (!m || !cls || cls.label !== m[2]) {
      throw new TaxonomyError(
        `Expected a comment "<class id> <class label>" matching ${TAXONOMY_SOURCES.ssv2Labels.file} before action ${action.name} but received ${JSON.stringify(action.comments)}`,
        { path: TAXONOMY_SOURCES.ssv2Domain.file, row: action.line },
      );
    }
    classOfAction.set(action.name, { id: cls.id, name: cls.name });
  }
  return classOfAction;
}

/** The reviewed overrides, then the first keyword rule for each class still open; an override must change its rule's verdict. */
function decideByOverridesAndRules(classes: BaseClass[]): Map<string, Decision> {
  const decided = applyOverrides(classes, SSV2_OVERRIDES, 'src/labels/taxonomy/overrides.ts SSV2_OVERRIDES');
  for (const c of classes) {
    if (decided.has(c.name)) continue;
    const rule = matchRule(SSV2_RULES, c.name);
    if (rule)
      decided.set(c.name, {
        verdict: rule.verdict,
        counterpart: null,
        reason: `rule "${rule.name}": ${rule.reason}`,
        source: 'rule',
      });
  }
  for (const o of SSV2_OVERRIDES) {
    const rule = matchRule(SSV2_RULES, o.class);
    if (rule && rule.verdict === o.verdict)
      throw new TaxonomyError(
        `Expected the override of ${JSON.stringify(o.class)} to change what rule "${rule.name}" decides but received the same verdict`,
      );
  }
  return decided;
}

/**
 * Pairs the classes still open from the domain's undo-pairs, one-to-one in rank order (fewest changes left undone,
 * most shared template words, fewest words, lowest ids), adding the pairs to `decided`; returns every candidate with
 * what became of it.
 */
function pairUndoActions(
  domain: PddlDomain,
  classOfAction: Map<string, { id: string; name: string }>,
  classes: BaseClass[],
  decided: Map<string, Decision>,
): CandidateNote[] {
  const open = new Set(classes.filter((c) => !decided.has(c.name)).map((c) => c.name));
  const ranked = deriveUndoPairs(domain)
    .map((p) => {
      const a = classOfAction.get(p.a)!;
      const b = classOfAction.get(p.b)!;
      const [wa, wb] = [templateWords(a.name), templateWords(b.name)];
      return { p, a, b, sim: jaccard(wa, wb), words: wa.size + wb.size };
    })
    .sort(
      (x, y) =>
        x.p.extra - y.p.extra ||
        y.sim - x.sim ||
        x.words - y.words ||
        Number(x.a.id) - Number(y.a.id) ||
        Number(x.b.id) - Number(y.b.id),
    );
  const candidates: CandidateNote[] = [];
  for (const { p, a, b, sim } of ranked) {
    const note: CandidateNote = {
      a: `${a.id} ${a.name}`,
      b: `${b.id} ${b.name}`,
      actions: [p.a, p.b],
      extra: p.extra,
      similarity: Math.round(sim * 1000) / 1000,
      used: false,
      note: '',
    };
    const closed = [a, b].filter((c) => !open.has(c.name));
    if (closed.length) {
      note.note = closed
        .map((c) => {
          const d = decided.get(c.name)!;
          return d.source === 'derived'
            ? `${c.id} already paired with ${JSON.stringify(d.counterpart)}`
            : `${c.id} decided by ${d.source} (${d.verdict})`;
        })
        .join('; ');
    } else {
      open.delete(a.name);
      open.delete(b.name);
      note.used = true;
      note.note = 'paired';
      decided.set(a.name, derivedDecision(b.name, p, p.a, p.b, p.restoredByB, p.restoredByA));
      decided.set(b.name, derivedDecision(a.name, p, p.b, p.a, p.restoredByA, p.restoredByB));
    }
    candidates.push(note);
  }
  return candidates;
}

function ssv2Provenance(
  texts: TaxonomySourceTexts,
  candidates: CandidateNote[],
  counts: ReturnType<typeof taxonomyCounts>,
): Taxonomy['provenance'] {
  return {
    generator: 'scripts/build-taxonomy.js (src/labels/taxonomy/build.ts)',
    generator_version: TAXONOMY_GENERATOR_VERSION,
    sources: (['ssv2Labels', 'ssv2Domain', 'ssv2FineToCoarse', 'ssv2Coarse'] as const).map((k) =>
      sourceEntry(texts, k),
    ),
    method: [
      'override: the reviewed table in src/labels/taxonomy/overrides.ts decides first; each entry gives its reason',
      'rule: otherwise the first keyword rule that fits the template decides (src/labels/taxonomy/rules.ts, listed below)',
      "derived: the remaining classes are paired from ssv2_domain.pddl: action B undoes action A when, under a parameter mapping, B can run after A and B's effects restore every precondition A destroyed, and vice versa (preconditions and effects closed under the domain axioms; hand-only changes such as letting go do not count)",
      'derived candidates are matched one-to-one: exact inverses first (fewest changes left undone), then templates sharing the most words, then the most general templates (fewest words), then the lowest ids',
      'the build fails when a class has no verdict or a counterpart is not symmetric',
    ],
    rules: SSV2_RULES.map((r) => ({
      name: r.name,
      verdict: r.verdict,
      match: r.match.source,
      ...(r.unless ? { unless: r.unless.source } : {}),
      reason: r.reason,
    })),
    derived_candidates: candidates,
    counts,
  };
}

function derivedDecision(
  counterpart: string,
  p: UndoPair,
  self: string,
  other: string,
  restoredByOther: string[],
  restoredBySelf: string[],
): Decision {
  const lits = (keys: string[]): string => keys.map(showLiteral).join(', ');
  return {
    verdict: 'equivariant',
    counterpart,
    source: 'derived',
    reason: `reversed it is ${JSON.stringify(counterpart)}: in ssv2_domain.pddl, ${other} restores what ${self} destroys (${lits(restoredByOther)}) and ${self} restores what ${other} destroys (${lits(restoredBySelf)})${p.extra ? `; ${p.extra} further change(s) not undone` : ''}`,
  };
}

// ---------- Jester ----------

/** Builds the Jester taxonomy: the reviewed overrides first, then direction-word pairs of gesture names. */
export function buildJesterTaxonomy(texts: TaxonomySourceTexts): Taxonomy {
  const file = TAXONOMY_SOURCES.jesterLabels.file;
  const names = texts.jesterLabels
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (new Set(names).size !== names.length)
    throw new TaxonomyError(`Expected unique gesture names in ${file} but received a repeated one`, { path: file });
  const classes: BaseClass[] = names.map((name, k) => ({ id: String(k), name }));
  const decided = applyOverrides(classes, JESTER_OVERRIDES, 'src/labels/taxonomy/overrides.ts JESTER_OVERRIDES');
  const open = names.filter((n) => !decided.has(n));
  let pairs: ReturnType<typeof directionPairs>;
  try {
    pairs = directionPairs(open);
  } catch (err) {
    throw new TaxonomyError(`${(err as Error).message} in ${file}`, { path: file });
  }
  for (const { a, b, words } of pairs) {
    const said = words.map(([x, y]) => `${x}/${y}`).join(', ');
    decided.set(a, {
      verdict: 'equivariant',
      counterpart: b,
      source: 'rule',
      reason: `rule "direction words": the names differ only by ${said}; played backwards the hand moves the opposite way, which is ${JSON.stringify(b)}`,
    });
    decided.set(b, {
      verdict: 'equivariant',
      counterpart: a,
      source: 'rule',
      reason: `rule "direction words": the names differ only by ${said}; played backwards the hand moves the opposite way, which is ${JSON.stringify(a)}`,
    });
  }
  const out = finish(classes, decided, 'Jester');
  return {
    name: 'jester',
    title: 'Jester: 27 hand gestures under time reversal',
    version: TAXONOMY_GENERATOR_VERSION,
    provenance: {
      generator: 'scripts/build-taxonomy.js (src/labels/taxonomy/build.ts)',
      generator_version: TAXONOMY_GENERATOR_VERSION,
      sources: [sourceEntry(texts, 'jesterLabels')],
      method: [
        'override: the reviewed table in src/labels/taxonomy/overrides.ts decides first; each entry gives its reason',
        "rule: two gestures whose names differ only by direction words (left/right, up/down, in/out, forward/backward, clockwise/counterclockwise, pushing/pulling, away/in) are each other's reversal",
        'the build fails when a gesture has no verdict or a counterpart is not symmetric',
      ],
      counts: taxonomyCounts(out),
    },
    classes: out,
  };
}

/** The committed JSON form of a taxonomy: pretty-printed, keys and classes in a stable order, newline at the end. */
export function taxonomyJson(t: Taxonomy): string {
  return `${JSON.stringify(t, null, 2)}\n`;
}

/** Builds both taxonomies from the source folder. */
export async function buildTaxonomies(dir: string): Promise<{ ssv2: Taxonomy; jester: Taxonomy }> {
  const texts = await readTaxonomySources(dir);
  return { ssv2: buildSsv2Taxonomy(texts), jester: buildJesterTaxonomy(texts) };
}
