// Small numeric helpers the checks share: motion gating, segments, robust slopes, and results with evidence.

import type { ClipSignals } from './signals.js';
import type { CheckName, CheckResult, Evidence, Finding } from './types.js';
import { median as medianOrNull } from '../util/stats.js';

/** A pair counts as showing a moving mass when at least this share of pixels moves... */
export const MOVING_FRAC_MIN = 0.0015;
/** ...and the moving mass goes at least this fast (short sides/s; the scan's own moving threshold is 0.1). */
export const MOVING_SPEED_MIN = 0.1;

/** 0 at or below `lo`, 1 at or above `hi`, linear between. */
export function ramp(x: number, lo: number, hi: number): number {
  if (!(x > lo)) return 0;
  if (x >= hi) return 1;
  return (x - lo) / (hi - lo);
}

/** 1 for every pair that shows a moving mass (see {@link MOVING_FRAC_MIN}, {@link MOVING_SPEED_MIN}). */
export function movingMask(s: ClipSignals): Uint8Array {
  const out = new Uint8Array(s.pairs);
  for (let t = 0; t < s.pairs; t++)
    out[t] = s.movingFrac[t] >= MOVING_FRAC_MIN && Math.hypot(s.vx[t], s.vy[t]) >= MOVING_SPEED_MIN ? 1 : 0;
  return out;
}

const floors = new WeakMap<ClipSignals, number>();

/** The clip's background flow level: the median over pairs of the median cell speed (flow noise, flicker). */
export function gridFloor(s: ClipSignals): number {
  let f = floors.get(s);
  if (f === undefined) {
    const perPair: number[] = [];
    for (let t = 0; t < s.pairs; t++) perPair.push(median(s.gridU.map((u, k) => Math.hypot(u[t], s.gridV[k][t]))));
    f = median(perPair);
    floors.set(s, f);
  }
  return f;
}

/**
 * Where the object motion of a pair is concentrated on the 8x8 grid: `compact` is the share of all grid flow
 * (cell speeds above the clip's background level, {@link gridFloor}) inside the 3x3 block around the fastest
 * cell, `coherence` how much that block moves one way (|sum of cell flows| / sum of cell speeds; 1 = every
 * cell the same direction). One body in motion gives both near 1; flicker, noise on flat texture, people
 * (limbs moving apart) or many things moving give low values.
 */
export function gridFocus(s: ClipSignals, t: number): { compact: number; coherence: number; cell: number } {
  const n = s.gridU.length;
  const side = Math.round(Math.sqrt(n));
  const floor = gridFloor(s);
  const mag = (k: number) => Math.max(0, Math.hypot(s.gridU[k][t], s.gridV[k][t]) - floor);
  let total = 0;
  let best = 0;
  let bestMag = -1;
  for (let k = 0; k < n; k++) {
    const m = mag(k);
    total += m;
    if (m > bestMag) {
      bestMag = m;
      best = k;
    }
  }
  if (total <= 0) return { compact: 0, coherence: 0, cell: best };
  const r0 = Math.floor(best / side);
  const c0 = best % side;
  let inside = 0;
  let speeds = 0;
  let su = 0;
  let sv = 0;
  for (let r = Math.max(0, r0 - 1); r <= Math.min(side - 1, r0 + 1); r++) {
    for (let c = Math.max(0, c0 - 1); c <= Math.min(side - 1, c0 + 1); c++) {
      const k = r * side + c;
      inside += mag(k);
      speeds += Math.hypot(s.gridU[k][t], s.gridV[k][t]);
      su += s.gridU[k][t];
      sv += s.gridV[k][t];
    }
  }
  return { compact: inside / total, coherence: speeds > 0 ? Math.hypot(su, sv) / speeds : 0, cell: best };
}

/** True when the pair's object motion looks like one body (see {@link gridFocus}): compact and moving one way. */
export function oneBody(s: ClipSignals, t: number, minCompact = BODY_COMPACT, minCoherence = BODY_COHERENCE): boolean {
  if (s.movingFrac[t] > BODY_MAX_MOVING) return false;
  const f = gridFocus(s, t);
  return f.compact >= minCompact && f.coherence >= minCoherence;
}

/** Share of pairs t0..t1 that look like one body ({@link oneBody}). */
export function bodyShare(s: ClipSignals, t0: number, t1: number): number {
  let n = 0;
  for (let t = t0; t <= t1; t++) if (oneBody(s, t)) n++;
  return n / Math.max(1, t1 - t0 + 1);
}

/** Defaults of {@link oneBody}: at least this share of the flow in one 3x3 block of the 8x8 grid... */
export const BODY_COMPACT = 0.45;
/** ...moving this coherently... */
export const BODY_COHERENCE = 0.7;
/** ...while at most this share of the pixels moves (more is flicker, noise on flat texture, or a close-up). */
export const BODY_MAX_MOVING = 0.3;

