// Dense Inverse Search optical flow (Kroeger et al., ECCV 2016) on typed arrays: presets, the DisFlow class, helpers.

import { UsageError, expected } from '../errors.js';
import { densify } from './dis-densify.js';
import { inverseSearch, makeGrid, makeSparse } from './dis-patch.js';
import type { LevelImages, PatchGrid, SparseBuffers } from './dis-patch.js';
import { VariationalRefiner } from './dis-variational.js';
import { downsample2, downsample4, halfSize, padReplicate, resizeFlow, sampleBilinear, sobel } from './pyramid.js';
import type { Pixels } from './pyramid.js';
import type { FlowField, GrayImage } from './types.js';

export type DisPresetName = 'ultrafast' | 'fast' | 'medium';

/** Parameters of DIS; names follow OpenCV's DISOpticalFlow. */
export interface DisParams {
  /** Pyramid level where refinement stops (0 = full resolution); the flow is then upsampled to full resolution. */
  finestScale: number;
  /** Coarsest pyramid level; by default chosen from the image size like OpenCV (coarsest level ~ 4 patches wide). */
  coarsestScale?: number;
  /** Side of the square patches in pixels. */
  patchSize: number;
  /** Distance between neighbouring patches in pixels. */
  patchStride: number;
  /** Inverse-compositional Gauss-Newton iterations per patch (split over the two sweeps with propagation). */
  gradientDescentIterations: number;
  /** Fixed-point iterations of the variational refinement per level; 0 disables it. */
  variationalRefinementIterations: number;
  /** Subtract each patch's mean difference (robust to brightness change). */
  useMeanNormalization: boolean;
  /** Try the neighbouring patches' flows as starting points (forward and backward sweep). */
  useSpatialPropagation: boolean;
}

/**
 * Presets, adapted from OpenCV's DISOpticalFlow to our small analysis frames (~160x90). Measured on 160x90
 * synthetic pairs (EPE px for 3-degree rotation / 5% zoom; time on the dev box, see dis-bench.ts):
 * - ultrafast = OpenCV master's ULTRAFAST (finest 2, patch 8, stride 4, 12 iterations, no refinement). The
 *   older stride-6 / 16-iteration variant cost the same here but was less accurate (0.38 vs 0.32 EPE).
 * - fast: finest level 1 instead of OpenCV's 2, with 1 refinement iteration instead of 5. On a 160x90 frame
 *   level 2 is 40x22, so every patch spans a third of the frame height and the flow's sub-pixel errors are
 *   multiplied by 4; level 1 halves the EPE (0.11 vs 0.20) for ~1.8x the time of OpenCV's setting.
 *   OpenCV's own FAST is { finestScale: 2, variationalRefinementIterations: 5 } on top of this preset.
 * - medium = OpenCV master's MEDIUM (finest 1, patch 8, stride 3, 25 iterations, 5 refinement iterations).
 *   The paper-style patch 12 / stride 4 was slower and less accurate on 80x45 levels (0.09 vs 0.075 EPE).
 */
export const DIS_PRESETS: Readonly<Record<DisPresetName, Readonly<DisParams>>> = Object.freeze({
  ultrafast: Object.freeze({
    finestScale: 2,
    patchSize: 8,
    patchStride: 4,
    gradientDescentIterations: 12,
    variationalRefinementIterations: 0,
    useMeanNormalization: true,
    useSpatialPropagation: true,
  }),
  fast: Object.freeze({
    finestScale: 1,
    patchSize: 8,
    patchStride: 4,
    gradientDescentIterations: 16,
    variationalRefinementIterations: 1,
    useMeanNormalization: true,
    useSpatialPropagation: true,
  }),
  medium: Object.freeze({
    finestScale: 1,
    patchSize: 8,
    patchStride: 3,
    gradientDescentIterations: 25,
    variationalRefinementIterations: 5,
    useMeanNormalization: true,
    useSpatialPropagation: true,
  }),
});

