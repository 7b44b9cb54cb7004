// The arrow head (p_forward from time-asymmetry statistics): the statistics against numpy's definitions, the exact
// antisymmetry under reversal, the file checks, and the shipped head against scikit-learn's scores.

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CUE_COLUMNS } from '../../src/cues/index.js';
import { mirrorSeries } from '../../src/cues/series.js';
import {
  ASYMMETRY_STATS,
  DEFAULT_ARROW_HEAD,
  arrowScore,
  asymmetryStats,
  headArrow,
  loadArrowHead,
  type ArrowHeadFile,
} from '../../src/model/arrow-head.js';
import type { Tree } from '../../src/model/tree-heads.js';
import { COLUMNS_HASH, ODD_MASK } from '../../src/model/features.js';
import { randomSeries } from './helpers.js';

const F = CUE_COLUMNS.length;
const FEATURES = ASYMMETRY_STATS.length * F;

/** A series of `values.length` rows, zero but for one column. */
function oneColumn(column: number, values: number[]) {
  const data = new Float32Array(values.length * F);
  values.forEach((v, t) => {
    data[t * F + column] = v;
  });
  return { frames: values.length, columns: F, data };
}

describe('asymmetryStats', () => {
  const even = ODD_MASK.indexOf(0);
  const odd = ODD_MASK.indexOf(1);

  it('gives numpy’s values for a column 1, 2, 3, 4 (even and odd)', () => {
    const sd = Math.sqrt(1.25) + 1e-6;
    // mean(linspace(-1, 1, 4) * x) / sd, (mean of first third - mean of last third) / sd, skew of diff, mean / sd (odd)
    const s = asymmetryStats(oneColumn(even, [1, 2, 3, 4]));
    expect(ASYMMETRY_STATS.map((_, k) => s[k * F + even])).toEqual(
      [0.8333333333 / sd, -3 / sd, 0, 0].map((v) => expect.closeTo(v, 8)),
    );
    const o = asymmetryStats(oneColumn(odd, [1, 2, 3, 4]));
    expect(o[3 * F + odd]).toBeCloseTo(2.5 / sd, 8);
  });

  it('skewness of the increments: 0, 0, 0, 3 has increments 0, 0, 3 (skew 1/sqrt(2))', () => {
    const s = asymmetryStats(oneColumn(even, [0, 0, 0, 3]));
    expect(s[2 * F + even]).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('zeros for fewer than 3 rows; finite for a constant or non-finite column; refuses other columns', () => {
    expect(asymmetryStats(oneColumn(even, [1, 2])).every((v) => v === 0)).toBe(true);
    expect(
      asymmetryStats(oneColumn(even, [5, 5, 5, Number.NaN, Number.POSITIVE_INFINITY])).every(Number.isFinite),
    ).toBe(true);
    expect(() => asymmetryStats({ frames: 5, columns: 3, data: new Float32Array(15) })).toThrow(
      /148 cue columns|columns/,
    );
  });
});

/** A stump on feature k (threshold 0, NaN goes right): +1 when the feature is <= 0, else -1. */
function stump(k: number): Tree[] {
  return [
    {
      feature: [k, -1, -1],
      threshold: [0, 0, 0],
      left: [1, 0, 0],
      right: [2, 0, 0],
      value: [0, 1, -1],
      missing_left: [0, 0, 0],
    },
  ];
}

function head(over: Partial<ArrowHeadFile> = {}): ArrowHeadFile {
  return {
    name: 'test-arrow',
    version: '0',
    columns_hash: COLUMNS_HASH,
    features: FEATURES,
    // Trend of an even column (block 0) and its onset minus decay: both change sign when the clip is reversed.
    models: [{ baseline: [0.3], rounds: [stump(ODD_MASK.indexOf(0)), stump(F + ODD_MASK.indexOf(0))] }],
    temperature: 2,
    ...over,
  };
}

describe('headArrow', () => {
  it('is exactly antisymmetric: the mirrored clip gets -logit and 1 - p_forward', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const s = randomSeries(40, seed);
      const a = headArrow(head(), s);
      const b = headArrow(head(), mirrorSeries(s));
      expect(b.logit).toBeCloseTo(-a.logit, 12);
      expect(b.p_forward).toBeCloseTo(1 - a.p_forward, 12);
    }
  });

  it('p_forward is the sigmoid of (score - mirrored score) / T, the score averaged over the models', () => {
    const rising = oneColumn(ODD_MASK.indexOf(0), [0, 1, 2, 3, 4, 5]);
    // Rising: trend > 0 (-1) and onset minus decay < 0 (+1): 0.3; mirrored: +1 and -1: 0.3 too -> 0.5.
    expect(headArrow(head(), rising).p_forward).toBeCloseTo(0.5, 12);
    const one = head({ models: [{ baseline: [0], rounds: [stump(ODD_MASK.indexOf(0))] }] });
    // Score -1 against +1: logit -2 / T 2 = -1.
    expect(headArrow(one, rising).logit).toBeCloseTo(-1, 12);
    expect(headArrow(one, rising).p_forward).toBeCloseTo(1 / (1 + Math.E), 12);
    const two = head({ models: [one.models[0], { baseline: [1], rounds: [] }] });
    expect(arrowScore(two, asymmetryStats(rising))).toBeCloseTo(0, 12);
    expect(() => arrowScore(two, new Float64Array(5))).toThrow(/features/);
  });
});

describe('loadArrowHead', () => {
  it('refuses other cue columns, another size, no models, a bad temperature or unreadable JSON, naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'arrow-head-'));
    try {
      const cases: [Partial<ArrowHeadFile> | string, RegExp][] = [
        [{ columns_hash: 'abc' }, /other cue columns/],
        [{ features: 12 }, /not an arrow head/],
        [{ models: [] }, /not an arrow head/],
        [{ temperature: 0 }, /not an arrow head/],
        ['{not json', /could not be read/],
      ];
      for (const [i, [over, message]] of cases.entries()) {
        const path = join(dir, `h${i}.json`);
        await writeFile(path, typeof over === 'string' ? over : JSON.stringify(head(over)));
        await expect(loadArrowHead(path)).rejects.toThrow(message);
        await expect(loadArrowHead(path)).rejects.toThrow(path);
      }
      const ok = join(dir, 'ok.json');
      await writeFile(ok, JSON.stringify(head()));
      expect((await loadArrowHead(ok)).name).toBe('test-arrow');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const SHIPPED = fileURLToPath(DEFAULT_ARROW_HEAD);
const PARITY = SHIPPED.replace(/\.json$/, '.parity.json');

describe('the shipped arrow head', () => {
  it('exists with its parity file', () => {
    expect(existsSync(SHIPPED)).toBe(true);
    expect(existsSync(PARITY)).toBe(true);
  });

  it('gives scikit-learn’s scores on the parity rows, as filmed and mirrored', async () => {
    const shipped = await loadArrowHead(SHIPPED);
    const parity = JSON.parse(await readFile(PARITY, 'utf8')) as {
      rows: { forward: number[]; mirrored: number[]; score_forward: number; score_mirrored: number }[];
    };
    expect(parity.rows.length).toBeGreaterThan(0);
    for (const row of parity.rows) {
      expect(arrowScore(shipped, row.forward)).toBeCloseTo(row.score_forward, 5);
      expect(arrowScore(shipped, row.mirrored)).toBeCloseTo(row.score_mirrored, 5);
    }
  });
});
