// Check: time direction. The model's arrow of time (p_forward), weighted by how irreversible it finds the motion,
// says whether the video plays backwards.

import { checkResult } from '../motion.js';
import type { PhysicsCheck } from '../types.js';

/** p_forward bands: below `backward` strength reaches 0.5 (violated), below `sure` it is 1; unsure within `margin` of 0.5. */
export const TIME_DIRECTION = Object.freeze({
  /** p_forward at which the check answers 0 (plays backwards). */
  backward: 0.25,
  /** p_forward at which the strength is 1. */
  sure: 0.05,
  /** |p_forward - 0.5| below this: the model cannot tell the direction (answer 2). */
  margin: 0.1,
});

export const timeDirection: PhysicsCheck = Object.freeze<PhysicsCheck>({
  name: 'time_direction',
  description:
    "The model's arrow of time: a video whose motion plays backwards (p_forward far below 0.5) shows a reversal artefact.",
  run(ctx) {
    const m = ctx.model;
    const s = ctx.signals;
    if (!m)
      return checkResult('time_direction', null, [], false, {
        values: { p_forward: null },
        explanation: ctx.modelNote ?? 'no model: the arrow of time was not measured',
      });
    const p = m.p_forward;
    // Linear in p: 0 at 0.5, 0.5 at `backward`, 1 at `sure`.
    const belief =
      p >= 0.5
        ? 0
        : p <= TIME_DIRECTION.sure
          ? 1
          : p >= TIME_DIRECTION.backward
            ? (0.5 - p) / (0.5 - TIME_DIRECTION.backward) / 2
            : 0.5 + (TIME_DIRECTION.backward - p) / (TIME_DIRECTION.backward - TIME_DIRECTION.sure) / 2;
    // A backwards invariant or equivariant motion is still plausible (see the verdicts in the README): only the irreversible
    // share of the model's belief is evidence of an artefact.
    const strength = belief * (m.p_irreversible ?? 1);
    const values = {
      p_forward: p,
      p_irreversible: m.p_irreversible,
      model_verdict: m.verdict,
      model_version: m.model_version,
    };
    const whole: [number, number] = [0, Math.max(0, s.pairs - 1)];
    const finding = {
      kind: 'plays_backwards',
      strength,
      reversal: true,
      pairs: whole,
      values: { p_forward: p },
      explanation: `the model's arrow of time gives p_forward = ${p.toFixed(3)} with p_irreversible = ${(m.p_irreversible ?? 1).toFixed(2)}: the motion looks like an irreversible one played backwards`,
    };
    const judged = Math.abs(p - 0.5) >= TIME_DIRECTION.margin;
    return checkResult('time_direction', s, strength > 0 ? [finding] : [], judged, {
      values,
      pairs: whole,
      explanation: judged
        ? `the model's arrow of time gives p_forward = ${p.toFixed(3)}: the motion plays forwards`
        : `p_forward = ${p.toFixed(3)} is too close to 0.5: the model cannot tell the direction (reversible motion, or unsure)`,
    });
  },
});
