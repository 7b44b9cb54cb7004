// Cue: how much of the frame is in motion of its own (not the camera's).

import type { PairCue } from './types.js';
import { MOVING_SPEED } from './units.js';

export const movingFraction: PairCue = Object.freeze<PairCue>({
  kind: 'pair',
  name: 'moving-fraction',
  columns: Object.freeze([
    {
      name: 'moving_frac',
      parity: 'even',
      unit: 'fraction',
      description: `Share of pixels whose residual speed exceeds ${MOVING_SPEED} short sides/s (and 0.3 px per pair).`,
    },
  ] as const),
  compute(view, out, offset) {
    out[offset] = view.movingCount / view.moving.length;
  },
});
