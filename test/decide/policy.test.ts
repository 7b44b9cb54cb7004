// The decision table case by case: every rule under every policy, swaps of labels and captions, reasons.

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  DECISION_TABLE,
  POLICIES,
  POLICY_THRESHOLDS,
  decide,
  formatDecisionTable,
  restsOnPixels,
  swapLabel,
  type CaptionInfo,
  type ClassPrior,
  type Decision,
  type DecisionInput,
  type ModelOpinion,
  type Policy,
} from '../../src/decide/policy.js';

/** A model opinion from three probabilities (the winner is the verdict). */
function model(pInv: number, pEq: number, pIrr: number, pForward = 0.5): ModelOpinion {
  const ps = { invariant: pInv, equivariant: pEq, irreversible: pIrr };
  const verdict = (Object.keys(ps) as Array<keyof typeof ps>).reduce((a, b) => (ps[b] > ps[a] ? b : a));
  return {
    verdict,
    p_invariant: pInv,
    p_equivariant: pEq,
    p_irreversible: pIrr,
    confidence: ps[verdict],
    p_forward: pForward,
  };
}

const OPENING: ClassPrior = {
  name: 'Opening [something]',
  verdict: 'equivariant',
  counterpart: 'Closing [something]',
  reason: 'undone by closing',
};
const LIFTING: ClassPrior = {
  name: 'Lifting up one end of [something], then letting it drop down',
  verdict: 'equivariant',
  counterpart: null,
  reason: 'none in SSv2',
};
const SHAKING: ClassPrior = {
  name: 'Shaking [something]',
  verdict: 'invariant',
  counterpart: null,
  reason: 'periodic',
};
const DROPPING: ClassPrior = {
  name: 'Dropping [something]',
  verdict: 'irreversible',
  counterpart: null,
  reason: 'falls',
};

const cap = (status: CaptionInfo['status'], reversed: string | null, reason: string): CaptionInfo => ({
  status,
  reversed,
  reason,
});
const FALLS = cap('irreversible', null, "caption says 'falls'");
const OPENS = cap('swap', 'a man closes the door', "'opens' -> 'closes'");
const WAVES = cap('keep', 'a girl waves', "'waves' is direction-free");
const UNKNOWN = cap('unknown', null, 'no known motion word');
const OOD = "out of domain: unlike the model's training footage (in_domain 0.0030 < 0.01)";

type Row = [
  name: string,
  input: DecisionInput,
  expected: Record<Policy, Decision>,
  rule?: Partial<Record<Policy, string>>,
];
const X: Decision = 'exclude';
const K: Decision = 'reverse_keep_label';
const S: Decision = 'reverse_swap_label';
const all = (d: Decision): Record<Policy, Decision> => ({ strict: d, balanced: d, permissive: d });

