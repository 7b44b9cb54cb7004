// Camera-motion stage: robust fit of a global similarity (pan, zoom, roll) to a dense flow field, and its removal.

import type { CameraMotion, FlowField } from './types.js';
import { expected } from '../errors.js';

/** How fitCamera samples the flow field and how long it iterates. */
export interface CameraFitOptions {
  /** Sample every `step`-th pixel in x and y for the fit (default chosen so ~1-2k samples). */
  step?: number;
  /** IRLS iterations (default 8; the fit stops early once the parameters settle). */
  iterations?: number;
  /** Border in pixels excluded from the fit (flow at borders is unreliable; default ~ 4% of short side). */
  border?: number;
}

// Tukey's biweight cutoff in sigmas, on the residual vector's length. Lower than the 1-D textbook 4.685:
// a 2-D Gaussian length rarely gets far out (P(|r| > 3 sigma) = exp(-4.5) = 1.1%), and objects moving
// only ~1 px differently from the camera get pulled in by the wider cutoff. Measured on 30-45% objects
// under 0.3 px noise: worst frame-corner error 1.9 px with 4.685, 0.13 px with 3; the price is ~25%
// more noise in an object-free fit (0.027 -> 0.034 px).
const TUKEY_C = 3.0;
// The scale comes from a low quantile of the residual lengths rather than the median: with an object
// covering 40% of the frame the median length is the background's 83rd percentile and would inflate
// the scale (and let a slowly moving object in); the 30th percentile stays inside the background.
const SCALE_QUANTILE = 0.3;
// That quantile of the length of an isotropic 2-D Gaussian residual (Rayleigh) in units of the
// per-component sigma.
const SCALE_QUANTILE_SIGMAS = Math.sqrt(-2 * Math.log(1 - SCALE_QUANTILE));
// Scale floor in pixels: exact or quantised flow has zero spread, and a zero scale would reject every
// sample that is not bit-exact. DIS is rarely better than ~0.1 px anyway.
const MIN_SIGMA = 0.1;
const DEFAULT_SAMPLES = 1500;
// At most this many residuals go into the scale quantile.
const SCALE_SAMPLES = 512;
const DEFAULT_ITERATIONS = 8;
const DEFAULT_BORDER_FRACTION = 0.04;
// About this many blocks vote in the start (pairs grow quadratically; 24 gives 276 pairs).
const START_BLOCKS = 24;
// A block with fewer valid samples has no trustworthy median flow.
const MIN_BLOCK_SAMPLES = 4;
// Stop iterating once no parameter moves the frame corner by more than this many pixels.
const CONVERGED_PX = 1e-4;

// Scratch buffers, grown on demand: fitCamera runs on every frame pair, and each worker thread has
// its own module instance, so sharing them across calls is safe. Functions copy them into locals:
// V8 reloads mutable module bindings on every access in the hot loops.
let cap = 0;
let bufSx = new Float64Array(0);
let bufSy = new Float64Array(0);
let bufSu = new Float64Array(0);
let bufSv = new Float64Array(0);
let bufSw = new Float64Array(0);
let bufTmp = new Float64Array(0);
let bufSBlock = new Int32Array(0);
let bufColBlock = new Int32Array(0);
// Per-block sums and medians; the block count is bounded by rounding START_BLOCKS.
const MAX_BLOCKS = 4 * START_BLOCKS;
const bCount = new Int32Array(MAX_BLOCKS + 1);
const bFill = new Int32Array(MAX_BLOCKS);
const bPx = new Float64Array(MAX_BLOCKS);
const bPy = new Float64Array(MAX_BLOCKS);
const bU = new Float64Array(MAX_BLOCKS);
const bV = new Float64Array(MAX_BLOCKS);
const bRes = new Float64Array(MAX_BLOCKS);

function ensureScratch(n: number): void {
  if (n <= cap) return;
  cap = Math.max(n, cap * 2);
  bufSx = new Float64Array(cap);
  bufSy = new Float64Array(cap);
  bufSu = new Float64Array(cap);
  bufSv = new Float64Array(cap);
  bufSw = new Float64Array(cap);
  bufTmp = new Float64Array(cap);
  bufSBlock = new Int32Array(cap);
}

