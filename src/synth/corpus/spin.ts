// Family spin: a wheel, fan or turntable spinning at a constant rate (invariant).

import { colour, objectColour, texturePattern } from './randomise.js';
import { begin, finish, renderWindow } from './scene.js';
import type { Family } from './types.js';

export const spin: Family = {
  name: 'spin',
  verdict: 'invariant',
  description:
    'A wheel or fan spins at a steady rate; reversed it spins the other way at the same rate, still "spinning" (the caption names no direction).',
  render(rng, params) {
    const { look, stage, rng: r } = begin(rng, params);
    const kind = r.pick(['wheel', 'fan', 'disc'] as const);
    // Revolutions per second, kept below the rate where spokes alias at 15 fps.
    const rate = r.sign() * r.uniform(0.15, 1.2);
    const cx = look.width * r.uniform(0.35, 0.65);
    const cy = look.height * r.uniform(0.4, 0.6);
    const radius = look.height * r.uniform(0.22, 0.4);
    const spokes = r.int(3, 8);
    const phase0 = r.uniform(0, Math.PI * 2);
    const paint = texturePattern(stage.ctx, r.fork('tex'), objectColour(r.fork('col'), look), 0.5, 32);
    const dark = colour(look, 0, 0.1, 0.12);
    const frames = renderWindow(stage, 0, (ctx, f) => {
      const a = phase0 + 2 * Math.PI * rate * (f / look.fps);
      ctx.save();
      ctx.translate(cx, cy);
      // Stand under the axle, fixed.
      ctx.fillStyle = dark;
      ctx.fillRect(-radius * 0.08, 0, radius * 0.16, look.height);
      ctx.rotate(a);
      ctx.fillStyle = paint;
      ctx.strokeStyle = dark;
      ctx.lineWidth = Math.max(1, radius * 0.06);
      if (kind === 'fan') {
        for (let k = 0; k < spokes; k++) {
          ctx.rotate((Math.PI * 2) / spokes);
          ctx.beginPath();
          ctx.ellipse(radius * 0.55, 0, radius * 0.45, radius * 0.16, 0.3, 0, Math.PI * 2);
          ctx.fill();
        }
      } else {
        ctx.beginPath();
        ctx.arc(0, 0, radius, 0, Math.PI * 2);
        ctx.fill();
        ctx.stroke();
        if (kind === 'wheel') {
          for (let k = 0; k < spokes; k++) {
            const t = (k / spokes) * Math.PI * 2;
            ctx.beginPath();
            ctx.moveTo(0, 0);
            ctx.lineTo(Math.cos(t) * radius, Math.sin(t) * radius);
            ctx.stroke();
          }
        } else {
          ctx.fillStyle = dark;
          ctx.fillRect(radius * 0.3, -radius * 0.1, radius * 0.5, radius * 0.2);
        }
      }
      ctx.fillStyle = dark;
      ctx.beginPath();
      ctx.arc(0, 0, radius * 0.1, 0, Math.PI * 2);
      ctx.fill();
      ctx.restore();
    });
    return finish(look, frames, {
      kind,
      rate_hz: rate,
      spokes,
      direction: rate > 0 ? 'clockwise' : 'counterclockwise',
    });
  },
};
