// Family pendulum: an undamped pendulum swinging steadily (invariant).

import { renderOscillator } from './damped.js';
import type { Family } from './types.js';

export const pendulum: Family = {
  name: 'pendulum',
  verdict: 'invariant',
  description:
    'A frictionless pendulum swings with constant amplitude; reversed it is the same swing, equally plausible.',
  render(rng, params) {
    return renderOscillator(rng, params, false);
  },
};