/** Maximal runs [start, end] (inclusive) where `pred(t)` holds. */
export function runs(n: number, pred: (t: number) => boolean): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  for (let t = 0; t <= n; t++) {
    const on = t < n && pred(t);
    if (on && start < 0) start = t;
    if (!on && start >= 0) {
      out.push([start, t - 1]);
      start = -1;
    }
  }
  return out;
}

/** {@link runs}, with runs separated by at most `gap` pairs joined (one noisy pair does not split a motion). */
export function joinedRuns(n: number, pred: (t: number) => boolean, gap = 1): [number, number][] {
  const out: [number, number][] = [];
  for (const r of runs(n, pred)) {
    const last = out[out.length - 1];
    if (last && r[0] - last[1] - 1 <= gap) last[1] = r[1];
    else out.push([r[0], r[1]]);
  }
  return out;
}

/** Median of the values (0 for none, where the physics checks read "no motion"). */
export function median(values: ArrayLike<number>): number {
  return medianOrNull(values) ?? 0;
}

/** Theil-Sen slope of y over its index (per pair): the median of all pairwise slopes, robust to a few bad points. */
export function theilSen(y: ArrayLike<number>): number {
  const slopes: number[] = [];
  for (let i = 0; i < y.length; i++) for (let j = i + 1; j < y.length; j++) slopes.push((y[j] - y[i]) / (j - i));
  return median(slopes);
}

/** [1 2 1]/4 smoothing (ends use themselves as neighbours). */
export function smooth3(x: Float64Array): Float64Array {
  const n = x.length;
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) out[t] = (x[Math.max(0, t - 1)] + 2 * x[t] + x[Math.min(n - 1, t + 1)]) / 4;
  return out;
}

/** Source frame numbers and seconds of analysis pairs [a, b]. */
export function pairRange(
  s: ClipSignals,
  pairs: [number, number],
): { frames: [number, number]; seconds: [number, number] } {
  const s0 = s.startS + pairs[0] / s.fps;
  const s1 = s.startS + (pairs[1] + 1) / s.fps;
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { frames: [Math.round(s0 * s.sourceFps), Math.round(s1 * s.sourceFps)], seconds: [r(s0), r(s1)] };
}

/** Rounds measured values for the outputs (4 significant decimals are plenty for evidence). */
export function roundValues<T extends Record<string, number | string | boolean | null>>(values: T): T {
  const out: Record<string, number | string | boolean | null> = {};
  for (const [k, v] of Object.entries(values)) out[k] = typeof v === 'number' ? Math.round(v * 1e4) / 1e4 : v;
  return out as T;
}

/** Findings at or above this strength make a check answer 0 (violated). */
export const VIOLATION_STRENGTH = 0.5;

/**
 * A check's result from its findings: 0 when the strongest finding reaches {@link VIOLATION_STRENGTH},
 * else 1 when the check could judge the clip (`judged`), else 2. The evidence is the strongest finding's,
 * or `otherwise` (what was measured and why nothing was found, or why nothing could be judged).
 */
export function checkResult(
  check: CheckName,
  s: ClipSignals | null,
  findings: Finding[],
  judged: boolean,
  otherwise: { values: Evidence['values']; explanation: string; pairs?: [number, number] },
): CheckResult {
  const sorted = findings.filter((f) => f.strength > 0).sort((a, b) => b.strength - a.strength);
  const top = sorted[0];
  const strength = top?.strength ?? 0;
  const reversal = Math.max(0, ...sorted.filter((f) => f.reversal).map((f) => f.strength));
  const score = strength >= VIOLATION_STRENGTH ? 0 : judged ? 1 : 2;
  const where = (pairs: [number, number] | undefined) =>
    s && pairs ? pairRange(s, pairs) : { frames: null, seconds: null };
  const evidence: Evidence =
    top && score === 0
      ? {
          ...where(top.pairs),
          values: roundValues({ ...top.values, strength: top.strength }),
          explanation: top.explanation,
        }
      : { ...where(otherwise.pairs), values: roundValues(otherwise.values), explanation: otherwise.explanation };
  return {
    check,
    score,
    strength: Math.round(strength * 1e4) / 1e4,
    reversal_strength: Math.round(reversal * 1e4) / 1e4,
    evidence,
    findings: sorted.slice(0, 5).map(({ pairs, ...f }) => ({
      ...f,
      values: roundValues(f.values),
      strength: Math.round(f.strength * 1e4) / 1e4,
      ...(s ? pairRange(s, pairs) : { frames: pairs, seconds: [0, 0] as [number, number] }),
    })),
  };
}