interface Level extends LevelImages {
  i1: Pixels;
  /** The level's own buffers, which i0 and i1 are on every level but 0 (there: the caller's frames); empty on 0. */
  own0: Float64Array;
  own1: Float64Array;
  u: Float64Array;
  v: Float64Array;
  grid: PatchGrid | null;
}

const EMPTY = new Float64Array(0);

function checkInt(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new UsageError(expected(`an integer >= ${min}`, name, value));
}

function resolveParams(params: DisPresetName | Partial<DisParams> | undefined): DisParams {
  let base: DisParams;
  if (params === undefined || typeof params === 'string') {
    const name = params ?? 'fast';
    const preset = (DIS_PRESETS as Record<string, Readonly<DisParams> | undefined>)[name];
    if (!preset) throw new UsageError(expected('one of ultrafast, fast, medium', 'the DIS preset', name));
    base = { ...preset };
  } else {
    base = { ...DIS_PRESETS.fast, ...params };
  }
  checkInt('finestScale', base.finestScale, 0);
  if (base.coarsestScale !== undefined) checkInt('coarsestScale', base.coarsestScale, 0);
  checkInt('patchSize', base.patchSize, 2);
  checkInt('patchStride', base.patchStride, 1);
  checkInt('gradientDescentIterations', base.gradientDescentIterations, 0);
  checkInt('variationalRefinementIterations', base.variationalRefinementIterations, 0);
  return base;
}

/**
 * Dense Inverse Search optical flow. One instance keeps all buffers for the last image size, so repeated `calc`
 * calls on same-sized frames allocate nothing (except the result when no `out` is given). Not thread-safe: use
 * one instance per worker.
 */
export class DisFlow {
  readonly params: Readonly<DisParams>;
  private width = -1;
  private height = -1;
  private levels: Level[] = [];
  private finest = 0;
  private coarsest = 0;
  private sparse: SparseBuffers = makeSparse(0);
  /** Levels built directly from the level two finer (the one between is never read), see allocate. */
  private skipFrom = new Uint8Array(0);
  private tmp = EMPTY;
  private taps = new Int32Array(10);
  private tapWeights = new Float64Array(10);
  private colIdx = new Int32Array(0);
  private colFrac = EMPTY;
  private rowsU = EMPTY;
  private rowsV = EMPTY;
  private weights = EMPTY;
  private readonly refiner = new VariationalRefiner();

  /** @param params a preset name or parameters (missing fields come from 'fast'); default 'fast'. */
  constructor(params?: DisPresetName | Partial<DisParams>) {
    this.params = Object.freeze(resolveParams(params));
  }

  /** Pyramid levels actually used for a w x h image: [finest, coarsest]. */
  private scales(w: number, h: number): [number, number] {
    const p = this.params.patchSize;
    // Deepest level whose smaller side still holds a whole patch.
    let maxLevel = 0;
    for (let lw = w, lh = h; halfSize(lw) >= p && halfSize(lh) >= p && lw > 1 && lh > 1; maxLevel++) {
      lw = halfSize(lw);
      lh = halfSize(lh);
    }
    // OpenCV's rule: the coarsest level is about four patches across, i.e. it searches motions up to ~width/4.
    const auto = Math.floor(Math.log2(Math.max(w, h) / (4 * p)) + 0.5);
    const coarsest = Math.max(0, Math.min(this.params.coarsestScale ?? auto, maxLevel));
    return [Math.min(this.params.finestScale, coarsest), coarsest];
  }

