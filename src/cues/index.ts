// The cue registry: every cue the scan computes, in column order. Add a cue here and nowhere else.

import { cameraMotion } from './camera-motion.js';
import { divergenceCurl } from './divergence-curl.js';
import { flowGrid } from './flow-grid.js';
import { intensity } from './intensity.js';
import { motionEnergy } from './motion-energy.js';
import { movingFraction } from './moving-fraction.js';
import { residualAcceleration } from './residual-acceleration.js';
import { residualVelocity } from './residual-velocity.js';
import type { Cue, CueColumn } from './types.js';

/** All cues, in the order their columns appear in the series (what each measures: docs/design.md, "The cues"). */
export const CUES: readonly Cue[] = Object.freeze([
  motionEnergy,
  cameraMotion,
  movingFraction,
  residualVelocity,
  residualAcceleration,
  divergenceCurl,
  intensity,
  flowGrid,
]);

/** Every series column, in order (the F axis of the [T x F] cue series). */
export const CUE_COLUMNS: readonly CueColumn[] = Object.freeze(CUES.flatMap((c) => c.columns));

const INDEX = new Map(CUE_COLUMNS.map((c, i) => [c.name, i]));

/** Index of a series column by name; throws on an unknown name (a programming error). */
export function cueColumnIndex(name: string): number {
  const i = INDEX.get(name);
  if (i === undefined) throw new Error(`Unknown cue column ${JSON.stringify(name)}`);
  return i;
}

export type { Cue, CueColumn, PairCue, PairView, Parity, SeriesCue } from './types.js';
export { GRID } from './flow-grid.js';
