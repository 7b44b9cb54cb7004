// Unit conversions shared by the cues: pixels per pair -> short sides per second.

import type { PairView } from './types.js';

/** Factor turning a flow in pixels per pair into short sides per second (resolution- and rate-free). */
export function speedScale(view: PairView): number {
  return view.fps / view.shortSide;
}

/** Speed (short sides per second) above which a pixel counts as moving. */
export const MOVING_SPEED = 0.1;
/** ...but never below this many analysis-frame pixels per pair: flow noise on static texture sits around 0.1-0.2 px. */
export const MOVING_MIN_PX = 0.3;

/**
 * The per-pair threshold for `moving`, in pixels of the flow grid, given the analysis rate, the flow
 * grid's short side and its scale relative to the analysis frames (1/2^finestScale).
 */
export function movingThresholdPx(fps: number, shortSide: number, gridScale = 1): number {
  return Math.max(MOVING_MIN_PX * gridScale, (MOVING_SPEED * shortSide) / fps);
}
