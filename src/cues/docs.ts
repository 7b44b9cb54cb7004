// The cue documentation rows (series columns with the grid collapsed, then clip summaries), for `audit cues` and the README.

import { CUE_COLUMNS, GRID } from './index.js';
import { FB_ASYMMETRY, SUMMARIES } from './summaries.js';
import type { Parity } from './types.js';

export interface CueDocRow {
  name: string;
  kind: 'series' | 'summary';
  parity: Parity;
  unit: string;
  description: string;
}

/** One row per documented column; the GRID x GRID grid columns appear once each as grid_u_R_C and grid_v_R_C. */
export function cueDocRows(): CueDocRow[] {
  const series = CUE_COLUMNS.filter((c) => !c.name.startsWith('grid_') || c.name.endsWith('_0_0')).map(
    (c): CueDocRow => {
      const grid = c.name.startsWith('grid_');
      return {
        name: grid ? c.name.replace(/_0_0$/, '_R_C') : c.name,
        kind: 'series',
        parity: c.parity,
        unit: c.unit,
        description: grid
          ? `${c.description.replace('row 0, column 0', 'row R, column C')} R, C = 0..${GRID - 1}.`
          : c.description,
      };
    },
  );
  const summaries = [...SUMMARIES, FB_ASYMMETRY].map(
    (s): CueDocRow => ({ name: s.name, kind: 'summary', parity: s.parity, unit: s.unit, description: s.description }),
  );
  return [...series, ...summaries];
}
