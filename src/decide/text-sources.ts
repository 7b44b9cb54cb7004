// What the text says: the label's taxonomy class and the caption's analysis, as plain policy inputs.

import { analyseCaption } from '../labels/captions.js';
import { counterpartOf, findClass, loadTaxonomy, type Taxonomy } from '../labels/taxonomy/index.js';
import type { CaptionInfo, ClassPrior } from './policy.js';

export type TaxonomyName = 'ssv2' | 'jester';
export type TaxonomyChoice = TaxonomyName | 'none' | 'auto';
export const TAXONOMY_CHOICES: readonly TaxonomyChoice[] = Object.freeze(['auto', 'ssv2', 'jester', 'none'] as const);

/** `auto` picks a taxonomy when more than this share of the sampled labels match its classes. */
export const AUTO_TAXONOMY_SHARE = 0.5;
/** `auto` looks at this many labelled rows (the first ones of the scan). */
export const AUTO_TAXONOMY_SAMPLE = 5000;

/** Looks labels up in a taxonomy, memoised per distinct label (up to 100,000 of them). */
export function priorLookup(t: Taxonomy): (label: string) => ClassPrior | null {
  const memo = new Map<string, ClassPrior | null>();
  return (label) => {
    const hit = memo.get(label);
    if (hit !== undefined) return hit;
    const cls = findClass(t, label);
    const prior: ClassPrior | null = cls
      ? {
          name: cls.name,
          verdict: cls.verdict,
          counterpart: cls.counterpart,
          reason: cls.reason,
          id: cls.id,
          counterpartId: cls.counterpart ? (counterpartOf(t, cls)?.id ?? null) : null,
        }
      : null;
    if (memo.size < 100_000) memo.set(label, prior);
    return prior;
  };
}

/** Loads a shipped taxonomy, or null (with the reason) when its data file is not there. */
export async function tryLoadTaxonomy(
  name: TaxonomyName,
): Promise<{ taxonomy: Taxonomy | null; problem: string | null }> {
  try {
    return { taxonomy: await loadTaxonomy(name), problem: null };
  } catch (err) {
    return {
      taxonomy: null,
      problem: `the ${name} taxonomy could not be loaded: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

/**
 * Picks the taxonomy most of `labels` belong to (more than {@link AUTO_TAXONOMY_SHARE} of them), or null, also when
 * two match them alike.
 * Returns the share of each candidate too, for decisions.json.
 */
export function pickTaxonomy(
  labels: readonly string[],
  candidates: readonly Taxonomy[],
): { taxonomy: Taxonomy | null; shares: Record<string, number> } {
  const shares: Record<string, number> = {};
  let best: Taxonomy | null = null;
  let bestShare = 0;
  for (const t of candidates) {
    const look = priorLookup(t);
    const share = labels.length ? labels.filter((l) => look(l) !== null).length / labels.length : 0;
    shares[t.name] = Math.round(share * 1e4) / 1e4;
    if (share > AUTO_TAXONOMY_SHARE && share > bestShare) {
      best = t;
      bestShare = share;
    }
  }
  return { taxonomy: sharesTie(shares) ? null : best, shares };
}

/**
 * Whether the two best of a pick's `shares` are equal and above {@link AUTO_TAXONOMY_SHARE}: taxonomies that match
 * the labels alike (class ids 0, 1, 2 ... both number) cannot be told apart, so neither is picked.
 */
export function sharesTie(shares: Readonly<Record<string, number>>): boolean {
  const [first, second] = Object.values(shares).sort((a, b) => b - a);
  return first !== undefined && first === second && first > AUTO_TAXONOMY_SHARE;
}

/** The caption analysis as the policy reads it (src/labels/captions.ts). */
export function captionInfo(text: string): CaptionInfo {
  const a = analyseCaption(text);
  return { status: a.status, reversed: a.reversed, reason: a.reason };
}
