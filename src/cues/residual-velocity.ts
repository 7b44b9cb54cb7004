// Cue: where the moving mass is and how fast it goes (the vertical part is the gravity cue).

import type { PairCue } from './types.js';
import { speedScale } from './units.js';

export const residualVelocity: PairCue = Object.freeze<PairCue>({
  kind: 'pair',
  name: 'residual-velocity',
  columns: Object.freeze([
    {
      name: 'res_vx',
      parity: 'odd',
      unit: 'short sides/s',
      description: 'Speed-weighted mean residual velocity of moving pixels, + = right.',
    },
    {
      name: 'res_vy',
      parity: 'odd',
      unit: 'short sides/s',
      description: 'Speed-weighted mean residual velocity of moving pixels, + = down (with gravity).',
    },
    {
      name: 'res_cx',
      parity: 'even',
      unit: 'fraction of width',
      description: 'Speed-weighted centroid of moving pixels, 0 = left edge (0.5 when nothing moves).',
    },
    {
      name: 'res_cy',
      parity: 'even',
      unit: 'fraction of height',
      description: 'Speed-weighted centroid of moving pixels, 0 = top edge (0.5 when nothing moves).',
    },
  ] as const),
  compute(view, out, offset) {
    const { width, height, u, v } = view.residual;
    const mag = view.residualMag;
    const moving = view.moving;
    let w = 0;
    let su = 0;
    let sv = 0;
    let sx = 0;
    let sy = 0;
    for (let y = 0, i = 0; y < height; y++) {
      for (let x = 0; x < width; x++, i++) {
        if (moving[i] === 0) continue;
        const m = mag[i];
        w += m;
        su += m * u[i];
        sv += m * v[i];
        sx += m * x;
        sy += m * y;
      }
    }
    if (w <= 0) {
      out[offset] = 0;
      out[offset + 1] = 0;
      out[offset + 2] = 0.5;
      out[offset + 3] = 0.5;
      return;
    }
    const k = speedScale(view);
    out[offset] = (su / w) * k;
    out[offset + 1] = (sv / w) * k;
    out[offset + 2] = (sx / w + 0.5) / width;
    out[offset + 3] = (sy / w + 0.5) / height;
  },
});