// Each row: what the clip has, and the decision under strict / balanced / permissive.
const CASES: Row[] = [
  [
    'scan error',
    { error: { code: 'corrupt', message: 'moov atom not found', stage: 'decode' }, model: model(0.9, 0.05, 0.05) },
    all(X),
    { strict: 'failed', balanced: 'failed', permissive: 'failed' },
  ],
  [
    'duplicate id',
    { error: { code: 'duplicate_id', message: 'Row 4: id "a" already appeared at row 2', stage: 'manifest' } },
    all(X),
  ],
  ['confident irreversible model', { model: model(0.02, 0.05, 0.93) }, all(X), { permissive: 'model-irreversible' }],
  [
    'model p_irr 0.6: excluded unless permissive',
    { model: model(0.3, 0.1, 0.6) },
    { strict: X, balanced: X, permissive: K },
    { balanced: 'model-irreversible' },
  ],
  [
    'opening class, model p_irr 0.52 (just over balanced)',
    { model: model(0.08, 0.4, 0.52), label: { text: 'Opening a drawer', prior: OPENING } },
    { strict: X, balanced: X, permissive: S },
    { balanced: 'model-irreversible' },
  ],
  [
    'opening class, model p_irr 0.48 (just under balanced)',
    { model: model(0.12, 0.4, 0.48), label: { text: 'Opening a drawer', prior: OPENING } },
    { strict: X, balanced: S, permissive: S },
  ],
  [
    'model p_irr 0.3 (verdict invariant 0.6): only strict excludes',
    { model: model(0.6, 0.1, 0.3) },
    { strict: X, balanced: K, permissive: K },
    { strict: 'model-irreversible' },
  ],
  ['confident invariant model, no text', { model: model(0.9, 0.05, 0.05) }, all(K)],
  [
    'invariant 0.7: strict wants 0.8',
    { model: model(0.7, 0.15, 0.15) },
    { strict: X, balanced: K, permissive: K },
    { strict: 'unsure-model' },
  ],
  [
    'invariant 0.5: balanced wants 0.6 when the text is silent',
    { model: model(0.5, 0.35, 0.15) },
    { strict: X, balanced: X, permissive: K },
    { balanced: 'unsure-model' },
  ],
  ['no model, no text', {}, { strict: X, balanced: X, permissive: K }],
  [
    'equivariant model, no label or caption: nothing to swap',
    { model: model(0.05, 0.9, 0.05) },
    all(X),
    { balanced: 'equivariant-no-counterpart' },
  ],
  [
    'opening class with its counterpart, equivariant model',
    { model: model(0.05, 0.9, 0.05), label: { text: 'Opening a drawer', prior: OPENING } },
    all(S),
  ],
  [
    'opening class, no model: balanced trusts the class',
    { label: { text: 'Opening a drawer', prior: OPENING } },
    { strict: X, balanced: S, permissive: S },
  ],
  [
    'opening class, model unsure (0.5): balanced goes by the class',
    { model: model(0.5, 0.4, 0.1), label: { text: 'Opening a drawer', prior: OPENING } },
    { strict: X, balanced: S, permissive: S },
  ],
  [
    'opening class, model says irreversible 0.7',
    { model: model(0.1, 0.2, 0.7), label: { text: 'Opening a drawer', prior: OPENING } },
    { strict: X, balanced: X, permissive: S },
  ],
  [
    'equivariant class without a counterpart',
    {
      model: model(0.05, 0.9, 0.05),
      label: { text: 'Lifting up one end of a book, then letting it drop down', prior: LIFTING },
    },
    all(X),
    { balanced: 'equivariant-no-counterpart' },
  ],
  [
    'irreversible class beats a confident invariant model',
    { model: model(0.95, 0.03, 0.02), label: { text: 'Dropping a pen', prior: DROPPING } },
    all(X),
    { strict: 'text-irreversible' },
  ],
  [
    'invariant class, equivariant model: the class decides the kind',
    { model: model(0.05, 0.9, 0.05), label: { text: 'Shaking a bottle', prior: SHAKING } },
    all(K),
  ],
  [
    'label in no taxonomy, confident invariant model',
    { model: model(0.9, 0.05, 0.05), label: { text: 'misc', prior: null } },
    { strict: X, balanced: K, permissive: K },
    { strict: 'unjudged-text' },
  ],
  [
    'label in no taxonomy, equivariant model: no counterpart label',
    { model: model(0.05, 0.9, 0.05), label: { text: 'misc', prior: null } },
    { strict: X, balanced: X, permissive: X },
    { balanced: 'equivariant-no-counterpart' },
  ],
  [
    'empty label cell',
    { model: model(0.9, 0.05, 0.05), label: { text: null, prior: null } },
    { strict: X, balanced: K, permissive: K },
  ],
  [
    "caption says 'falls'",
    { model: model(0.9, 0.05, 0.05), caption: { text: 'a ball falls', analysis: FALLS } },
    all(X),
    { balanced: 'text-irreversible' },
  ],
  [
    'out of domain, confident invariant model, no text: unsure',
    { model: model(0.9, 0.05, 0.05), doubt: [OOD] },
    { strict: X, balanced: X, permissive: K },
    { strict: 'doubtful-pixels', balanced: 'doubtful-pixels', permissive: 'invariant' },
  ],
  [
    'out of domain, but the class speaks: the class decides',
    { model: model(0.9, 0.05, 0.05), label: { text: 'Shaking a bottle', prior: SHAKING }, doubt: [OOD] },
    { strict: X, balanced: K, permissive: K },
    { balanced: 'invariant' },
  ],
  [
    'out of domain, irreversible model: excluded as irreversible',
    { model: model(0.02, 0.05, 0.93), doubt: [OOD] },
    all(X),
    { balanced: 'model-irreversible' },
  ],
  [
    'degenerate clip (no verdict), no text',
    { doubt: ['tiny: 1x1 px, under 16 on a side'] },
    { strict: X, balanced: X, permissive: K },
    { balanced: 'doubtful-pixels' },
  ],
  [
    'degenerate clip, opening class: the class decides',
    { doubt: ['blank: every frame nearly uniform'], label: { text: 'Opening a drawer', prior: OPENING } },
    { strict: X, balanced: S, permissive: S },
  ],
  [
    'caption rewrite opens -> closes',
    { model: model(0.1, 0.85, 0.05), caption: { text: 'a man opens the door', analysis: OPENS } },
    { strict: S, balanced: S, permissive: S },
  ],
  [
    'caption rewrite with an invariant-looking model at 0.82',
    { model: model(0.82, 0.1, 0.08), caption: { text: 'a man opens the door', analysis: OPENS } },
    all(S),
  ],
  [
    'direction-free caption',
    { model: model(0.85, 0.1, 0.05), caption: { text: 'a girl waves', analysis: WAVES } },
    all(K),
  ],
  [
    'direction-free caption, no model',
    { caption: { text: 'a girl waves', analysis: WAVES } },
    { strict: X, balanced: K, permissive: K },
  ],
  [
    'unknown caption, confident equivariant model: no counterpart caption',
    { model: model(0.05, 0.9, 0.05), caption: { text: 'a cat and a box', analysis: UNKNOWN } },
    all(X),
  ],
  [
    'unknown caption, confident invariant model',
    { model: model(0.9, 0.05, 0.05), caption: { text: 'a cat and a box', analysis: UNKNOWN } },
    { strict: X, balanced: K, permissive: K },
  ],
  [
    'caption without analysis (analyser missing)',
    { model: model(0.9, 0.05, 0.05), caption: { text: 'a cat', analysis: null } },
    { strict: X, balanced: K, permissive: K },
  ],
  [
    'opening class plus a direction-free caption: label swaps, caption stays',
    {
      model: model(0.05, 0.9, 0.05),
      label: { text: 'Opening a drawer', prior: OPENING },
      caption: { text: 'a girl waves', analysis: WAVES },
    },
    all(S),
  ],
  [
    'opening class plus a caption that cannot be rewritten',
    {
      model: model(0.05, 0.9, 0.05),
      label: { text: 'Opening a drawer', prior: OPENING },
      caption: { text: 'a cat and a box', analysis: UNKNOWN },
    },
    all(X),
  ],
  [
    'invariant class plus a caption rewrite: caption swaps, label stays',
    {
      model: model(0.05, 0.9, 0.05),
      label: { text: 'Shaking a bottle', prior: SHAKING },
      caption: { text: 'a man opens the door', analysis: OPENS },
    },
    all(S),
  ],
  [
    'caption swap but the class is irreversible',
    {
      model: model(0.05, 0.9, 0.05),
      label: { text: 'Dropping a pen', prior: DROPPING },
      caption: { text: 'a man opens the door', analysis: OPENS },
    },
    all(X),
  ],
];

