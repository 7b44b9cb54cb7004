// The content head (scan --content): whole-clip series statistics against numpy's definitions and unchanged by
// reversal, the tree walk, the average with the network, the file checks, and the shipped head against scikit-learn.

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DETECTOR_ID } from '../../src/content/detector.js';
import { CUE_COLUMNS } from '../../src/cues/index.js';
import { mirrorSeries } from '../../src/cues/series.js';
import {
  DEFAULT_CONTENT_HEAD,
  headProbabilities,
  headVerdict,
  loadContentHead,
  mixVerdict,
  SERIES_STATS,
  seriesStats,
  type ContentHeadFile,
  type Tree,
} from '../../src/model/content-head.js';
import { COLUMNS_HASH, ODD_MASK } from '../../src/model/features.js';
import { randomSeries } from './helpers.js';

const F = CUE_COLUMNS.length;
const FEATURES = SERIES_STATS.length * F + 80;

describe('seriesStats', () => {
  it('gives numpy’s values for a column 1, 2, 3, 4', () => {
    const data = new Float32Array(4 * F);
    const even = ODD_MASK.indexOf(0);
    [1, 2, 3, 4].forEach((v, t) => {
      data[t * F + even] = v;
    });
    const s = seriesStats({ frames: 4, columns: F, data });
    const col = SERIES_STATS.map((_, k) => s[k * F + even]);
    // np.mean, np.std, np.quantile(|x|, .5 / .9), mean |diff|, lag-1 autocorrelation, |mean(linspace(-1,1)*x)| / std
    const expected = [2.5, Math.sqrt(1.25), 2.5, 3.7, 1, 1 / 3, 0.8333333333 / Math.sqrt(1.25)];
    col.forEach((v, k) => {
      expect(v, SERIES_STATS[k]).toBeCloseTo(expected[k], 6);
    });
  });

  it('is unchanged when the clip is reversed (odd columns negated, rows in reverse order)', () => {
    for (const seed of [1, 2, 3]) {
      const s = randomSeries(57, seed);
      const a = seriesStats(s);
      const b = seriesStats(mirrorSeries(s));
      for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 5);
    }
  });

  it('is all zeros below 3 rows, and zeroes non-finite values', () => {
    expect(seriesStats(randomSeries(2, 1)).every((v) => v === 0)).toBe(true);
    const s = randomSeries(10, 4);
    s.data[0] = Number.NaN;
    s.data[F + 1] = Number.POSITIVE_INFINITY;
    expect(seriesStats(s).every(Number.isFinite)).toBe(true);
  });

  it('refuses a series of other columns', () => {
    expect(() => seriesStats({ frames: 5, columns: 3, data: new Float32Array(15) })).toThrow(/148 cue columns|columns/);
  });
});

/** A stump on feature 0 (threshold 0.5, NaN goes right) adding +1 / -1 to class k's logit. */
function stump(k: number): Tree[] {
  const split: Tree = {
    feature: [0, -1, -1],
    threshold: [0.5, 0, 0],
    left: [1, 0, 0],
    right: [2, 0, 0],
    value: [0, 1, -1],
    missing_left: [0, 0, 0],
  };
  const leaf: Tree = { feature: [-1], threshold: [0], left: [0], right: [0], value: [0], missing_left: [0] };
  return [0, 1, 2].map((c) => (c === k ? split : leaf));
}

function head(over: Partial<ContentHeadFile> = {}): ContentHeadFile {
  return {
    name: 'test-head',
    version: '0',
    detector: DETECTOR_ID,
    columns_hash: COLUMNS_HASH,
    features: FEATURES,
    classes: ['invariant', 'equivariant', 'irreversible'],
    models: [{ baseline: [0, 0, 0], rounds: [stump(2)] }],
    weight: 0.5,
    head_temperature: 1,
    temperature: 1,
    ...over,
  };
}

