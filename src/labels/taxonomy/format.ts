// The taxonomy as a plain-text table for the terminal (`audit taxonomy`).

import { taxonomyCounts } from './counts.js';
import type { Taxonomy } from './types.js';

/** The count line: classes, invariant, equivariant (pairs, without counterpart), irreversible. */
export function formatTaxonomyCounts(t: Taxonomy): string {
  const c = taxonomyCounts(t.classes);
  return `${t.name}: ${c.classes} classes: ${c.invariant} invariant, ${c.equivariant} equivariant (${c.equivariant_pairs} pairs, ${c.equivariant_without_counterpart} without a counterpart class), ${c.irreversible} irreversible; by source: ${c.by_source.derived} derived, ${c.by_source.rule} rule, ${c.by_source.override} override`;
}

/**
 * One row per class: id, class, verdict, counterpart (its id and name), source, reason; then the count line.
 * @example formatTaxonomyTable(await loadTaxonomy('jester'))
 */
export function formatTaxonomyTable(t: Taxonomy): string {
  const idOf = new Map(t.classes.map((c) => [c.name, c.id]));
  const head = ['id', 'class', 'verdict', 'counterpart', 'source', 'reason'];
  const rows = t.classes.map((c) => [
    c.id,
    c.name,
    c.verdict,
    c.counterpart === null ? '-' : `${idOf.get(c.counterpart)} ${c.counterpart}`,
    c.source,
    c.reason,
  ]);
  const all = [head, ...rows];
  const widths = head.map((_, k) => Math.max(...all.map((r) => r[k].length)));
  const line = (r: string[]): string =>
    r.map((cell, k) => (k < r.length - 1 ? cell.padEnd(widths[k]) : cell)).join('  ');
  return [`${t.title} (taxonomy ${t.version})`, '', line(head), ...rows.map(line), '', formatTaxonomyCounts(t)].join(
    '\n',
  );
}
