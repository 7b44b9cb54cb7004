// Routing: which checks can judge a VideoPhy-2 rule, from its words and its law (keyword tables as data).

import { routedWords } from '../labels/motion-words.js';
import { statedDirections } from './checks/caption-direction.js';
import type { CheckName } from './types.js';

/** One routing entry: a rule goes to `check` when its law matches one of `laws` or its text one of `words`. */
export interface Route {
  check: CheckName;
  /** Law names (lower case, matched as whole words inside the law from metadata_rules). */
  laws: readonly string[];
  /** Regular-expression fragments matched at word starts in the rule text, case-insensitive ("fall" matches falls). */
  words: readonly string[];
}

/**
 * The routing table: laws here, words from the motion-word table (MOTION_WORDS in labels/motion-words.ts, column
 * `routes`). caption_direction is routed by {@link statedDirections} instead (any rule that states a direction of motion).
 * Stems are prefixes: "fall" matches falls, falling.
 */
export const ROUTES: readonly Route[] = Object.freeze([
  {
    check: 'time_direction',
    laws: ['thermodynamics', 'entropy', 'irreversibility', 'combustion', 'phase transition', 'diffusion'],
    words: routedWords('time_direction'),
  },
  {
    check: 'gravity',
    laws: ['gravity', 'gravitation', 'free fall', 'projectile motion', 'weight'],
    words: routedWords('gravity'),
  },
  {
    check: 'momentum',
    laws: [
      'momentum',
      'inertia',
      'collision',
      'elasticity',
      'conservation of energy',
      'conservation of momentum',
      'newton',
      'kinetic energy',
      'impulse',
      'friction',
    ],
    words: routedWords('momentum'),
  },
  {
    check: 'persistence',
    laws: ['conservation of mass', 'object permanence', 'permanence', 'continuity', 'solidity', 'mass'],
    words: routedWords('persistence'),
  },
]);

const compiled = ROUTES.map((r) => ({
  check: r.check,
  laws: r.laws.map((l) => new RegExp(`\\b${l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'i')),
  words: r.words.map((w) => new RegExp(`\\b(?:${w})`, 'i')),
}));

/** Why a rule went to a check: the law or the word that matched. */
export interface RouteHit {
  check: CheckName;
  because: string;
}

/**
 * The checks that can judge `rule` (with its `law` from metadata_rules when known), each with the reason.
 * Empty: no motion check applies (the rule scores 2).
 * @example
 * routeRule('The rock tumbles down the hill.', 'gravity') // gravity (law), caption_direction ("tumbles down")
 */
export function routeRule(rule: string, law: string | null = null): RouteHit[] {
  const hits: RouteHit[] = [];
  for (const r of compiled) {
    const byLaw = law ? r.laws.find((re) => re.test(law)) : undefined;
    if (byLaw) {
      hits.push({ check: r.check, because: `law "${law}"` });
      continue;
    }
    const word = r.words.map((re) => re.exec(rule)).find((m) => m);
    if (word) hits.push({ check: r.check, because: `word "${word[0].toLowerCase()}"` });
  }
  const dirs = statedDirections(rule);
  if (dirs.length)
    hits.push({ check: 'caption_direction', because: `direction ${dirs.map((d) => `"${d.phrase}"`).join(', ')}` });
  return hits;
}
