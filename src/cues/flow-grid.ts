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

let cached: { width: number; height: number; col: Uint8Array; count: Float64Array } | null = null;

/** Grid column of every x and pixel count of every cell, computed once per frame size. */
function layout(width: number, height: number): { col: Uint8Array; count: Float64Array } {
  if (!cached || cached.width !== width || cached.height !== height) {
    const col = Uint8Array.from({ length: width }, (_, x) => Math.min(GRID - 1, ((x * GRID) / width) | 0));
    const count = new Float64Array(GRID * GRID);
    for (let y = 0; y < height; y++) {
      const r = Math.min(GRID - 1, ((y * GRID) / height) | 0);
      for (let x = 0; x < width; x++) count[r * GRID + col[x]] += 1;
    }
    cached = { width, height, col, count };
  }
  return cached;
}

export const flowGrid: PairCue = Object.freeze<PairCue>({
  kind: 'pair',
  name: 'flow-grid',
  columns: Object.freeze(gridColumns()),
  compute(view, out, offset) {
    const { width, height, u, v } = view.residual;
    const cells = GRID * GRID;
    const { col, count } = layout(width, height);
    for (let k = 0; k < 2 * cells; k++) out[offset + k] = 0;
    for (let y = 0; y < height; y++) {
      const rowBase = offset + Math.min(GRID - 1, ((y * GRID) / height) | 0) * GRID;
      for (let x = 0, i = y * width; x < width; x++, i++) {
        const at = rowBase + col[x];
        out[at] += u[i];
        out[at + cells] += v[i];
      }
    }
    const k = speedScale(view);
    for (let cell = 0; cell < cells; cell++) {
      const n = Math.max(1, count[cell]);
      out[offset + cell] *= k / n;
      out[offset + cells + cell] *= k / n;
    }
  },
});
