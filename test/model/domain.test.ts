import { describe, expect, it } from 'vitest';
import { checkDomainReference, domainDistance, fitDomainReference, inDomainScore } from '../../src/model/domain.js';
import { rng } from '../../src/util/random.js';

/** Standard normal draws (Box-Muller) from a seeded generator. */
function normal(seed: number): () => number {
  const u = rng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Points x = A z with z standard normal: covariance A Aᵀ. */
function draws(n: number, A: number[][], seed: number): number[][] {
  const g = normal(seed);
  return Array.from({ length: n }, () => {
    const z = A[0].map(() => g());
    return A.map((row) => row.reduce((s, a, k) => s + a * z[k], 0));
  });
}

describe('domain reference', () => {
  it('is the Mahalanobis distance of the fitted mean and covariance (2-D, no shrinkage, against the closed-form inverse)', () => {
    const fit = draws(
      500,
      [
        [2, 0],
        [1.5, 0.5],
      ],
      1,
    ).map(([x, y]) => [x + 3, y - 1]);
    const ref = fitDomainReference(fit, fit.slice(0, 10), { shrinkage: 0 });
    const n = fit.length;
    const mx = fit.reduce((s, p) => s + p[0], 0) / n;
    const my = fit.reduce((s, p) => s + p[1], 0) / n;
    const sxx = fit.reduce((s, p) => s + (p[0] - mx) ** 2, 0) / (n - 1);
    const syy = fit.reduce((s, p) => s + (p[1] - my) ** 2, 0) / (n - 1);
    const sxy = fit.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0) / (n - 1);
    const det = sxx * syy - sxy * sxy;
    for (const [x, y] of [
      [3, -1],
      [5, 0],
      [0, 2],
      [-4, -7],
    ] as const) {
      const dx = x - mx;
      const dy = y - my;
      const m2 = (syy * dx * dx - 2 * sxy * dx * dy + sxx * dy * dy) / det;
      expect(domainDistance(ref, [x, y])).toBeCloseTo(Math.sqrt(m2 / 2), 9);
    }
  });

  it('flags about the threshold share of clips drawn like the held-out ones, and every clip far outside', () => {
    const A = [
      [1, 0, 0, 0],
      [0.8, 0.6, 0, 0],
      [0, 0, 3, 0],
      [0.2, 0, 0.1, 0.05],
    ];
    const ref = fitDomainReference(draws(3000, A, 2), draws(1000, A, 3));
    expect(ref.calibration_clips).toBe(1000);
    const fresh = draws(4000, A, 4).map((x) => inDomainScore(ref, domainDistance(ref, x)));
    const flagged = fresh.filter((p) => p < ref.threshold).length / fresh.length;
    expect(flagged).toBeGreaterThan(0.003);
    expect(flagged).toBeLessThan(0.025);
    // uniform p-values: about half below 0.5
    expect(fresh.filter((p) => p < 0.5).length / fresh.length).toBeCloseTo(0.5, 1);
    // along the 4th dimension, which barely varies in the fitted clips: far out though no coordinate is large
    expect(inDomainScore(ref, domainDistance(ref, [0, 0, 0, 4]))).toBe(1 / 1001);
    expect(inDomainScore(ref, domainDistance(ref, [0, 0, 4, 0]))).toBeGreaterThan(0.05);
    expect(inDomainScore(ref, domainDistance(ref, [0, 0, 0, 0]))).toBeGreaterThan(0.9);
  });

  it('with few held-out clips, still flags a clip further out than all of them', () => {
    const A = [
      [1, 0],
      [0, 1],
    ];
    const ref = fitDomainReference(draws(200, A, 7), draws(20, A, 8));
    expect(ref.threshold).toBeCloseTo(1.5 / 21, 12);
    expect(inDomainScore(ref, domainDistance(ref, [40, 40]))).toBeLessThan(ref.threshold);
    expect(fitDomainReference(draws(200, A, 7), draws(500, A, 8)).threshold).toBe(0.01);
  });

  it('counts the held-out distances at least as far (conformal p-value)', () => {
    const ref = { ...fitDomainReference([[0], [1], [2]], [[1]]), calibration: [1, 2, 2, 3] };
    expect(inDomainScore(ref, 0.5)).toBe(1);
    expect(inDomainScore(ref, 2)).toBe(4 / 5);
    expect(inDomainScore(ref, 2.5)).toBe(2 / 5);
    expect(inDomainScore(ref, 9)).toBe(1 / 5);
  });

  it('refuses what it cannot fit or read, saying what is wrong', () => {
    expect(() => fitDomainReference([[1, 2]], [[1, 2]])).toThrow(/at least 2 clips/);
    expect(() =>
      fitDomainReference(
        [
          [1, 2],
          [2, 3],
        ],
        [],
      ),
    ).toThrow(/held-out/);
    expect(() =>
      fitDomainReference(
        [
          [1, 2],
          [2, 3, 4],
        ],
        [[1, 2]],
      ),
    ).toThrow(/embeddings of 3 and 2/);
    const ref = fitDomainReference(
      draws(
        50,
        [
          [1, 0],
          [0, 1],
        ],
        5,
      ),
      draws(
        20,
        [
          [1, 0],
          [0, 1],
        ],
        6,
      ),
    );
    expect(() => domainDistance(ref, [1, 2, 3])).toThrow(/expected an embedding of 2 values, got 3/);
    expect(checkDomainReference(JSON.parse(JSON.stringify(ref)), 'm.card.json')).toEqual(ref);
    expect(() => checkDomainReference({ ...ref, mean: [1] }, 'm.card.json')).toThrow(
      /m\.card\.json: domain reference mean has 1 values, expected 2/,
    );
    expect(() => checkDomainReference({ ...ref, calibration: [2, 1] }, 'm')).toThrow(/not ascending/);
    expect(() => checkDomainReference({ ...ref, threshold: 0 }, 'm')).toThrow(/threshold/);
  });
});
