// Family shattering: a falling plate or block breaks on impact into fragments that scatter and settle (irreversible).

import type { RigidBody } from '@dimforge/rapier2d-compat';
import type { Rng } from './randomise.js';
import { cropStart, objectColour, texturePattern } from './randomise.js';
import { Sim, drawFloor, drawShape, restFrame } from './physics.js';
import type { Shape, Track } from './physics.js';
import { begin, finish, fitView, renderWindow, trackBounds } from './scene.js';
import type { Family } from './types.js';

/** Physical parameters of one break. */
export interface ShatterParams {
  hw: number;
  hh: number;
  height: number;
  tilt: number;
  /** Outward speed given to the fragments at impact (m/s). */
  burst: number;
  pieces: number;
  releaseFrame: number;
}

/** Draw break parameters: a 0.1-0.3 m plate or block dropped from 0.5-1.5 m, 5-11 pieces. */
export function shatterParams(rng: Rng): ShatterParams {
  const hw = rng.uniform(0.1, 0.3);
  return {
    hw,
    hh: hw * rng.uniform(0.15, 0.8),
    height: rng.uniform(0.5, 1.5),
    tilt: rng.uniform(-0.4, 0.4),
    burst: rng.uniform(0.6, 2),
    pieces: rng.int(5, 11),
    releaseFrame: rng.int(0, 6),
  };
}

/** Cut a box into convex pieces: a fan of triangles from an inner point to corners and random edge points. */
export function fragments(
  rng: Rng,
  hw: number,
  hh: number,
  pieces: number,
): { cx: number; cy: number; pts: number[] }[] {
  const ring: [number, number][] = [
    [-hw, -hh],
    [hw, -hh],
    [hw, hh],
    [-hw, hh],
  ];
  const cuts: { t: number; p: [number, number] }[] = ring.map((p, i) => ({ t: i, p }));
  for (let k = 0; k < pieces - 4; k++) {
    const t = rng.uniform(0, 4);
    const i = Math.floor(t);
    const a = ring[i];
    const b = ring[(i + 1) % 4];
    const u = t - i;
    cuts.push({ t, p: [a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u] });
  }
  cuts.sort((x, y) => x.t - y.t);
  const c: [number, number] = [rng.uniform(-0.3, 0.3) * hw, rng.uniform(-0.3, 0.3) * hh];
  const out: { cx: number; cy: number; pts: number[] }[] = [];
  for (let i = 0; i < cuts.length; i++) {
    const a = cuts[i].p;
    const b = cuts[(i + 1) % cuts.length].p;
    const cx = (c[0] + a[0] + b[0]) / 3;
    const cy = (c[1] + a[1] + b[1]) / 3;
    const area = Math.abs((a[0] - c[0]) * (b[1] - c[1]) - (b[0] - c[0]) * (a[1] - c[1])) / 2;
    // Slivers make degenerate hulls: skip them (the piece simply vanishes into the others).
    if (area < hw * hh * 0.01) continue;
    out.push({ cx, cy, pts: [c[0] - cx, c[1] - cy, a[0] - cx, a[1] - cy, b[0] - cx, b[1] - cy] });
  }
  return out;
}

/** Simulate drop and break: track 0 is the whole body (NaN after impact), then one track per fragment. */
export function simulateShatter(
  p: ShatterParams,
  rng: Rng,
  fps: number,
  frames: number,
): { tracks: Track[]; shapes: Shape[]; impactFrame: number } {
  const sim = new Sim(fps);
  const shapes: Shape[] = [{ kind: 'box', hw: p.hw, hh: p.hh }];
  let impactFrame = -1;
  try {
    sim.fixed({ kind: 'box', hw: 100, hh: 0.5 }, 0, -0.5, 0, { friction: 0.9 });
    const whole = sim.dynamic(shapes[0], 0, p.height, p.tilt, { restitution: 0.2 });
    whole.setGravityScale(0, true);
    const pieces = fragments(rng, p.hw, p.hh, p.pieces);
    const tracks = sim.run(frames, (f) => {
      if (f === p.releaseFrame) whole.setGravityScale(1, true);
      if (impactFrame >= 0 || f <= p.releaseFrame) return;
      const pos = whole.translation();
      const reach = Math.abs(Math.sin(whole.rotation())) * p.hw + Math.abs(Math.cos(whole.rotation())) * p.hh;
      if (pos.y - reach > p.hh * 0.15 + 0.005) return;
      impactFrame = f;
      breakUp(sim, whole, pieces, p, rng, shapes);
    });
    return { tracks, shapes, impactFrame };
  } finally {
    sim.free();
  }
}

function breakUp(
  sim: Sim,
  whole: RigidBody,
  pieces: ReturnType<typeof fragments>,
  p: ShatterParams,
  rng: Rng,
  shapes: Shape[],
): void {
  const pos = whole.translation();
  const a = whole.rotation();
  const v = whole.linvel();
  sim.remove(whole);
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  for (const piece of pieces) {
    const wx = pos.x + piece.cx * cos - piece.cy * sin;
    const wy = pos.y + piece.cx * sin + piece.cy * cos;
    const out = Math.hypot(piece.cx, piece.cy) || 1;
    const speed = p.burst * rng.uniform(0.5, 1.2);
    const shape: Shape = { kind: 'poly', pts: piece.pts };
    shapes.push(shape);
    sim.dynamic(shape, wx, Math.max(wy, 0.01), a, {
      // The impact reflects part of the fall and the break throws pieces outwards and up.
      vx: v.x + (speed * (wx - pos.x)) / out,
      vy: -v.y * 0.2 + speed * rng.uniform(0.3, 1),
      spin: rng.uniform(-12, 12),
      restitution: 0.15,
      friction: 0.8,
      angularDamping: 1.5,
    });
  }
}

export const shattering: Family = {
  name: 'shattering',
  verdict: 'irreversible',
  description:
    'A plate or block falls, breaks on impact and its fragments fly out and settle; reversed scattered pieces fly together into one whole.',
  render(rng, params) {
    const { look, stage, rng: r } = begin(rng, params);
    const p = shatterParams(r.fork('params'));
    const total = look.frames + Math.round(look.fps * 2);
    const { tracks, shapes, impactFrame } = simulateShatter(p, r.fork('pieces'), look.fps, total);
    const rest = restFrame(tracks);
    const start = cropStart(
      r.fork('crop'),
      total,
      look.frames,
      Math.max(0, impactFrame - Math.round(look.fps * 0.3)),
      rest,
    );
    const b = trackBounds(tracks, start, start + look.frames);
    const view = fitView(r.fork('view'), look, [b[0] - p.hw, -p.hw * 0.5, b[2] + p.hw, b[3] + p.hw], 0.05);
    const paint = texturePattern(stage.ctx, r.fork('tex'), objectColour(r.fork('col'), look), 0.4, 32);
    const floor = texturePattern(stage.ctx, r.fork('floor'), objectColour(r.fork('floorcol'), look), 0.5, 64);
    const frames = renderWindow(stage, start, (ctx, f) => {
      drawFloor(ctx, view, 0, look.width, look.height, floor);
      tracks.forEach((t, k) => {
        if (!Number.isNaN(t.x[f])) drawShape(ctx, view, shapes[k], t.x[f], t.y[f], t.a[f], paint, 'rgba(0,0,0,0.7)');
      });
    });
    return finish(look, frames, {
      ...p,
      impact_frame: impactFrame,
      fragments: shapes.length - 1,
      window_start: start,
      simulated_frames: total,
    });
  },
};
