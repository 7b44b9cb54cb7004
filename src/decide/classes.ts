// Class-level analysis (after Retro-Actions): per label the verdict mix and p_forward, a class verdict where
// the clips agree, inconsistent classes, and pairs found from the model's directional embeddings.

import type { ColumnSpec } from '../io/parquet-writer.js';
import type { ClassPrior, Verdict } from './policy.js';
import { median } from '../util/stats.js';

/** A class gets a verdict when at least this share of its scored clips has it... */
export const CLASS_VERDICT_SHARE = 0.7;
/** ...and it has at least this many scored clips; with fewer it is `too_few`. Pairs need this many embedded clips too. */
export const CLASS_MIN_CLIPS = 5;

/** The columns of one clip that the analysis reads. */
export interface ClassClipRow {
  label: string;
  verdict: Verdict | null;
  p_forward: number | null;
  embedding_forward: readonly number[] | null;
  embedding_reversed: readonly number[] | null;
}

/** consistent: a class verdict; inconsistent: enough clips but no verdict reaches the share; too_few; unscored: no model output. */
export type ClassStatus = 'consistent' | 'inconsistent' | 'too_few' | 'unscored';

/** One row of classes.csv / classes.parquet. */
export interface ClassRow {
  label: string;
  n: number;
  n_scored: number;
  n_invariant: number;
  n_equivariant: number;
  n_irreversible: number;
  share_invariant: number | null;
  share_equivariant: number | null;
  share_irreversible: number | null;
  p_forward_mean: number | null;
  p_forward_median: number | null;
  class_verdict: Verdict | null;
  /** Share of the top verdict. */
  class_share: number | null;
  status: ClassStatus;
  taxonomy_class: string | null;
  taxonomy_verdict: Verdict | null;
  taxonomy_counterpart: string | null;
  /** class_verdict === taxonomy_verdict (null when either is missing). */
  taxonomy_agrees: boolean | null;
  /** Mean cosine similarity of this class's reversed embeddings to its own forward embeddings. */
  self_score: number | null;
  /** The other class whose forward embeddings the reversed clips of this class are most similar to, and that mean cosine. */
  nearest_class: string | null;
  nearest_score: number | null;
  /**
   * A mutual pair: reversed, this class looks more like nearest_class than like itself, and reversed,
   * nearest_class looks most like this class and more than like itself.
   */
  pair_found: boolean | null;
  /** nearest_class is the taxonomy's counterpart (null without a taxonomy counterpart or a nearest class). */
  pair_agrees_taxonomy: boolean | null;
}

/** Columns of classes.parquet, in order (classes.csv has the same header). */
export const CLASS_COLUMNS: readonly ColumnSpec[] = Object.freeze([
  { name: 'label', type: 'string' },
  { name: 'n', type: 'int64' },
  { name: 'n_scored', type: 'int64' },
  { name: 'n_invariant', type: 'int64' },
  { name: 'n_equivariant', type: 'int64' },
  { name: 'n_irreversible', type: 'int64' },
  { name: 'share_invariant', type: 'float64' },
  { name: 'share_equivariant', type: 'float64' },
  { name: 'share_irreversible', type: 'float64' },
  { name: 'p_forward_mean', type: 'float64' },
  { name: 'p_forward_median', type: 'float64' },
  { name: 'class_verdict', type: 'string' },
  { name: 'class_share', type: 'float64' },
  { name: 'status', type: 'string' },
  { name: 'taxonomy_class', type: 'string' },
  { name: 'taxonomy_verdict', type: 'string' },
  { name: 'taxonomy_counterpart', type: 'string' },
  { name: 'taxonomy_agrees', type: 'bool' },
  { name: 'self_score', type: 'float64' },
  { name: 'nearest_class', type: 'string' },
  { name: 'nearest_score', type: 'float64' },
  { name: 'pair_found', type: 'bool' },
  { name: 'pair_agrees_taxonomy', type: 'bool' },
] satisfies ColumnSpec[]);

interface Group {
  key: string;
  prior: ClassPrior | null;
  n: number;
  counts: Record<Verdict, number>;
  pForward: number[];
  /** Sums of unit-length embeddings, and how many were added. */
  fwd: Float64Array | null;
  rev: Float64Array | null;
  nEmbedded: number;
}

