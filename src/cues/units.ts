// Unit conversions shared by the cues: pixels per pair -> short sides per second.

import type { PairView } from './types.js';

/** Factor turning a flow in pixels per pair into short sides per second (resolution- and rate-free). */
export function speedScale(view: PairView): number {
  return view.fps / view.shortSide;
}

/** Speed (short sides per second) above which a pixel counts as moving. */
export const MOVING_SPEED = 0.1;
/** ...but never below this many pixels per pair: flow noise on static texture sits around 0.1-0.2 px. */
export const MOVING_MIN_PX = 0.3;

/** The per-pair threshold in pixels for `moving`, given the analysis rate and size. */
export function movingThresholdPx(fps: number, shortSide: number): number {
  return Math.max(MOVING_MIN_PX, (MOVING_SPEED * shortSide) / fps);
}
