// The cue interface: a cue turns one frame pair (or the whole series) into a few named columns.

import type { CameraMotion, FlowField, GrayImage } from '../flow/types.js';

/**
 * How a column behaves when the clip is played backwards: `odd` columns are negated (velocities,
 * divergence, signed changes), `even` ones keep their value (energies, positions, fractions).
 * The engine relies on this to make every series mirror exactly under reversal (docs/design.md, "Forward, reversed and
 * the canonical flow order").
 */
export type Parity = 'odd' | 'even';

/** One output column of the cue series. */
export interface CueColumn {
  name: string;
  parity: Parity;
  unit: string;
  description: string;
}

/**
 * Everything a pair cue may read about one ordered frame pair (a -> b). The engine builds one view
 * for a -> b and one for b -> a and combines the two by parity, so a cue only ever looks forwards.
 * Speeds are in short sides per second: flow px / shortSide * fps.
 */
export interface PairView {
  a: GrayImage;
  b: GrayImage;
  /** Total optical flow a -> b on a's grid, pixels per pair. */
  flow: FlowField;
  /** Flow minus the fitted camera motion (object motion), pixels per pair. */
  residual: FlowField;
  /** |residual| per pixel, pixels per pair. */
  residualMag: Float32Array;
  /** 1 where the pixel counts as moving (|residual| above the motion threshold), else 0. */
  moving: Uint8Array;
  movingCount: number;
  camera: CameraMotion;
  /**
   * Analysis frame rate (pairs per second) and the short side of the flow grid in px. The flow grid
   * is the level DIS estimates on (the analysis frames divided by 2^finestScale); a and b stay full size.
   */
  fps: number;
  shortSide: number;
}

/** A cue computed per frame pair. `compute` writes `columns.length` values at `out[offset..]`. */
export interface PairCue {
  kind: 'pair';
  name: string;
  columns: readonly CueColumn[];
  compute(view: PairView, out: Float64Array, offset: number): void;
}

/**
 * A cue derived from other columns of the finished series (for example acceleration from velocity).
 * `series` is T x F row-major; `column(name)` gives a column index; writes T values per own column
 * into `series` at the cue's own column indices (`own[k]`).
 */
export interface SeriesCue {
  kind: 'series';
  name: string;
  columns: readonly CueColumn[];
  derive(
    series: Float32Array,
    frames: number,
    width: number,
    column: (name: string) => number,
    own: readonly number[],
    fps: number,
  ): void;
}

export type Cue = PairCue | SeriesCue;
