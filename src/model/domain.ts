// Is a clip like the footage the model learned from? A Mahalanobis distance of the clip's mirror-invariant
// embedding from the training clips' embeddings, turned into a conformal p-value against held-out clips.
//
// The reference is fitted once per model (scripts/domain-reference.js, run by `npm run train`) and stored in the
// model card under `domain`: the training embeddings' mean and the Cholesky factor of their covariance (shrunk
// towards a scaled identity so it stays well conditioned), and the sorted distances of held-out clips that the
// model never trained on. A clip's `in_domain` is the share of those held-out clips at least as far from the
// training data as it is, (1 + #{held-out d >= d}) / (n + 1): for clips drawn like the held-out ones it is
// uniform, so a threshold of 0.01 flags about 1 in 100 of them and every clip further out than all of them.

import { ModelError } from '../errors.js';

/** `in_domain` below this marks a clip out of domain (further out than about 99 % of held-out training footage). */
export const IN_DOMAIN_THRESHOLD = 0.01;

/** The card's `domain` entry. */
export interface DomainReference {
  /** Embedding length. */
  dims: number;
  /** Mean of the training clips' embeddings. */
  mean: number[];
  /** Lower triangle of the Cholesky factor L of the shrunk covariance (S = L Lᵀ), packed row by row. */
  cholesky: number[];
  /** Weight of the scaled identity in the shrunk covariance. */
  shrinkage: number;
  /** Distances of the held-out clips, ascending. */
  calibration: number[];
  /** Clips the mean and covariance were fitted on, and how many held-out clips calibrate the score. */
  fit_clips: number;
  calibration_clips: number;
  threshold: number;
}

/** Root-mean-square Mahalanobis distance per dimension: sqrt(|L⁻¹(x - mean)|² / dims). */
export function domainDistance(ref: DomainReference, embedding: ArrayLike<number>): number {
  const E = ref.dims;
  if (embedding.length !== E)
    throw new ModelError(
      'input_contract',
      `domain reference: expected an embedding of ${E} values, got ${embedding.length}`,
    );
  const z = new Float64Array(E);
  let sum = 0;
  let at = 0;
  for (let i = 0; i < E; i++) {
    // forward substitution: row i of L is cholesky[at .. at + i]
    let v = embedding[i] - ref.mean[i];
    for (let j = 0; j < i; j++) v -= ref.cholesky[at + j] * z[j];
    z[i] = v / ref.cholesky[at + i];
    sum += z[i] * z[i];
    at += i + 1;
  }
  return Math.sqrt(sum / E);
}

/** Conformal p-value of a distance against the held-out distances: 1 when closer than all, 1/(n+1) when further. */
export function inDomainScore(ref: DomainReference, distance: number): number {
  const c = ref.calibration;
  // first index with c[k] >= distance (c ascending)
  let lo = 0;
  let hi = c.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (c[mid] < distance) lo = mid + 1;
    else hi = mid;
  }
  return (1 + c.length - lo) / (c.length + 1);
}

/** in_domain of an embedding, or null without a reference. */
export function inDomain(ref: DomainReference | null | undefined, embedding: ArrayLike<number>): number | null {
  return ref ? inDomainScore(ref, domainDistance(ref, embedding)) : null;
}

/**
 * Fits a reference: mean and shrunk covariance of `fit` embeddings, then the distances of `calibration` embeddings
 * (clips the model did not train on). `shrinkage` in [0, 1): S = (1 - a) C + a (tr C / dims) I.
 */
