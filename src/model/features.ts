// The model's input contract: a cue series of any length becomes a fixed [T x F] window plus a validity mask
// (docs/design.md, "The model contract").

import { createHash } from 'node:crypto';
import { CUE_COLUMNS } from '../cues/index.js';
import type { CueSeries } from '../cues/series.js';
import { expected, ModelError } from '../errors.js';

/**
 * The verdicts (docs/design.md, "The three verdicts"), in the order of the model's p_verdict output and of
 * y_verdict.npy's class indices (-1: unknown).
 */
export const VERDICTS = Object.freeze(['invariant', 'equivariant', 'irreversible'] as const);
export type VerdictName = (typeof VERDICTS)[number];

/** Rows (frame pairs) the model sees: 64 pairs = 2.7 s at the default 24 fps analysis rate. */
export const MODEL_T = 64;

/** Columns the model sees: every cue column, in registry order. */
export const MODEL_F = CUE_COLUMNS.length;

/** 1 for odd-parity columns (negated under time reversal), 0 for even ones; length F. */
export const ODD_MASK: Float32Array = Float32Array.from(CUE_COLUMNS, (c) => (c.parity === 'odd' ? 1 : 0));

/**
 * sha256 over `name:parity` lines of every column: a model trained on other columns (or another order,
 * or a changed parity) must not be fed this series. Cards store it; loadModel compares.
 */
export const COLUMNS_HASH: string = createHash('sha256')
  .update(CUE_COLUMNS.map((c) => `${c.name}:${c.parity}`).join('\n'))
  .digest('hex');

/** One model input: `x` is [T x F] row-major, `mask` is [T] (1 = measured row, 0 = padding). */
export interface ModelInput {
  x: Float32Array;
  mask: Float32Array;
}

/**
 * Where the window sits: output row i reads source position i + (frames - T) / 2. When that is a
 * half-integer (frames - T odd), no integer window is centred, and picking either neighbour would
 * break the mirror property (a reversed clip would be cut one row differently); so the row is the
 * mean of the two neighbours instead: a half-row shift that mirrors exactly.
 */
function placement(frames: number, T: number): { lo: number; half: boolean } {
  const twice = frames - T; // twice the offset, an integer
  return { lo: Math.floor(twice / 2), half: twice % 2 !== 0 };
}

function checkT(T: number): void {
  if (!Number.isInteger(T) || T < 1) throw new ModelError('input_contract', expected('a positive integer', 'T', T));
}

/**
 * Turns a `[frames x F]` cue series into exactly `[T x F]` (row-major), centred: a longer series is
 * cropped to its middle T rows, a shorter one is padded with zero rows on both sides (equally; see
 * {@link inputMask} for telling padding from stillness). Non-finite values become 0.
 * Mirror-exact: `seriesToInput(mirrorSeries(s))` equals `mirrorInput(seriesToInput(s))` value for value
 * (exact floats; only the sign of a zero may differ).
 * @example
 * const x = seriesToInput(await readSeries(out, row)); // Float32Array(64 * CUE_COLUMNS.length)
 */
export function seriesToInput(series: CueSeries, T: number = MODEL_T): Float32Array {
  checkT(T);
  const F = MODEL_F;
  if (series.columns !== F) {
    throw new ModelError(
      'input_contract',
      expected(`a series of ${F} columns (the current cue table)`, 'series.columns', series.columns),
    );
  }
  if (series.data.length !== series.frames * F) {
    throw new ModelError(
      'input_contract',
      expected(`${series.frames * F} values (frames x columns)`, 'series.data.length', series.data.length),
    );
  }
  const { frames, data } = series;
  const out = new Float32Array(T * F);
  const { lo, half } = placement(frames, T);
  const value = (t: number, k: number): number => {
    if (t < 0 || t >= frames) return 0;
    const v = data[t * F + k];
    return Number.isFinite(v) ? v : 0;
  };
  for (let i = 0; i < T; i++) {
    const t = i + lo;
    if (!half && (t < 0 || t >= frames)) continue;
    if (half && (t + 1 < 0 || t >= frames)) continue;
    for (let k = 0; k < F; k++) {
      // 0.5 * (a + b) is symmetric in a and b, so the mirrored clip gets the very same float.
      out[i * F + k] = half ? 0.5 * (value(t, k) + value(t + 1, k)) : value(t, k);
    }
  }
  return out;
}

