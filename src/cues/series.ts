// From gray frames to the [T x F] cue series: flow both ways per pair, camera fit, cues, derived cues.

import { fitCamera, residualFlow } from '../flow/camera.js';
import { DisFlow, type DisPresetName } from '../flow/dis.js';
import type { FlowField, GrayImage } from '../flow/types.js';
import { CUE_COLUMNS, CUES, cueColumnIndex } from './index.js';
import type { PairView } from './types.js';
import { movingThresholdPx } from './units.js';
import { FNV_BASIS, fnv1aStep } from '../util/hash.js';

/** Options of the series computation. */
export interface SeriesOptions {
  /** DIS preset (default 'ultrafast'). */
  flowPreset?: DisPresetName;
  /**
   * 'canonical' (default): one flow per pair, in an order picked by a content hash of the two frames,
   * so reversed playback computes the very same flow. 'both': flow both ways and average, about twice
   * the cost and a little less noise. Either way the series mirrors exactly under reversal.
   */
  directions?: FlowDirections;
}

export type FlowDirections = 'canonical' | 'both';

/** A cue series: `frames` rows (frame pairs) of `columns` values, row-major. */
export interface CueSeries {
  frames: number;
  columns: number;
  data: Float32Array;
}

interface Scratch {
  flow: [FlowField, FlowField];
  residual: [FlowField, FlowField];
  mag: [Float32Array, Float32Array];
  moving: [Uint8Array, Uint8Array];
}

function field(width: number, height: number): FlowField {
  return { width, height, u: new Float32Array(width * height), v: new Float32Array(width * height) };
}

function makeScratch(width: number, height: number): Scratch {
  const n = width * height;
  return {
    flow: [field(width, height), field(width, height)],
    residual: [field(width, height), field(width, height)],
    mag: [new Float32Array(n), new Float32Array(n)],
    moving: [new Uint8Array(n), new Uint8Array(n)],
  };
}

const ODD = CUE_COLUMNS.map((c) => c.parity === 'odd');

/**
 * Reusable analyser: keeps the flow buffers between clips of the same size.
 * No cue may depend on the direction the flow was computed in, or a flow/fit asymmetry poses as an
 * arrow of time. 'both': every pair is measured a -> b and b -> a and each column is the
 * parity-aware mean ((f - b)/2 for odd columns, (f + b)/2 for even ones); reversal swaps the two.
 * 'canonical': one direction chosen by content hash (see canonicalFirst); reversal meets the same
 * choice. Either way the series of the reversed clip is exactly the mirrored series (docs/design.md, "Forward, reversed
 * and the canonical flow order").
 */
export class SeriesAnalyser {
  private readonly dis: DisFlow;
  private scratch: Scratch | null = null;
  private readonly fwd = new Float64Array(CUE_COLUMNS.length);
  private readonly bwd = new Float64Array(CUE_COLUMNS.length);

  private readonly directions: FlowDirections;

  constructor(options: SeriesOptions = {}) {
    this.dis = new DisFlow(options.flowPreset ?? 'ultrafast');
    this.directions = options.directions ?? 'canonical';
  }

