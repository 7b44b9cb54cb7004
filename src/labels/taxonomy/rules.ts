// Name rules: keyword rules that give a class its verdict from its template, and direction-word pairing of names.

import type { ClassVerdict } from './types.js';

/** A keyword rule: the first rule whose `match` fits a class name (and whose `unless` does not) decides. */
export interface KeywordRule {
  name: string;
  verdict: Exclude<ClassVerdict, 'equivariant'>;
  match: RegExp;
  unless?: RegExp;
  reason: string;
}

/** Words that say an event did not happen ("without letting it drop", "doesn't fall", "almost falls off"). */
const NEGATED = /\b(without|doesn't|does not|almost|not enough)\b/i;

/**
 * SSv2 keyword rules, in order. Pretences come first (a pretended pour pours nothing), then the
 * physical irreversibilities, then classes whose clips change nothing. Classes no rule fits are left to
 * the PDDL derivation and the reviewed overrides.
 */
export const SSV2_RULES: readonly KeywordRule[] = Object.freeze([
  {
    name: 'pretence',
    verdict: 'invariant',
    match: /^Pretending\b/i,
    reason:
      'a pretended action changes nothing: the hand approaches, mimes and withdraws, and played backwards it is the same pretence',
  },
  {
    name: 'liquids and loose material',
    verdict: 'irreversible',
    match: /\b(pour|pouring|spill|spills|spilling|sprinkling|spreading|overflows|water comes out)\b/i,
    reason:
      'liquid or loose material flows and spreads; played backwards it gathers itself and flows back up to where it came from',
  },
  {
    name: 'falling',
    verdict: 'irreversible',
    match: /\b(drop|dropping|fall|falls|falling|tipping)\b/i,
    unless: NEGATED,
    reason: 'the object falls under gravity and comes to rest; played backwards it leaps up from rest into the air',
  },
  {
    name: 'breaking and tearing',
    verdict: 'irreversible',
    match: /\b(breaks|tearing|separates into two pieces|collapses|hole)\b/i,
    reason:
      'an irreversible change of the object (broken, torn, collapsed, holed); played backwards the pieces join or the hole closes by itself',
  },
  {
    name: 'throwing',
    verdict: 'irreversible',
    match: /^Throwing\b/i,
    reason:
      'the thrown object flies off and lands or hits something; played backwards it leaps from rest into the open hand',
  },
  {
    name: 'friction',
    verdict: 'irreversible',
    match:
      /\b(roll along|roll down|sliding down|slides down|stops spinning|come to a halt|so it slightly moves|so it spins|spins around)\b/i,
    unless: NEGATED,
    reason:
      'the object moves on its own (after a push, a poke or a collision, or sliding and rolling under gravity) until friction or impact stops it; played backwards it starts moving from rest by itself',
  },
  {
    name: 'held or shown',
    verdict: 'invariant',
    match: /^(Holding|Showing|Touching)\b/i,
    reason: 'the object is held, shown or touched without a lasting change; played backwards it is the same scene',
  },
  {
    name: 'failed attempt',
    verdict: 'invariant',
    match: /^(Failing|Trying)\b|nothing happens|doesn't or almost doesn't move|without the stack collapsing/i,
    reason:
      'the attempt leaves everything as it was: the hand comes, tries and goes; played backwards it is the same failed attempt',
  },
  {
    name: 'elastic deflection',
    verdict: 'invariant',
    match: /\b(being deflected|both are being deflected|pass each other)\b/i,
    reason:
      'objects passing or bouncing off each other keep their speed, which looks the same backwards: it is again a deflection or a pass',
  },
] satisfies KeywordRule[]);

/** The first rule that decides `name`, or null. */
export function matchRule(rules: readonly KeywordRule[], name: string): KeywordRule | null {
  return rules.find((r) => r.match.test(name) && !(r.unless?.test(name) ?? false)) ?? null;
}

/** Direction words and their opposites: two names that differ only by these are each other's reversal. */
export const DIRECTION_ANTONYMS: readonly (readonly [string, string])[] = Object.freeze([
  ['left', 'right'],
  ['up', 'down'],
  ['in', 'out'],
  ['forward', 'backward'],
  ['clockwise', 'counterclockwise'],
  ['pushing', 'pulling'],
  ['away', 'in'],
] as const);

function opposite(a: string, b: string): boolean {
  return DIRECTION_ANTONYMS.some(([x, y]) => (a === x && b === y) || (a === y && b === x));
}

/**
 * Pairs names that have the same words except where one has a direction word and the other its
 * opposite ("Swiping Left" / "Swiping Right", "Pushing Hand Away" / "Pulling Hand In"). Returns each
 * pair once, in input order, with the opposed word pairs. A name with two possible partners is an error.
 * @example directionPairs(['Swiping Left', 'Swiping Right']) // [{ a: 'Swiping Left', b: 'Swiping Right', words: [['left','right']] }]
 */
export function directionPairs(names: readonly string[]): { a: string; b: string; words: [string, string][] }[] {
  const words = names.map((n) => n.toLowerCase().split(/\s+/));
  const out: { a: string; b: string; words: [string, string][] }[] = [];
  const partner = new Map<string, string>();
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const wa = words[i];
      const wb = words[j];
      if (wa.length !== wb.length) continue;
      const diff: [string, string][] = [];
      let ok = true;
      for (let k = 0; k < wa.length && ok; k++) {
        if (wa[k] === wb[k]) continue;
        if (opposite(wa[k], wb[k])) diff.push([wa[k], wb[k]]);
        else ok = false;
      }
      if (!ok || diff.length === 0) continue;
      for (const [x, y] of [
        [names[i], names[j]],
        [names[j], names[i]],
      ] as const) {
        const prev = partner.get(x);
        if (prev !== undefined)
          throw new Error(
            `Expected at most one direction partner for ${JSON.stringify(x)} but received ${JSON.stringify(prev)} and ${JSON.stringify(y)}`,
          );
        partner.set(x, y);
      }
      out.push({ a: names[i], b: names[j], words: diff });
    }
  }
  return out;
}
