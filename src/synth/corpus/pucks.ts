// Family elastic_pucks: frictionless pucks on an air table bouncing off each other and the rails (invariant).

import type { Rng } from './randomise.js';
import { colour, objectColour, texturePattern } from './randomise.js';
import { Sim, View, drawShape } from './physics.js';
import type { Track } from './physics.js';
import { begin, finish, renderWindow } from './scene.js';
import type { Family } from './types.js';

/** Physical parameters of one air table. */
export interface PuckParams {
  halfW: number;
  halfH: number;
  pucks: { r: number; x: number; y: number; vx: number; vy: number }[];
}

/** Draw 2-7 non-overlapping pucks with random velocities on a table of the given aspect. */
export function puckParams(rng: Rng, aspect: number): PuckParams {
  const halfH = 0.5;
  const halfW = halfH * aspect;
  const pucks: PuckParams['pucks'] = [];
  const n = rng.int(2, 7);
  for (let tries = 0; pucks.length < n && tries < 200; tries++) {
    const r = rng.uniform(0.05, 0.11);
    const x = rng.uniform(-halfW + r, halfW - r);
    const y = rng.uniform(-halfH + r, halfH - r);
    if (pucks.some((p) => Math.hypot(p.x - x, p.y - y) < p.r + r + 0.01)) continue;
    const a = rng.uniform(0, Math.PI * 2);
    const v = rng.uniform(0.2, 0.8);
    pucks.push({ r, x, y, vx: Math.cos(a) * v, vy: Math.sin(a) * v });
  }
  return { halfW, halfH, pucks };
}

/** Simulate with no gravity, no friction and restitution 1 (top view). */
export function simulatePucks(p: PuckParams, fps: number, frames: number): Track[] {
  const sim = new Sim(fps, 0);
  try {
    const t = 0.2;
    for (const [x, y, hw, hh] of [
      [0, -p.halfH - t, p.halfW + 2 * t, t],
      [0, p.halfH + t, p.halfW + 2 * t, t],
      [-p.halfW - t, 0, t, p.halfH + 2 * t],
      [p.halfW + t, 0, t, p.halfH + 2 * t],
    ] as const) {
      sim.fixed({ kind: 'box', hw, hh }, x, y, 0, { restitution: 1, friction: 0 });
    }
    for (const q of p.pucks)
      sim.dynamic({ kind: 'ball', r: q.r }, q.x, q.y, 0, { vx: q.vx, vy: q.vy, restitution: 1, friction: 0 });
    return sim.run(frames);
  } finally {
    sim.free();
  }
}

export const elasticPucks: Family = {
  name: 'elastic_pucks',
  verdict: 'invariant',
  description:
    'Pucks glide without friction and collide elastically; reversed, every path and collision is equally lawful and keeps its speed.',
  render(rng, params) {
    const { look, stage, rng: r } = begin(rng, params);
    const p = puckParams(r.fork('params'), look.width / look.height);
    const tracks = simulatePucks(p, look.fps, look.frames);
    const scale = (look.height * 0.9) / (2 * p.halfH);
    const view = new View(scale, look.width / 2, look.height / 2);
    const table = texturePattern(stage.ctx, r.fork('table'), colour(look, 180, 0.3, 0.5), 0.25, 64);
    const paints = p.pucks.map((_, k) =>
      texturePattern(stage.ctx, r.fork(`tex${k}`), objectColour(r.fork(`col${k}`), look)),
    );
    const frames = renderWindow(stage, 0, (ctx, f) => {
      ctx.fillStyle = table;
      ctx.fillRect(view.px(-p.halfW), view.py(p.halfH), 2 * p.halfW * scale, 2 * p.halfH * scale);
      ctx.strokeStyle = colour(look, 0, 0.2, 0.2);
      ctx.lineWidth = 2;
      ctx.strokeRect(view.px(-p.halfW), view.py(p.halfH), 2 * p.halfW * scale, 2 * p.halfH * scale);
      tracks.forEach((t, k) => {
        drawShape(ctx, view, { kind: 'ball', r: p.pucks[k].r }, t.x[f], t.y[f], t.a[f], paints[k]);
      });
    });
    return finish(look, frames, { ...p });
  },
};
