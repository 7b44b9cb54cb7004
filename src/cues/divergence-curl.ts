// Cue: does the object motion spread out, converge or spin (smoke, splashes, fragments, wheels)?

import type { PairCue } from './types.js';

export const divergenceCurl: PairCue = Object.freeze<PairCue>({
  kind: 'pair',
  name: 'divergence-curl',
  columns: Object.freeze([
    {
      name: 'res_div',
      parity: 'odd',
      unit: '1/s',
      description: 'Mean divergence of residual flow over moving pixels; + = spreading out, - = converging.',
    },
    {
      name: 'res_curl',
      parity: 'odd',
      unit: 'rad/s',
      description: 'Mean curl of residual flow over moving pixels; + = clockwise on screen.',
    },
  ] as const),
  compute(view, out, offset) {
    const { width, height, u, v } = view.residual;
    const moving = view.moving;
    let div = 0;
    let curl = 0;
    let n = 0;
    // Central differences inside the frame; border pixels have no two-sided neighbourhood.
    for (let y = 1; y < height - 1; y++) {
      for (let x = 1, i = y * width + 1; x < width - 1; x++, i++) {
        if (moving[i] === 0) continue;
        const dudx = (u[i + 1] - u[i - 1]) / 2;
        const dvdy = (v[i + width] - v[i - width]) / 2;
        const dvdx = (v[i + 1] - v[i - 1]) / 2;
        const dudy = (u[i + width] - u[i - width]) / 2;
        div += dudx + dvdy;
        curl += dvdx - dudy;
        n++;
      }
    }
    // Flow gradients are per pair; times fps gives per second (they are dimensionless per pair).
    out[offset] = n > 0 ? (div / n) * view.fps : 0;
    out[offset + 1] = n > 0 ? (curl / n) * view.fps : 0;
  },
});
