// The arrow head: the arrow of time (p_forward) from time-asymmetry statistics of a clip's cue series, by
// gradient-boosted trees trained on real footage, every clip as filmed (forwards) against its mirror (backwards)
// (models/train_arrow.py). It is antisymmetric by construction: the trees score the clip and its mirror, and
// p_forward is the sigmoid of the difference, so reversing a clip gives exactly 1 - p_forward.

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CUE_COLUMNS } from '../cues/index.js';
import { mirrorSeries, type CueSeries } from '../cues/series.js';
import { expected, ModelError } from '../errors.js';
import { COLUMNS_HASH } from './features.js';
import { columnBlocks, readHeadFile, walk, type Tree } from './tree-heads.js';

/** The statistics of each cue column, in the order of {@link asymmetryStats}'s output blocks. */
export const ASYMMETRY_STATS = Object.freeze([
  'trend (mean of the values weighted by a ramp from -1 at the start to 1 at the end) over the standard deviation',
  'mean of the first third minus mean of the last third, over the standard deviation',
  'skewness of the increments',
  'mean over the standard deviation (odd columns; 0 for even ones)',
] as const);

/** The {@link ASYMMETRY_STATS} of one column's values (non-finite already zeroed); `odd`: negated by reversal. */
function columnAsymmetry(x: Float64Array, odd: boolean): number[] {
  const n = x.length;
  let m = 0;
  for (const v of x) m += v;
  m /= n;
  let ss = 0;
  let ramp = 0;
  for (let i = 0; i < n; i++) {
    ss += (x[i] - m) * (x[i] - m);
    ramp += (-1 + (2 * i) / (n - 1)) * x[i];
  }
  const sd = Math.sqrt(ss / n) + 1e-6;
  const third = Math.max(1, Math.floor(n / 3));
  let head = 0;
  let tail = 0;
  for (let i = 0; i < third; i++) {
    head += x[i];
    tail += x[n - third + i];
  }
  let dm = 0;
  for (let i = 1; i < n; i++) dm += x[i] - x[i - 1];
  dm /= n - 1;
  let d2 = 0;
  let d3 = 0;
  for (let i = 1; i < n; i++) {
    const e = x[i] - x[i - 1] - dm;
    d2 += e * e;
    d3 += e * e * e;
  }
  const dsd = Math.sqrt(d2 / (n - 1)) + 1e-9;
  const stats = [ramp / n / sd, (head - tail) / third / sd, d3 / (n - 1) / dsd ** 3, odd ? m / sd : 0];
  return stats.map((v) => (Number.isFinite(v) ? v : 0));
}

/**
 * Time-asymmetry statistics of a cue series: for every statistic of {@link ASYMMETRY_STATS} a block of one value per
 * column (registry order). Unlike the content head's statistics these change when the clip is reversed; the head
 * compares them with those of the mirrored series. A series of fewer than 3 rows gives zeros.
 */
export function asymmetryStats(series: CueSeries): Float64Array {
  return columnBlocks(series, ASYMMETRY_STATS.length, columnAsymmetry);
}

/** The file models/train_arrow.py writes: trees, calibration and what the features must be. */
export interface ArrowHeadFile {
  name: string;
  version: string;
  columns_hash: string;
  features: number;
  /** Each model: its baseline logit and one tree per boosting round; the score differences are averaged over models. */
  models: { baseline: number[]; rounds: Tree[][] }[];
  /** p_forward = sigmoid(score difference / temperature), the temperature fitted on the real validation split. */
  temperature: number;
}

export interface ArrowHead extends ArrowHeadFile {
  path: string;
}

/** The trees' raw score (log-odds of "plays forwards") of one feature vector, averaged over the models. */
export function arrowScore(head: ArrowHeadFile, x: ArrayLike<number>): number {
  if (x.length !== head.features)
    throw new ModelError('input_contract', expected(`${head.features} features`, 'arrow head input', x.length));
  let sum = 0;
  for (const m of head.models) {
    let s = m.baseline[0];
    for (const round of m.rounds) s += walk(round[0], x);
    sum += s;
  }
  return sum / head.models.length;
}

/**
 * The arrow of one clip: `logit` = (score of the clip - score of its mirror) / temperature, and p_forward its sigmoid.
 * The mirrored clip gets -logit and 1 - p_forward, exactly.
 */
export function headArrow(head: ArrowHeadFile, series: CueSeries): { logit: number; p_forward: number } {
  const diff = arrowScore(head, asymmetryStats(series)) - arrowScore(head, asymmetryStats(mirrorSeries(series)));
  const logit = diff / head.temperature;
  return { logit, p_forward: 1 / (1 + Math.exp(-logit)) };
}

/** The arrow-head file shipped beside the network (trained by `npm run train:arrow`). */
export const DEFAULT_ARROW_HEAD = new URL('../../models/reversal-arrow-v1.json', import.meta.url);

/** Reads and checks an arrow-head file: its cue columns and its feature count must be this tool's. */
export async function loadArrowHead(path: string): Promise<ArrowHead> {
  const head = await readHeadFile<ArrowHeadFile>(path, 'Arrow head');
  const want = ASYMMETRY_STATS.length * CUE_COLUMNS.length;
  const problem =
    head.columns_hash !== COLUMNS_HASH
      ? 'it was trained on other cue columns'
      : head.features !== want || !Array.isArray(head.models) || head.models.length === 0 || !(head.temperature > 0)
        ? `it is not an arrow head of ${want} features written by models/train_arrow.py`
        : null;
  if (problem)
    throw new ModelError(
      'input_contract',
      `Arrow head ${path} does not fit this tool: ${problem}. Retrain it with \`npm run train:arrow\``,
      { path },
    );
  return { ...head, path };
}

/**
 * The arrow head a run uses. `option` is a file, 'none' (the model's own arrow), or unset: then the shipped head
 * beside the shipped model (`shippedModel`), and none beside another model (an adapted one keeps its own arrow).
 */
export async function chooseArrowHead(
  option: string | undefined,
  model: string,
  shippedModel: string,
): Promise<ArrowHead | null> {
  if (option === 'none') return null;
  if (option !== undefined) return loadArrowHead(resolve(option));
  return resolve(model) === resolve(shippedModel) ? loadArrowHead(fileURLToPath(DEFAULT_ARROW_HEAD)) : null;
}
