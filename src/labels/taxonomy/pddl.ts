// A small PDDL reader: s-expressions with comments, and the STRIPS-like subset of a domain (actions and axioms).

import { AuditError } from '../../errors.js';

/** A parenthesised list; `leading` holds the `;` comments written right before it, `line` is 1-based. */
export interface SList {
  items: SExpr[];
  line: number;
  leading: string[];
}

/** An atom (a plain string) or a list. */
export type SExpr = string | SList;

/** A PDDL literal: `(pred arg...)` or `(not (pred arg...))`. Arguments are variables (`?a`) or constants. */
export interface Literal {
  predicate: string;
  args: string[];
  positive: boolean;
}

/** A typed parameter of an action or axiom (`?a - sth`). */
export interface Param {
  name: string;
  type: string;
}

export interface PddlAction {
  name: string;
  parameters: Param[];
  precondition: Literal[];
  effect: Literal[];
  /** The comments written right before the action (in the SSv2 domain: "<class id> <class label>"). */
  comments: string[];
  line: number;
}

/** `:context` literal(s) imply `:implies` literals, for every binding of `vars`. */
export interface PddlAxiom {
  vars: Param[];
  context: Literal[];
  implies: Literal[];
  line: number;
}

export interface PddlDomain {
  name: string;
  /** Each declared type with its parent type (`sth - object` -> sth: object). */
  types: Record<string, string>;
  /** Each constant with its type (`hand - object`). */
  constants: Param[];
  predicates: { name: string; params: Param[] }[];
  actions: PddlAction[];
  axioms: PddlAxiom[];
}

/** A PDDL text that is not well formed or uses constructs outside the supported subset; `where.row` is the line. */
export class PddlError extends AuditError {
  readonly line: number;
  constructor(message: string, line: number) {
    super('pddl', `${message} (line ${line})`, { row: line });
    this.line = line;
  }
}

/**
 * Parses s-expressions; `;` starts a comment to the end of the line. Comments directly before a
 * list (after the previous sibling) are kept on it as `leading`.
 * @example parseSExpressions('; hi\n(a (b c))')[0] // { items: ['a', { items: ['b','c'], ... }], leading: ['hi'], line: 2 }
 */
export function parseSExpressions(text: string): SList[] {
  let i = 0;
  let line = 1;
  let pending: string[] = [];
  const root: SList = { items: [], line: 1, leading: [] };
  const stack: SList[] = [root];
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\n') {
      line++;
      i++;
    } else if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
    } else if (ch === ';') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      pending.push(text.slice(i + 1, stop).trim());
      i = stop;
    } else if (ch === '(') {
      const list: SList = { items: [], line, leading: pending };
      pending = [];
      stack[stack.length - 1].items.push(list);
      stack.push(list);
      i++;
    } else if (ch === ')') {
      if (stack.length === 1) throw new PddlError(`Expected an open list for ")" but received none`, line);
      stack.pop();
      pending = [];
      i++;
    } else {
      let j = i;
      while (j < text.length && !/[\s();]/.test(text[j])) j++;
      stack[stack.length - 1].items.push(text.slice(i, j).toLowerCase());
      pending = [];
      i = j;
    }
  }
  if (stack.length > 1)
    throw new PddlError(
      `Expected ")" to close the list opened on line ${stack[stack.length - 1].line} but received the end of the text`,
      line,
    );
  return root.items.map((x) => {
    if (typeof x === 'string')
      throw new PddlError(`Expected a list at the top level but received ${JSON.stringify(x)}`, 1);
    return x;
  });
}

/** Writes an s-expression back as text (for error messages and tests). */
export function showSExpr(x: SExpr): string {
  return typeof x === 'string' ? x : `(${x.items.map(showSExpr).join(' ')})`;
}

function isList(x: SExpr | undefined): x is SList {
  return typeof x === 'object' && x !== null;
}

/** `?a ?b - sth ?c - location` -> typed parameters (untyped ones get "object"). */
export function parseParams(x: SExpr, where: string, line: number): Param[] {
  if (!isList(x)) throw new PddlError(`Expected a parameter list for ${where} but received ${JSON.stringify(x)}`, line);
  const out: Param[] = [];
  let untyped: string[] = [];
  for (let k = 0; k < x.items.length; k++) {
    const it = x.items[k];
    if (typeof it !== 'string')
      throw new PddlError(`Expected a parameter name for ${where} but received ${showSExpr(it)}`, x.line);
    if (it === '-') {
      const type = x.items[++k];
      if (typeof type !== 'string')
        throw new PddlError(
          `Expected a type name after "-" for ${where} but received ${type === undefined ? 'nothing' : showSExpr(type)}`,
          x.line,
        );
      for (const name of untyped) out.push({ name, type });
      untyped = [];
    } else {
      untyped.push(it);
    }
  }
  for (const name of untyped) out.push({ name, type: 'object' });
  return out;
}

/**
 * Reads a condition or effect that is a conjunction of literals: `(and L...)`, `(and)`, or one literal.
 * Quantifiers, disjunctions and conditional effects are outside the subset and throw a PddlError.
 */
export function parseConjunction(x: SExpr, where: string, line = 0): Literal[] {
  if (!isList(x)) throw new PddlError(`Expected a condition list for ${where} but received ${JSON.stringify(x)}`, line);
  if (x.items[0] === 'and') return x.items.slice(1).flatMap((c) => parseConjunction(c, where, x.line));
  return [parseLiteral(x, where)];
}

