// Clip summaries: one number each from the whole cue series (trends, periodicity, straightness...).

import { cueColumnIndex } from './index.js';
import { mirrorSeries, type CueSeries } from './series.js';
import type { Parity } from './types.js';

/** Read access to one series with its rate. */
export interface SeriesAccess {
  frames: number;
  fps: number;
  col(name: string): Float64Array;
}

/** One clip-level summary. `parity` says how it behaves when the clip is reversed. */
export interface Summary {
  name: string;
  parity: Parity;
  unit: string;
  description: string;
  compute(s: SeriesAccess): number;
}

function access(series: CueSeries, fps: number): SeriesAccess {
  const cache = new Map<string, Float64Array>();
  return {
    frames: series.frames,
    fps,
    col(name) {
      let c = cache.get(name);
      if (!c) {
        const k = cueColumnIndex(name);
        c = new Float64Array(series.frames);
        for (let t = 0; t < series.frames; t++) c[t] = series.data[t * series.columns + k];
        cache.set(name, c);
      }
      return c;
    },
  };
}

/**
 * Mean object-motion energy (short sides/s) below which a clip counts as still: its trends and
 * periods would only describe flow noise, so they are reported as 0. Set from the synthetic scenes:
 * the worst camera-only scene (hand-held shake) leaves 0.0008 of residual energy; this is 2.5x that.
 */
export const STILL_ENERGY = 0.002;

/** Mean image speed (short sides/s) of camera plus object motion below which there is no share to speak of. */
const CAMERA_STILL = 0.02;

const mean = (x: Float64Array): number => (x.length ? x.reduce((s, v) => s + v, 0) / x.length : 0);

/** Energy-weighted mean of a column: what the moving mass does, not what the still frames do. */
function weighted(s: SeriesAccess, name: string): number {
  const e = s.col('energy_residual');
  const x = s.col(name);
  let w = 0;
  let acc = 0;
  for (let t = 0; t < s.frames; t++) {
    w += e[t];
    acc += e[t] * x[t];
  }
  return w / Math.max(1, s.frames) > STILL_ENERGY ? acc / w : 0;
}

/**
 * First autocorrelation peak after the first zero crossing (the fundamental period, not a harmonic
 * or a noisy long lag); returns [height 0..1, lag in frames]. [0, 0] when the signal never swings.
 */
export function periodicPeak(x: Float64Array, minLag = 2): [number, number] {
  const n = x.length;
  const m = mean(x);
  const d = Float64Array.from(x, (v) => v - m);
  let energy = 0;
  for (const v of d) energy += v * v;
  if (n < 2 * minLag + 2 || energy <= 1e-12) return [0, 0];
  const maxLag = Math.floor(n / 2);
  const r = new Float64Array(maxLag + 2);
  for (let lag = 1; lag <= maxLag + 1 && lag < n; lag++) {
    let acc = 0;
    for (let t = 0; t + lag < n; t++) acc += d[t] * d[t + lag];
    r[lag] = acc / energy;
  }
  let lag = 1;
  while (lag <= maxLag && r[lag] > 0) lag++;
  for (; lag <= maxLag; lag++) {
    if (lag >= minLag && r[lag] > 0 && r[lag] >= r[lag - 1] && r[lag] >= r[lag + 1]) {
      // Scale by n/(n-lag) so that a perfect sinusoid scores ~1 whatever its period.
      return [Math.min(1, (r[lag] * n) / (n - lag)), lag];
    }
  }
  return [0, 0];
}

/** A signal swinging by less than this (short sides/s, standard deviation) is noise, not a rhythm. */
const PERIODIC_MIN_STD = 0.01;

function std(x: Float64Array): number {
  const m = mean(x);
  return Math.sqrt(x.reduce((a, v) => a + (v - m) * (v - m), 0) / Math.max(1, x.length));
}

const periodCache = new WeakMap<SeriesAccess, [number, number]>();

