// Family throw_land: an object flies in on an arc, lands, skids or rolls and stops (irreversible).

import type { Rng } from './randomise.js';
import { cropStart, objectColour, texturePattern } from './randomise.js';
import { Sim, drawFloor, drawShape, restFrame, shapeRadius } from './physics.js';
import type { Shape, Track } from './physics.js';
import { begin, finish, fitView, renderWindow, trackBounds } from './scene.js';
import type { Family } from './types.js';

/** Physical parameters of one throw. */
export interface ThrowParams {
  shape: Shape;
  x0: number;
  y0: number;
  vx: number;
  vy: number;
  spin: number;
  restitution: number;
  friction: number;
  rollingResistance: number;
}

/** A random convex polygon of `n` corners around the origin with radius about `r`. */
export function randomPolygon(rng: Rng, r: number, n: number): number[] {
  const angles = Array.from({ length: n }, (_, i) => ((i + rng.uniform(-0.3, 0.3)) / n) * Math.PI * 2).sort(
    (a, b) => a - b,
  );
  return angles.flatMap((a) => [Math.cos(a) * r * rng.uniform(0.8, 1.1), Math.sin(a) * r * rng.uniform(0.8, 1.1)]);
}

/** Draw throw parameters: 1.5-4 m/s sideways, launched 0.3-1.2 m up, either direction. */
export function throwParams(rng: Rng): ThrowParams {
  const s = rng.uniform(0.05, 0.12);
  const kind = rng.pick(['ball', 'box', 'poly'] as const);
  const shape: Shape =
    kind === 'ball'
      ? { kind, r: s }
      : kind === 'box'
        ? { kind, hw: s, hh: s * rng.uniform(0.5, 1) }
        : { kind, pts: randomPolygon(rng, s, rng.int(5, 8)) };
  const dir = rng.sign();
  return {
    shape,
    x0: 0,
    y0: rng.uniform(0.3, 1.2),
    vx: dir * rng.uniform(1.5, 4),
    vy: rng.uniform(0.5, 3.5),
    spin: rng.uniform(-8, 8),
    restitution: kind === 'ball' ? rng.uniform(0.2, 0.5) : rng.uniform(0.05, 0.3),
    friction: rng.uniform(0.4, 0.9),
    rollingResistance: rng.uniform(0.4, 1.5),
  };
}

/** Simulate a throw for `frames` frames from the moment of release. */
export function simulateThrow(p: ThrowParams, fps: number, frames: number): Track[] {
  const sim = new Sim(fps);
  try {
    sim.fixed({ kind: 'box', hw: 100, hh: 0.5 }, 0, -0.5, 0, { friction: 0.9 });
    sim.dynamic(p.shape, p.x0, p.y0, 0, {
      vx: p.vx,
      vy: p.vy,
      spin: p.spin,
      restitution: p.restitution,
      friction: p.friction,
      angularDamping: 0.5,
      rollingDecel: p.rollingResistance,
      linearDamping: 0.05,
    });
    return sim.run(frames);
  } finally {
    sim.free();
  }
}

export const throwLand: Family = {
  name: 'throw_land',
  verdict: 'irreversible',
  description:
    'An object is thrown on an arc, lands, skids or rolls and stops; reversed it jumps from rest into flight and lands in a hand.',
  render(rng, params) {
    const { look, stage, rng: r } = begin(rng, params);
    const p = throwParams(r.fork('params'));
    const total = look.frames + Math.round(look.fps * 2);
    const tracks = simulateThrow(p, look.fps, total);
    const rest = restFrame(tracks);
    const start = cropStart(r.fork('crop'), total, look.frames, 0, rest);
    const reach = shapeRadius(p.shape);
    const b = trackBounds(tracks, start, start + look.frames);
    const view = fitView(
      r.fork('view'),
      look,
      [b[0] - reach, -reach * 2, b[2] + reach, Math.max(b[3], reach * 3) + reach],
      0.08,
    );
    const paint = texturePattern(stage.ctx, r.fork('tex'), objectColour(r.fork('col'), look));
    const floor = texturePattern(stage.ctx, r.fork('floor'), objectColour(r.fork('floorcol'), look), 0.5, 64);
    const t = tracks[0];
    const frames = renderWindow(stage, start, (ctx, f) => {
      drawFloor(ctx, view, 0, look.width, look.height, floor);
      drawShape(ctx, view, p.shape, t.x[f], t.y[f], t.a[f], paint);
    });
    return finish(look, frames, { ...p, rest_frame: rest, window_start: start, simulated_frames: total });
  },
};
