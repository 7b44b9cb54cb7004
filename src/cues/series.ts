// From gray frames to the [T x F] cue series: flow both ways per pair, camera fit, cues, derived cues.

import { fitCamera, residualFlow } from '../flow/camera.js';
import { DisFlow, type DisPresetName } from '../flow/dis.js';
import type { FlowField, GrayImage } from '../flow/types.js';
import { CUE_COLUMNS, CUES, cueColumnIndex } from './index.js';
import type { PairView } from './types.js';
import { movingThresholdPx } from './units.js';

/** Options of the series computation. */
export interface SeriesOptions {
  /** DIS preset (default 'fast'). */
  flowPreset?: DisPresetName;
  /** Analyse the frames in reverse order (used to check reversal consistency). */
  reverse?: boolean;
}

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
 * Every pair is measured in both directions (a -> b and b -> a) and each column is the
 * parity-aware mean of the two ((f - b)/2 for odd columns, (f + b)/2 for even ones). Reversing
 * the frame order swaps the two directions, so the series mirrors exactly by construction and no
 * asymmetry of the flow or fit step can pose as an arrow of time.
 */
export class SeriesAnalyser {
  private readonly dis: DisFlow;
  private scratch: Scratch | null = null;
  private readonly fwd = new Float64Array(CUE_COLUMNS.length);
  private readonly bwd = new Float64Array(CUE_COLUMNS.length);

  constructor(options: SeriesOptions = {}) {
    this.dis = new DisFlow(options.flowPreset ?? 'fast');
  }

  /** Analyses gray frames (Uint8 or Float32 data) at `fps`; returns the cue series. */
  analyse(frames: readonly GrayImage[], fps: number, options: { reverse?: boolean } = {}): CueSeries {
    const ordered = options.reverse ? [...frames].reverse() : frames;
    const T = Math.max(0, ordered.length - 1);
    const F = CUE_COLUMNS.length;
    const data = new Float32Array(T * F);
    if (T === 0) return { frames: 0, columns: F, data };
    const { width, height } = ordered[0]!;
    if (!this.scratch || this.scratch.flow[0].width !== width || this.scratch.flow[0].height !== height) {
      this.scratch = makeScratch(width, height);
    }
    const shortSide = Math.min(width, height);
    const threshold = movingThresholdPx(fps, shortSide);
    for (let t = 0; t < T; t++) {
      const a = ordered[t]!;
      const b = ordered[t + 1]!;
      this.measure(this.view(a, b, 0, fps, shortSide, threshold), this.fwd);
      this.measure(this.view(b, a, 1, fps, shortSide, threshold), this.bwd);
      const row = t * F;
      for (let k = 0; k < F; k++) {
        data[row + k] = ODD[k] ? (this.fwd[k]! - this.bwd[k]!) / 2 : (this.fwd[k]! + this.bwd[k]!) / 2;
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
    const flow = this.dis.calc(a, b, s.flow[slot]);
    const camera = fitCamera(flow);
    const residual = residualFlow(flow, camera, s.residual[slot]);
    const mag = s.mag[slot];
    const moving = s.moving[slot];
    let movingCount = 0;
    for (let i = 0; i < mag.length; i++) {
      const ru = residual.u[i]!;
      const rv = residual.v[i]!;
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

/** The series mirrored in time: rows reversed, odd columns negated (what reversed playback must give). */
export function mirrorSeries(series: CueSeries): CueSeries {
  const { frames: T, columns: F, data } = series;
  const out = new Float32Array(data.length);
  for (let t = 0; t < T; t++) {
    const src = (T - 1 - t) * F;
    for (let k = 0; k < F; k++) out[t * F + k] = ODD[k] ? -data[src + k]! : data[src + k]!;
  }
  return { frames: T, columns: F, data: out };
}