describe('decide', () => {
  for (const [name, input, expected, rules] of CASES) {
    it(name, () => {
      for (const policy of POLICIES) {
        const r = decide(input, policy);
        expect(r.decision, `${policy}: ${r.reason} (${r.rule})`).toBe(expected[policy]);
        expect(r.reverse).toBe(r.decision !== 'exclude');
        expect(r.reason.length).toBeGreaterThan(5);
        if (rules?.[policy]) expect(r.rule).toBe(rules[policy]);
        if (!r.reverse) {
          expect(r.label_reversed).toBeNull();
          expect(r.caption_reversed).toBeNull();
        }
      }
    });
  }

  it('writes reasons a person can read', () => {
    expect(decide({ model: model(0.02, 0.05, 0.93) }).reason).toBe('model: irreversible 0.93');
    expect(
      decide({ model: model(0.9, 0.05, 0.05), caption: { text: 'a ball falls', analysis: FALLS } }).reason,
    ).toMatch(/^caption says 'falls'/);
    expect(decide({ model: model(0.05, 0.9, 0.05), label: { text: 'Opening a drawer', prior: OPENING } }).reason).toBe(
      "class 'Opening [something]' pairs with 'Closing [something]'; model: equivariant 0.90",
    );
    expect(decide({ error: { code: 'missing', message: 'no such file: a.mp4', stage: 'decode' } }).reason).toBe(
      'decode error (missing): no such file: a.mp4',
    );
    expect(decide({ model: model(0.05, 0.9, 0.05) }).reason).toMatch(/^no counterpart label/);
    expect(
      decide({
        model: model(0.05, 0.9, 0.05),
        label: { text: 'Lifting up one end of a book, then letting it drop down', prior: LIFTING },
      }).reason,
    ).toMatch(/^no counterpart label: class .* has none/);
    expect(decide({ model: model(0.9, 0.05, 0.05, 0.03) }).reason).toMatch(
      /already plays backwards \(p_forward 0\.03\)/,
    );
    expect(decide({ model: model(0.9, 0.05, 0.05), doubt: [OOD] }).reason).toBe(
      `unsure: pixels only, and ${OOD}; model: invariant 0.90`,
    );
    expect(decide({ doubt: ['tiny: 1x1 px, under 16 on a side', 'still: nothing moves'] }, 'strict').reason).toBe(
      'unsure: pixels only, and tiny: 1x1 px, under 16 on a side; still: nothing moves',
    );
  });

  it('gives the reversed label and caption for a swap, and the same ones for a keep', () => {
    const swap = decide({
      model: model(0.05, 0.9, 0.05),
      label: { text: 'Opening a drawer', prior: OPENING },
      caption: { text: 'a girl waves', analysis: WAVES },
    });
    expect(swap).toMatchObject({
      decision: 'reverse_swap_label',
      verdict: 'equivariant',
      label_reversed: 'Closing a drawer',
      caption_reversed: 'a girl waves',
    });
    const cap2 = decide({ model: model(0.1, 0.85, 0.05), caption: { text: 'a man opens the door', analysis: OPENS } });
    expect(cap2).toMatchObject({ label_reversed: null, caption_reversed: 'a man closes the door' });
    const keep = decide({
      model: model(0.9, 0.05, 0.05),
      label: { text: 'Shaking a bottle', prior: SHAKING },
      caption: { text: 'a girl waves', analysis: WAVES },
    });
    expect(keep).toMatchObject({
      decision: 'reverse_keep_label',
      verdict: 'invariant',
      label_reversed: 'Shaking a bottle',
      caption_reversed: 'a girl waves',
    });
  });

  it('says when a decision rests on the pixels alone', () => {
    expect(restsOnPixels({ model: model(0.9, 0.05, 0.05) })).toBe(true);
    expect(
      restsOnPixels({
        model: model(0.9, 0.05, 0.05),
        label: { text: 'misc', prior: null },
        caption: { text: 'a cat', analysis: UNKNOWN },
      }),
    ).toBe(true);
    expect(restsOnPixels({ model: model(0.9, 0.05, 0.05), label: { text: 'Shaking a bottle', prior: SHAKING } })).toBe(
      false,
    );
    expect(restsOnPixels({ model: model(0.9, 0.05, 0.05), caption: { text: 'a ball falls', analysis: FALLS } })).toBe(
      false,
    );
    expect(restsOnPixels({ doubt: ['tiny: 1x1 px'] })).toBe(false);
  });

  it('rejects an unknown policy', () => {
    expect(() => decide({}, 'lenient' as Policy)).toThrow(/strict, balanced, permissive.*"lenient"/);
  });
});