/** [peak, lag] of the most periodic motion signal; computed once per series (two summaries read it). */
function periodicity(s: SeriesAccess): [number, number] {
  const cached = periodCache.get(s);
  if (cached) return cached;
  let best: [number, number] = [0, 0];
  for (const name of ['res_vx', 'res_vy', 'energy_residual']) {
    const x = s.col(name);
    if (std(x) < PERIODIC_MIN_STD) continue;
    const p = periodicPeak(x);
    if (p[0] > best[0]) best = p;
  }
  periodCache.set(s, best);
  return best;
}

export const SUMMARIES: readonly Summary[] = Object.freeze([
  {
    name: 'mean_energy_total',
    parity: 'even',
    unit: 'short sides/s',
    description: 'Mean of energy_total.',
    compute: (s) => mean(s.col('energy_total')),
  },
  {
    name: 'mean_energy_residual',
    parity: 'even',
    unit: 'short sides/s',
    description: 'Mean of energy_residual (object motion).',
    compute: (s) => mean(s.col('energy_residual')),
  },
  {
    name: 'peak_energy_residual',
    parity: 'even',
    unit: 'short sides/s',
    description: 'Largest energy_residual of any pair.',
    compute: (s) => Math.max(0, ...s.col('energy_residual')),
  },
  {
    name: 'mean_moving_frac',
    parity: 'even',
    unit: 'fraction',
    description: 'Mean of moving_frac.',
    compute: (s) => mean(s.col('moving_frac')),
  },
  {
    name: 'camera_share',
    parity: 'even',
    unit: 'fraction',
    description:
      "Share of the motion that is the camera's: sum(cam_speed) / (sum(cam_speed) + sum(energy_residual)); 0 when the clip is still.",
    compute: (s) => {
      const cam = s.col('cam_speed').reduce((a, b) => a + b, 0);
      const res = s.col('energy_residual').reduce((a, b) => a + b, 0);
      return (cam + res) / Math.max(1, s.frames) > CAMERA_STILL ? cam / (cam + res) : 0;
    },
  },
  {
    name: 'onset_decay_asymmetry',
    parity: 'odd',
    unit: '-1..1',
    description:
      'Temporal centroid of object motion energy mapped to -1 (all motion at the start, decaying) .. +1 (all at the end, building up).',
    compute: (s) => {
      const e = s.col('energy_residual');
      let w = 0;
      let acc = 0;
      for (let t = 0; t < s.frames; t++) {
        w += e[t];
        acc += t * e[t];
      }
      return w / Math.max(1, s.frames) > STILL_ENERGY && s.frames > 1 ? (2 * acc) / w / (s.frames - 1) - 1 : 0;
    },
  },
  {
    name: 'energy_trend',
    parity: 'odd',
    unit: '1 per clip',
    description:
      'Least-squares slope of energy_residual over clip time scaled to -1..1, divided by its mean; < 0 = motion dies down.',
    compute: (s) => {
      const e = s.col('energy_residual');
      const m = mean(e);
      if (s.frames < 2 || m <= STILL_ENERGY) return 0;
      let num = 0;
      let den = 0;
      for (let t = 0; t < s.frames; t++) {
        const x = (2 * t) / (s.frames - 1) - 1;
        num += x * (e[t] - m);
        den += x * x;
      }
      return num / den / m;
    },
  },
  {
    name: 'periodicity',
    parity: 'even',
    unit: '0..1',
    description:
      'Strongest first autocorrelation peak (after the first zero crossing) of res_vx, res_vy or energy_residual, among those that swing by at least 0.01 short sides/s; near 1 = strongly periodic (swinging, waving).',
    compute: (s) => periodicity(s)[0],
  },
  {
    name: 'period_s',
    parity: 'even',
    unit: 's',
    description: 'Lag of that peak in seconds (0 when no peak).',
    compute: (s) => periodicity(s)[1] / s.fps,
  },
  {
    name: 'straightness',
    parity: 'even',
    unit: '0..1',
    description:
      'Net displacement over path length of the moving mass: |sum of (res_vx, res_vy)| / sum of |(res_vx, res_vy)|; 1 = one straight run, 0 = back and forth.',
    compute: (s) => {
      const vx = s.col('res_vx');
      const vy = s.col('res_vy');
      let sx = 0;
      let sy = 0;
      let path = 0;
      for (let t = 0; t < s.frames; t++) {
        sx += vx[t];
        sy += vy[t];
        path += Math.hypot(vx[t], vy[t]);
      }
      return path > 1e-9 ? Math.hypot(sx, sy) / path : 0;
    },
  },
  {
    name: 'mean_res_vy',
    parity: 'odd',
    unit: 'short sides/s',
    description: 'Energy-weighted mean vertical velocity of the moving mass (+ = down).',
    compute: (s) => weighted(s, 'res_vy'),
  },
  {
    name: 'median_res_ay',
    parity: 'even',
    unit: 'short sides/s²',
    description:
      'Median vertical acceleration of the moving mass over the pairs with at least 20% of the peak energy (+ = down: free fall shows gravity; the median ignores the short upward kicks of bounces, which a mean would cancel it with).',
    compute: (s) => {
      const e = s.col('energy_residual');
      const ay = s.col('res_ay');
      const peak = Math.max(0, ...e);
      if (mean(e) <= STILL_ENERGY) return 0;
      const picked = Array.from(ay)
        .filter((_, t) => e[t] >= 0.2 * peak)
        .sort((a, b) => a - b);
      return picked.length ? picked[Math.floor(picked.length / 2)] : 0;
    },
  },
  {
    name: 'mean_res_div',
    parity: 'odd',
    unit: '1/s',
    description: 'Energy-weighted mean divergence of object motion (+ = spreading).',
    compute: (s) => weighted(s, 'res_div'),
  },
  {
    name: 'mean_entropy_delta',
    parity: 'odd',
    unit: 'bits/s',
    description: 'Mean entropy_delta (+ = the picture gets more varied over the clip).',
    compute: (s) => mean(s.col('entropy_delta')),
  },
  {
    name: 'mean_detail_delta',
    parity: 'odd',
    unit: '1/s',
    description: 'Mean detail_delta (- = the picture gets smoother over the clip).',
    compute: (s) => mean(s.col('detail_delta')),
  },
] satisfies Summary[]);

