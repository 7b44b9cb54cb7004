// Family cover_uncover: a sheet slides over an object to hide it, or off it to reveal it (equivariant).

import { colour, objectColour, texturePattern } from './randomise.js';
import { View, drawFloor, drawShape } from './physics.js';
import type { Shape } from './physics.js';
import { actionProgress, actionTiming, begin, finish, renderWindow } from './scene.js';
import type { Family } from './types.js';

export const coverUncover: Family = {
  name: 'cover_uncover',
  verdict: 'equivariant',
  description:
    'A cloth or board is slid over an object until it hides it, or slid off to reveal it; reversed, covering becomes uncovering.',
  render(rng, params) {
    const { look, stage, rng: r } = begin(rng, params);
    const action = r.pick(['cover', 'uncover'] as const);
    const from = r.sign();
    const timing = actionTiming(r.fork('timing'), look.frames);
    const view = new View(look.height, look.width * r.uniform(0.4, 0.6), look.height * 0.8);
    const size = r.uniform(0.08, 0.15);
    const shape: Shape = r.chance(0.5)
      ? { kind: 'ball', r: size }
      : { kind: 'box', hw: size, hh: size * r.uniform(0.6, 1) };
    const hh = shape.kind === 'box' ? shape.hh : size;
    const obj = texturePattern(stage.ctx, r.fork('tex'), objectColour(r.fork('col'), look));
    const sheet = texturePattern(stage.ctx, r.fork('sheet'), objectColour(r.fork('sheetcol'), look), 0.5, 32);
    const floor = texturePattern(stage.ctx, r.fork('floor'), objectColour(r.fork('floorcol'), look), 0.5, 64);
    const sheetW = size * r.uniform(1.4, 2);
    const sheetH = hh * 2 + r.uniform(0.04, 0.1);
    // The sheet travels from beside the frame edge to centred over the object.
    const far = (look.width / look.height) * 0.5 + sheetW;
    const edge = colour(look, 0, 0, 0.1, 0.6);
    const frames = renderWindow(stage, 0, (ctx, f) => {
      drawFloor(ctx, view, 0, look.width, look.height, floor);
      drawShape(ctx, view, shape, 0, hh, 0, obj);
      const s = actionProgress(timing, f, action === 'uncover');
      const x = from * far * (1 - s);
      // A soft shadow under the sheet's leading edge, then the sheet itself, slightly raised.
      ctx.fillStyle = edge;
      ctx.fillRect(view.px(x - sheetW), view.py(sheetH), sheetW * 2 * view.scale, sheetH * view.scale);
      ctx.save();
      ctx.translate(view.px(x - sheetW), view.py(sheetH + 0.01));
      ctx.fillStyle = sheet;
      ctx.fillRect(0, 0, sheetW * 2 * view.scale, (sheetH + 0.01) * view.scale);
      ctx.restore();
    });
    return finish(look, frames, {
      action,
      reversed_action: action === 'cover' ? 'uncover' : 'cover',
      from: from > 0 ? 'right' : 'left',
      size,
      timing,
    });
  },
};