/** Streaming accumulator: add clips one by one, then {@link classRows}. Memory: one p_forward per clip, two vectors per class. */
export interface ClassStats {
  groups: Map<string, Group>;
  /** Embedding length (from the first embedded clip); clips with another length are left out of pair finding. */
  dim: number | null;
  /** Clips whose embeddings were left out (missing, another length, zero, not finite). */
  skippedEmbeddings: number;
  /** Maps a label to its taxonomy class; clips are grouped by class name when it resolves, else by the label text. */
  priorOf: (label: string) => ClassPrior | null;
}

/** A new accumulator; `priorOf` resolves labels to taxonomy classes (default: none). */
export function newClassStats(priorOf: (label: string) => ClassPrior | null = () => null): ClassStats {
  return { groups: new Map(), dim: null, skippedEmbeddings: 0, priorOf };
}

function unit(v: readonly number[] | null, dim: number): Float64Array | null {
  if (!v || v.length !== dim) return null;
  let norm = 0;
  for (const x of v) {
    if (typeof x !== 'number' || !Number.isFinite(x)) return null;
    norm += x * x;
  }
  if (norm <= 0) return null;
  const s = 1 / Math.sqrt(norm);
  return Float64Array.from(v, (x) => x * s);
}

/** Adds one clip (a row with an empty label is ignored). */
export function addClassClip(stats: ClassStats, row: ClassClipRow): void {
  const label = row.label.trim();
  if (label === '') return;
  const prior = stats.priorOf(label);
  const key = prior ? prior.name : label;
  let g = stats.groups.get(key);
  if (!g) {
    g = {
      key,
      prior,
      n: 0,
      counts: { invariant: 0, equivariant: 0, irreversible: 0 },
      pForward: [],
      fwd: null,
      rev: null,
      nEmbedded: 0,
    };
    stats.groups.set(key, g);
  }
  g.n++;
  if (row.verdict === 'invariant' || row.verdict === 'equivariant' || row.verdict === 'irreversible')
    g.counts[row.verdict]++;
  if (typeof row.p_forward === 'number' && Number.isFinite(row.p_forward)) g.pForward.push(row.p_forward);
  if (row.embedding_forward || row.embedding_reversed) {
    stats.dim ??= row.embedding_forward?.length ?? row.embedding_reversed?.length ?? null;
    const dim = stats.dim ?? 0;
    const f = unit(row.embedding_forward, dim);
    const r = unit(row.embedding_reversed, dim);
    if (!f || !r) {
      stats.skippedEmbeddings++;
      return;
    }
    g.fwd ??= new Float64Array(dim);
    g.rev ??= new Float64Array(dim);
    for (let i = 0; i < dim; i++) {
      g.fwd[i] += f[i];
      g.rev[i] += r[i];
    }
    g.nEmbedded++;
  }
}

const round = (x: number | null): number | null => (x === null ? null : Math.round(x * 1e4) / 1e4);

function dot(a: Float64Array, b: Float64Array, na: number, nb: number): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s / (na * nb);
}

/**
 * The class table, sorted by label. Verdict mix and p_forward over the scored clips; a class verdict when the
 * top verdict has at least {@link CLASS_VERDICT_SHARE} of at least {@link CLASS_MIN_CLIPS} scored clips.
 * Pair scores are mean cosine similarities over all clip pairs, computed exactly as the dot product of the
 * mean unit vectors: score(A -> B) = mean over a in A, b in B of cos(reversed_a, forward_b). Only classes
 * with at least `minClips` embedded clips take part.
 * @example
 * const stats = newClassStats();
 * for (const clip of clips) addClassClip(stats, clip);
 * const table = classRows(stats);
 */
