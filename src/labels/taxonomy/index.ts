// Class taxonomies (SSv2, Jester) with a verdict per class under time reversal: load, look up, counterparts.

import { readFile } from 'node:fs/promises';
import { AuditError, expected, UsageError } from '../../errors.js';
import type { Taxonomy } from './types.js';

export type { ClassVerdict, Taxonomy, TaxonomyClass, TaxonomyOverride, VerdictSource } from './types.js';
export { findClass, counterpartOf } from './lookup.js';
export { formatTaxonomyTable, formatTaxonomyCounts } from './format.js';
export { taxonomyCounts, type TaxonomyCounts } from './counts.js';

/** The taxonomies shipped in data/taxonomy/. */
export const TAXONOMY_NAMES = Object.freeze(['ssv2', 'jester'] as const);

/** The shipped JSON of a taxonomy: data/taxonomy/<name>.json at the package root (same from src/ and dist/). */
export function taxonomyFile(name: 'ssv2' | 'jester'): URL {
  return new URL(`../../../data/taxonomy/${name}.json`, import.meta.url);
}

/**
 * Loads a shipped taxonomy (data/taxonomy/<name>.json, written by `npm run taxonomy`).
 * Throws a UsageError listing the valid names for any other name.
 * @example const ssv2 = await loadTaxonomy('ssv2'); ssv2.classes.length // 174
 */
export async function loadTaxonomy(name: 'ssv2' | 'jester'): Promise<Taxonomy> {
  if (!(TAXONOMY_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(expected(`a taxonomy name (${TAXONOMY_NAMES.join(', ')})`, 'the taxonomy', name));
  }
  const file = taxonomyFile(name);
  const t = JSON.parse(await readFile(file, 'utf8')) as Taxonomy;
  if (t.name !== name || !Array.isArray(t.classes)) {
    throw new AuditError(
      'taxonomy',
      expected(`the ${name} taxonomy`, file.pathname, { name: t.name, classes: typeof t.classes }),
      { path: file.pathname },
    );
  }
  return t;
}
