// A clip's cue series as the named per-pair signals the physics checks read, and its time mirror.

import { GRID } from '../cues/index.js';
import type { CueSeries } from '../cues/series.js';
import { expected } from '../errors.js';

/** Per-pair signals of one clip (index t = analysis frames t -> t+1), in the units of the cue table. */
export interface ClipSignals {
  pairs: number;
  /** Analysis frame rate: pairs per second. */
  fps: number;
  /** Source second at which the analysed window starts, and the source frame rate (for frame numbers in evidence). */
  startS: number;
  sourceFps: number;
  /** Object-motion energy and share of moving pixels. */
  energy: Float64Array;
  movingFrac: Float64Array;
  /** Velocity (short sides/s, + = right / down) and acceleration (short sides/s², + = right / down) of the moving mass. */
  vx: Float64Array;
  vy: Float64Array;
  ax: Float64Array;
  ay: Float64Array;
  /** Centroid of the moving mass (fraction of width / height, 0 = left / top). */
  cx: Float64Array;
  cy: Float64Array;
  /** Divergence of object motion (1/s, + = spreading). */
  div: Float64Array;
  /** Camera-induced image speed (short sides/s) and mean gray-level change (1/s). */
  camSpeed: Float64Array;
  intensity: Float64Array;
  /** Residual flow per grid cell: gridU[r * GRID + c][t] (+ right), gridV (+ down), short sides/s. */
  gridU: Float64Array[];
  gridV: Float64Array[];
}

/** Series columns the checks read; a series without one of them cannot be judged. */
export const NEEDED_COLUMNS = Object.freeze([
  'energy_residual',
  'moving_frac',
  'res_vx',
  'res_vy',
  'res_ax',
  'res_ay',
  'res_cx',
  'res_cy',
  'res_div',
  'cam_speed',
  'intensity_change',
] as const);

/** Which signals change sign when the clip is played backwards (velocity-like) and which keep it. */
const ODD_SIGNALS = new Set(['vx', 'vy', 'div']);

/**
 * Builds the signals of a `[pairs x columns]` series whose column names are `names` (cues.json order).
 * @throws Error naming the first missing column.
 */
export function signalsFromSeries(
  series: CueSeries,
  names: readonly string[],
  meta: { fps: number; startS?: number; sourceFps?: number },
): ClipSignals {
  if (names.length !== series.columns)
    throw new Error(expected(`${series.columns} column names (series_columns)`, 'cues.json columns', names.length));
  const index = new Map(names.map((n, i) => [n, i]));
  const col = (name: string): Float64Array => {
    const k = index.get(name);
    if (k === undefined)
      throw new Error(
        expected(
          `a series column named ${JSON.stringify(name)}`,
          'cues.json columns',
          names.length > 8 ? `${names.slice(0, 8).join(', ')}, ...` : names.join(', '),
        ),
      );
    const out = new Float64Array(series.frames);
    for (let t = 0; t < series.frames; t++) {
      const v = series.data[t * series.columns + k];
      out[t] = Number.isFinite(v) ? v : 0;
    }
    return out;
  };
  const gridU: Float64Array[] = [];
  const gridV: Float64Array[] = [];
  const hasGrid = index.has('grid_u_0_0');
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      gridU.push(hasGrid ? col(`grid_u_${r}_${c}`) : new Float64Array(series.frames));
      gridV.push(hasGrid ? col(`grid_v_${r}_${c}`) : new Float64Array(series.frames));
    }
  }
  return {
    pairs: series.frames,
    fps: meta.fps,
    startS: meta.startS ?? 0,
    sourceFps: meta.sourceFps ?? meta.fps,
    energy: col('energy_residual'),
    movingFrac: col('moving_frac'),
    vx: col('res_vx'),
    vy: col('res_vy'),
    ax: col('res_ax'),
    ay: col('res_ay'),
    cx: col('res_cx'),
    cy: col('res_cy'),
    div: col('res_div'),
    camSpeed: col('cam_speed'),
    intensity: col('intensity_change'),
    gridU,
    gridV,
  };
}

/** The signals of the clip played backwards: time reversed, velocity-like signals negated (as the scan's --reverse gives). */
export function mirrorSignals(s: ClipSignals): ClipSignals {
  const flip = (x: Float64Array, odd: boolean): Float64Array => {
    const n = x.length;
    const out = new Float64Array(n);
    for (let t = 0; t < n; t++) out[t] = odd ? -x[n - 1 - t] : x[n - 1 - t];
    return out;
  };
  const out = { ...s } as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(s)) {
    if (value instanceof Float64Array) out[key] = flip(value, ODD_SIGNALS.has(key));
  }
  out.gridU = s.gridU.map((g) => flip(g, true));
  out.gridV = s.gridV.map((g) => flip(g, true));
  return out as unknown as ClipSignals;
}

/** Signals built from plain arrays (tests, planted scenes): missing ones are zero, centroids 0.5, fps 24. */
export function makeSignals(
  parts: Partial<
    Record<
      'energy' | 'movingFrac' | 'vx' | 'vy' | 'ax' | 'ay' | 'cx' | 'cy' | 'div' | 'camSpeed' | 'intensity',
      ArrayLike<number>
    >
  > & { fps?: number; pairs?: number },
): ClipSignals {
  const pairs =
    parts.pairs ??
    Math.max(
      0,
      ...Object.values(parts)
        .filter((v): v is ArrayLike<number> => typeof v === 'object')
        .map((v) => v.length),
    );
  const fill = (x: ArrayLike<number> | undefined, d = 0): Float64Array => {
    const out = new Float64Array(pairs).fill(d);
    if (x) for (let t = 0; t < Math.min(pairs, x.length); t++) out[t] = x[t];
    return out;
  };
  const fps = parts.fps ?? 24;
  const vx = fill(parts.vx);
  const vy = fill(parts.vy);
  return {
    pairs,
    fps,
    startS: 0,
    sourceFps: fps,
    energy: fill(parts.energy),
    movingFrac: fill(parts.movingFrac),
    vx,
    vy,
    ax: parts.ax ? fill(parts.ax) : derivative(vx, fps),
    ay: parts.ay ? fill(parts.ay) : derivative(vy, fps),
    cx: fill(parts.cx, 0.5),
    cy: fill(parts.cy, 0.5),
    div: fill(parts.div),
    camSpeed: fill(parts.camSpeed),
    intensity: fill(parts.intensity),
    gridU: Array.from({ length: GRID * GRID }, () => new Float64Array(pairs)),
    gridV: Array.from({ length: GRID * GRID }, () => new Float64Array(pairs)),
  };
}

/** The scan's acceleration: [1 2 1]/4 smoothing, then central differences (one-sided at the ends), times fps. */
export function derivative(v: Float64Array, fps: number): Float64Array {
  const n = v.length;
  const smooth = new Float64Array(n);
  for (let t = 0; t < n; t++) smooth[t] = (v[Math.max(0, t - 1)] + 2 * v[t] + v[Math.min(n - 1, t + 1)]) / 4;
  const out = new Float64Array(n);
  for (let t = 0; t < n && n > 1; t++) {
    const lo = Math.max(0, t - 1);
    const hi = Math.min(n - 1, t + 1);
    out[t] = ((smooth[hi] - smooth[lo]) / (hi - lo)) * fps;
  }
  return out;
}
