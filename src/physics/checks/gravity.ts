// Check: gravity. Nothing leaves rest upwards by itself; rising bodies do not speed up; falling ones do not slow in mid-air.

import { GRID } from '../../cues/index.js';
import { bodyShare, checkResult, joinedRuns, ramp, theilSen } from '../motion.js';
import type { ClipSignals } from '../signals.js';
import type { Finding, PhysicsCheck } from '../types.js';

/**
 * Thresholds, in the cue units (short sides/s, short sides/s²). Set on the planted renders and the
 * synthetic corpus, with the false-alarm rate checked on unlabelled real clips played forwards; never on
 * real-dev.
 */
export const GRAVITY = Object.freeze({
  /** Launch: pairs of stillness before the launch, in seconds (at least 3 pairs). */
  restSeconds: 0.15,
  /** A grid cell (mean residual flow) counts as still below this speed. */
  cellRest: 0.04,
  /** Upward cell flow that starts a launch: strength ramps from `launchLo` to `launchHi`. */
  launchLo: 0.12,
  launchHi: 0.3,
  /** Vertical segments: the moving mass goes at least this fast, for at least this long... */
  segmentSpeed: 0.05,
  /** Pairs of a run that may drop out (slow bodies flicker around the moving threshold) without splitting it. */
  gapPairs: 2,
  /** ...with a vertical component of at least this share of its speed (sin 9 degrees). */
  minSlope: 0.15,
  segmentSeconds: 0.2,
  /** A speed-up (rising) or slow-down (falling) phase must last this long: impacts take one or two pairs. */
  phaseSeconds: 0.45,
  /** ...and a rising speed-up this long: arms and hands lift things with brief speed-ups (0.46 s measured on forward real clips), a reversed fall speeds up for its whole ascent. */
  risePhaseSeconds: 0.55,
  /** Vertical acceleration against gravity in that phase: strength ramps over this range (short sides/s²). */
  accelLo: 0.1,
  accelHi: 0.35,
  /** ...and the phase must change the vertical speed by at least this share of the segment's peak speed. */
  minChange: 0.45,
  /** Camera speed (short sides/s) above which residual motion is not trusted for launches. */
  cameraMax: 0.6,
  /** A launch moving more than this share of the pixels is flicker or an exposure change, not a body. */
  maxMovingShare: 0.3,
  /** After a launch the next pair still moves up at least this share of the launch speed. */
  carryOn: 0.5,
  /** A fall's speed dropping by more than this share of its peak within one pair is an impact. */
  impactDrop: 0.3,
});

const neighbours = (k: number): number[] => {
  const r = Math.floor(k / GRID);
  const c = k % GRID;
  const out: number[] = [];
  for (let dr = -1; dr <= 1; dr++)
    for (let dc = -1; dc <= 1; dc++)
      if (r + dr >= 0 && r + dr < GRID && c + dc >= 0 && c + dc < GRID) out.push((r + dr) * GRID + c + dc);
  return out;
};

/**
 * Upward motion that starts from stillness: a grid cell whose 3x3 neighbourhood was still for
 * {@link GRAVITY.restSeconds} starts moving up within at most two pairs (coarse flow smears a fast start
 * over a pair or two), and the motion goes on upwards at a similar speed. Nothing moved nearby before, so
 * nothing visible caused it (a throw shows the hand moving first).
 */
