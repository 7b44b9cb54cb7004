// Class-level analysis on hand-made clip rows: a consistent class, an inconsistent one, a pair planted in
// the embeddings, taxonomy agreement, and the pair score checked against a brute-force mean cosine.

import { describe, expect, it } from 'vitest';
import { addClassClip, classRows, classSummary, newClassStats, type ClassClipRow } from '../../src/decide/classes.js';
import type { ClassPrior, Verdict } from '../../src/decide/policy.js';

/** Deterministic noise so that the rows are the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}
const noise = rng(42);
const DIM = 8;
/** Unit axis `k` plus a little noise. */
function axis(k: number, scale = 1): number[] {
  return Array.from({ length: DIM }, (_, i) => (i === k ? scale : 0) + 0.15 * noise());
}

function clips(label: string, verdicts: Verdict[], fwd: number, rev: number, pForward = 0.8): ClassClipRow[] {
  return verdicts.map((verdict, i) => ({
    label,
    verdict,
    p_forward: pForward + 0.01 * i,
    embedding_forward: axis(fwd),
    embedding_reversed: axis(rev),
  }));
}

const I: Verdict = 'invariant';
const E: Verdict = 'equivariant';
const R: Verdict = 'irreversible';

// Opening/closing: reversed opening clips look like forward closing clips and the other way round (the planted
// pair). Waving: reversed is the same (no pair). Mixed: clips disagree (inconsistent). Rare: too few clips.
const ROWS: ClassClipRow[] = [
  ...clips('opening', [E, E, E, E, E, I], 0, 1),
  ...clips('closing', [E, E, E, E, E], 1, 0),
  ...clips('waving', [I, I, I, I, I, I, E], 2, 2, 0.5),
  ...clips('mixed', [I, I, E, E, R, R], 3, 4),
  ...clips('rare', [R, R], 5, 6),
];

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
function cosine(a: readonly number[], b: readonly number[]): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] ** 2;
    bb += b[i] ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('class analysis', () => {
  const taxonomy: Record<string, ClassPrior> = {
    opening: { name: 'opening', verdict: 'equivariant', counterpart: 'closing', reason: '' },
    closing: { name: 'closing', verdict: 'equivariant', counterpart: 'opening', reason: '' },
    waving: { name: 'waving', verdict: 'irreversible', counterpart: null, reason: 'deliberately wrong, to disagree' },
  };
  const stats = newClassStats((label) => taxonomy[label] ?? null);
  for (const r of ROWS) addClassClip(stats, r);
  const rows = classRows(stats);
  const by = Object.fromEntries(rows.map((r) => [r.label, r]));

  it('counts verdicts and p_forward per class, and gives a verdict where the clips agree', () => {
    expect(rows.map((r) => r.label)).toEqual(['closing', 'mixed', 'opening', 'rare', 'waving']);
    expect(by.opening).toMatchObject({
      n: 6,
      n_scored: 6,
      n_equivariant: 5,
      n_invariant: 1,
      class_verdict: 'equivariant',
      status: 'consistent',
      class_share: 0.8333,
    });
    expect(by.waving).toMatchObject({
      n: 7,
      class_verdict: 'invariant',
      status: 'consistent',
      share_invariant: 0.8571,
      p_forward_median: 0.53,
    });
    expect(by.waving.p_forward_mean).toBeCloseTo(0.53, 6);
  });

  it('flags a class whose clips disagree, and one with too few clips', () => {
    expect(by.mixed).toMatchObject({ status: 'inconsistent', class_verdict: null, class_share: 0.3333 });
    expect(by.rare).toMatchObject({ status: 'too_few', class_verdict: null, n: 2 });
    expect(classSummary(rows).inconsistent).toEqual(['mixed']);
  });

  it('compares class verdicts with the taxonomy', () => {
    expect(by.opening).toMatchObject({
      taxonomy_verdict: 'equivariant',
      taxonomy_agrees: true,
      taxonomy_counterpart: 'closing',
    });
    expect(by.waving).toMatchObject({ taxonomy_verdict: 'irreversible', taxonomy_agrees: false });
    expect(by.mixed.taxonomy_agrees).toBeNull();
    expect(classSummary(rows).taxonomy_disagrees).toEqual(['waving']);
  });

  it('finds the planted pair from the embeddings, and none for a class that reverses into itself', () => {
    expect(by.opening).toMatchObject({ nearest_class: 'closing', pair_found: true, pair_agrees_taxonomy: true });
    expect(by.closing).toMatchObject({ nearest_class: 'opening', pair_found: true, pair_agrees_taxonomy: true });
    expect(by.waving.pair_found).toBe(false);
    // Reversed 'mixed' clips resemble nothing: some class is nearest by noise, but it is no mutual pair.
    expect(by.mixed.nearest_class).not.toBeNull();
    expect(by.mixed.pair_found).toBe(false);
    expect(by.waving.self_score!).toBeGreaterThan(0.9);
    expect(by.opening.nearest_score!).toBeGreaterThan(by.opening.self_score! + 0.5);
    // 'rare' has fewer than 5 embedded clips: it takes no part in pair finding.
    expect(by.rare).toMatchObject({ self_score: null, nearest_class: null, pair_found: null });
    expect(classSummary(rows).pairs_found.map((p) => [p.class, p.reversed_looks_like])).toEqual([
      ['closing', 'opening'],
      ['opening', 'closing'],
    ]);
  });

  it('scores pairs as the mean cosine over all clip pairs', () => {
    const open = ROWS.filter((r) => r.label === 'opening');
    const close = ROWS.filter((r) => r.label === 'closing');
    const brute = mean(open.flatMap((a) => close.map((b) => cosine(a.embedding_reversed!, b.embedding_forward!))));
    expect(by.opening.nearest_score!).toBeCloseTo(brute, 4);
    const self = mean(open.flatMap((a) => open.map((b) => cosine(a.embedding_reversed!, b.embedding_forward!))));
    expect(by.opening.self_score!).toBeCloseTo(self, 4);
  });

  it('groups raw labels under their taxonomy class, skips empty labels and bad embeddings', () => {
    const s = newClassStats((label) =>
      label.startsWith('Opening ')
        ? { name: 'Opening [something]', verdict: 'equivariant', counterpart: 'Closing [something]', reason: '' }
        : null,
    );
    addClassClip(s, {
      label: 'Opening a drawer',
      verdict: 'equivariant',
      p_forward: 0.9,
      embedding_forward: [1, 0],
      embedding_reversed: [0, 1],
    });
    addClassClip(s, {
      label: 'Opening a jar',
      verdict: 'equivariant',
      p_forward: 0.7,
      embedding_forward: [1, 0, 0],
      embedding_reversed: [0, 1, 0],
    });
    addClassClip(s, {
      label: '  ',
      verdict: 'invariant',
      p_forward: 0.5,
      embedding_forward: null,
      embedding_reversed: null,
    });
    addClassClip(s, {
      label: 'other',
      verdict: null,
      p_forward: null,
      embedding_forward: null,
      embedding_reversed: null,
    });
    const r = classRows(s, { minClips: 1 });
    expect(r.map((x) => [x.label, x.n, x.status])).toEqual([
      ['Opening [something]', 2, 'consistent'],
      ['other', 1, 'unscored'],
    ]);
    expect(r[0].p_forward_median).toBeCloseTo(0.8, 6);
    expect(s.skippedEmbeddings).toBe(1);
  });
});
