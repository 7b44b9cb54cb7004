// Family sway: foliage-like clusters swaying to and fro about fixed points, as leaves in a breeze (invariant).

import { colour } from './randomise.js';
import { begin, finish, renderWindow } from './scene.js';
import { stationarySignal } from './jitter.js';
import type { Family } from './types.js';

export const sway: Family = {
  name: 'sway',
  verdict: 'invariant',
  description:
    'Leaves sway back and forth about their stems in a gusty breeze; reversed it is the same swaying (no leaf travels away).',
  render(rng, params) {
    const { look, stage, rng: r } = begin(rng, params);
    const n = r.int(40, 120);
    const amp = look.height * r.uniform(0.01, 0.05);
    const rate = r.uniform(0.3, 1.5);
    const gust = stationarySignal(r.fork('gust'), rate * 0.3, rate);
    const hue = r.uniform(60, 140);
    const leaves = Array.from({ length: n }, (_, k) => {
      const lr = r.fork(`leaf${k}`);
      return {
        x: look.width * lr.uniform(-0.05, 1.05),
        y: look.height * lr.uniform(-0.05, 1.05),
        s: look.height * lr.uniform(0.03, 0.08),
        a: lr.uniform(0, Math.PI),
        // Each leaf has its own flutter on top of the shared gust; independent phases, no travelling wave.
        own: stationarySignal(lr, rate, rate * 3, 3),
        lag: lr.uniform(0, 0.3),
        fill: colour(look, hue - look.hue + lr.uniform(-20, 20), lr.uniform(0.4, 0.8), lr.uniform(0.2, 0.55)),
      };
    });
    const frames = renderWindow(stage, 0, (ctx, f) => {
      const t = f / look.fps;
      for (const l of leaves) {
        const d = gust(t - l.lag) * 0.7 + l.own(t) * 0.5;
        ctx.save();
        ctx.translate(l.x + amp * d, l.y + amp * 0.4 * l.own(t + 1.3));
        ctx.rotate(l.a + 0.3 * d);
        ctx.fillStyle = l.fill;
        ctx.beginPath();
        ctx.ellipse(0, 0, l.s, l.s * 0.45, 0, 0, Math.PI * 2);
        ctx.fill();
        ctx.strokeStyle = 'rgba(0,0,0,0.25)';
        ctx.lineWidth = 0.7;
        ctx.beginPath();
        ctx.moveTo(-l.s, 0);
        ctx.lineTo(l.s, 0);
        ctx.stroke();
        ctx.restore();
      }
    });
    return finish(look, frames, { leaves: n, amplitude_px: amp, rate_hz: rate });
  },
};