/** Typical magnitudes of the odd summaries, so fb_asymmetry weighs them alike (set from synthetic clips, not real-dev). */
const ODD_SCALE: Readonly<Record<string, number>> = Object.freeze({
  onset_decay_asymmetry: 0.3,
  energy_trend: 0.5,
  mean_res_vy: 0.2,
  mean_res_div: 0.5,
  mean_entropy_delta: 0.05,
  mean_detail_delta: 0.05,
});

/** Computes every summary, plus `fb_asymmetry`, for one series at rate `fps`. */
export function summarise(series: CueSeries, fps: number): Record<string, number> {
  const fwd = access(series, fps);
  const rev = access(mirrorSeries(series), fps);
  const out: Record<string, number> = {};
  let acc = 0;
  let n = 0;
  for (const s of SUMMARIES) {
    const value = s.compute(fwd);
    out[s.name] = Number.isFinite(value) ? value : 0;
    const scale = ODD_SCALE[s.name];
    if (scale !== undefined) {
      // The same summary of the clip played backwards: the "analyse the reversed order" half.
      const d = Math.tanh((value - s.compute(rev)) / (2 * scale));
      acc += Number.isFinite(d) ? d * d : 0;
      n++;
    }
  }
  out.fb_asymmetry = n ? Math.sqrt(acc / n) : 0;
  return out;
}

/** Description of fb_asymmetry, for the README and `audit cues`. */
export const FB_ASYMMETRY: Omit<Summary, 'compute'> = Object.freeze({
  name: 'fb_asymmetry',
  parity: 'even',
  unit: '0..1',
  description:
    'How different the clip looks analysed backwards: RMS over the odd summaries of tanh((S(forward) - S(reversed)) / 2·scale); 0 = indistinguishable (directionless motion).',
});
