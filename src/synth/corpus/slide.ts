// Family slide_stop: a block slides along a floor and friction brings it to a stop (irreversible).

import type { Rng } from './randomise.js';
import { cropStart, objectColour, texturePattern } from './randomise.js';
import { Sim, drawFloor, drawShape, restFrame } from './physics.js';
import type { Shape, Track } from './physics.js';
import { begin, finish, fitView, renderWindow, trackBounds } from './scene.js';
import type { Family } from './types.js';

/** Physical parameters of one slide. */
export interface SlideParams {
  shape: Shape;
  /** Coulomb friction coefficient of block and floor. */
  friction: number;
  v0: number;
  /** Distance to the stop, v0^2 / (2 mu g), in metres. */
  distance: number;
}

/** Draw slide parameters: mu 0.15-0.5 and a stop 0.4-2 m away, either direction. */
export function slideParams(rng: Rng): SlideParams {
  const hw = rng.uniform(0.06, 0.2);
  const friction = rng.uniform(0.15, 0.5);
  const distance = rng.uniform(0.4, 2);
  const v0 = rng.sign() * Math.sqrt(2 * friction * 9.81 * distance);
  return { shape: { kind: 'box', hw, hh: hw * rng.uniform(0.3, 0.7) }, friction, v0, distance };
}

/** Simulate a slide from its moving start; the block's track only. */
export function simulateSlide(p: SlideParams, fps: number, frames: number): Track[] {
  const sim = new Sim(fps);
  try {
    sim.fixed({ kind: 'box', hw: 100, hh: 0.5 }, 0, -0.5, 0, { friction: p.friction, restitution: 0 });
    const hh = p.shape.kind === 'box' ? p.shape.hh : 0.05;
    sim.dynamic(p.shape, 0, hh, 0, { vx: p.v0, friction: p.friction, restitution: 0 });
    return sim.run(frames);
  } finally {
    sim.free();
  }
}

export const slideStop: Family = {
  name: 'slide_stop',
  verdict: 'irreversible',
  description:
    'A pushed block slides and friction slows it steadily to a stop; reversed it starts moving by itself and speeds up.',
  render(rng, params) {
    const { look, stage, rng: r } = begin(rng, params);
    const p = slideParams(r.fork('params'));
    const total = look.frames + Math.round(look.fps * 2);
    const tracks = simulateSlide(p, look.fps, total);
    const rest = restFrame(tracks);
    const start = cropStart(r.fork('crop'), total, look.frames, 0, rest);
    const hw = p.shape.kind === 'box' ? p.shape.hw : 0.1;
    const b = trackBounds(tracks, start, start + look.frames);
    const view = fitView(r.fork('view'), look, [b[0] - hw * 1.5, -hw * 2, b[2] + hw * 1.5, hw * 3], 0.06);
    const paint = texturePattern(stage.ctx, r.fork('tex'), objectColour(r.fork('col'), look));
    const floor = texturePattern(stage.ctx, r.fork('floor'), objectColour(r.fork('floorcol'), look), 0.6, 64);
    const t = tracks[0];
    const frames = renderWindow(stage, start, (ctx, f) => {
      drawFloor(ctx, view, 0, look.width, look.height, floor);
      drawShape(ctx, view, p.shape, t.x[f], t.y[f], t.a[f], paint);
    });
    return finish(look, frames, { ...p, rest_frame: rest, window_start: start, simulated_frames: total });
  },
};
