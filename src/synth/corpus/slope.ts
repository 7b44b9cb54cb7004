// Family roll_slope: a ball rolls down a ramp, along the floor, slows and stops (irreversible).

import type { Rng } from './randomise.js';
import { cropStart, objectColour, texturePattern } from './randomise.js';
import { Sim, drawFloor, drawShape, restFrame } from './physics.js';
import type { Shape, Track } from './physics.js';
import { begin, finish, fitView, renderWindow, trackBounds } from './scene.js';
import type { Family } from './types.js';

/** Physical parameters of one roll. */
export interface SlopeParams {
  /** Ramp angle (rad) and length along the slope (m); dir +1 rolls to the right. */
  angle: number;
  length: number;
  dir: 1 | -1;
  radius: number;
  /** Where on the ramp the ball starts, as a fraction of its length from the top. */
  startAt: number;
  rollingResistance: number;
  airDrag: number;
  releaseFrame: number;
}

/** Draw slope parameters: 8-25 degree ramp, 0.6-1.6 m long. */
export function slopeParams(rng: Rng): SlopeParams {
  const length = rng.uniform(0.6, 1.6);
  return {
    angle: rng.uniform(8, 25) * (Math.PI / 180),
    length,
    dir: rng.sign(),
    radius: length * rng.uniform(0.06, 0.11),
    startAt: rng.uniform(0.02, 0.3),
    rollingResistance: rng.uniform(0.4, 1.2),
    airDrag: rng.uniform(0.1, 0.4),
    releaseFrame: rng.int(0, 6),
  };
}

/** The ramp's corners in metres: foot at the origin, top at the far side opposite to `dir`. */
export function rampPolygon(p: SlopeParams): number[] {
  const run = Math.cos(p.angle) * p.length;
  const rise = Math.sin(p.angle) * p.length;
  return [0, 0, -p.dir * run, 0, -p.dir * run, rise];
}

/** Simulate the roll; one track (the ball). */
export function simulateSlope(p: SlopeParams, fps: number, frames: number): Track[] {
  const sim = new Sim(fps);
  try {
    sim.fixed({ kind: 'box', hw: 100, hh: 0.5 }, 0, -0.5, 0, { friction: 0.9 });
    sim.fixed({ kind: 'poly', pts: rampPolygon(p) }, 0, 0, 0, { friction: 0.9 });
    const along = p.length * (1 - p.startAt);
    // On the surface: the slope point plus the surface normal times the radius.
    const sx = -p.dir * Math.cos(p.angle) * along + p.dir * Math.sin(p.angle) * p.radius * 1.02;
    const sy = Math.sin(p.angle) * along + Math.cos(p.angle) * p.radius * 1.02;
    const ball = sim.dynamic({ kind: 'ball', r: p.radius }, sx, sy, 0, {
      friction: 0.9,
      restitution: 0.1,
      angularDamping: 0.2,
      rollingDecel: p.rollingResistance,
      linearDamping: p.airDrag,
    });
    ball.setGravityScale(0, true);
    return sim.run(frames, (f) => {
      if (f === p.releaseFrame) ball.setGravityScale(1, true);
    });
  } finally {
    sim.free();
  }
}

export const rollSlope: Family = {
  name: 'roll_slope',
  verdict: 'irreversible',
  description:
    'A ball rolls down a ramp, on along the floor, slows and stops; reversed it starts rolling by itself and climbs the ramp.',
  render(rng, params) {
    const { look, stage, rng: r } = begin(rng, params);
    const p = slopeParams(r.fork('params'));
    const total = look.frames + Math.round(look.fps * 3);
    const tracks = simulateSlope(p, look.fps, total);
    const rest = restFrame(tracks);
    const start = cropStart(r.fork('crop'), total, look.frames, p.releaseFrame, rest);
    const ramp = rampPolygon(p);
    const b = trackBounds(tracks, start, start + look.frames, [
      [ramp[2] * 0.6, ramp[5] * 0.6],
      [0, 0],
    ]);
    const view = fitView(
      r.fork('view'),
      look,
      [b[0] - p.radius * 2, -p.radius * 3, b[2] + p.radius * 2, b[3] + p.radius * 2],
      0.06,
    );
    const paint = texturePattern(stage.ctx, r.fork('tex'), objectColour(r.fork('col'), look));
    const rampPaint = texturePattern(stage.ctx, r.fork('ramp'), objectColour(r.fork('rampcol'), look), 0.5, 64);
    const floor = texturePattern(stage.ctx, r.fork('floor'), objectColour(r.fork('floorcol'), look), 0.5, 64);
    const rampShape: Shape = { kind: 'poly', pts: ramp };
    const t = tracks[0];
    const frames = renderWindow(stage, start, (ctx, f) => {
      drawFloor(ctx, view, 0, look.width, look.height, floor);
      drawShape(ctx, view, rampShape, 0, 0, 0, rampPaint);
      drawShape(ctx, view, { kind: 'ball', r: p.radius }, t.x[f], t.y[f], t.a[f], paint);
    });
    return finish(look, frames, { ...p, rest_frame: rest, window_start: start, simulated_frames: total });
  },
};
