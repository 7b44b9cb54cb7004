// Family wave: an arm waving or a weight bobbing on a frictionless spring, periodically (invariant).

import { colour, objectColour, texturePattern } from './randomise.js';
import { begin, finish, renderWindow } from './scene.js';
import type { Family } from './types.js';

export const wave: Family = {
  name: 'wave',
  verdict: 'invariant',
  description:
    'An arm waves to and fro (or a weight bobs on a spring) with steady amplitude; reversed it is the same periodic motion.',
  render(rng, params) {
    const { look, stage, rng: r } = begin(rng, params);
    const kind = r.pick(['arm', 'bob'] as const);
    const freq = r.uniform(0.8, 3);
    const amp = kind === 'arm' ? r.uniform(0.3, 0.8) : look.height * r.uniform(0.08, 0.2);
    const phase = r.uniform(0, Math.PI * 2);
    const cx = look.width * r.uniform(0.3, 0.7);
    const base = look.height * (kind === 'arm' ? r.uniform(0.8, 0.95) : r.uniform(0.05, 0.15));
    const len = look.height * r.uniform(0.35, 0.55);
    const paint = texturePattern(stage.ctx, r.fork('tex'), objectColour(r.fork('col'), look), 0.4, 32);
    const hand = texturePattern(stage.ctx, r.fork('tex2'), objectColour(r.fork('col2'), look), 0.4, 32);
    const dark = colour(look, 0, 0.1, 0.15);
    const frames = renderWindow(stage, 0, (ctx, f) => {
      const s = Math.sin(2 * Math.PI * freq * (f / look.fps) + phase);
      ctx.save();
      if (kind === 'arm') {
        // Forearm pivots at the elbow; the hand is a palm-sized disc at its end.
        ctx.translate(cx, base);
        ctx.rotate(amp * s);
        ctx.fillStyle = paint;
        ctx.fillRect(-len * 0.08, -len, len * 0.16, len);
        ctx.fillStyle = hand;
        ctx.beginPath();
        ctx.ellipse(0, -len - len * 0.12, len * 0.13, len * 0.18, 0, 0, Math.PI * 2);
        ctx.fill();
      } else {
        const y = base + len + amp * s;
        ctx.strokeStyle = dark;
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.moveTo(cx, base);
        for (let k = 1; k < 20; k++) ctx.lineTo(cx + (k % 2 ? 6 : -6), base + ((y - base) * k) / 20);
        ctx.lineTo(cx, y);
        ctx.stroke();
        ctx.fillStyle = paint;
        ctx.fillRect(cx - len * 0.2, y, len * 0.4, len * 0.3);
      }
      ctx.restore();
    });
    return finish(look, frames, { kind, frequency: freq, amplitude: amp });
  },
};