/** Median of a[from..from+n) by quickselect; reorders that range. n >= 1. Even n gives the mean of
 * the two middles, so that median(-x) === -median(x) exactly (a fit of the negated field is then
 * exactly negated). */
function medianInPlace(a: Float64Array, from: number, n: number): number {
  const half = n >> 1;
  const upper = select(a, from, n, half);
  if (n & 1) return upper;
  // After select, everything before the upper middle is <= it; the lower middle is their maximum.
  let lower = a[from];
  for (let i = from + 1; i < from + half; i++) if (a[i] > lower) lower = a[i];
  return 0.5 * (lower + upper);
}

/** k-th smallest (0-based) of a[from..from+n) by Hoare quickselect with a median-of-three pivot;
 * partitions the range around it. */
function select(a: Float64Array, from: number, n: number, k: number): number {
  let lo = from;
  let hi = from + n - 1;
  k += from;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // Median-of-three keeps sorted or mirrored inputs (common for grid-sampled fields) from going quadratic.
    const x = a[lo];
    const y = a[mid];
    const z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

function checkFlow(flow: FlowField, name: string): void {
  const { width, height } = flow;
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw new RangeError(expected('positive integer width and height', name, { width, height }));
  }
  if (flow.u.length !== width * height || flow.v.length !== width * height) {
    throw new RangeError(expected(`u and v of length ${width * height}`, name, { u: flow.u.length, v: flow.v.length }));
  }
}

function intOption(value: number | undefined, fallback: number, min: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new RangeError(expected(`an integer >= ${min}`, name, value));
  return value;
}

/** Sample positions along one axis: every `step`-th pixel of [border, size-1-border], centred so the
 * grid is as symmetric about the image centre as integer pixels allow. */
function axisStart(size: number, border: number, step: number): { start: number; count: number } {
  const span = size - 1 - 2 * border;
  if (span < 0) return { start: 0, count: 0 };
  const count = Math.floor(span / step) + 1;
  const start = border + Math.floor((span - (count - 1) * step) / 2);
  return { start, count };
}

/**
 * Robust fit of the camera's similarity motion (pan, zoom as log scale, roll) about the image centre
 * to a dense flow field.
 *
 * The model is linear in the flow: d(p) = [[a, -b], [b, a]] (p - c) + t, with a = s cos(theta) - 1 and
 * b = s sin(theta). It is started by least median of squares over a coarse grid of blocks (each
 * block's median flow; every pair of blocks proposes a similarity) and refined by IRLS on the
 * samples with Tukey biweights on the residual length, the scale re-estimated each iteration from
 * a low quantile of the residual lengths. So a region moving differently (an object, bad flow) is
 * ignored as long as it covers well under half of the frame (tested to 40%) and moves more than a
 * few noise sigmas differently.
 *
 * Time reversal: an exact similarity field is fitted exactly, so the field of the inverse transform
 * (B -> A on B's grid) gives the inverse: logScale and rotation negated, t -> -exp(-logScale)
 * R(-rotation) t, i.e. -t to first order. Every step is odd under negating the field, so the negated
 * field gives exactly (bitwise) negated tx, ty and linear part a, b.
 *
 * Non-finite flow samples are skipped. A field with no usable samples gives zero motion with
 * inlierFraction 0.
 */