describe('headProbabilities and mixVerdict', () => {
  it('walks the trees: <= threshold goes left, NaN follows missing_left; softmax of the summed logits', () => {
    const x = new Float64Array(FEATURES);
    const e = Math.E;
    expect(headProbabilities(head(), x)[2]).toBeCloseTo(e / (e + 2), 9); // 0 <= 0.5: left, +1
    x[0] = 0.7;
    expect(headProbabilities(head(), x)[2]).toBeCloseTo(1 / e / (1 / e + 2), 9); // right, -1
    x[0] = Number.NaN;
    expect(headProbabilities(head(), x)[2]).toBeCloseTo(1 / e / (1 / e + 2), 9); // missing goes right here
  });

  it('averages the models, and refuses an input of another length', () => {
    const two = head({ models: [head().models[0], { baseline: [0, 0, 0], rounds: [stump(0)] }] });
    const p = headProbabilities(two, new Float64Array(FEATURES));
    const one = Math.E / (Math.E + 2);
    expect(p[0]).toBeCloseTo((one + (1 - one) / 2) / 2, 9);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(() => headProbabilities(two, new Float64Array(5))).toThrow(/features/);
  });

  it('mixes: the weighted mean at temperature 1, sharper below 1, always summing to 1', () => {
    expect(mixVerdict(head(), [0.6, 0.2, 0.2], [0.2, 0.2, 0.6])).toEqual(
      [0.4, 0.2, 0.4].map((v) => expect.closeTo(v, 12)),
    );
    const sharp = mixVerdict(head({ temperature: 0.5 }), [0.6, 0.3, 0.1], [0.6, 0.3, 0.1]);
    expect(sharp[0]).toBeCloseTo(0.36 / 0.46, 9);
    expect(sharp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // The head is tempered before the average: at Th 2 its [16, 4, 1] / 21 becomes [4, 2, 1] / 7.
    const soft = headVerdict(head({ head_temperature: 2 }), [16 / 21, 4 / 21, 1 / 21]);
    [4, 2, 1].forEach((h, k) => {
      expect(soft[k]).toBeCloseTo(h / 7, 9);
    });
  });
});

describe('loadContentHead', () => {
  it('refuses a head of another detector, other cue columns, another size, or unreadable JSON, naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'content-head-'));
    try {
      const cases: [Partial<ContentHeadFile> | string, RegExp][] = [
        [{ detector: 'other-detector' }, /other-detector/],
        [{ columns_hash: 'abc' }, /other cue columns/],
        [{ features: 12 }, /features/],
        [{ head_temperature: 0 }, /not a content head/],
        ['{not json', /could not be read/],
      ];
      for (const [i, [over, message]] of cases.entries()) {
        const path = join(dir, `h${i}.json`);
        await writeFile(path, typeof over === 'string' ? over : JSON.stringify(head(over)));
        await expect(loadContentHead(path, DETECTOR_ID)).rejects.toThrow(message);
        await expect(loadContentHead(path, DETECTOR_ID)).rejects.toThrow(path);
      }
      const ok = join(dir, 'ok.json');
      await writeFile(ok, JSON.stringify(head()));
      expect((await loadContentHead(ok, DETECTOR_ID)).name).toBe('test-head');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const SHIPPED = fileURLToPath(DEFAULT_CONTENT_HEAD);
const PARITY = SHIPPED.replace(/\.json$/, '.parity.json');

describe('the shipped content head', () => {
  it('exists with its parity file', () => {
    expect(existsSync(SHIPPED)).toBe(true);
    expect(existsSync(PARITY)).toBe(true);
  });

  it('gives scikit-learn’s probabilities on the parity rows, alone and averaged with the network', async () => {
    const shipped = await loadContentHead(SHIPPED, DETECTOR_ID);
    const parity = JSON.parse(await readFile(PARITY, 'utf8')) as {
      rows: { x: number[]; head: number[]; network: number[]; mixed: number[] }[];
    };
    expect(parity.rows.length).toBeGreaterThan(0);
    for (const row of parity.rows) {
      const own = headProbabilities(shipped, row.x);
      own.forEach((p, k) => {
        expect(p).toBeCloseTo(row.head[k], 5);
      });
      const mixed = mixVerdict(shipped, row.network, headVerdict(shipped, own));
      mixed.forEach((p, k) => {
        expect(p).toBeCloseTo(row.mixed[k], 5);
      });
    }
  });
});