/** An equivariant class and its counterpart, as a taxonomy gives them. */
const pair = (name: string, counterpart: string): ClassPrior => ({
  name,
  verdict: 'equivariant',
  counterpart,
  reason: '',
});

describe('swapLabel', () => {
  it('carries the objects of a raw label over into the counterpart template', () => {
    const putting = pair('Putting [something] into [something]', 'Taking [something] out of [something]');
    expect(swapLabel('Putting a pen into a cup', putting)).toBe('Taking a pen out of a cup');
    // a fixed word of the template is never found inside an object's name ("in" of "ring", "and" of "candle")
    const burying = pair('Burying [something] in [something]', 'Digging [something] out of [something]');
    expect(swapLabel('Burying a ring in sand', burying)).toBe('Digging a ring out of sand');
    const moving = pair(
      'Moving [something] and [something] closer to each other',
      'Moving [something] and [something] away from each other',
    );
    expect(swapLabel('Moving a candle and a cup closer to each other', moving)).toBe(
      'Moving a candle and a cup away from each other',
    );
    expect(swapLabel('Opening something', OPENING)).toBe('Closing something');
    expect(swapLabel('Opening [something]', OPENING)).toBe('Closing [something]');
    expect(swapLabel('unrelated text', OPENING)).toBe('Closing [something]');
    expect(swapLabel('12', { ...OPENING, id: '12', counterpartId: '7' })).toBe('7');
    expect(
      swapLabel('Swiping Left', {
        name: 'Swiping Left',
        verdict: 'equivariant',
        counterpart: 'Swiping Right',
        reason: '',
      }),
    ).toBe('Swiping Right');
    expect(swapLabel('Lifting up one end of a book', LIFTING)).toBeNull();
  });
});

describe('the documented table', () => {
  it('has a threshold per policy that grows from strict to permissive', () => {
    expect(POLICY_THRESHOLDS.strict.irreversibleP).toBeLessThan(POLICY_THRESHOLDS.balanced.irreversibleP);
    expect(POLICY_THRESHOLDS.balanced.irreversibleP).toBeLessThan(POLICY_THRESHOLDS.permissive.irreversibleP);
    expect(DECISION_TABLE.map((r) => r.id)).toEqual([
      'failed',
      'text-irreversible',
      'model-irreversible',
      'unjudged-text',
      'doubtful-pixels',
      'unsure-model',
      'equivariant-no-counterpart',
      'equivariant',
      'invariant',
    ]);
  });

  it('is the one in src/decide/README.md', async () => {
    const readme = await readFile(new URL('../../src/decide/README.md', import.meta.url), 'utf8');
    expect(readme).toContain(formatDecisionTable());
  });
});
