// The physics check registry: every check `audit physics` runs, in output order. Add a check here and nowhere else.

import { captionDirection } from './caption-direction.js';
import { gravity } from './gravity.js';
import { momentum } from './momentum.js';
import { persistence } from './persistence.js';
import { timeDirection } from './time-direction.js';
import type { CheckName, PhysicsCheck } from '../types.js';

/** All checks, frozen, in the order their results appear in physics.jsonl. */
export const CHECKS: readonly PhysicsCheck[] = Object.freeze([
  timeDirection,
  gravity,
  captionDirection,
  momentum,
  persistence,
]);

/** The check called `name`; throws on an unknown name (a programming error). */
export function checkByName(name: CheckName): PhysicsCheck {
  const c = CHECKS.find((x) => x.name === name);
  if (!c) throw new Error(`Unknown physics check ${JSON.stringify(name)}`);
  return c;
}
