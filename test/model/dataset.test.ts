// exportDataset: a scan's series joined with corpus labels into .npy tensors, in clips.jsonl order.

import { spawnSync } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/errors.js';
import { exportDataset, judgedRows } from '../../src/model/dataset.js';
import { clipWindows, COLUMNS_HASH, inputMask, MODEL_F, MODEL_T, seriesToInput } from '../../src/model/features.js';
import { readNpy } from '../../src/model/npy.js';
import { randomSeries, torchPython, writeFakeScan, type LabelledSeries } from './helpers.js';

const python = torchPython();

/** models/train.py judged_rows over every row of `groups` (clips in order of first appearance). */
function pythonJudgedRows(py: string, groups: readonly { id: string; window: number }[]): number[][] {
  const code = `import json, sys, types, numpy as np
sys.path.insert(0, 'models')
import train as T
g = json.loads(sys.argv[1])
data = types.SimpleNamespace(groups=g, window=np.array([r['window'] for r in g], np.int64))
print(json.dumps([u.tolist() for u in T.judged_rows(data, np.arange(len(g)))]))`;
  const r = spawnSync(py, ['-c', code, JSON.stringify(groups)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as number[][];
}

const item = (
  id: string,
  frames: number,
  verdict: string,
  direction: 'forward' | 'backward',
  family: string,
  seed: number,
): LabelledSeries => ({
  id,
  family,
  verdict,
  direction,
  seed,
  series: randomSeries(frames, seed * 10 + frames),
});

describe('exportDataset', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ra-dataset-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes X, mask, verdict and direction labels and groups for every labelled clip', async () => {
    const items = [
      item('drop_1', 90, 'irreversible', 'forward', 'drop', 1),
      item('drop_1_rev', 90, 'irreversible', 'backward', 'drop', 1),
      item('pan_2', 30, 'equivariant', 'forward', 'pan', 2),
      item('swing_3', 64, 'invariant', 'backward', 'swing', 3),
    ];
    const { scanOut, labels } = await writeFakeScan(join(dir, 'a'), items);
    // A scanned clip without a label row, and a label row whose clip was not scanned.
    await appendFile(
      join(scanOut, 'clips.jsonl'),
      `${JSON.stringify({ id: 'stray', series_file: 'series/part-0.f32', series_offset: 0, series_pairs: 2, series_columns: MODEL_F })}\n`,
    );
    await appendFile(
      labels,
      `${JSON.stringify({ id: 'lost', family: 'drop', verdict: 'irreversible', direction: 'forward', seed: 9 })}\n`,
    );
    const out = join(dir, 'a', 'data');
    const summary = await exportDataset({ scanOut, labels, out });
    expect(summary).toEqual({ rows: 4, clips: 4, unlabelled: 1, unscanned: 1, empty: 0, analysisFps: [24] });

    const X = await readNpy(join(out, 'X.npy'));
    expect(X.shape).toEqual([4, MODEL_T, MODEL_F]);
    const x2 = (X.data as Float32Array).subarray(2 * MODEL_T * MODEL_F, 3 * MODEL_T * MODEL_F);
    expect(Array.from(x2)).toEqual(Array.from(seriesToInput(items[2].series)));
    const mask = await readNpy(join(out, 'mask.npy'));
    expect(mask.shape).toEqual([4, MODEL_T]);
    expect(Array.from((mask.data as Float32Array).subarray(2 * MODEL_T, 3 * MODEL_T))).toEqual(
      Array.from(inputMask(30)),
    );
    expect(Array.from((await readNpy(join(out, 'y_verdict.npy'))).data as BigInt64Array)).toEqual([2n, 2n, 1n, 0n]);
    expect(Array.from((await readNpy(join(out, 'y_forward.npy'))).data as BigInt64Array)).toEqual([1n, 0n, 1n, 0n]);
    const groups = JSON.parse(await readFile(join(out, 'groups.json'), 'utf8'));
    expect(groups.map((g: { family: string; seed: number }) => [g.family, g.seed])).toEqual([
      ['drop', 1],
      ['drop', 1],
      ['pan', 2],
      ['swing', 3],
    ]);
    const columns = JSON.parse(await readFile(join(out, 'columns.json'), 'utf8'));
    expect([columns.T, columns.F, columns.columns_hash, columns.names.length]).toEqual([
      MODEL_T,
      MODEL_F,
      COLUMNS_HASH,
      MODEL_F,
    ]);
  });

  it('without labels: every clip is a forward example of unknown verdict (self-supervised arrow of time)', async () => {
    const { scanOut } = await writeFakeScan(join(dir, 'b'), [item('real_1', 70, 'invariant', 'forward', 'x', 4)]);
    const out = join(dir, 'b', 'data');
    expect((await exportDataset({ scanOut, out, T: 32 })).rows).toBe(1);
    expect((await readNpy(join(out, 'X.npy'))).shape).toEqual([1, 32, MODEL_F]);
    expect(Array.from((await readNpy(join(out, 'y_verdict.npy'))).data as BigInt64Array)).toEqual([-1n]);
    expect(Array.from((await readNpy(join(out, 'y_forward.npy'))).data as BigInt64Array)).toEqual([1n]);
  });

  it('with windows: the centred window first, then the whole-clip windows inference uses, as rows of the same clip', async () => {
    // 150 pairs: 3 whole-clip windows (the middle one is the centred window, not repeated); 200 pairs: 4; 40 pairs: 1.
    const items = [
      item('long_1', 150, 'irreversible', 'forward', 'drop', 1),
      item('longer_2', 200, 'invariant', 'backward', 'swing', 2),
      item('short_3', 40, 'equivariant', 'forward', 'pan', 3),
    ];
    const { scanOut, labels } = await writeFakeScan(join(dir, 'w'), items);
    const out = join(dir, 'w', 'data');
    const summary = await exportDataset({ scanOut, labels, out, windows: 8 });
    expect([summary.rows, summary.clips]).toEqual([3 + 5 + 1, 3]);
    const groups = JSON.parse(await readFile(join(out, 'groups.json'), 'utf8')) as { id: string; window: number }[];
    expect(groups.map((g) => `${g.id}:${g.window}`)).toEqual([
      'long_1:0',
      'long_1:1',
      'long_1:2',
      'longer_2:0',
      'longer_2:1',
      'longer_2:2',
      'longer_2:3',
      'longer_2:4',
      'short_3:0',
    ]);
    const X = (await readNpy(join(out, 'X.npy'))).data as Float32Array;
    const M = (await readNpy(join(out, 'mask.npy'))).data as Float32Array;
    const row = (k: number) => Array.from(X.subarray(k * MODEL_T * MODEL_F, (k + 1) * MODEL_T * MODEL_F));
    expect(row(0)).toEqual(Array.from(seriesToInput(items[0].series)));
    const w0 = clipWindows(items[0].series);
    expect(w0).toHaveLength(3);
    expect([row(1), row(2)]).toEqual([Array.from(w0[0].x), Array.from(w0[2].x)]);
    const w1 = clipWindows(items[1].series);
    expect([4, 5, 6, 7].map(row)).toEqual(w1.map((w) => Array.from(w.x)));
    expect(Array.from(M.subarray(8 * MODEL_T, 9 * MODEL_T))).toEqual(Array.from(inputMask(40)));
    expect(Array.from((await readNpy(join(out, 'y_verdict.npy'))).data as BigInt64Array)).toEqual([
      2n,
      2n,
      2n,
      0n,
      0n,
      0n,
      0n,
      0n,
      1n,
    ]);
    const columns = JSON.parse(await readFile(join(out, 'columns.json'), 'utf8'));
    expect(columns.windows).toBe(8);
    // Which rows inference averages: all three of long_1 (its centred window is its middle one), the four whole-clip
    // windows of longer_2 (not the extra centred row), the one row of short_3.
    const marked = groups as { id: string; window: number; judged: boolean }[];
    expect(marked.map((g) => g.judged)).toEqual([true, true, true, false, true, true, true, true, true]);
    expect(row(0)).toEqual(Array.from(w0[1].x));
    const rowsOf = (id: string, of: readonly { id: string }[]) => of.flatMap((g, i) => (g.id === id ? [i] : []));
    expect(['long_1', 'longer_2', 'short_3'].map((id) => judgedRows(rowsOf(id, marked), marked))).toEqual([
      [0, 1, 2],
      [4, 5, 6, 7],
      [8],
    ]);
    // Exports without the mark: the whole-clip windows, or the only row.
    const unmarked = marked.map(({ id, window }) => ({ id, window }));
    expect(['long_1', 'longer_2', 'short_3'].map((id) => judgedRows(rowsOf(id, unmarked), unmarked))).toEqual([
      [1, 2],
      [4, 5, 6, 7],
      [8],
    ]);
    // models/train.py's judged_rows (the rows its whole-clip scores and models/adapt.py's held-out comparison run the
    // model on) follows the same rule.
    if (python)
      for (const of of [marked, unmarked])
        expect(pythonJudgedRows(python, of)).toEqual(
          ['long_1', 'longer_2', 'short_3'].map((id) => judgedRows(rowsOf(id, of), of)),
        );
  });

  it('refuses a label with an unknown verdict, naming the line', async () => {
    const { scanOut, labels } = await writeFakeScan(join(dir, 'c'), [item('c_1', 10, 'reversible', 'forward', 'x', 5)]);
    const error = await exportDataset({ scanOut, labels, out: join(dir, 'c', 'data') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestError);
    expect(String((error as Error).message)).toMatch(/line 1 of .*labels\.jsonl/);
  });
});