  private allocate(w: number, h: number): void {
    const [finest, coarsest] = this.scales(w, h);
    const { patchSize, patchStride } = this.params;
    const b = patchSize + 1;
    this.levels = [];
    // A level finer than `finest` only feeds the next one: when the level after it is still needed, build that
    // one straight from the level before (downsample4) and never fill this one.
    this.skipFrom = new Uint8Array(coarsest + 1);
    for (let l = 1; l + 1 <= coarsest; l++) {
      if (l < finest && !this.skipFrom[l]) this.skipFrom[l + 1] = 1;
    }
    let maxPatches = 0;
    let lw = w;
    let lh = h;
    for (let l = 0; l <= coarsest; l++) {
      if (l > 0) {
        lw = halfSize(lw);
        lh = halfSize(lh);
      }
      const n = lw * lh;
      const used = l >= finest;
      const filled = l > 0 && !(l + 1 <= coarsest && this.skipFrom[l + 1]);
      const own0 = filled ? new Float64Array(n) : EMPTY;
      const own1 = filled ? new Float64Array(n) : EMPTY;
      const grid = used ? makeGrid(lw, lh, patchSize, patchStride) : null;
      if (grid) maxPatches = Math.max(maxPatches, grid.ws * grid.hs);
      this.levels.push({
        w: lw,
        h: lh,
        b,
        i0: own0,
        i1: own1,
        own0,
        own1,
        i0x: used ? new Float64Array(n) : EMPTY,
        i0y: used ? new Float64Array(n) : EMPTY,
        i1e: used ? new Float64Array((lw + 2 * b) * (lh + 2 * b)) : EMPTY,
        u: used ? new Float64Array(n) : EMPTY,
        v: used ? new Float64Array(n) : EMPTY,
        grid,
      });
    }
    this.sparse = makeSparse(maxPatches);
    this.tmp = new Float64Array(halfSize(w) * h);
    this.colIdx = new Int32Array(w);
    this.colFrac = new Float64Array(w);
    this.rowsU = new Float64Array(w * h);
    this.rowsV = new Float64Array(w * h);
    this.weights = new Float64Array(w * h);
    this.finest = finest;
    this.coarsest = coarsest;
    this.width = w;
    this.height = h;
  }

  /**
   * Flow from a to b on a's pixel grid (a pixel at (x,y) in a is at (x+u, y+v) in b). Images have the same size.
   * @param out optional result buffer of the same size, reused to stay allocation-free
   */
  calc(a: GrayImage, b: GrayImage, out?: FlowField): FlowField {
    return this.run(a, b, out, null);
  }

  /**
   * Like `calc`, but returns the flow on the finest level DIS actually estimates (the image size
   * divided by 2^finestScale, rounded up), in pixels of that level, without upsampling it: callers that
   * only aggregate the flow save the upsampling and work on 4^finestScale times fewer pixels.
   */
  calcNative(a: GrayImage, b: GrayImage, out?: FlowField): FlowField {
    if (a.width !== this.width || a.height !== this.height) this.allocate(a.width, a.height);
    const F = this.levels[this.finest];
    let result = out;
    if (!result || result.width !== F.w || result.height !== F.h) {
      result = { width: F.w, height: F.h, u: new Float32Array(F.w * F.h), v: new Float32Array(F.w * F.h) };
    }
    this.run(a, b, undefined, result);
    return result;
  }

  /** Size of the flow `calcNative` returns for images of width x height. */
  nativeSize(width: number, height: number): { width: number; height: number } {
    if (width !== this.width || height !== this.height) this.allocate(width, height);
    const F = this.levels[this.finest];
    return { width: F.w, height: F.h };
  }

