// Pure evaluation metrics for `audit eval`: confusion, per-class F1, accuracy, arrow of time and calibration.

import { expected, UsageError } from '../errors.js';

/** Precision, recall and F1 of one class; null where the class has neither true nor predicted rows. */
export interface ClassScores {
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** True rows of the class. */
  support: number;
  /** Rows predicted as the class. */
  predicted: number;
}

function checkLabels(values: readonly number[], k: number, name: string): void {
  values.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v >= k)
      throw new UsageError(expected(`a class index 0..${k - 1}`, `${name}[${i}]`, v));
  });
}

/**
 * Confusion matrix of class indices 0..k-1: `m[t][p]` counts rows of true class t predicted as p
 * (rows true, columns predicted, as in the model card).
 * @example
 * confusionMatrix([0, 1, 1], [0, 1, 0], 2); // [[1, 0], [1, 1]]
 */
export function confusionMatrix(truth: readonly number[], pred: readonly number[], k: number): number[][] {
  if (truth.length !== pred.length)
    throw new UsageError(expected(`${truth.length} predictions (one per true label)`, 'predictions', pred.length));
  checkLabels(truth, k, 'truth');
  checkLabels(pred, k, 'pred');
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  truth.forEach((t, i) => {
    m[t][pred[i]] += 1;
  });
  return m;
}

/**
 * Per-class scores from a confusion matrix, with scikit-learn's conventions (zero_division=0): an
 * undefined precision (nothing predicted as the class) or recall (no true rows) counts as 0, so a class
 * that is only missed or only wrongly predicted scores F1 0. A class absent from both truth and
 * predictions has no score at all (null): nothing was asked of the model there.
 */
export function classScores(m: readonly (readonly number[])[]): ClassScores[] {
  return m.map((row, c) => {
    const tp = row[c];
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = m.reduce((a, r) => a + r[c], 0);
    if (support === 0 && predicted === 0) return { precision: null, recall: null, f1: null, support, predicted };
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { precision, recall, f1, support, predicted };
  });
}

/**
 * Mean F1 over the classes that occur in the truth or the predictions (scikit-learn's default label set);
 * classes absent from both are left out rather than counted as 0. NaN when there are no rows.
 */
export function macroF1(scores: readonly ClassScores[]): number {
  const f1s = scores.map((s) => s.f1).filter((f): f is number => f !== null);
  return f1s.length === 0 ? Number.NaN : f1s.reduce((a, b) => a + b, 0) / f1s.length;
}

/** Share of the diagonal in a confusion matrix (NaN when empty). */
export function accuracy(m: readonly (readonly number[])[]): number {
  let right = 0;
  let all = 0;
  m.forEach((row, t) => {
    row.forEach((n, p) => {
      all += n;
      if (t === p) right += n;
    });
  });
  return all === 0 ? Number.NaN : right / all;
}

/** One clip's arrow-of-time outcome: p_forward of the clip as given and of its mirror (the reversed clip). */
export interface ArrowPair {
  /** p_forward of the clip as it plays in the corpus. */
  pForward: number;
  /** p_forward of its mirrored series (identical to analysing the clip played backwards). */
  pMirrored: number;
  /** True when the clip as given plays forwards (a corpus may hold clips already reversed). */
  forward: boolean;
}

/**
 * Arrow-of-time accuracy counting every clip twice, once as given and once mirrored: the forwards-playing
 * version should get p_forward > 0.5 and the backwards one < 0.5 (exactly 0.5 counts as wrong: no
 * decision). The result is (correct halves) / (2 x clips). For a model whose p_forward is antisymmetric
 * by construction (p(mirror) = 1 - p) both halves agree, and this equals the share of clips whose
 * forwards version has the larger p_forward. NaN when there are no clips.
 */
export function arrowAccuracy(pairs: readonly ArrowPair[]): number {
  if (pairs.length === 0) return Number.NaN;
  let right = 0;
  for (const { pForward, pMirrored, forward } of pairs) {
    const [pFwd, pBwd] = forward ? [pForward, pMirrored] : [pMirrored, pForward];
    if (pFwd > 0.5) right++;
    if (pBwd < 0.5) right++;
  }
  return right / (2 * pairs.length);
}

/** Mean |p - 0.5| (how decided the arrow is, whichever way); NaN when empty. */
export function meanAbsFromHalf(p: readonly number[]): number {
  return p.length === 0 ? Number.NaN : p.reduce((a, v) => a + Math.abs(v - 0.5), 0) / p.length;
}

/** One bin of {@link expectedCalibrationError}. */
export interface CalibrationBin {
  /** Bin edges on the confidence axis: [lo, hi) (the last bin includes 1). */
  lo: number;
  hi: number;
  n: number;
  /** Mean confidence of the rows in the bin (null when empty). */
  confidence: number | null;
  /** Share of them predicted right (null when empty). */
  accuracy: number | null;
}

/**
 * Expected calibration error over `bins` equal-width bins of the confidence (the winning class's
 * probability): sum over bins of (rows in bin / rows) x |accuracy in bin - mean confidence in bin|.
 * Bin b holds confidences in [b/bins, (b+1)/bins), the last one also 1. NaN when there are no rows.
 * @example
 * expectedCalibrationError([0.95, 0.95], [true, false]).ece; // 0.45
 */
export function expectedCalibrationError(
  confidence: readonly number[],
  correct: readonly boolean[],
  bins = 10,
): { ece: number; bins: CalibrationBin[] } {
  if (confidence.length !== correct.length)
    throw new UsageError(expected(`${confidence.length} outcomes (one per confidence)`, 'correct', correct.length));
  if (!Number.isInteger(bins) || bins < 1) throw new UsageError(expected('a positive integer', 'bins', bins));
  const n = new Array<number>(bins).fill(0);
  const conf = new Array<number>(bins).fill(0);
  const right = new Array<number>(bins).fill(0);
  confidence.forEach((c, i) => {
    if (!(c >= 0 && c <= 1)) throw new UsageError(expected('a probability in [0, 1]', `confidence[${i}]`, c));
    const b = Math.min(bins - 1, Math.floor(c * bins));
    n[b] += 1;
    conf[b] += c;
    right[b] += correct[i] ? 1 : 0;
  });
  const total = confidence.length;
  let ece = 0;
  const out: CalibrationBin[] = n.map((k, b) => {
    if (k === 0) return { lo: b / bins, hi: (b + 1) / bins, n: 0, confidence: null, accuracy: null };
    ece += (k / total) * Math.abs(right[b] / k - conf[b] / k);
    return { lo: b / bins, hi: (b + 1) / bins, n: k, confidence: conf[b] / k, accuracy: right[b] / k };
  });
  return { ece: total === 0 ? Number.NaN : ece, bins: out };
}