/**
 * The validity mask of {@link seriesToInput}'s window for a series of `frames` rows: 1 where the row
 * holds measurements, 0 where it is padding, 0.5 at an edge row that averages one measured row with
 * padding. The model gets it as an extra channel and pools over it, so a short clip's zero padding is
 * never read as a still scene.
 */
export function inputMask(frames: number, T: number = MODEL_T): Float32Array {
  checkT(T);
  const mask = new Float32Array(T);
  const { lo, half } = placement(frames, T);
  const inside = (t: number): number => (t >= 0 && t < frames ? 1 : 0);
  for (let i = 0; i < T; i++) mask[i] = half ? 0.5 * (inside(i + lo) + inside(i + lo + 1)) : inside(i + lo);
  return mask;
}

/** {@link seriesToInput} and {@link inputMask} together: what {@link predict} and the dataset export take. */
export function seriesToModelInput(series: CueSeries, T: number = MODEL_T): ModelInput {
  return { x: seriesToInput(series, T), mask: inputMask(series.frames, T) };
}

/** A [T x F] input mirrored in time: rows reversed, odd columns negated (the input of the reversed clip). */
export function mirrorInput(x: Float32Array, T: number = MODEL_T): Float32Array {
  const F = MODEL_F;
  if (x.length !== T * F)
    throw new ModelError('input_contract', expected(`${T * F} values (T x F)`, 'input length', x.length));
  const out = new Float32Array(x.length);
  for (let i = 0; i < T; i++) {
    const src = (T - 1 - i) * F;
    for (let k = 0; k < F; k++) out[i * F + k] = ODD_MASK[k] === 1 ? -x[src + k] : x[src + k];
  }
  return out;
}

/** A mask mirrored in time (masks are even: reversed only). */
export function mirrorMask(mask: Float32Array): Float32Array {
  return Float32Array.from(mask).reverse();
}

/** Most windows {@link clipWindows} cuts a clip into (the default 10-s analysis window at 24 fps is 240 pairs: 4 windows). */
export const MAX_WINDOWS = 8;

/**
 * The windows a whole clip is judged on: one centred window ({@link seriesToModelInput}) when the series fits in
 * T rows, else K = ceil(frames / T) windows (at most `maxWindows`) from the first row to the last, overlapping
 * evenly, so no part of the clip goes unseen. The starts are placed in mirrored pairs (start s with
 * frames - T - s; an odd K's middle window is the centred one), so the windows of the reversed clip are exactly
 * the mirrored windows of this one in reverse order: averaging over them keeps the model's mirror properties.
 * @example
 * const windows = clipWindows(await readSeries(out, row)); // 1 to MAX_WINDOWS inputs
 */
export function clipWindows(series: CueSeries, T: number = MODEL_T, maxWindows: number = MAX_WINDOWS): ModelInput[] {
  checkT(T);
  if (!Number.isInteger(maxWindows) || maxWindows < 1)
    throw new ModelError('bad_option', expected('a positive integer', 'maxWindows', maxWindows));
  const { frames, columns, data } = series;
  const K = Math.min(maxWindows, Math.ceil(frames / T));
  if (frames <= T || K === 1) return [seriesToModelInput(series, T)];
  const window = (start: number): ModelInput =>
    seriesToModelInput({ frames: T, columns, data: data.subarray(start * columns, (start + T) * columns) }, T);
  const out: ModelInput[] = new Array(K);
  for (let k = 0; k < Math.floor(K / 2); k++) {
    const start = Math.floor(((frames - T) * k) / (K - 1));
    out[k] = window(start);
    out[K - 1 - k] = window(frames - T - start);
  }
  if (K % 2 === 1) out[(K - 1) / 2] = seriesToModelInput(series, T);
  return out;
}
