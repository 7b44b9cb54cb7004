// Mechanical undo-pairs of a PDDL domain: B undoes A when B's effects restore what A's effects destroyed.

import { closure, axiomRules, literalKey, negate, substitute } from './logic.js';
import type { Literal, Param, PddlAction, PddlDomain } from './pddl.js';

/** An action with its conditions closed under the domain axioms. */
export interface ActionModel {
  name: string;
  params: Param[];
  /** Preconditions and everything they imply. */
  pre: Map<string, Literal>;
  /** Effects and everything they imply. */
  eff: Map<string, Literal>;
  /** The state after the action: its effects, plus the preconditions its effects leave standing. */
  post: Map<string, Literal>;
  /** Fluent preconditions that the action's effects make false: the change a reversal must undo. */
  destroyed: Literal[];
}

/** Two actions that undo each other under a parameter mapping. */
export interface UndoPair {
  a: string;
  b: string;
  /** [parameter of a, parameter of b] for the parameters both actions share. */
  mapping: [string, string][];
  /** Preconditions of a that b's effects restore (as literal keys in a's parameters). */
  restoredByB: string[];
  /** Preconditions of b that a's effects restore (as literal keys in b's parameters). */
  restoredByA: string[];
  /**
   * Changes that are not undone: literals one action makes true that the other did not destroy,
   * counted both ways. 0 means exact inverses (close/open); covering/taking-from leaves some over.
   */
  extra: number;
}

/** Predicates some action changes (the rest, such as `is-rigid` or `fits`, are static properties). */
export function fluentPredicates(domain: PddlDomain): Set<string> {
  return new Set(domain.actions.flatMap((a) => a.effect.map((l) => l.predicate)));
}

/** Closes each action's precondition and effect under the axioms and finds what it destroys. */
export function actionModels(domain: PddlDomain): ActionModel[] {
  const rules = axiomRules(domain.axioms);
  const fluents = fluentPredicates(domain);
  return domain.actions.map((action) => modelOf(domain, rules, fluents, action));
}

function modelOf(
  domain: PddlDomain,
  rules: ReturnType<typeof axiomRules>,
  fluents: Set<string>,
  action: PddlAction,
): ActionModel {
  const types = new Map<string, string>([
    ...domain.constants.map((c) => [c.name, c.type] as const),
    ...action.parameters.map((p) => [p.name, p.type] as const),
  ]);
  const typeOf = (arg: string): string => types.get(arg) ?? 'object';
  const pre = closure(domain, rules, action.precondition, typeOf);
  const eff = closure(domain, rules, action.effect, typeOf);
  const post = new Map(eff);
  for (const [k, l] of pre) if (!eff.has(literalKey(negate(l)))) post.set(k, l);
  const destroyed = [...pre.values()].filter((l) => fluents.has(l.predicate) && eff.has(literalKey(negate(l))));
  return { name: action.name, params: action.parameters, pre, eff, post, destroyed };
}

/** Every injective pairing of the shorter parameter list into the longer one, types equal. */
function mappings(a: Param[], b: Param[]): [string, string][][] {
  const out: [string, string][][] = [];
  const swap = a.length < b.length;
  const small = swap ? a : b;
  const large = swap ? b : a;
  const walk = (k: number, used: Set<string>, acc: [string, string][]): void => {
    if (k === small.length) {
      out.push(acc.map(([s, l]) => (swap ? [s, l] : [l, s])));
      return;
    }
    for (const p of large) {
      if (used.has(p.name) || p.type !== small[k].type) continue;
      used.add(p.name);
      walk(k + 1, used, [...acc, [small[k].name, p.name]]);
      used.delete(p.name);
    }
  };
  walk(0, new Set(), []);
  return out;
}

/** Renames a literal map into another action's parameters; unmapped parameters get fresh names. */
function rename(lits: Map<string, Literal>, sub: Map<string, string>): Map<string, Literal> {
  const out = new Map<string, Literal>();
  for (const l of lits.values()) {
    const r = substitute(l, sub);
    const fresh = { ...r, args: r.args.map((x, k) => (x.startsWith('?') && !sub.has(l.args[k]) ? `${x}'` : x)) };
    out.set(literalKey(fresh), fresh);
  }
  return out;
}

