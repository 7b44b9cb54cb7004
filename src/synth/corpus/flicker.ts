// Family flicker: a lamp and the light it casts flicker at random (invariant).

import { colour, objectColour, texturePattern } from './randomise.js';
import { begin, finish, renderWindow } from './scene.js';
import { stationarySignal } from './jitter.js';
import type { Family } from './types.js';

export const flicker: Family = {
  name: 'flicker',
  verdict: 'invariant',
  description:
    'A failing lamp or a candle flickers and the lit scene brightens and dims at random; reversed it is the same flicker.',
  render(rng, params) {
    const { look, stage, rng: r } = begin(rng, params);
    const kind = r.pick(['bulb', 'flame'] as const);
    const lx = look.width * r.uniform(0.2, 0.8);
    const ly = look.height * r.uniform(0.2, 0.5);
    const size = look.height * r.uniform(0.06, 0.12);
    const depth = r.uniform(0.3, 0.7);
    // Bulb: random on/off stutter; flame: smooth wavering (both stationary processes).
    const slow = stationarySignal(r.fork('slow'), 0.3, 2);
    const fast = stationarySignal(r.fork('fast'), 4, 12);
    const flips = r.fork('flips');
    const dropouts = new Set(
      Array.from({ length: look.frames }, (_, i) => (flips.chance(0.12) ? i : -1)).filter((i) => i >= 0),
    );
    const props = Array.from({ length: r.int(2, 5) }, (_, k) => ({
      x: look.width * r.uniform(0.05, 0.85),
      y: look.height * r.uniform(0.5, 0.9),
      w: look.height * r.uniform(0.1, 0.3),
      paint: texturePattern(stage.ctx, r.fork(`tex${k}`), objectColour(r.fork(`col${k}`), look)),
    }));
    const glow = colour(look, r.uniform(20, 60), 0.9, 0.8);
    const frames = renderWindow(stage, 0, (ctx, f) => {
      const t = f / look.fps;
      let level =
        kind === 'flame' ? 0.75 + 0.15 * slow(t) + 0.1 * fast(t) : dropouts.has(f) ? 0.15 : 0.9 + 0.08 * fast(t);
      level = Math.min(1, Math.max(0, level));
      for (const p of props) {
        ctx.fillStyle = p.paint;
        ctx.fillRect(p.x, p.y - p.w, p.w, p.w);
      }
      // The room darkens when the light dims; the lamp itself glows with the level.
      ctx.fillStyle = `rgba(0,0,0,${(depth * (1 - level)).toFixed(3)})`;
      ctx.fillRect(-look.width, -look.height, look.width * 3, look.height * 3);
      const g = ctx.createRadialGradient(lx, ly, 0, lx, ly, size * 3);
      g.addColorStop(0, glow);
      g.addColorStop(1, 'rgba(255,255,200,0)');
      ctx.globalAlpha = level;
      ctx.fillStyle = g;
      ctx.fillRect(lx - size * 3, ly - size * 3, size * 6, size * 6);
      ctx.globalAlpha = 1;
      ctx.fillStyle = '#fffbe8';
      ctx.beginPath();
      if (kind === 'bulb') ctx.arc(lx, ly, size * (0.5 + 0.3 * level), 0, Math.PI * 2);
      else ctx.ellipse(lx + size * 0.1 * fast(t * 0.7), ly, size * 0.3, size * (0.5 + 0.3 * level), 0, 0, Math.PI * 2);
      ctx.fill();
    });
    return finish(look, frames, { kind, depth, lamp: [lx, ly], dropouts: dropouts.size });
  },
};