function parseLiteral(x: SList, where: string): Literal {
  const head = x.items[0];
  if (head === 'not') {
    const inner = x.items[1];
    if (x.items.length !== 2 || !isList(inner))
      throw new PddlError(`Expected (not (predicate ...)) for ${where} but received ${showSExpr(x)}`, x.line);
    const lit = parseLiteral(inner, where);
    if (!lit.positive)
      throw new PddlError(`Expected a single negation for ${where} but received ${showSExpr(x)}`, x.line);
    return { ...lit, positive: false };
  }
  if (typeof head !== 'string' || ['and', 'or', 'forall', 'exists', 'when', 'imply'].includes(head)) {
    throw new PddlError(
      `Expected a literal (conjunctions of literals only) for ${where} but received ${showSExpr(x)}`,
      x.line,
    );
  }
  const args = x.items.slice(1).map((a) => {
    if (typeof a !== 'string')
      throw new PddlError(`Expected a variable or constant argument for ${where} but received ${showSExpr(a)}`, x.line);
    return a;
  });
  return { predicate: head, args, positive: true };
}

/** The value after a `:keyword` in a flat keyword list, or undefined. */
function keyword(list: SList, key: string): SExpr | undefined {
  const k = list.items.indexOf(key);
  return k < 0 ? undefined : list.items[k + 1];
}

/**
 * Parses a PDDL domain: name, constants, predicates, actions (`:parameters`, `:precondition`,
 * `:effect` as conjunctions of literals) and axioms (`:vars`, `:context`, `:implies`).
 * @example parseDomain(text).actions.find((a) => a.name === 'open')?.effect
 */
export function parseDomain(text: string): PddlDomain {
  const top = parseSExpressions(text);
  const def = top.find((x) => x.items[0] === 'define');
  if (!def) throw new PddlError('Expected (define (domain NAME) ...) for the PDDL text but received no define form', 1);
  const nameForm = def.items[1];
  if (!isList(nameForm) || nameForm.items[0] !== 'domain' || typeof nameForm.items[1] !== 'string') {
    throw new PddlError(
      `Expected (domain NAME) for the domain name but received ${nameForm === undefined ? 'nothing' : showSExpr(nameForm)}`,
      def.line,
    );
  }
  const domain: PddlDomain = {
    name: nameForm.items[1],
    types: {},
    constants: [],
    predicates: [],
    actions: [],
    axioms: [],
  };
  for (const form of def.items.slice(2)) {
    if (!isList(form))
      throw new PddlError(
        `Expected a (:section ...) list in the domain but received ${JSON.stringify(form)}`,
        def.line,
      );
    const head = form.items[0];
    if (head === ':types') {
      for (const t of parseParams({ ...form, items: form.items.slice(1) }, ':types', form.line))
        domain.types[t.name] = t.type;
    } else if (head === ':constants') {
      domain.constants = parseParams({ ...form, items: form.items.slice(1) }, ':constants', form.line);
    } else if (head === ':predicates') {
      for (const p of form.items.slice(1)) {
        if (!isList(p) || typeof p.items[0] !== 'string')
          throw new PddlError(`Expected (predicate ?arg ...) in :predicates but received ${showSExpr(p)}`, form.line);
        domain.predicates.push({
          name: p.items[0],
          params: parseParams({ ...p, items: p.items.slice(1) }, `predicate ${p.items[0]}`, p.line),
        });
      }
    } else if (head === ':action') {
      domain.actions.push(parseAction(form));
    } else if (head === ':axiom') {
      domain.axioms.push(parseAxiom(form));
    }
    // :requirements carries nothing the derivation needs.
  }
  return domain;
}

function parseAction(form: SList): PddlAction {
  const name = form.items[1];
  if (typeof name !== 'string')
    throw new PddlError(
      `Expected an action name but received ${name === undefined ? 'nothing' : showSExpr(name)}`,
      form.line,
    );
  const where = `action ${name}`;
  const params = keyword(form, ':parameters');
  const pre = keyword(form, ':precondition');
  const eff = keyword(form, ':effect');
  if (eff === undefined) throw new PddlError(`Expected an :effect for ${where} but received none`, form.line);
  return {
    name,
    parameters: params === undefined ? [] : parseParams(params, where, form.line),
    precondition: pre === undefined ? [] : parseConjunction(pre, `the precondition of ${where}`, form.line),
    effect: parseConjunction(eff, `the effect of ${where}`, form.line),
    comments: form.leading,
    line: form.line,
  };
}

function parseAxiom(form: SList): PddlAxiom {
  const vars = keyword(form, ':vars');
  const context = keyword(form, ':context');
  const implies = keyword(form, ':implies');
  if (context === undefined || implies === undefined)
    throw new PddlError('Expected :context and :implies in an axiom but received neither or one', form.line);
  return {
    vars: vars === undefined ? [] : parseParams(vars, 'axiom', form.line),
    context: parseConjunction(context, `the context of the axiom on line ${form.line}`, form.line),
    implies: parseConjunction(implies, `the implication of the axiom on line ${form.line}`, form.line),
    line: form.line,
  };
}
