// Family jitter: an object shaking or vibrating in place, a stationary random motion (invariant).

import type { Rng } from './randomise.js';
import { objectColour, texturePattern } from './randomise.js';
import { begin, finish, renderWindow } from './scene.js';
import type { Family } from './types.js';

/** A smooth stationary random signal: a sum of sinusoids with random rates and phases (its statistics are the same played backwards). */
export function stationarySignal(rng: Rng, fmin: number, fmax: number, parts = 5): (t: number) => number {
  const comps = Array.from({ length: parts }, () => ({
    f: rng.uniform(fmin, fmax),
    p: rng.uniform(0, Math.PI * 2),
    a: rng.uniform(0.3, 1),
  }));
  const norm = Math.sqrt(comps.reduce((s, c) => s + (c.a * c.a) / 2, 0));
  return (t) => comps.reduce((s, c) => s + c.a * Math.sin(2 * Math.PI * c.f * t + c.p), 0) / norm;
}

export const jitter: Family = {
  name: 'jitter',
  verdict: 'invariant',
  description: 'An object shakes or vibrates in place with no drift; reversed it is the same kind of shaking.',
  render(rng, params) {
    const { look, stage, rng: r } = begin(rng, params);
    const rate = r.uniform(2, 12);
    const amp = look.height * r.uniform(0.02, 0.08);
    const turn = r.uniform(0, 0.3);
    const sx = stationarySignal(r.fork('x'), rate * 0.5, rate * 1.5);
    const sy = stationarySignal(r.fork('y'), rate * 0.5, rate * 1.5);
    const sa = stationarySignal(r.fork('a'), rate * 0.5, rate * 1.5);
    const n = r.int(1, 3);
    const objects = Array.from({ length: n }, (_, k) => ({
      x: look.width * ((k + 0.5) / n + r.uniform(-0.08, 0.08)),
      y: look.height * r.uniform(0.35, 0.65),
      s: look.height * r.uniform(0.1, 0.2),
      round: r.chance(0.4),
      // Objects on one shaking support move together; separate ones get their own phase.
      lag: r.uniform(0, 5),
      paint: texturePattern(stage.ctx, r.fork(`tex${k}`), objectColour(r.fork(`col${k}`), look)),
    }));
    const frames = renderWindow(stage, 0, (ctx, f) => {
      for (const o of objects) {
        const t = f / look.fps + o.lag;
        ctx.save();
        ctx.translate(o.x + amp * sx(t), o.y + amp * sy(t));
        ctx.rotate(turn * sa(t));
        ctx.fillStyle = o.paint;
        ctx.beginPath();
        if (o.round) ctx.arc(0, 0, o.s, 0, Math.PI * 2);
        else ctx.rect(-o.s, -o.s * 0.7, o.s * 2, o.s * 1.4);
        ctx.fill();
        ctx.restore();
      }
    });
    return finish(look, frames, { rate_hz: rate, amplitude_px: amp, turn, objects: n });
  },
};