/** Literals of `destroyed` that `restorer` brings back, or null when one is missing or none was destroyed. */
function restores(destroyed: readonly Literal[], restorer: Map<string, Literal>): string[] | null {
  if (destroyed.length === 0) return null;
  const keys = destroyed.map(literalKey);
  return keys.every((k) => restorer.has(k)) ? keys : null;
}

/** True when no precondition of the second action contradicts the state the first one leaves. */
function applicableAfter(post: Map<string, Literal>, pre: Map<string, Literal>): boolean {
  for (const l of pre.values()) if (post.has(literalKey(negate(l)))) return false;
  return true;
}

/**
 * How many literals the other action makes true (the negations of what it destroyed), renamed by `sub`,
 * that are not among `destroyed`: changes beyond an exact inverse.
 */
function leftover(otherDestroyed: readonly Literal[], sub: Map<string, string>, destroyed: readonly Literal[]): number {
  const want = new Set(destroyed.map(literalKey));
  const made = rename(new Map(otherDestroyed.map((l) => [literalKey(l), negate(l)])), sub);
  return [...made.keys()].filter((k) => !want.has(k)).length;
}

/** Options of `deriveUndoPairs`. */
export interface DeriveOptions {
  /**
   * Literals that do not count as a change of their own (default: those naming a domain constant,
   * i.e. the hand grasping or letting go). An action whose destroyed preconditions are all of this kind
   * is not paired: every release would pair with every grasp, which says nothing about the action.
   */
  incidental?: (l: Literal) => boolean;
}

/**
 * Finds every pair of distinct actions (A, B) where, under one parameter mapping, B can run in the
 * state A leaves and B's effects restore every precondition A destroyed, and the same holds with A
 * and B swapped. The relation is symmetric by construction; pairs are listed once, a before b in
 * domain order, with the mapping that leaves the fewest changes undone (then restores the most).
 * @example deriveUndoPairs(parseDomain(text)).find((p) => p.a === 'close') // { a: 'close', b: 'open', extra: 0, ... }
 */
export function deriveUndoPairs(domain: PddlDomain, options: DeriveOptions = {}): UndoPair[] {
  const constants = new Set(domain.constants.map((c) => c.name));
  const incidental = options.incidental ?? ((l: Literal) => l.args.some((a) => constants.has(a)));
  const models = actionModels(domain);
  const pairable = (m: ActionModel): boolean => m.destroyed.some((l) => !incidental(l));
  const pairs: UndoPair[] = [];
  for (let i = 0; i < models.length; i++) {
    const A = models[i];
    if (!pairable(A)) continue;
    for (let j = i + 1; j < models.length; j++) {
      const B = models[j];
      if (!pairable(B)) continue;
      let best: UndoPair | null = null;
      for (const m of mappings(A.params, B.params)) {
        const toA = new Map(m.map(([a, b]) => [b, a]));
        const toB = new Map(m.map(([a, b]) => [a, b]));
        const byB = restores(A.destroyed, rename(B.eff, toA));
        const byA = restores(B.destroyed, rename(A.eff, toB));
        if (!byB || !byA) continue;
        if (!applicableAfter(A.post, rename(B.pre, toA)) || !applicableAfter(B.post, rename(A.pre, toB))) continue;
        const extra = leftover(B.destroyed, toA, A.destroyed) + leftover(A.destroyed, toB, B.destroyed);
        const better =
          !best ||
          extra < best.extra ||
          (extra === best.extra && byB.length + byA.length > best.restoredByB.length + best.restoredByA.length);
        if (better) best = { a: A.name, b: B.name, mapping: m, restoredByB: byB, restoredByA: byA, extra };
      }
      if (best) pairs.push(best);
    }
  }
  return pairs;
}
