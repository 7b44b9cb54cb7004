// Family camera_zoom: the camera zooms in on or out of a still scene (equivariant).

import { objectColour, texturePattern } from './randomise.js';
import { actionProgress, actionTiming, begin, finish, renderWindow } from './scene.js';
import type { Family } from './types.js';

export const cameraZoom: Family = {
  name: 'camera_zoom',
  verdict: 'equivariant',
  description:
    'The camera zooms in on (or out of) a still scene with a smooth start and stop; reversed, zooming in becomes zooming out.',
  render(rng, params) {
    const { look, stage, rng: r } = begin(rng, params);
    const action = r.pick(['zoom_in', 'zoom_out'] as const);
    const timing = actionTiming(r.fork('timing'), look.frames);
    const factor = r.uniform(1.3, 2.2);
    // The zoom centres on a point of interest off the frame centre; the shift keeps it in place on screen.
    const fx = look.width * r.uniform(-0.2, 0.2);
    const fy = look.height * r.uniform(-0.2, 0.2);
    const objects = Array.from({ length: r.int(3, 8) }, (_, k) => ({
      x: look.width * r.uniform(0.1, 0.9),
      y: look.height * r.uniform(0.1, 0.9),
      s: look.height * r.uniform(0.05, 0.15),
      round: r.chance(0.5),
      paint: texturePattern(stage.ctx, r.fork(`tex${k}`), objectColour(r.fork(`col${k}`), look)),
    }));
    const zoomAt = (f: number): number => Math.exp(Math.log(factor) * actionProgress(timing, f, action === 'zoom_out'));
    const frames = renderWindow(
      stage,
      0,
      (ctx) => {
        for (const o of objects) {
          ctx.fillStyle = o.paint;
          ctx.beginPath();
          if (o.round) ctx.arc(o.x, o.y, o.s, 0, Math.PI * 2);
          else ctx.rect(o.x - o.s, o.y - o.s, o.s * 2, o.s * 1.4);
          ctx.fill();
        }
      },
      (f) => {
        const z = zoomAt(f);
        return { zoom: z, panX: -fx * (z - 1), panY: -fy * (z - 1) };
      },
    );
    return finish(look, frames, {
      action,
      reversed_action: action === 'zoom_in' ? 'zoom_out' : 'zoom_in',
      factor,
      focus: [fx, fy],
      timing,
    });
  },
};