  /** Analyses gray frames (Uint8 or Float32 data) at `fps`; returns the cue series. */
  analyse(frames: readonly GrayImage[], fps: number, options: { reverse?: boolean } = {}): CueSeries {
    const ordered = options.reverse ? [...frames].reverse() : frames;
    const T = Math.max(0, ordered.length - 1);
    const F = CUE_COLUMNS.length;
    const data = new Float32Array(T * F);
    if (T === 0) return { frames: 0, columns: F, data };
    const { width, height } = ordered[0];
    // Cues aggregate the flow on the grid DIS estimates it on (no upsampling): 4-16x fewer pixels.
    const native = this.dis.nativeSize(width, height);
    if (!this.scratch || this.scratch.flow[0].width !== native.width || this.scratch.flow[0].height !== native.height) {
      this.scratch = makeScratch(native.width, native.height);
    }
    const shortSide = Math.min(native.width, native.height);
    const threshold = movingThresholdPx(fps, shortSide, shortSide / Math.min(width, height));
    for (let t = 0; t < T; t++) {
      const a = ordered[t];
      const b = ordered[t + 1];
      const row = t * F;
      if (this.directions === 'both') {
        this.measure(this.view(a, b, 0, fps, shortSide, threshold), this.fwd);
        this.measure(this.view(b, a, 1, fps, shortSide, threshold), this.bwd);
        for (let k = 0; k < F; k++) {
          data[row + k] = ODD[k] ? (this.fwd[k] - this.bwd[k]) / 2 : (this.fwd[k] + this.bwd[k]) / 2;
        }
      } else if (canonicalFirst(a, b)) {
        this.measure(this.view(a, b, 0, fps, shortSide, threshold), this.fwd);
        for (let k = 0; k < F; k++) data[row + k] = this.fwd[k];
      } else {
        // Measured b -> a: what a -> b would show is the reversal of it.
        this.measure(this.view(b, a, 0, fps, shortSide, threshold), this.bwd);
        for (let k = 0; k < F; k++) data[row + k] = ODD[k] ? -this.bwd[k] : this.bwd[k];
      }
    }
    let offset = 0;
    for (const cue of CUES) {
      const own = cue.columns.map((_, k) => offset + k);
      if (cue.kind === 'series') cue.derive(data, T, F, cueColumnIndex, own, fps);
      offset += cue.columns.length;
    }
    return { frames: T, columns: F, data };
  }

  private view(a: GrayImage, b: GrayImage, slot: 0 | 1, fps: number, shortSide: number, threshold: number): PairView {
    const s = this.scratch!;
    const flow = this.dis.calcNative(a, b, s.flow[slot]);
    const camera = fitCamera(flow);
    const residual = residualFlow(flow, camera, s.residual[slot]);
    const mag = s.mag[slot];
    const moving = s.moving[slot];
    let movingCount = 0;
    for (let i = 0; i < mag.length; i++) {
      const ru = residual.u[i];
      const rv = residual.v[i];
      const m = Math.sqrt(ru * ru + rv * rv);
      mag[i] = m;
      const isMoving = m > threshold ? 1 : 0;
      moving[i] = isMoving;
      movingCount += isMoving;
    }
    return { a, b, flow, residual, residualMag: mag, moving, movingCount, camera, fps, shortSide };
  }

  private measure(view: PairView, out: Float64Array): void {
    let offset = 0;
    for (const cue of CUES) {
      if (cue.kind === 'pair') cue.compute(view, out, offset);
      offset += cue.columns.length;
    }
  }
}

const hashes = new WeakMap<GrayImage, number>();

/** FNV-1a over a strided sample of the frame: a content hash with no relation to the physics shown. */
function frameHash(img: GrayImage): number {
  let h = hashes.get(img);
  if (h === undefined) {
    h = FNV_BASIS;
    const d = img.data;
    const step = Math.max(1, Math.floor(d.length / 4096));
    for (let i = 0; i < d.length; i += step) h = fnv1aStep(h, d[i] & 0xff);
    hashes.set(img, h);
  }
  return h;
}

/**
 * Whether the pair is measured as a -> b (else b -> a). Depends only on the two frames' contents, so
 * the same pair met in reversed playback is measured the same way; and since the hash is unrelated
 * to the scene, any direction bias of the flow step turns into noise instead of a fake arrow of time.
 */
export function canonicalFirst(a: GrayImage, b: GrayImage): boolean {
  const ha = frameHash(a);
  const hb = frameHash(b);
  if (ha !== hb) return ha < hb;
  const da = a.data;
  const db = b.data;
  for (let i = 0; i < da.length; i++) if (da[i] !== db[i]) return da[i] < db[i];
  return true;
}

/** The series mirrored in time: rows reversed, odd columns negated (what reversed playback must give; docs/design.md). */
export function mirrorSeries(series: CueSeries): CueSeries {
  const { frames: T, columns: F, data } = series;
  const out = new Float32Array(data.length);
  for (let t = 0; t < T; t++) {
    const src = (T - 1 - t) * F;
    for (let k = 0; k < F; k++) out[t * F + k] = ODD[k] ? -data[src + k] : data[src + k];
  }
  return { frames: T, columns: F, data: out };
}
