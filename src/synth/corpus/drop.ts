// Family drop_bounce: objects fall onto a floor, each bounce lower, until they lie still (irreversible).

import type { Rng } from './randomise.js';
import { objectColour, texturePattern, cropStart } from './randomise.js';
import { Sim, drawFloor, drawShape, restFrame, shapeRadius } from './physics.js';
import type { Shape, Track } from './physics.js';
import { begin, finish, fitView, renderWindow, trackBounds } from './scene.js';
import type { Family } from './types.js';

/** Physical parameters of one drop. */
export interface DropParams {
  objects: { shape: Shape; x: number; y: number; restitution: number; friction: number; vx: number; spin: number }[];
  /** Frames the objects hang still before they are released (an unseen hand lets go). */
  releaseFrame: number;
  rollingResistance: number;
}

/** Draw drop parameters: 1-3 balls or boxes, 0.4-2 m up, restitution 0.3-0.8. */
export function dropParams(rng: Rng): DropParams {
  const n = rng.pick([1, 1, 1, 2, 3]);
  const height = rng.uniform(0.4, 2);
  // Relative to the drop so the object is always a visible part of the frame.
  const size = height * rng.uniform(0.04, 0.1);
  const objects = Array.from({ length: n }, (_, k) => {
    const ball = rng.chance(0.7);
    const s = size * rng.uniform(0.7, 1.3);
    const shape: Shape = ball ? { kind: 'ball', r: s } : { kind: 'box', hw: s, hh: s * rng.uniform(0.5, 1) };
    return {
      shape,
      x: (k - (n - 1) / 2) * size * 5 + rng.uniform(-size, size),
      y: height * rng.uniform(0.7, 1) + s,
      restitution: ball ? rng.uniform(0.35, 0.8) : rng.uniform(0.1, 0.4),
      friction: rng.uniform(0.3, 0.8),
      vx: rng.uniform(-0.3, 0.3),
      spin: rng.uniform(-2, 2),
    };
  });
  return { objects, releaseFrame: rng.int(0, 8), rollingResistance: rng.uniform(0.3, 1.2) };
}

/** Simulate a drop at `fps` for `frames` frames: one track per object. */
export function simulateDrop(p: DropParams, fps: number, frames: number): Track[] {
  const sim = new Sim(fps);
  try {
    sim.fixed({ kind: 'box', hw: 50, hh: 0.5 }, 0, -0.5, 0, { friction: 0.8 });
    const bodies = p.objects.map((o) => {
      const b = sim.dynamic(o.shape, o.x, o.y, 0, {
        restitution: o.restitution,
        friction: o.friction,
        vx: o.vx,
        spin: o.spin,
        angularDamping: 0.3,
        rollingDecel: p.rollingResistance,
        linearDamping: 0.05,
      });
      b.setGravityScale(0, true);
      b.setLinvel({ x: 0, y: 0 }, true);
      b.setAngvel(0, true);
      return b;
    });
    return sim.run(frames, (f) => {
      if (f !== p.releaseFrame) return;
      bodies.forEach((b, k) => {
        b.setGravityScale(1, true);
        b.setLinvel({ x: p.objects[k].vx, y: 0 }, true);
        b.setAngvel(p.objects[k].spin, true);
      });
    });
  } finally {
    sim.free();
  }
}

export const dropBounce: Family = {
  name: 'drop_bounce',
  verdict: 'irreversible',
  description:
    'Objects fall, bounce lower each time and come to rest; reversed they leap up from rest, gaining height each bounce.',
  render(rng, params) {
    const { look, stage, rng: r } = begin(rng, params);
    const p = dropParams(r.fork('params'));
    const total = look.frames + Math.round(look.fps * 2);
    const tracks = simulateDrop(p, look.fps, total);
    const start = cropStart(r.fork('crop'), total, look.frames, p.releaseFrame, restFrame(tracks));
    const reach = Math.max(...p.objects.map((o) => shapeRadius(o.shape)));
    const box = trackBounds(tracks, 0, total, [[0, 0]]);
    const view = fitView(r.fork('view'), look, [box[0] - reach, -reach * 2, box[2] + reach, box[3] + reach]);
    const paints = p.objects.map((_, k) =>
      texturePattern(stage.ctx, r.fork(`tex${k}`), objectColour(r.fork(`col${k}`), look)),
    );
    const floor = texturePattern(stage.ctx, r.fork('floor'), objectColour(r.fork('floorcol'), look), 0.5, 64);
    const frames = renderWindow(stage, start, (ctx, f) => {
      drawFloor(ctx, view, 0, look.width, look.height, floor);
      p.objects.forEach((o, k) => {
        drawShape(ctx, view, o.shape, tracks[k].x[f], tracks[k].y[f], tracks[k].a[f], paints[k]);
      });
    });
    return finish(look, frames, { ...p, window_start: start, simulated_frames: total });
  },
};