export function launches(s: ClipSignals): Finding[] {
  const pre = Math.max(3, Math.round(GRAVITY.restSeconds * s.fps));
  const speed = s.gridU.map((u, k) => Float64Array.from(u, (x, t) => Math.hypot(x, s.gridV[k][t])));
  const out: Finding[] = [];
  const nearMax = (near: number[], t: number): number => Math.max(...near.map((j) => speed[j][t]));
  for (let k = 0; k < GRID * GRID; k++) {
    const near = neighbours(k);
    const above = k >= GRID ? k - GRID : k;
    for (let t = pre + 2; t < s.pairs - 1; t++) {
      const v = s.gridV[k][t];
      if (-v < GRAVITY.launchLo || -v < Math.abs(s.gridU[k][t])) continue;
      // Camera moves or most of the picture "moves" (flicker, exposure change): the flow is not an object's.
      if (s.camSpeed[t] > GRAVITY.cameraMax || s.movingFrac[t] > GRAVITY.maxMovingShare) continue;
      let still = true;
      for (let tau = t - 2 - pre; tau < t - 2 && still; tau++)
        if (nearMax(near, tau) >= GRAVITY.cellRest) still = false;
      if (!still || nearMax(near, t - 2) >= -v / 2 || nearMax(near, t - 1) >= -v / 2) continue;
      // It goes on: the next pair moves up at a similar speed here or in the cell above.
      const next = Math.min(s.gridV[k][t + 1], s.gridV[above][t + 1]);
      if (-next < -v * GRAVITY.carryOn) continue;
      const strength = ramp(-v, GRAVITY.launchLo, GRAVITY.launchHi);
      out.push({
        kind: 'launch_from_rest',
        strength,
        reversal: true,
        pairs: [t - 2, t + 1],
        values: {
          cell_row: Math.floor(k / GRID),
          cell_col: k % GRID,
          launch_vy: v,
          next_vy: next,
          still_s: pre / s.fps,
          mass_vy: s.vy[t],
        },
        explanation: `something still for ${(pre / s.fps).toFixed(2)} s starts moving up at once (cell flow ${(-v).toFixed(2)} short sides/s upwards, row ${Math.floor(k / GRID)} col ${k % GRID} of 8x8) with nothing moving near it before: nothing at rest leaps up without a visible cause`,
      });
      t += pre; // one finding per launch
    }
  }
  return out;
}

/** Speed of the moving mass per pair (short sides/s). */
const speedOf = (s: ClipSignals, t: number): number => Math.hypot(s.vx[t], s.vy[t]);

/**
 * Runs where the moving mass goes up (or down) and, inside each, the phase before (rising) or after
 * (falling) its peak speed: a rising body must not keep speeding up, a falling one must not slow down
 * gradually in mid-air. Abrupt drops at the end of a fall (an impact stops a body within a pair or
 * two) are cut off first.
 */