  private run(a: GrayImage, b: GrayImage, out: FlowField | undefined, native: FlowField | null): FlowField {
    const w = a.width;
    const h = a.height;
    if (b.width !== w || b.height !== h) {
      throw new UsageError(expected(`a second image of ${w}x${h}`, 'DisFlow.calc', `${b.width}x${b.height}`));
    }
    if (!(w > 0 && h > 0) || a.data.length < w * h || b.data.length < w * h) {
      throw new UsageError(expected('non-empty images with width*height samples', 'DisFlow.calc', `${w}x${h}`));
    }
    let result: FlowField = native ??
      out ?? { width: w, height: h, u: new Float32Array(w * h), v: new Float32Array(w * h) };
    if (!native && (result.width !== w || result.height !== h || result.u.length < w * h || result.v.length < w * h)) {
      result = { width: w, height: h, u: new Float32Array(w * h), v: new Float32Array(w * h) };
    }
    if (w !== this.width || h !== this.height) this.allocate(w, h);
    const levels = this.levels;
    const l0 = levels[0];
    l0.i0 = a.data;
    l0.i1 = b.data;
    for (let l = 1; l <= this.coarsest; l++) {
      const dst = levels[l];
      if (this.skipFrom[l]) {
        const src = levels[l - 2];
        downsample4(src.i0, src.w, src.h, dst.own0, dst.w, dst.h, this.tmp, this.taps, this.tapWeights);
        downsample4(src.i1, src.w, src.h, dst.own1, dst.w, dst.h, this.tmp, this.taps, this.tapWeights);
      } else if (!(l + 1 <= this.coarsest && this.skipFrom[l + 1])) {
        const src = levels[l - 1];
        downsample2(src.i0, src.w, src.h, dst.own0, dst.w, dst.h, this.tmp);
        downsample2(src.i1, src.w, src.h, dst.own1, dst.w, dst.h, this.tmp);
      }
    }
    const p = this.params;
    for (let l = this.coarsest; l >= this.finest; l--) {
      const L = levels[l];
      const grid = L.grid!;
      sobel(L.i0, L.w, L.h, L.i0x, L.i0y);
      padReplicate(L.i1, L.w, L.h, L.b, L.i1e);
      if (l === this.coarsest) {
        L.u.fill(0);
        L.v.fill(0);
      } else {
        const c = levels[l + 1];
        resizeFlow(c.u, c.v, c.w, c.h, L.u, L.v, L.w, L.h, 2, 2, this.colIdx, this.colFrac, this.rowsU, this.rowsV);
      }
      const offset = p.useMeanNormalization ? meanDifference(L.i0, L.i1, L.w * L.h) : 0;
      inverseSearch(
        grid,
        L,
        L.u,
        L.v,
        this.sparse,
        p.gradientDescentIterations,
        p.useMeanNormalization,
        p.useSpatialPropagation,
      );
      densify(grid, L, this.sparse, L.u, L.v, offset, this.weights);
      this.refiner.refine(L, L.u, L.v, p.variationalRefinementIterations, offset);
    }
    const F = levels[this.finest];
    if (native) {
      copyFlow(F.u, F.v, native.u, native.v, F.w * F.h);
    } else if (this.finest === 0) {
      copyFlow(F.u, F.v, result.u, result.v, w * h);
    } else {
      const s = 1 << this.finest;
      resizeFlow(F.u, F.v, F.w, F.h, result.u, result.v, w, h, s, s, this.colIdx, this.colFrac, this.rowsU, this.rowsV);
    }
    // Do not keep the caller's pixels alive through the level-0 slots.
    l0.i0 = EMPTY;
    l0.i1 = EMPTY;
    return result;
  }
}

function copyFlow(su: Float64Array, sv: Float64Array, du: Float32Array, dv: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    du[i] = su[i];
    dv[i] = sv[i];
  }
}

/** Mean of i1 minus mean of i0: the global brightness change discounted when mean normalisation is on. */
function meanDifference(i0: Pixels, i1: Pixels, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += i1[i] - i0[i];
  return s / n;
}

/** Wrap 8-bit gray pixels (e.g. a decoded frame) as a Float32 GrayImage for DisFlow. */
export function flowToGray(img: Uint8Array, width: number, height: number): GrayImage {
  const n = width * height;
  if (img.length < n) throw new UsageError(expected(`at least ${n} pixels`, 'flowToGray', img.length));
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = img[i];
  return { width, height, data };
}

/**
 * Sample `img` at (x + u, y + v) for every pixel of the flow's grid (bilinear, border clamped). With the a->b flow
 * from DisFlow, warpBilinear(b, flow) reconstructs a.
 */
export function warpBilinear(img: GrayImage, flow: FlowField): GrayImage {
  const { width: fw, height: fh, u, v } = flow;
  const data = new Float32Array(fw * fh);
  for (let y = 0; y < fh; y++) {
    for (let x = 0; x < fw; x++) {
      const i = y * fw + x;
      data[i] = sampleBilinear(img.data, img.width, img.height, x + u[i], y + v[i]);
    }
  }
  return { width: fw, height: fh, data };
}
