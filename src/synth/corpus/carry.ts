// Family carry: a gripper or a cart carries an object left, right, up or down with a smooth start and stop (equivariant).

import type { SKRSContext2D } from '@napi-rs/canvas';
import { colour, objectColour, texturePattern } from './randomise.js';
import { View, drawFloor, drawShape } from './physics.js';
import type { Shape } from './physics.js';
import { actionProgress, actionTiming, begin, finish, renderWindow } from './scene.js';
import type { Family } from './types.js';

const COUNTERPART = {
  carry_left: 'carry_right',
  carry_right: 'carry_left',
  carry_up: 'carry_down',
  carry_down: 'carry_up',
} as const;
type CarryAction = keyof typeof COUNTERPART;

export const carry: Family = {
  name: 'carry',
  verdict: 'equivariant',
  description:
    'A gripper or cart carries an object left/right/up/down, starting and stopping smoothly; reversed it is the same carry the opposite way.',
  render(rng, params) {
    const { look, stage, rng: r } = begin(rng, params);
    const action = r.pick(Object.keys(COUNTERPART) as CarryAction[]);
    const vertical = action === 'carry_up' || action === 'carry_down';
    const mover = vertical ? 'gripper' : r.pick(['gripper', 'cart'] as const);
    const timing = actionTiming(r.fork('timing'), look.frames);
    // World in metres: 1 m visible height, floor 15% up.
    const view = new View(look.height, look.width * r.uniform(0.45, 0.55), look.height * 0.85);
    const span = (look.width / look.height) * r.uniform(0.45, 0.7);
    const size = r.uniform(0.06, 0.12);
    const shape: Shape = r.chance(0.5)
      ? { kind: 'box', hw: size, hh: size * r.uniform(0.6, 1) }
      : { kind: 'ball', r: size };
    const hh = shape.kind === 'box' ? shape.hh : size;
    const lift = r.uniform(0.25, 0.45);
    const paint = texturePattern(stage.ctx, r.fork('tex'), objectColour(r.fork('col'), look));
    const metal = colour(look, 200, 0.1, r.pick([0.3, 0.7]));
    const floor = texturePattern(stage.ctx, r.fork('floor'), objectColour(r.fork('floorcol'), look), 0.5, 64);
    const cartH = 0.05;
    const wheel = 0.03;
    // Canonical motion goes right or up; the left and down actions play it from the other end.
    const reversed = action === 'carry_left' || action === 'carry_down';
    const pose = (f: number): { x: number; y: number } => {
      const s = actionProgress(timing, f, reversed);
      if (vertical) return { x: 0, y: hh + s * lift };
      return { x: -span / 2 + s * span, y: hh + (mover === 'cart' ? cartH + wheel * 2 : 0.15) };
    };
    const frames = renderWindow(stage, 0, (ctx: SKRSContext2D, f) => {
      drawFloor(ctx, view, 0, look.width, look.height, floor);
      const { x, y } = pose(f);
      if (mover === 'cart') {
        ctx.fillStyle = metal;
        ctx.fillRect(view.px(x - size * 1.6), view.py(cartH + wheel * 2), size * 3.2 * view.scale, cartH * view.scale);
        for (const dx of [-size * 1.1, size * 1.1]) {
          // Wheels roll without slipping, so their spokes turn with the distance covered.
          drawShape(ctx, view, { kind: 'box', hw: wheel, hh: wheel * 0.25 }, x + dx, wheel, -(x + dx) / wheel, '#222');
          drawShape(ctx, view, { kind: 'box', hw: wheel * 0.25, hh: wheel }, x + dx, wheel, -(x + dx) / wheel, '#222');
        }
        drawShape(ctx, view, shape, x, y, 0, paint);
        return;
      }
      drawShape(ctx, view, shape, x, y, 0, paint);
      // Gripper: an arm from above and two fingers holding the object's sides.
      const top = y + hh;
      ctx.fillStyle = metal;
      ctx.fillRect(view.px(x - 0.02), view.py(2), 0.04 * view.scale, (2 - top - 0.03) * view.scale);
      ctx.fillRect(view.px(x - size - 0.03), view.py(top + 0.03), (2 * size + 0.06) * view.scale, 0.03 * view.scale);
      for (const side of [-1, 1])
        ctx.fillRect(
          view.px(x + side * (size + 0.015) - 0.015),
          view.py(top + 0.03),
          0.03 * view.scale,
          hh * 1.4 * view.scale,
        );
    });
    return finish(look, frames, { action, reversed_action: COUNTERPART[action], mover, span, lift, size, timing });
  },
};
