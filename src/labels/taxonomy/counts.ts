// Verdict counts of a taxonomy (the closing line of `audit taxonomy` and the provenance).

import type { TaxonomyClass, VerdictSource } from './types.js';

/** The counts of a taxonomy's classes. */
export interface TaxonomyCounts {
  classes: number;
  invariant: number;
  equivariant: number;
  /** Symmetric pairs (each counts two classes). */
  equivariant_pairs: number;
  equivariant_without_counterpart: number;
  irreversible: number;
  by_source: Record<VerdictSource, number>;
}

/** Verdict counts: invariant, equivariant pairs, equivariant without counterpart, irreversible, and by source. */
export function taxonomyCounts(classes: readonly TaxonomyClass[]): TaxonomyCounts {
  const n = (f: (c: TaxonomyClass) => boolean): number => classes.filter(f).length;
  return {
    classes: classes.length,
    invariant: n((c) => c.verdict === 'invariant'),
    equivariant: n((c) => c.verdict === 'equivariant'),
    equivariant_pairs: n((c) => c.verdict === 'equivariant' && c.counterpart !== null) / 2,
    equivariant_without_counterpart: n((c) => c.verdict === 'equivariant' && c.counterpart === null),
    irreversible: n((c) => c.verdict === 'irreversible'),
    by_source: {
      derived: n((c) => c.source === 'derived'),
      rule: n((c) => c.source === 'rule'),
      override: n((c) => c.source === 'override'),
    },
  };
}
