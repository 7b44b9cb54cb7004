// Boilerplate every family shares: draw the look, render a window of frames, fit a view, smooth motion profiles.

import type { SKRSContext2D } from '@napi-rs/canvas';
import { type Rng, Stage, pickLook } from './randomise.js';
import type { CameraOverride, Look } from './randomise.js';
import { View } from './physics.js';
import type { Track } from './physics.js';
import type { RenderParams, RenderResult } from './types.js';

/** The look, the stage that composes frames, and the rng for the scene itself (independent streams). */
export interface SceneStart {
  look: Look;
  stage: Stage;
  rng: Rng;
}

/** Draw a clip's look and set up its stage. */
export function begin(rng: Rng, params: RenderParams = {}): SceneStart {
  const look = pickLook(rng.fork('look'), params, params.backgrounds);
  return { look, stage: new Stage(look, rng.fork('stage'), params.backgrounds), rng: rng.fork('scene') };
}

/**
 * Render the clip's look.frames frames; frame i shows simulation frame `start + i`.
 * `cam` adds a camera of the family's own (the zoom family's action).
 */
export function renderWindow(
  stage: Stage,
  start: number,
  draw: (ctx: SKRSContext2D, f: number) => void,
  cam?: (f: number) => CameraOverride,
): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let i = 0; i < stage.look.frames; i++)
    frames.push(stage.frame(i, (ctx) => draw(ctx, start + i), cam?.(start + i)));
  return frames;
}

/** Package frames with the physical parameters and the look. */
export function finish(look: Look, frames: Uint8Array[], meta: Record<string, unknown>): RenderResult {
  return { frames, width: look.width, height: look.height, fps: look.fps, meta: { ...meta, look } };
}

/** Minimum-jerk profile 0..1 over u in 0..1: a hand's smooth start and stop, symmetric in time (s(1-u) = 1-s(u)). */
export function minJerk(u: number): number {
  const t = Math.min(1, Math.max(0, u));
  return t * t * t * (10 - 15 * t + 6 * t * t);
}

/** World bounds of tracks (finite samples in [from, to)) plus extra points, in metres. */
export function trackBounds(
  tracks: readonly Track[],
  from: number,
  to: number,
  extra: readonly (readonly [number, number])[] = [],
): [number, number, number, number] {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  const add = (x: number, y: number): void => {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  };
  for (const t of tracks) for (let f = from; f < Math.min(to, t.x.length); f++) add(t.x[f], t.y[f]);
  for (const [x, y] of extra) add(x, y);
  return [x0, y0, x1, y1];
}

/**
 * A view that shows the world box [x0, y0, x1, y1] (metres, y up) inside the frame with `margin` (fraction) on
 * each side, placed with some random slack so objects are not always centred.
 */
export function fitView(rng: Rng, look: Look, box: readonly [number, number, number, number], margin = 0.12): View {
  const [x0, y0, x1, y1] = box;
  const bw = Math.max(1e-3, x1 - x0);
  const bh = Math.max(1e-3, y1 - y0);
  const scale = Math.min((look.width * (1 - 2 * margin)) / bw, (look.height * (1 - 2 * margin)) / bh);
  const slackX = look.width - bw * scale;
  const slackY = look.height - bh * scale;
  const left = slackX * rng.uniform(0.35, 0.65);
  const top = slackY * rng.uniform(0.35, 0.65);
  return new View(scale, left - x0 * scale, top + y1 * scale);
}

/** When a controlled action happens in a clip: it may already be under way at the first frame or still going at the last. */
export interface ActionTiming {
  /** Frame at which the action starts (may be negative) and its length in frames. */
  start: number;
  length: number;
}

/** Draw the timing of a controlled action in a `frames`-frame clip: mostly inside, sometimes cut by the crop. */
export function actionTiming(rng: Rng, frames: number): ActionTiming {
  const length = Math.round(frames * rng.uniform(0.45, 0.85));
  const start = Math.round(rng.uniform(-0.12 * length, frames - length * 0.88));
  return { start, length };
}

/** Progress 0..1 of a minimum-jerk action at frame f; `reversed` plays the counterpart action (progress 1..0). */
export function actionProgress(timing: ActionTiming, f: number, reversed: boolean): number {
  const s = minJerk((f - timing.start) / timing.length);
  return reversed ? 1 - s : s;
}
