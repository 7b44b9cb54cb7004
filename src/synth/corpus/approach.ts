// Family approach_recede: an object comes towards the camera or moves away from it (equivariant).

import { objectColour, texturePattern } from './randomise.js';
import { actionProgress, actionTiming, begin, finish, renderWindow } from './scene.js';
import type { Family } from './types.js';

export const approachRecede: Family = {
  name: 'approach_recede',
  verdict: 'equivariant',
  description:
    'An object travels towards the camera (growing) or away from it (shrinking), starting and stopping smoothly; reversed, approaching becomes receding.',
  render(rng, params) {
    const { look, stage, rng: r } = begin(rng, params);
    const action = r.pick(['approach', 'recede'] as const);
    const timing = actionTiming(r.fork('timing'), look.frames);
    // Distance from the camera, in units of the object's nearest distance: the image size goes as 1/distance.
    const farthest = r.uniform(2, 4);
    const size = look.height * r.uniform(0.12, 0.22);
    // Perspective: a far object sits nearer the horizon point, a near one lower and further out.
    const hx = look.width * r.uniform(0.35, 0.65);
    const hy = look.height * r.uniform(0.3, 0.45);
    const ox = look.width * r.uniform(-0.25, 0.25);
    const oy = look.height * r.uniform(0.15, 0.35);
    const round = r.chance(0.5);
    const paint = texturePattern(stage.ctx, r.fork('tex'), objectColour(r.fork('col'), look), 0.4, 32);
    const frames = renderWindow(stage, 0, (ctx, f) => {
      const d = farthest + (1 - farthest) * actionProgress(timing, f, action === 'recede');
      const k = 1 / d;
      ctx.save();
      ctx.translate(hx + ox * k, hy + oy * k);
      ctx.scale(k, k);
      ctx.fillStyle = 'rgba(0,0,0,0.25)';
      ctx.fillRect(-size, size * 0.9, size * 2, size * 0.2);
      ctx.fillStyle = paint;
      ctx.beginPath();
      if (round) ctx.arc(0, 0, size, 0, Math.PI * 2);
      else ctx.rect(-size, -size, size * 2, size * 2);
      ctx.fill();
      ctx.restore();
    });
    return finish(look, frames, {
      action,
      reversed_action: action === 'approach' ? 'recede' : 'approach',
      farthest,
      timing,
    });
  },
};
