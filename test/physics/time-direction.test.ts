// Time-direction check: the model's p_forward decides; without a model it cannot judge.

import { describe, expect, it } from 'vitest';
import { timeDirection } from '../../src/physics/checks/time-direction.js';
import { makeSignals } from '../../src/physics/signals.js';

const ctx = (p: number | null, pIrr: number | null = null) => ({
  signals: makeSignals({ pairs: 24 }),
  caption: null,
  model:
    p === null
      ? null
      : { p_forward: p, p_irreversible: pIrr, verdict: 'irreversible', confidence: 0.9, model_version: 'test@1' },
  modelNote: 'no model (--model none): the arrow of time was not measured',
});

describe('time-direction check', () => {
  it('answers 0 when the model says the clip plays backwards', () => {
    const r = timeDirection.run(ctx(0.1));
    expect(r.score).toBe(0);
    expect(r.reversal_strength).toBeGreaterThan(0.8);
    expect(r.evidence.values.p_forward).toBe(0.1);
  });
  it('answers 1 for a clearly forward clip and 2 when the model cannot tell', () => {
    expect(timeDirection.run(ctx(0.95)).score).toBe(1);
    expect(timeDirection.run(ctx(0.95)).strength).toBe(0);
    expect(timeDirection.run(ctx(0.52)).score).toBe(2);
  });
  it('grows with the model belief: 0.5 at p_forward 0.25', () => {
    expect(timeDirection.run(ctx(0.25)).strength).toBeCloseTo(0.5, 5);
    expect(timeDirection.run(ctx(0.4)).strength).toBeLessThan(timeDirection.run(ctx(0.3)).strength);
  });
  it('weighs the arrow by p_irreversible: a backwards reversible motion is no artefact', () => {
    expect(timeDirection.run(ctx(0.05, 1)).reversal_strength).toBeCloseTo(1, 5);
    expect(timeDirection.run(ctx(0.05, 0.3)).reversal_strength).toBeCloseTo(0.3, 5);
    expect(timeDirection.run(ctx(0.05, 0.3)).score).not.toBe(0);
  });
  it('answers 2 "no model" without a model', () => {
    const r = timeDirection.run(ctx(null));
    expect(r.score).toBe(2);
    expect(r.evidence.explanation).toMatch(/no model/);
  });
});