export function fitCamera(flow: FlowField, options: CameraFitOptions = {}): CameraMotion {
  checkFlow(flow, 'flow');
  const { width, height, u, v } = flow;
  const shortSide = Math.min(width, height);
  // Leave at least a few pixels of interior even on tiny fields.
  const maxBorder = Math.max(0, Math.floor((shortSide - 2) / 2));
  const border = Math.min(
    intOption(options.border, Math.round(DEFAULT_BORDER_FRACTION * shortSide), 0, 'options.border'),
    maxBorder,
  );
  const innerW = Math.max(1, width - 2 * border);
  const innerH = Math.max(1, height - 2 * border);
  const step = intOption(
    options.step,
    Math.max(1, Math.round(Math.sqrt((innerW * innerH) / DEFAULT_SAMPLES))),
    1,
    'options.step',
  );
  const iterations = intOption(options.iterations, DEFAULT_ITERATIONS, 0, 'options.iterations');

  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const gx = axisStart(width, border, step);
  const gy = axisStart(height, border, step);
  ensureScratch(gx.count * gy.count);
  const sx = bufSx;
  const sy = bufSy;
  const su = bufSu;
  const sv = bufSv;
  const sw = bufSw;
  const sBlock = bufSBlock;

  // Block grid for the start, blocks about square in frame space.
  const bxCount = Math.max(1, Math.min(gx.count, Math.round(Math.sqrt((START_BLOCKS * innerW) / innerH)), MAX_BLOCKS));
  const byCount = Math.max(1, Math.min(gy.count, Math.round(START_BLOCKS / bxCount), Math.floor(MAX_BLOCKS / bxCount)));
  const blocks = bxCount * byCount;
  bCount.fill(0, 0, blocks + 1);
  bPx.fill(0, 0, blocks);
  bPy.fill(0, 0, blocks);

  const nx = gx.count;
  const ny = gy.count;
  const x0 = gx.start;
  // Block column of each sample column, computed once rather than per sample.
  if (bufColBlock.length < nx) bufColBlock = new Int32Array(nx);
  const colBlock = bufColBlock;
  for (let i = 0; i < nx; i++) colBlock[i] = Math.floor((i * bxCount) / nx);

  let n = 0;
  for (let j = 0, y = gy.start; j < ny; j++, y += step) {
    const row = y * width;
    const dy = y - cy;
    const blockRow = Math.floor((j * byCount) / ny) * bxCount;
    for (let i = 0, x = x0; i < nx; i++, x += step) {
      const fu = u[row + x];
      const fv = v[row + x];
      // DIS implementations may mark failed patches with NaN; they say nothing about the camera.
      if (!Number.isFinite(fu) || !Number.isFinite(fv)) continue;
      const dx = x - cx;
      const blk = blockRow + colBlock[i];
      sx[n] = dx;
      sy[n] = dy;
      su[n] = fu;
      sv[n] = fv;
      sBlock[n] = blk;
      bCount[blk + 1]++;
      bPx[blk] += dx;
      bPy[blk] += dy;
      n++;
    }
  }
  if (n === 0) return { tx: 0, ty: 0, logScale: 0, rotation: 0, inlierFraction: 0 };

  startEstimate(n, blocks);
  let a = startParams[0];
  let b = startParams[1];
  let tx = startParams[2];
  let ty = startParams[3];

  // --- IRLS with Tukey weights.
  const corner = Math.hypot(cx, cy);
  for (let it = 0; it < iterations; it++) {
    const inv = residualsAndCutoff(n, a, b, tx, ty);
    let W = 0;
    let Sx = 0;
    let Sy = 0;
    let Su = 0;
    let Sv = 0;
    let Srr = 0;
    let Sa = 0;
    let Sb = 0;
    for (let k = 0; k < n; k++) {
      // Tukey biweight of the residual length.
      const q = sw[k] * inv;
      if (q >= 1) continue;
      const w = (1 - q) * (1 - q);
      const dx = sx[k];
      const dy = sy[k];
      const fu = su[k];
      const fv = sv[k];
      W += w;
      Sx += w * dx;
      Sy += w * dy;
      Su += w * fu;
      Sv += w * fv;
      Srr += w * (dx * dx + dy * dy);
      Sa += w * (dx * fu + dy * fv);
      Sb += w * (dx * fv - dy * fu);
    }
    if (W <= 0) break;
    // Closed form of the 4x4 weighted normal equations: centring on the weighted mean position
    // decouples the translation from (a, b), and the similarity's structure makes the remaining
    // 2x2 system diagonal.
    const mx = Sx / W;
    const my = Sy / W;
    const mu = Su / W;
    const mv = Sv / W;
    const R = Srr - W * (mx * mx + my * my);
    let na = 0;
    let nb = 0;
    // Inliers bunched at one point cannot tell zoom/roll from pan; keep a pure translation then.
    if (R > 1e-9 * W * (1 + corner * corner)) {
      na = (Sa - W * (mx * mu + my * mv)) / R;
      nb = (Sb - W * (mx * mv - my * mu)) / R;
    }
    const ntx = mu - (na * mx - nb * my);
    const nty = mv - (nb * mx + na * my);
    const change = Math.max(
      Math.abs(na - a) * corner,
      Math.abs(nb - b) * corner,
      Math.abs(ntx - tx),
      Math.abs(nty - ty),
    );
    a = na;
    b = nb;
    tx = ntx;
    ty = nty;
    if (change < CONVERGED_PX) break;
  }
  // Count inliers against the final parameters (scale re-estimated from their residuals).
  const inv = residualsAndCutoff(n, a, b, tx, ty);
  let inliers = 0;
  for (let k = 0; k < n; k++) if (sw[k] * inv < 1) inliers++;

  return {
    tx,
    ty,
    // log1p keeps full relative precision for the small zooms typical between frames.
    logScale: 0.5 * Math.log1p(a * (2 + a) + b * b),
    rotation: Math.atan2(b, 1 + a),
    inlierFraction: inliers / n,
  };
}

