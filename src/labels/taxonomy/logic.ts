// Literal sets of a PDDL domain: typing, substitution, and closure under the domain's axioms.

import type { Literal, Param, PddlAxiom, PddlDomain } from './pddl.js';

/** A literal as a stable string key: `on(?b,?a)` or `!touching(?a,hand)`. */
export function literalKey(l: Literal): string {
  return `${l.positive ? '' : '!'}${l.predicate}(${l.args.join(',')})`;
}

/** The same literal with the opposite sign. */
export function negate(l: Literal): Literal {
  return { ...l, positive: !l.positive };
}

/** Replaces variables by `sub` (unmapped arguments stay as they are). */
export function substitute(l: Literal, sub: ReadonlyMap<string, string>): Literal {
  return { ...l, args: l.args.map((a) => sub.get(a) ?? a) };
}

/** True when `type` is `ancestor` or descends from it in the domain's type tree. */
export function isSubtype(domain: PddlDomain, type: string, ancestor: string): boolean {
  const seen = new Set<string>();
  for (let t: string | undefined = type; t !== undefined && !seen.has(t); t = domain.types[t]) {
    if (t === ancestor) return true;
    seen.add(t);
  }
  return ancestor === 'object';
}

/** An axiom as a rule with one premise (context or, for contrapositives, a negated implication). */
interface Rule {
  premise: Literal;
  conclusions: Literal[];
  vars: Param[];
}

/**
 * The axioms as one-premise rules, plus their contrapositives (`c => l` gives `!l => !c`) where the
 * negated conclusion binds every variable of the context. Equality literals are left out: distinct
 * parameters are taken to be distinct objects.
 */
export function axiomRules(axioms: readonly PddlAxiom[]): Rule[] {
  const rules: Rule[] = [];
  for (const ax of axioms) {
    if (ax.context.length !== 1 || ax.context[0].predicate === '=') continue;
    const premise = ax.context[0];
    const conclusions = ax.implies.filter((l) => l.predicate !== '=');
    rules.push({ premise, conclusions, vars: ax.vars });
    for (const c of conclusions) {
      if (premise.args.every((v) => !v.startsWith('?') || c.args.includes(v)))
        rules.push({ premise: negate(c), conclusions: [negate(premise)], vars: ax.vars });
    }
  }
  return rules;
}

/** Binds a rule's premise to a literal whose arguments have the given types; null when it does not match. */
function match(
  domain: PddlDomain,
  rule: Rule,
  l: Literal,
  typeOf: (arg: string) => string,
): Map<string, string> | null {
  const p = rule.premise;
  if (p.predicate !== l.predicate || p.positive !== l.positive || p.args.length !== l.args.length) return null;
  const sub = new Map<string, string>();
  for (let k = 0; k < p.args.length; k++) {
    const v = p.args[k];
    const a = l.args[k];
    if (!v.startsWith('?')) {
      if (v !== a) return null;
      continue;
    }
    const bound = sub.get(v);
    if (bound !== undefined && bound !== a) return null;
    const want = rule.vars.find((x) => x.name === v)?.type ?? 'object';
    if (!isSubtype(domain, typeOf(a), want)) return null;
    sub.set(v, a);
  }
  return sub;
}

/**
 * Everything that follows from `literals` by the axiom rules (fixpoint), keyed by `literalKey`.
 * `typeOf` gives the type of an argument (a parameter or a constant).
 */
export function closure(
  domain: PddlDomain,
  rules: readonly Rule[],
  literals: readonly Literal[],
  typeOf: (arg: string) => string,
): Map<string, Literal> {
  const out = new Map<string, Literal>();
  const work: Literal[] = [];
  const add = (l: Literal): void => {
    const k = literalKey(l);
    if (!out.has(k)) {
      out.set(k, l);
      work.push(l);
    }
  };
  for (const l of literals) if (l.predicate !== '=') add(l);
  while (work.length) {
    const l = work.pop()!;
    for (const r of rules) {
      const sub = match(domain, r, l, typeOf);
      if (!sub) continue;
      // A conclusion with a variable the premise does not bind says nothing about these objects.
      for (const c of r.conclusions) if (c.args.every((a) => !a.startsWith('?') || sub.has(a))) add(substitute(c, sub));
    }
  }
  return out;
}
