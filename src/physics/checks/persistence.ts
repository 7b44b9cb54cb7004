// Check: persistence. Moving things do not pop into or out of existence; the picture does not jump.

import { checkResult, median, ramp } from '../motion.js';
import type { ClipSignals } from '../signals.js';
import type { Finding, PhysicsCheck } from '../types.js';

/** Thresholds, set on synthetic renders with the false-alarm rate checked on unlabelled real clips. */
export const PERSISTENCE = Object.freeze({
  /** A one-pair gray-level change this many times its neighbours' (and the clip's median) is a pop: ramps lo..hi. */
  popLo: 4,
  popHi: 8,
  /** ...and at least this large (share of full scale per second), so sensor noise on a still clip is not one. */
  popMin: 0.08,
  /** The moving share of the picture changing by this factor across the pop means a moving region came or went. */
  massChange: 3,
  /** A pop with no change of the moving mass (a cut, a flash) counts at most this much. */
  cutCap: 0.75,
  /** Camera speed (short sides/s) above which a change of the whole picture is the camera's doing. */
  cameraMax: 0.3,
});

/** Isolated one-pair jumps of the picture, with whether the moving mass changed across them. */
export function pops(s: ClipSignals): Finding[] {
  const out: Finding[] = [];
  const m = median(s.intensity);
  for (let t = 1; t + 1 < s.pairs; t++) {
    const i = s.intensity[t];
    if (i < PERSISTENCE.popMin || s.camSpeed[t] > PERSISTENCE.cameraMax) continue;
    const ratio = i / Math.max(s.intensity[t - 1], s.intensity[t + 1], m, 1e-6);
    if (ratio < PERSISTENCE.popLo) continue;
    const before = s.movingFrac[t - 1];
    const after = s.movingFrac[t + 1];
    const change = Math.max(before, after, 1e-4) / Math.max(Math.min(before, after), 1e-4);
    const region = change >= PERSISTENCE.massChange && Math.max(before, after) >= 0.005;
    const strength = ramp(ratio, PERSISTENCE.popLo, PERSISTENCE.popHi) * (region ? 1 : PERSISTENCE.cutCap);
    out.push({
      kind: region ? (after > before ? 'region_appears' : 'region_vanishes') : 'picture_jumps',
      strength,
      reversal: false,
      pairs: [t, t],
      values: { intensity_change: i, times_neighbours: ratio, moving_share_before: before, moving_share_after: after },
      explanation: region
        ? `the picture changes ${ratio.toFixed(1)}x more in one pair than around it while the moving share goes from ${(before * 100).toFixed(1)}% to ${(after * 100).toFixed(1)}%: a moving region ${after > before ? 'appears' : 'vanishes'} at once`
        : `the picture changes ${ratio.toFixed(1)}x more in one pair than around it with no motion to carry it: a cut, a flash or content popping in or out`,
    });
  }
  return out;
}

export const persistence: PhysicsCheck = Object.freeze<PhysicsCheck>({
  name: 'persistence',
  description:
    'Object permanence: moving regions do not appear or vanish abruptly, and the picture does not jump between frames.',
  run(ctx) {
    const s = ctx.signals;
    const findings = pops(s);
    const judged = s.pairs >= 3;
    return checkResult('persistence', s, findings, judged, {
      values: { median_intensity_change: median(s.intensity), pairs: s.pairs },
      explanation: judged
        ? 'the picture changes smoothly: nothing pops into or out of view'
        : 'too few frames to judge persistence',
    });
  },
});
