// Registry of the synthetic physics corpus: every scene family with its time-reversal verdict.

import { initPhysics } from './physics.js';
import { approachRecede } from './approach.js';
import { carry } from './carry.js';
import { coverUncover } from './cover.js';
import { dampedOscillation } from './damped.js';
import { elasticPucks } from './pucks.js';
import { flicker } from './flicker.js';
import { jitter } from './jitter.js';
import { lidDoor } from './lid.js';
import { pendulum } from './pendulum.js';
import { spin } from './spin.js';
import { sway } from './sway.js';
import { wave } from './wave.js';
import { cameraZoom } from './zoom.js';
import { dominoes } from './dominoes.js';
import { dropBounce } from './drop.js';
import { pouring } from './pour.js';
import { shattering } from './shatter.js';
import { slideStop } from './slide.js';
import { rollSlope } from './slope.js';
import { smokeSpread } from './smoke.js';
import { stacking } from './stacking.js';
import { throwLand } from './throw.js';
import { walking } from './walking.js';
import type { Family } from './types.js';

export type { Family, RenderParams, RenderResult, Verdict } from './types.js';
export { Rng } from './randomise.js';

/** Every family, frozen; names are unique and stable (they go into label rows). */
export const FAMILIES: readonly Family[] = Object.freeze([
  dropBounce,
  throwLand,
  slideStop,
  rollSlope,
  dampedOscillation,
  pouring,
  shattering,
  smokeSpread,
  dominoes,
  walking,
  carry,
  lidDoor,
  coverUncover,
  cameraZoom,
  approachRecede,
  stacking,
  pendulum,
  wave,
  spin,
  elasticPucks,
  jitter,
  flicker,
  sway,
]);

/** Load what rendering needs (Rapier's wasm); await once before calling any family's render. */
export async function prepareCorpus(): Promise<void> {
  await initPhysics();
}

/** The family called `name`, or undefined. */
export function familyByName(name: string): Family | undefined {
  return FAMILIES.find((f) => f.name === name);
}