// [a, b, tx, ty] of the start, written by startEstimate (no tuple allocation per call).
const startParams = new Float64Array(4);

/**
 * Least-median-of-squares start over the blocks, into `startParams`. A per-sample median start fails when
 * a large object's flow is structured (it drags the median translation, which then skews the zoom),
 * and IRLS from a bad start settles on a compromise. Each block's median flow is robust to an object
 * covering under half of the block; a pair of blocks fixes a similarity; the pair whose similarity
 * leaves the lowest median block residual wins.
 */
function startEstimate(n: number, blocks: number): void {
  const su = bufSu;
  const sv = bufSv;
  const sw = bufSw;
  const tmp = bufTmp;
  const sBlock = bufSBlock;
  // Counting sort of the samples by block, so each block's flows are contiguous for the medians.
  for (let k = 0; k < blocks; k++) bCount[k + 1] += bCount[k];
  for (let k = 0; k < blocks; k++) bFill[k] = bCount[k];
  for (let k = 0; k < n; k++) {
    const at = bFill[sBlock[k]]++;
    tmp[at] = su[k];
    sw[at] = sv[k];
  }
  let m = 0;
  for (let k = 0; k < blocks; k++) {
    const lo = bCount[k];
    const cnt = bCount[k + 1] - lo;
    if (cnt < MIN_BLOCK_SAMPLES) continue;
    bPx[m] = bPx[k] / cnt;
    bPy[m] = bPy[k] / cnt;
    bU[m] = medianInPlace(tmp, lo, cnt);
    bV[m] = medianInPlace(sw, lo, cnt);
    m++;
  }
  if (m < 3) {
    // Too few blocks to vote: translation only, from the sample medians.
    for (let k = 0; k < n; k++) tmp[k] = su[k];
    startParams[2] = medianInPlace(tmp, 0, n);
    for (let k = 0; k < n; k++) tmp[k] = sv[k];
    startParams[3] = medianInPlace(tmp, 0, n);
    startParams[0] = 0;
    startParams[1] = 0;
    return;
  }
  const rank = (m - 1) >> 1;
  let best = Infinity;
  for (let i = 0; i < m; i++) {
    const xi = bPx[i];
    const yi = bPy[i];
    const ui = bU[i];
    const vi = bV[i];
    for (let j = i + 1; j < m; j++) {
      const px = bPx[j] - xi;
      const py = bPy[j] - yi;
      const fx = bU[j] - ui;
      const fy = bV[j] - vi;
      const r2 = px * px + py * py;
      if (r2 === 0) continue;
      const a = (px * fx + py * fy) / r2;
      const b = (px * fy - py * fx) / r2;
      const tx = ui - (a * xi - b * yi);
      const ty = vi - (b * xi + a * yi);
      // The median beats `best` exactly when more than `rank` residuals are below it; counting them
      // first skips the selection (and usually most of the loop) for the many poor hypotheses.
      let below = 0;
      let k = 0;
      for (; k < m; k++) {
        const x = bPx[k];
        const y = bPy[k];
        const eu = bU[k] - (a * x - b * y + tx);
        const ev = bV[k] - (b * x + a * y + ty);
        const e2 = eu * eu + ev * ev;
        bRes[k] = e2;
        if (e2 < best) below++;
        else if (below + (m - 1 - k) <= rank) break;
      }
      if (k < m || below <= rank) continue;
      const score = select(bRes, 0, m, rank);
      if (score < best) {
        best = score;
        startParams[0] = a;
        startParams[1] = b;
        startParams[2] = tx;
        startParams[3] = ty;
      }
    }
  }
}