export function classRows(stats: ClassStats, options: { minClips?: number; share?: number } = {}): ClassRow[] {
  const minClips = options.minClips ?? CLASS_MIN_CLIPS;
  const share = options.share ?? CLASS_VERDICT_SHARE;
  const groups = [...stats.groups.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const embedded = groups.filter((g) => g.fwd && g.rev && g.nEmbedded >= minClips);
  // Nearest other class of each embedded class (reversed A against forward B), and A against itself.
  const near = new Map<Group, { self: number; nearest: Group | null; score: number | null }>();
  for (const g of embedded) {
    let nearest: Group | null = null;
    let score: number | null = null;
    for (const b of embedded) {
      if (b === g) continue;
      const s = dot(g.rev!, b.fwd!, g.nEmbedded, b.nEmbedded);
      if (score === null || s > score) {
        score = s;
        nearest = b;
      }
    }
    near.set(g, { self: dot(g.rev!, g.fwd!, g.nEmbedded, g.nEmbedded), nearest, score });
  }
  const beatsSelf = (g: Group): boolean => {
    const n = near.get(g);
    return !!n && n.score !== null && n.score > n.self;
  };
  return groups.map((g) => {
    const scored = g.counts.invariant + g.counts.equivariant + g.counts.irreversible;
    const top = (['invariant', 'equivariant', 'irreversible'] as const).reduce((a, b) =>
      g.counts[b] > g.counts[a] ? b : a,
    );
    const topShare = scored ? g.counts[top] / scored : null;
    const status: ClassStatus =
      scored === 0 ? 'unscored' : scored < minClips ? 'too_few' : topShare! >= share ? 'consistent' : 'inconsistent';
    const classVerdict = status === 'consistent' ? top : null;
    const pf = g.pForward;
    const nn = near.get(g);
    const self = nn?.self ?? null;
    const nearest = nn?.nearest ?? null;
    const nearestScore = nn?.score ?? null;
    // A pair is mutual: reversed A looks most like B and more than like A, and the same from B's side.
    const pairFound = nn
      ? nearest !== null && beatsSelf(g) && beatsSelf(nearest) && near.get(nearest)?.nearest === g
      : null;
    const prior = g.prior;
    const counterpart = prior?.counterpart ?? null;
    return {
      label: g.key,
      n: g.n,
      n_scored: scored,
      n_invariant: g.counts.invariant,
      n_equivariant: g.counts.equivariant,
      n_irreversible: g.counts.irreversible,
      share_invariant: scored ? round(g.counts.invariant / scored) : null,
      share_equivariant: scored ? round(g.counts.equivariant / scored) : null,
      share_irreversible: scored ? round(g.counts.irreversible / scored) : null,
      p_forward_mean: pf.length ? round(pf.reduce((a, b) => a + b, 0) / pf.length) : null,
      p_forward_median: round(median(pf)),
      class_verdict: classVerdict,
      class_share: round(topShare),
      status,
      taxonomy_class: prior?.name ?? null,
      taxonomy_verdict: prior?.verdict ?? null,
      taxonomy_counterpart: counterpart,
      taxonomy_agrees: classVerdict && prior ? classVerdict === prior.verdict : null,
      self_score: round(self),
      nearest_class: nearest?.key ?? null,
      nearest_score: round(nearestScore),
      pair_found: nearest ? pairFound : null,
      pair_agrees_taxonomy: nearest && counterpart ? nearest.key === counterpart : null,
    };
  });
}

/** What decisions.json says about the classes: counts, the inconsistent ones and the pairs found. */
export function classSummary(rows: readonly ClassRow[]): {
  classes: number;
  by_status: Record<ClassStatus, number>;
  inconsistent: string[];
  taxonomy_disagrees: string[];
  pairs_found: Array<{
    class: string;
    reversed_looks_like: string;
    score: number;
    self_score: number;
    taxonomy_agrees: boolean | null;
  }>;
} {
  const by: Record<ClassStatus, number> = { consistent: 0, inconsistent: 0, too_few: 0, unscored: 0 };
  for (const r of rows) by[r.status]++;
  return {
    classes: rows.length,
    by_status: by,
    inconsistent: rows.filter((r) => r.status === 'inconsistent').map((r) => r.label),
    taxonomy_disagrees: rows.filter((r) => r.taxonomy_agrees === false).map((r) => r.label),
    pairs_found: rows
      .filter((r) => r.pair_found)
      .map((r) => ({
        class: r.label,
        reversed_looks_like: r.nearest_class!,
        score: r.nearest_score!,
        self_score: r.self_score!,
        taxonomy_agrees: r.pair_agrees_taxonomy,
      })),
  };
}
