// What the two tree heads (model/content-head.ts, model/arrow-head.ts) share: per-column statistics of a cue series,
// the walk of a regression tree exported by scikit-learn (models/train_content.py export_trees), and reading a head file.

import { readFile } from 'node:fs/promises';
import { CUE_COLUMNS } from '../cues/index.js';
import type { CueSeries } from '../cues/series.js';
import { expected, ModelError } from '../errors.js';
import { ODD_MASK } from './features.js';

/**
 * Per-column statistics of a cue series, one block per statistic: `out[k * F + f]` is statistic k of column f, as
 * `stats` gives it for the column's values (non-finite values zeroed) and whether the column is odd (negated by
 * reversal). A series of fewer than 3 rows gives zeros.
 * @throws ModelError when the series does not have this tool's cue columns.
 */
export function columnBlocks(
  series: CueSeries,
  count: number,
  stats: (x: Float64Array, odd: boolean) => number[],
): Float64Array {
  const F = series.columns;
  if (F !== CUE_COLUMNS.length)
    throw new ModelError('input_contract', expected(`${CUE_COLUMNS.length} cue columns`, 'series', F));
  const out = new Float64Array(count * F);
  const T = series.frames;
  if (T < 3) return out;
  const col = new Float64Array(T);
  for (let f = 0; f < F; f++) {
    for (let t = 0; t < T; t++) {
      const v = series.data[t * F + f];
      col[t] = Number.isFinite(v) ? v : 0;
    }
    stats(col, ODD_MASK[f] === 1).forEach((v, k) => {
      out[k * F + f] = v;
    });
  }
  return out;
}

/** One regression tree of the ensemble, as parallel arrays over its nodes (node 0 is the root). */
export interface Tree {
  /** Split feature per node (-1 for a leaf). */
  feature: number[];
  /** Go left when the value is <= threshold. */
  threshold: number[];
  left: number[];
  right: number[];
  /** Leaf value (raw score added to the class's logit). */
  value: number[];
  /** 1 when a missing (NaN) value goes left. */
  missing_left: number[];
}

/** The raw score of one tree for one feature vector. */
export function walk(tree: Tree, x: ArrayLike<number>): number {
  let node = 0;
  while (tree.feature[node] >= 0) {
    const v = x[tree.feature[node]];
    const left = Number.isNaN(v) ? tree.missing_left[node] === 1 : v <= tree.threshold[node];
    node = left ? tree.left[node] : tree.right[node];
  }
  return tree.value[node];
}

/** A head file's JSON, or ModelError 'model_unreadable' naming it (`kind`: "Content head", "Arrow head"). */
export async function readHeadFile<T>(path: string, kind: string): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (err) {
    throw new ModelError('model_unreadable', `${kind} ${path} could not be read: ${(err as Error).message}`, { path });
  }
}