/**
 * Writes the squared residual lengths into sw and returns 1 / cutoff^2 of the Tukey weights, the scale
 * taken from a low quantile of the lengths.
 */
function residualsAndCutoff(n: number, a: number, b: number, tx: number, ty: number): number {
  const sx = bufSx;
  const sy = bufSy;
  const su = bufSu;
  const sv = bufSv;
  const sw = bufSw;
  const tmp = bufTmp;
  for (let k = 0; k < n; k++) {
    const dx = sx[k];
    const dy = sy[k];
    const eu = su[k] - (a * dx - b * dy + tx);
    const ev = sv[k] - (b * dx + a * dy + ty);
    sw[k] = eu * eu + ev * ev;
  }
  // A strided subset estimates the quantile well enough and keeps the selection cheap; quantile of
  // squared lengths = square of the quantile of lengths, which saves the square roots.
  const stride = Math.ceil(n / SCALE_SAMPLES);
  let m = 0;
  for (let k = 0; k < n; k += stride) tmp[m++] = sw[k];
  const q2 = select(tmp, 0, m, Math.floor(SCALE_QUANTILE * (m - 1)));
  const sigma = Math.max(Math.sqrt(q2) / SCALE_QUANTILE_SIGMAS, MIN_SIGMA);
  const c = TUKEY_C * sigma;
  return 1 / (c * c);
}

// [a, b] of the last linearPart call.
const linear = new Float64Array(2);

/** a = s cos(theta) - 1 and b = s sin(theta) of a camera motion, into `linear`. Written as
 * (s - 1) cos(theta) - 2 sin^2(theta / 2) so that small zooms and rolls do not lose digits to the
 * cancellation in s cos(theta) - 1. */
function linearPart(camera: CameraMotion): void {
  const half = Math.sin(0.5 * camera.rotation);
  linear[0] = Math.expm1(camera.logScale) * Math.cos(camera.rotation) - 2 * half * half;
  linear[1] = Math.exp(camera.logScale) * Math.sin(camera.rotation);
}

/**
 * Displacement the camera motion predicts at pixel (x, y) of a width x height frame:
 * out = c + exp(logScale) R(rotation) (p - c) + t - p.
 */
export function cameraDisplacement(
  camera: CameraMotion,
  width: number,
  height: number,
  x: number,
  y: number,
  out: Float64Array | number[],
): void {
  linearPart(camera);
  const a = linear[0];
  const b = linear[1];
  const dx = x - (width - 1) / 2;
  const dy = y - (height - 1) / 2;
  out[0] = a * dx - b * dy + camera.tx;
  out[1] = b * dx + a * dy + camera.ty;
}

/**
 * Residual (object) flow: the flow minus the displacement the camera motion predicts at each pixel.
 * Writes into `out` when given (same size; may be `flow` itself), else into a new field.
 */
export function residualFlow(flow: FlowField, camera: CameraMotion, out?: FlowField): FlowField {
  checkFlow(flow, 'flow');
  const { width, height } = flow;
  let dst: FlowField;
  if (out) {
    checkFlow(out, 'out');
    if (out.width !== width || out.height !== height) {
      throw new RangeError(expected(`a ${width}x${height} field`, 'out', `${out.width}x${out.height}`));
    }
    dst = out;
  } else {
    dst = { width, height, u: new Float32Array(width * height), v: new Float32Array(width * height) };
  }
  linearPart(camera);
  const a = linear[0];
  const b = linear[1];
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const { u, v } = flow;
  const ou = dst.u;
  const ov = dst.v;
  for (let y = 0; y < height; y++) {
    const dy = y - cy;
    // Row-constant parts of the prediction, hoisted out of the inner loop.
    const pu = camera.tx - b * dy - a * cx;
    const pv = camera.ty + a * dy - b * cx;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      ou[i] = u[i] - (a * x + pu);
      ov[i] = v[i] - (b * x + pv);
    }
  }
  return dst;
}
