// Cue: acceleration of the moving mass, derived from its velocity series (+y = down = gravity).

import type { SeriesCue } from './types.js';

/**
 * Velocity is first smoothed with the symmetric kernel [1 2 1]/4 and then differentiated with
 * central differences (one-sided at the ends). Both are mirror-symmetric in time, so acceleration
 * keeps its value under reversal exactly as physics says it should (x''(-t) = x''(t)).
 */
export const residualAcceleration: SeriesCue = Object.freeze<SeriesCue>({
  kind: 'series',
  name: 'residual-acceleration',
  columns: Object.freeze([
    {
      name: 'res_ax',
      parity: 'even',
      unit: 'short sides/s²',
      description: 'Horizontal acceleration of the moving mass (d res_vx / dt), + = right.',
    },
    {
      name: 'res_ay',
      parity: 'even',
      unit: 'short sides/s²',
      description: 'Vertical acceleration of the moving mass (d res_vy / dt), + = down; a falling body shows about +g.',
    },
  ] as const),
  derive(series, frames, width, column, own, fps) {
    const sources = [column('res_vx'), column('res_vy')];
    const smooth = new Float64Array(frames);
    for (let k = 0; k < 2; k++) {
      const src = sources[k];
      const dst = own[k];
      for (let t = 0; t < frames; t++) {
        const prev = series[Math.max(0, t - 1) * width + src];
        const next = series[Math.min(frames - 1, t + 1) * width + src];
        smooth[t] = (prev + 2 * series[t * width + src] + next) / 4;
      }
      for (let t = 0; t < frames; t++) {
        let d = 0;
        if (frames > 1) {
          const lo = Math.max(0, t - 1);
          const hi = Math.min(frames - 1, t + 1);
          d = ((smooth[hi] - smooth[lo]) / (hi - lo)) * fps;
        }
        series[t * width + dst] = d;
      }
    }
  },
});