export function verticalPhases(s: ClipSignals): { findings: Finding[]; vertical: number } {
  const minLen = Math.max(4, Math.round(GRAVITY.segmentSeconds * s.fps));
  const minPhase = Math.max(3, Math.round(GRAVITY.phaseSeconds * s.fps));
  const minRise = Math.max(3, Math.round(GRAVITY.risePhaseSeconds * s.fps));
  const findings: Finding[] = [];
  let vertical = 0;
  for (const dir of [-1, 1] as const) {
    // Up (or down) along any path steeper than about 9 degrees: a ball rolling up a gentle slope counts.
    const goes = (t: number): boolean =>
      s.movingFrac[t] > 0 && speedOf(s, t) >= GRAVITY.segmentSpeed && dir * s.vy[t] >= GRAVITY.minSlope * speedOf(s, t);
    const segs = joinedRuns(s.pairs, goes, GRAVITY.gapPairs).filter(([a, b]) => b - a + 1 >= minLen);
    for (const [a, b] of segs) {
      vertical += b - a + 1;
      // Speeds smoothed [1 2 1]/4 inside the run, so a one-pair flow spike is not taken for the peak.
      const sm = (t: number): number =>
        (speedOf(s, Math.max(a, t - 1)) + 2 * speedOf(s, t) + speedOf(s, Math.min(b, t + 1))) / 4;
      let peak = a;
      for (let t = a; t <= b; t++) if (sm(t) > sm(peak)) peak = t;
      const peakSpeed = sm(peak);
      let p0: number;
      let p1: number;
      if (dir < 0) {
        // A hand lifting something speeds it up and then slows it down about as long; a body that speeds up
        // while rising and only stops at once (or at the end of the clip) is driven by nothing visible.
        if (b - peak + 1 > Math.max(2, (peak - a + 1) / 2)) continue;
        [p0, p1] = [a, peak];
      } else {
        [p0, p1] = [peak, b];
        while (p1 > p0 && speedOf(s, p1 - 1) - speedOf(s, p1) > GRAVITY.impactDrop * peakSpeed) p1--;
        // An impact often takes one more pair to show: a drop right after the cut end is part of it.
        if (p1 < b) p1 = Math.max(p0, p1 - 1);
      }
      if (p1 - p0 + 1 < (dir < 0 ? minRise : minPhase)) continue;
      const phase = Array.from({ length: p1 - p0 + 1 }, (_, i) => sm(p0 + i));
      // Speed change per second along the path; for a rising body a gain, for a falling one a loss, is against gravity.
      const rate = -dir * theilSen(phase) * s.fps;
      const change = Math.abs(phase[phase.length - 1] - phase[0]) / Math.max(peakSpeed, 1e-9);
      if (rate <= 0 || change < GRAVITY.minChange) continue;
      // The mass must be one compact body: people and animals move their limbs against gravity all the time.
      const body = bodyShare(s, p0, p1);
      if (body < 0.5) continue;
      // Share of pair-to-pair steps going the violating way: a real speed-up or slow-down, not jitter.
      let steady = 0;
      for (let i = 1; i < phase.length; i++) if (-dir * (phase[i] - phase[i - 1]) > 0) steady++;
      steady /= Math.max(1, phase.length - 1);
      // How the run ends: the speed right after it as a share of the peak (0 at the end of the clip).
      const after =
        b + 1 >= s.pairs ? 0 : Math.min(speedOf(s, b + 1), b + 2 < s.pairs ? speedOf(s, b + 2) : Infinity) / peakSpeed;
      const strength = ramp(rate, GRAVITY.accelLo, GRAVITY.accelHi);
      const rising = dir < 0;
      const secs = ((p1 - p0 + 1) / s.fps).toFixed(2);
      findings.push({
        kind: rising ? 'rising_speeds_up' : 'falling_slows',
        strength,
        reversal: true,
        pairs: [p0, p1],
        values: {
          against_gravity_accel: rate,
          phase_s: (p1 - p0 + 1) / s.fps,
          peak_speed: peakSpeed,
          speed_change_share: change,
          steady,
          speed_after: after,
          one_body_share: body,
        },
        explanation: rising
          ? `the moving mass rises and keeps speeding up for ${secs} s (${rate.toFixed(2)} short sides/s² against gravity): unsupported bodies slow down when they rise`
          : `the moving mass falls and slows down for ${secs} s in mid-air (${rate.toFixed(2)} short sides/s² against gravity) instead of speeding up until an impact`,
      });
    }
  }
  return { findings, vertical };
}

export const gravity: PhysicsCheck = Object.freeze<PhysicsCheck>({
  name: 'gravity',
  description:
    'Unsupported moving mass accelerates downwards: nothing leaves rest upwards without a visible cause, rising bodies do not speed up, falling ones do not slow in mid-air.',
  run(ctx) {
    const s = ctx.signals;
    const { findings, vertical } = verticalPhases(s);
    findings.push(...launches(s));
    const judged = vertical > 0 || findings.length > 0;
    return checkResult('gravity', s, findings, judged, {
      values: { vertical_motion_s: vertical / Math.max(s.fps, 1e-9) },
      explanation: judged
        ? `vertical motion for ${(vertical / s.fps).toFixed(2)} s speeds up downwards and slows upwards, as gravity makes it; no launch from rest`
        : 'no moving mass goes up or down long enough to judge gravity',
    });
  },
});
