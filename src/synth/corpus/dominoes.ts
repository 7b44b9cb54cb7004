// Family dominoes: a push topples a row of dominoes one after another until all lie still (irreversible).

import type { Rng } from './randomise.js';
import { cropStart, objectColour, texturePattern } from './randomise.js';
import { Sim, drawFloor, drawShape, restFrame } from './physics.js';
import type { Track } from './physics.js';
import { begin, finish, fitView, renderWindow } from './scene.js';
import type { Family } from './types.js';

/** Physical parameters of one domino run. */
export interface DominoParams {
  count: number;
  height: number;
  thickness: number;
  spacing: number;
  /** +1: the first domino (leftmost) falls to the right. */
  dir: 1 | -1;
  push: number;
  pushFrame: number;
  friction: number;
}

/** Draw domino parameters: 5-12 pieces 0.1-0.3 m tall, spaced 0.35-0.65 of their height. */
export function dominoParams(rng: Rng): DominoParams {
  const height = rng.uniform(0.1, 0.3);
  return {
    count: rng.int(5, 12),
    height,
    thickness: height * rng.uniform(0.12, 0.2),
    spacing: height * rng.uniform(0.35, 0.65),
    dir: rng.sign(),
    push: rng.uniform(4, 8),
    pushFrame: rng.int(2, 10),
    friction: rng.uniform(0.4, 0.8),
  };
}

/** Simulate the run; one track per domino, in row order from the pushed one. */
export function simulateDominoes(p: DominoParams, fps: number, frames: number): Track[] {
  const sim = new Sim(fps);
  try {
    sim.fixed({ kind: 'box', hw: 100, hh: 0.5 }, 0, -0.5, 0, { friction: 0.8, restitution: 0 });
    const first = Array.from({ length: p.count }, (_, k) =>
      sim.dynamic({ kind: 'box', hw: p.thickness / 2, hh: p.height / 2 }, p.dir * k * p.spacing, p.height / 2, 0, {
        friction: p.friction,
        restitution: 0.05,
      }),
    )[0];
    return sim.run(frames, (f) => {
      // A finger flick at the top: a tip about the bottom edge towards the row (spin plus the matching centre velocity).
      if (f !== p.pushFrame) return;
      first.setAngvel(-p.dir * p.push, true);
      first.setLinvel({ x: (p.dir * p.push * p.height) / 2, y: 0 }, true);
    });
  } finally {
    sim.free();
  }
}

export const dominoes: Family = {
  name: 'dominoes',
  verdict: 'irreversible',
  description:
    'A push topples a row of dominoes in a chain until they lie still; reversed they stand up one after another by themselves.',
  render(rng, params) {
    const { look, stage, rng: r } = begin(rng, params);
    const p = dominoParams(r.fork('params'));
    const total = look.frames + Math.round(look.fps * 3);
    const tracks = simulateDominoes(p, look.fps, total);
    const rest = restFrame(tracks);
    const start = cropStart(r.fork('crop'), total, look.frames, p.pushFrame, rest);
    const x0 = Math.min(0, p.dir * (p.count - 1) * p.spacing) - p.height;
    const x1 = Math.max(0, p.dir * (p.count - 1) * p.spacing) + p.height * 1.2;
    const view = fitView(r.fork('view'), look, [x0, -p.height * 0.4, x1, p.height * 1.3], 0.06);
    const cr = r.fork('col');
    const base = objectColour(cr, look);
    const paints = Array.from({ length: p.count }, (_, k) =>
      texturePattern(stage.ctx, r.fork(`tex${k % 3}`), base, 0.3, 16),
    );
    const floor = texturePattern(stage.ctx, r.fork('floor'), objectColour(r.fork('floorcol'), look), 0.5, 64);
    const frames = renderWindow(stage, start, (ctx, f) => {
      drawFloor(ctx, view, 0, look.width, look.height, floor);
      tracks.forEach((t, k) => {
        drawShape(
          ctx,
          view,
          { kind: 'box', hw: p.thickness / 2, hh: p.height / 2 },
          t.x[f],
          t.y[f],
          t.a[f],
          paints[k],
          'rgba(0,0,0,0.8)',
        );
      });
    });
    return finish(look, frames, { ...p, rest_frame: rest, window_start: start, simulated_frames: total });
  },
};
