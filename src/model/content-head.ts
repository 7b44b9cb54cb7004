// The content head: a verdict from what is in the picture and from whole-clip statistics of the cue series, by
// gradient-boosted trees (models/train_content.py), averaged with the network's verdict. Every input is unchanged
// when the clip is reversed, so the head's verdict is too, like the network's. `audit scan --content` runs it.

import { COCO_CLASSES } from '../content/coco.js';
import { CUE_COLUMNS } from '../cues/index.js';
import type { CueSeries } from '../cues/series.js';
import { expected, ModelError } from '../errors.js';
import { COLUMNS_HASH, VERDICTS } from './features.js';
import { columnBlocks, readHeadFile, walk, type Tree } from './tree-heads.js';

export type { Tree } from './tree-heads.js';

/** The statistics of each cue column, in the order of {@link seriesStats}'s output blocks. */
export const SERIES_STATS = Object.freeze([
  'mean (its size for odd columns)',
  'standard deviation',
  'median size',
  '90th percentile of the size',
  'mean size of the increments',
  'lag-1 autocorrelation',
  'size of the linear trend over the standard deviation',
] as const);

/** numpy.quantile's default (linear) on a sorted array. */
function quantileSorted(a: Float64Array, q: number): number {
  const pos = q * (a.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, a.length - 1);
  return a[lo] + (pos - lo) * (a[hi] - a[lo]);
}

/** The {@link SERIES_STATS} of one column's values (non-finite already zeroed); `odd`: negated by reversal. */
function columnStats(x: Float64Array, odd: boolean): number[] {
  const n = x.length;
  let m = 0;
  for (const v of x) m += v;
  m /= n;
  let ss = 0;
  for (const v of x) ss += (v - m) * (v - m);
  const std = Math.sqrt(ss / n);
  const sd = std + 1e-9;
  const size = Float64Array.from(x, Math.abs).sort();
  let inc = 0;
  let lag = 0;
  for (let i = 1; i < n; i++) {
    inc += Math.abs(x[i] - x[i - 1]);
    lag += (x[i] - m) * (x[i - 1] - m);
  }
  let trend = 0;
  for (let i = 0; i < n; i++) trend += (-1 + (2 * i) / (n - 1)) * x[i];
  const stats = [
    odd ? Math.abs(m) : m,
    std,
    quantileSorted(size, 0.5),
    quantileSorted(size, 0.9),
    inc / (n - 1),
    lag / (n - 1) / (sd * sd),
    Math.abs(trend / n) / sd,
  ];
  return stats.map((v) => (Number.isFinite(v) ? v : 0));
}

/**
 * Whole-clip statistics of a cue series, each unchanged when the clip is reversed: for every statistic of
 * {@link SERIES_STATS} a block of one value per column (registry order). A series of fewer than 3 rows gives zeros.
 */
export function seriesStats(series: CueSeries): Float64Array {
  return columnBlocks(series, SERIES_STATS.length, columnStats);
}

/** The file models/train_content.py writes: trees, calibration and what the features must be. */
export interface ContentHeadFile {
  name: string;
  version: string;
  detector: string;
  columns_hash: string;
  features: number;
  classes: string[];
  /** Each model: per-class baseline logits and, per boosting round, one tree per class. Probabilities are averaged over models. */
  models: { baseline: number[]; rounds: Tree[][] }[];
  /** Share of the head in the average with the network's verdict (1 - weight is the network's). */
  weight: number;
  /** The head's own probabilities q become q^(1/Th), renormalised, before they are averaged (fitted on the real validation split). */
  head_temperature: number;
  /** The averaged probabilities p become p^(1/T), renormalised (fitted on the real validation split). */
  temperature: number;
}

export interface ContentHead extends ContentHeadFile {
  path: string;
}

/** The head's own verdict probabilities (order of VERDICTS) for one clip's features (series stats, then class scores). */
export function headProbabilities(head: ContentHeadFile, x: ArrayLike<number>): number[] {
  if (x.length !== head.features)
    throw new ModelError('input_contract', expected(`${head.features} features`, 'content head input', x.length));
  const K = head.classes.length;
  const mean = new Array<number>(K).fill(0);
  for (const m of head.models) {
    const logit = m.baseline.slice();
    for (const round of m.rounds) for (let k = 0; k < K; k++) logit[k] += walk(round[k], x);
    const top = Math.max(...logit);
    const e = logit.map((l) => Math.exp(l - top));
    const sum = e.reduce((a, b) => a + b, 0);
    for (let k = 0; k < K; k++) mean[k] += e[k] / sum / head.models.length;
  }
  return mean;
}

/** p^(1/T), renormalised: T above 1 softens a probability vector, below 1 sharpens it. */
function temper(p: readonly number[], temperature: number): number[] {
  const q = p.map((x) => x ** (1 / temperature));
  const sum = q.reduce((a, b) => a + b, 0);
  return q.map((x) => x / sum);
}

/** The head's own verdict as it enters the average: its probabilities ({@link headProbabilities}) tempered. */
export function headVerdict(head: ContentHeadFile, own: readonly number[]): number[] {
  return temper(own, head.head_temperature);
}

/** The head's verdict ({@link headVerdict}) of one clip: its cue series and the 80 class scores of its frame. */
export function contentVerdict(head: ContentHeadFile, series: CueSeries, scores: readonly number[]): number[] {
  return headVerdict(head, headProbabilities(head, [...seriesStats(series), ...scores]));
}

/**
 * The verdict of the network and the head together: the weighted mean of the network's probabilities and the head's
 * verdict ({@link headVerdict}, already tempered), tempered by the file's temperature.
 */
export function mixVerdict(head: ContentHeadFile, network: readonly number[], verdict: readonly number[]): number[] {
  return temper(
    network.map((p, k) => (1 - head.weight) * p + head.weight * verdict[k]),
    head.temperature,
  );
}

/** The content-head file shipped beside the network (trained by `npm run train:content`). */
export const DEFAULT_CONTENT_HEAD = new URL('../../models/reversal-content-v1.json', import.meta.url);

/** Reads and checks a content-head file: its classes, its cue columns and its feature count must be this tool's. */
export async function loadContentHead(path: string, detector: string): Promise<ContentHead> {
  const head = await readHeadFile<ContentHeadFile>(path, 'Content head');
  const want = SERIES_STATS.length * CUE_COLUMNS.length + COCO_CLASSES.length;
  const problem =
    head.classes?.join() !== VERDICTS.join()
      ? `its classes are ${JSON.stringify(head.classes)}, not ${VERDICTS.join(', ')}`
      : head.columns_hash !== COLUMNS_HASH
        ? 'it was trained on other cue columns'
        : head.detector !== detector
          ? `it was trained on scores of ${head.detector}, not ${detector}`
          : head.features !== want ||
              !Array.isArray(head.models) ||
              !(head.temperature > 0) ||
              !(head.head_temperature > 0)
            ? `it is not a content head of ${want} features written by models/train_content.py`
            : null;
  if (problem)
    throw new ModelError(
      'input_contract',
      `Content head ${path} does not fit this tool: ${problem}. Retrain it with \`npm run train:content\``,
      { path },
    );
  return { ...head, path };
}
