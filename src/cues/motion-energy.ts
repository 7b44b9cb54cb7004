// Cue: how much moves, in total and after removing the camera's motion.

import type { PairCue } from './types.js';
import { speedScale } from './units.js';

export const motionEnergy: PairCue = Object.freeze<PairCue>({
  kind: 'pair',
  name: 'motion-energy',
  columns: Object.freeze([
    {
      name: 'energy_total',
      parity: 'even',
      unit: 'short sides/s',
      description: 'Mean optical-flow speed over the frame, camera motion included.',
    },
    {
      name: 'energy_residual',
      parity: 'even',
      unit: 'short sides/s',
      description:
        'Residual (object) speed summed over moving pixels, divided by all pixels: sub-threshold flow noise counts as zero.',
    },
  ] as const),
  compute(view, out, offset) {
    const { u, v } = view.flow;
    const mag = view.residualMag;
    const moving = view.moving;
    const n = u.length;
    let total = 0;
    let residual = 0;
    for (let i = 0; i < n; i++) {
      total += Math.sqrt(u[i] * u[i] + v[i] * v[i]);
      if (moving[i] !== 0) residual += mag[i];
    }
    const k = speedScale(view) / n;
    out[offset] = total * k;
    out[offset + 1] = residual * k;
  },
});
