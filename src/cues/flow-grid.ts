// Cue: a coarse spatial grid of residual flow, so later stages see *where* things move.

import type { CueColumn, PairCue } from './types.js';
import { speedScale } from './units.js';

/** Cells per side of the grid (GRID x GRID cells, two components each). */
export const GRID = 8;

function gridColumns(): CueColumn[] {
  const cols: CueColumn[] = [];
  for (const comp of ['u', 'v'] as const) {
    for (let r = 0; r < GRID; r++) {
      for (let c = 0; c < GRID; c++) {
        cols.push({
          name: `grid_${comp}_${r}_${c}`,
          parity: 'odd',
          unit: 'short sides/s',
          description: `Mean residual flow ${comp === 'u' ? 'x (+ right)' : 'y (+ down)'} in grid cell row ${r}, column ${c} (${GRID}x${GRID} grid, row 0 at the top).`,
        });
      }
    }
  }
  return cols;
}

export const flowGrid: PairCue = Object.freeze<PairCue>({
  kind: 'pair',
  name: 'flow-grid',
  columns: Object.freeze(gridColumns()),
  compute(view, out, offset) {
    const { width, height, u, v } = view.residual;
    const cells = GRID * GRID;
    for (let k = 0; k < 2 * cells; k++) out[offset + k] = 0;
    const counts = new Float64Array(cells);
    for (let y = 0; y < height; y++) {
      const r = Math.min(GRID - 1, ((y * GRID) / height) | 0);
      for (let x = 0, i = y * width; x < width; x++, i++) {
        const c = Math.min(GRID - 1, ((x * GRID) / width) | 0);
        const cell = r * GRID + c;
        out[offset + cell]! += u[i]!;
        out[offset + cells + cell]! += v[i]!;
        counts[cell]! += 1;
      }
    }
    const k = speedScale(view);
    for (let cell = 0; cell < cells; cell++) {
      const n = Math.max(1, counts[cell]!);
      out[offset + cell]! *= k / n;
      out[offset + cells + cell]! *= k / n;
    }
  },
});
