// Family lid_door: a box lid or a door swings open or shut with a smooth, controlled motion (equivariant).

import { colour, objectColour, texturePattern } from './randomise.js';
import { View, drawFloor, drawShape } from './physics.js';
import { actionProgress, actionTiming, begin, finish, renderWindow } from './scene.js';
import type { Family } from './types.js';

export const lidDoor: Family = {
  name: 'lid_door',
  verdict: 'equivariant',
  description:
    'A box lid (side view) or a door (front view) is opened or closed by hand, smoothly; reversed, opening becomes closing.',
  render(rng, params) {
    const { look, stage, rng: r } = begin(rng, params);
    const kind = r.pick(['lid', 'door'] as const);
    const action = r.pick(['open', 'close'] as const);
    const timing = actionTiming(r.fork('timing'), look.frames);
    const openAngle = r.uniform(70, 120) * (Math.PI / 180);
    const hinge = r.sign();
    const view = new View(look.height, look.width * r.uniform(0.4, 0.6), look.height * 0.88);
    const body = texturePattern(stage.ctx, r.fork('tex'), objectColour(r.fork('col'), look));
    const panel = texturePattern(stage.ctx, r.fork('tex2'), objectColour(r.fork('col2'), look));
    const floor = texturePattern(stage.ctx, r.fork('floor'), objectColour(r.fork('floorcol'), look), 0.5, 64);
    const dark = colour(look, 0, 0.2, 0.08);
    const w = r.uniform(0.2, 0.35);
    const h = kind === 'lid' ? w * r.uniform(0.5, 1) : r.uniform(0.6, 0.75);
    const frames = renderWindow(stage, 0, (ctx, f) => {
      drawFloor(ctx, view, 0, look.width, look.height, floor);
      const angle = openAngle * actionProgress(timing, f, action === 'close');
      if (kind === 'lid') {
        drawShape(ctx, view, { kind: 'box', hw: w, hh: h / 2 }, 0, h / 2, 0, body);
        ctx.fillStyle = dark;
        ctx.fillRect(view.px(-w * 0.92), view.py(h), w * 1.84 * view.scale, Math.max(1, 0.015 * view.scale));
        // The lid turns about the hinge on one top edge; its centre is half a lid away from it.
        const t = w * 0.06;
        const hx = hinge * w;
        const cx = hx - hinge * Math.cos(angle) * w;
        const cy = h + t / 2 + Math.sin(angle) * w;
        drawShape(ctx, view, { kind: 'box', hw: w, hh: t / 2 }, cx, cy, hinge * angle, panel);
        return;
      }
      // Door in a wall opening, seen from the front: the panel narrows as cos(angle) about the hinge side.
      ctx.fillStyle = dark;
      ctx.fillRect(view.px(-w), view.py(h * 2), 2 * w * view.scale, h * 2 * view.scale);
      const visible = 2 * w * Math.cos(angle);
      const x0 = hinge < 0 ? -w : w - visible;
      drawShape(ctx, view, { kind: 'box', hw: w * 1.08, hh: 0.03 }, 0, h * 2 + 0.03, 0, body);
      if (visible > 0.002) {
        ctx.save();
        ctx.translate(view.px(x0), view.py(h * 2));
        ctx.scale(Math.max(0.01, visible / (2 * w)), 1);
        ctx.fillStyle = panel;
        ctx.fillRect(0, 0, 2 * w * view.scale, h * 2 * view.scale);
        ctx.fillStyle = '#ccc';
        ctx.beginPath();
        ctx.arc((hinge < 0 ? 1.7 : 0.3) * w * view.scale, h * view.scale, 0.02 * view.scale, 0, Math.PI * 2);
        ctx.fill();
        ctx.restore();
      }
    });
    return finish(look, frames, {
      action,
      reversed_action: action === 'open' ? 'close' : 'open',
      kind,
      open_angle: openAngle,
      hinge,
      timing,
    });
  },
};
