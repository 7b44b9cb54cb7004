// The shapes of a class taxonomy: every class with its verdict under time reversal and its counterpart.

/** What playing a clip of the class backwards gives: invariant, equivariant, irreversible (docs/design.md). */
export type ClassVerdict = 'invariant' | 'equivariant' | 'irreversible';

/** How a class got its verdict: an undo-pair derived from PDDL, a keyword/name rule, or the reviewed override table. */
export type VerdictSource = 'derived' | 'override' | 'rule';

export interface TaxonomyClass {
  /** The class id of the dataset (SSv2: its label index; Jester: its line in the label file, 0-based). */
  id: string;
  /** The class name: the SSv2 template ("Opening [something]") or the Jester gesture. */
  name: string;
  verdict: ClassVerdict;
  /** For an equivariant class, the `name` of the class its reversed clips belong to (null when none exists). */
  counterpart: string | null;
  reason: string;
  source: VerdictSource;
  /** SSv2 coarse class (willprice/20bn-something-something-label-hierarchies). */
  coarse?: string;
}

export interface Taxonomy {
  name: 'ssv2' | 'jester';
  title: string;
  version: string;
  provenance: unknown;
  classes: TaxonomyClass[];
}

/** One reviewed decision about a class; the reason is required and says why. */
export interface TaxonomyOverride {
  /** The class name exactly as in the taxonomy (SSv2 template, Jester gesture). */
  class: string;
  verdict: ClassVerdict;
  /** For equivariant: the counterpart class name, or null when the dataset has none (the reason says why). */
  counterpart?: string | null;
  reason: string;
}
