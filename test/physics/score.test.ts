// Scoring: PC bands, artefact score, and rule answers from the routed checks.

import { describe, expect, it } from 'vitest';
import { mirrorSignals } from '../../src/physics/signals.js';
import { judgeClip, judgeRule, pcFromViolation, TIME_DIRECTION_CAP } from '../../src/physics/score.js';
import { bodySignals, dropPath } from './helpers.js';

describe('pcFromViolation', () => {
  it('maps the strongest violation evidence to 1-5', () => {
    expect([0, 0.2, 0.4, 0.6, 0.9].map((v) => pcFromViolation(v, true))).toEqual([5, 4, 3, 2, 1]);
    expect(pcFromViolation(0, false)).toBe(3);
  });
});

describe('judgeClip and judgeRule', () => {
  const forward = {
    signals: bodySignals(dropPath({ seconds: 4 })),
    caption: 'A ball falls and bounces on the floor',
    model: null,
  };

  it("counts the model's arrow alone as corroboration, not as an artefact", () => {
    const model = {
      p_forward: 0.01,
      p_irreversible: 1,
      verdict: 'irreversible',
      confidence: 1,
      model_version: 'test@1',
    };
    const j = judgeClip({ ...forward, caption: null, model });
    const td = j.checks.find((c) => c.check === 'time_direction')!;
    expect(td.score).toBe(0);
    expect(td.reversal_strength).toBe(1);
    expect(j.artefact_score).toBe(TIME_DIRECTION_CAP);
    expect(j.artefact).toBe(false);
  });
  const backward = { ...forward, signals: mirrorSignals(forward.signals) };

  it('finds no artefact in a drop and one in the reversed drop', () => {
    const f = judgeClip(forward);
    expect(f.checks.map((c) => c.check)).toEqual([
      'time_direction',
      'gravity',
      'caption_direction',
      'momentum',
      'persistence',
    ]);
    expect(f.artefact).toBe(false);
    expect(f.pc).toBeGreaterThanOrEqual(4);
    const b = judgeClip(backward);
    expect(b.artefact).toBe(true);
    expect(b.artefact_score).toBeGreaterThanOrEqual(0.5);
    expect(b.pc).toBeLessThanOrEqual(2);
  });

  it('answers rules through the checks they are routed to', () => {
    const f = judgeClip(forward);
    const b = judgeClip(backward);
    expect(judgeRule('The ball bounces lower each time.', null, forward, f).score).toBe(1);
    const r = judgeRule('The ball bounces lower each time.', null, backward, b);
    expect(r.score).toBe(0);
    expect(r.checks.map((c) => c.check).sort()).toEqual(['gravity', 'momentum']);
    expect(r.reason).toMatch(/^(gravity|momentum): /);
    // The caption check judges the rule's own direction: the reversed ball goes up, the rule says it falls.
    expect(judgeRule('The ball falls to the floor.', null, backward, b).score).toBe(0);
    expect(judgeRule('The ball falls to the floor.', null, forward, f).score).toBe(1);
  });

  it('answers 2 "no motion check applies" for a rule nothing can judge', () => {
    expect(judgeRule("The ball's shadow is visible.", null, forward, judgeClip(forward))).toMatchObject({
      score: 2,
      reason: 'no motion check applies',
      checks: [],
    });
  });
});
