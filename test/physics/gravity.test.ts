// Gravity check on signals of bodies with known motion: a drop passes, its reversal and the planted violations fail.

import { describe, expect, it } from 'vitest';
import { gravity, launches, verticalPhases } from '../../src/physics/checks/gravity.js';
import { mirrorSignals, makeSignals } from '../../src/physics/signals.js';
import { bodySignals, dropPath, pathOf } from './helpers.js';

const run = (s: ReturnType<typeof bodySignals>) => gravity.run({ signals: s, caption: null, model: null });

describe('gravity check', () => {
  it('passes a ball dropped from rest that falls faster and faster and stops at the floor', () => {
    const r = run(bodySignals(dropPath({ e: 0 })));
    expect(r.score).toBe(1);
    expect(r.findings).toEqual([]);
    expect(r.evidence.values.vertical_motion_s).toBeGreaterThan(0.3);
  });

  it('fails the same drop played backwards: the ball leaps up from rest with nothing moving near it', () => {
    const r = run(mirrorSignals(bodySignals(dropPath({ e: 0 }))));
    expect(r.score).toBe(0);
    expect(r.findings[0].kind).toBe('launch_from_rest');
    expect(r.reversal_strength).toBeGreaterThanOrEqual(0.5);
    // Evidence points at the launch: forwards the ball lands at 0.91 s (0.3 s held, 0.61 s of fall), so backwards
    // it rests until 3 - 0.91 = 2.09 s and leaps up then.
    const [s0, s1] = r.evidence.seconds!;
    expect(s0).toBeGreaterThan(1.95);
    expect(s0).toBeLessThan(2.1);
    expect(s1).toBeLessThan(2.3);
  });

  it('fails a body that rises and keeps speeding up until it stops at once', () => {
    // At rest for 0.3 s, then up at 1.5 short sides/s², stopped after 0.7 s.
    const path = pathOf(1.5, 24, (t) => {
      const u = Math.min(Math.max(0, t - 0.3), 0.7);
      return [0.5, 0.9 - 0.75 * u * u];
    });
    const r = run(bodySignals(path));
    expect(r.score).toBe(0);
    expect(r.findings[0].kind).toBe('rising_speeds_up');
    expect(r.findings[0].values.against_gravity_accel).toBeCloseTo(1.5, 0);
  });

  it('lets a brief upward speed-up pass (an arm lifting: 0.46 s measured on forward real clips) but not a longer one', () => {
    // the same motion as above, stopped after `dur` s of speeding up
    const rise = (dur: number) =>
      run(
        bodySignals(
          pathOf(1.5, 24, (t) => {
            const u = Math.min(Math.max(0, t - 0.3), dur);
            return [0.5, 0.9 - 0.75 * u * u];
          }),
        ),
      );
    // 0.6 s of path speed-up measures as a 0.5 s phase after smoothing and trimming: under GRAVITY.risePhaseSeconds
    expect(rise(0.6).findings.filter((f) => f.kind === 'rising_speeds_up')).toEqual([]);
    expect(rise(0.7).findings.some((f) => f.kind === 'rising_speeds_up')).toBe(true);
  });

  it('passes a body thrown up that slows as it rises (gravity) and fails one that slows while falling', () => {
    const up = pathOf(1, 24, (t) => [0.5, 0.9 - 1.6 * t + 0.8 * t * t]); // up at 1.6, decelerating at 1.6
    expect(verticalPhases(bodySignals(up)).findings.filter((f) => f.strength > 0)).toEqual([]);
    // Falls with g = 4 for 0.3 s, then slows at 2 short sides/s² to a hover.
    const slow = pathOf(2, 24, (t) => {
      if (t < 0.3) return [0.5, 0.1 + 2 * t * t];
      const u = Math.min(t - 0.3, 0.6);
      return [0.5, 0.28 + 1.2 * u - u * u];
    });
    const r = run(bodySignals(slow));
    expect(r.score).toBe(0);
    expect(r.findings[0].kind).toBe('falling_slows');
  });

  it('cannot judge a clip with no vertical motion', () => {
    const s = makeSignals({ pairs: 48 });
    expect(run(s).score).toBe(2);
    expect(launches(s)).toEqual([]);
  });
});