export function fitDomainReference(
  fit: ReadonlyArray<ArrayLike<number>>,
  calibration: ReadonlyArray<ArrayLike<number>>,
  options: { shrinkage?: number; threshold?: number } = {},
): DomainReference {
  const a = options.shrinkage ?? 0.05;
  if (fit.length < 2)
    throw new ModelError('input_contract', `domain reference: need at least 2 clips to fit, got ${fit.length}`);
  if (calibration.length < 1)
    throw new ModelError('input_contract', 'domain reference: need held-out clips to calibrate on');
  if (!(a >= 0 && a < 1)) throw new ModelError('bad_option', `domain reference: shrinkage must be in [0, 1), got ${a}`);
  const E = fit[0].length;
  const mean = new Float64Array(E);
  for (const x of fit) {
    if (x.length !== E)
      throw new ModelError('input_contract', `domain reference: embeddings of ${x.length} and ${E} values`);
    for (let i = 0; i < E; i++) mean[i] += x[i] / fit.length;
  }
  const cov = new Float64Array(E * E);
  const d = new Float64Array(E);
  for (const x of fit) {
    for (let i = 0; i < E; i++) d[i] = x[i] - mean[i];
    for (let i = 0; i < E; i++) for (let j = 0; j <= i; j++) cov[i * E + j] += (d[i] * d[j]) / (fit.length - 1);
  }
  let trace = 0;
  for (let i = 0; i < E; i++) trace += cov[i * E + i];
  const floor = trace > 0 ? trace / E : 1;
  for (let i = 0; i < E; i++) {
    for (let j = 0; j <= i; j++) cov[i * E + j] = (1 - a) * cov[i * E + j] + (i === j ? a * floor + 1e-12 : 0);
  }
  // Cholesky (lower), packed by rows
  const L = new Float64Array((E * (E + 1)) / 2);
  const row = (i: number) => (i * (i + 1)) / 2;
  for (let i = 0; i < E; i++) {
    for (let j = 0; j <= i; j++) {
      let s = cov[i * E + j];
      for (let k = 0; k < j; k++) s -= L[row(i) + k] * L[row(j) + k];
      if (i === j) {
        if (!(s > 0))
          throw new ModelError(
            'bad_model',
            `domain reference: covariance not positive definite at dimension ${i} (use shrinkage > 0)`,
          );
        L[row(i) + i] = Math.sqrt(s);
      } else L[row(i) + j] = s / L[row(j) + j];
    }
  }
  const ref: DomainReference = {
    dims: E,
    mean: Array.from(mean),
    cholesky: Array.from(L),
    shrinkage: a,
    calibration: [],
    fit_clips: fit.length,
    calibration_clips: calibration.length,
    // With fewer than 99 held-out clips no p-value can fall below 0.01: the threshold then flags a clip further out
    // than every held-out clip (p = 1 / (n + 1)), which happens to about 1 in n + 1 clips drawn like them.
    threshold: options.threshold ?? Math.max(IN_DOMAIN_THRESHOLD, 1.5 / (calibration.length + 1)),
  };
  ref.calibration = calibration.map((x) => domainDistance(ref, x)).sort((p, q) => p - q);
  return ref;
}

/** Checks a card's `domain` entry; throws naming what is wrong. */
export function checkDomainReference(value: unknown, where: string): DomainReference {
  const r = value as DomainReference;
  const bad = (what: string) => new ModelError('bad_model', `${where}: domain reference ${what}`);
  if (!r || typeof r !== 'object') throw bad('is not an object');
  if (!Number.isInteger(r.dims) || r.dims < 1) throw bad(`dims ${String(r.dims)} is not a positive integer`);
  if (!Array.isArray(r.mean) || r.mean.length !== r.dims)
    throw bad(`mean has ${r.mean?.length} values, expected ${r.dims}`);
  if (!Array.isArray(r.cholesky) || r.cholesky.length !== (r.dims * (r.dims + 1)) / 2)
    throw bad(`cholesky has ${r.cholesky?.length} values, expected ${(r.dims * (r.dims + 1)) / 2}`);
  if (!Array.isArray(r.calibration) || r.calibration.length === 0) throw bad('has no calibration distances');
  for (let k = 1; k < r.calibration.length; k++)
    if (!(r.calibration[k] >= r.calibration[k - 1])) throw bad('calibration distances are not ascending');
  if (!(typeof r.threshold === 'number' && r.threshold > 0 && r.threshold < 1))
    throw bad(`threshold ${String(r.threshold)} is not in (0, 1)`);
  return r;
}
