// .npy round trips, streamed writing, and numpy reading what we write (when /usr/bin/python3 has numpy).

import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelError } from '../../src/errors.js';
import { NpyWriter, openNpyRows, readNpy, writeNpy } from '../../src/model/npy.js';
import { numpyPython } from './helpers.js';

const python = numpyPython();

describe('npy', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ra-npy-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips float32 and int64 arrays with their shapes', async () => {
    const f = Float32Array.from({ length: 24 }, (_, i) => i / 3 - 2);
    await writeNpy(join(dir, 'f.npy'), { dtype: 'float32', shape: [2, 3, 4], data: f });
    const back = await readNpy(join(dir, 'f.npy'));
    expect(back.dtype).toBe('float32');
    expect(back.shape).toEqual([2, 3, 4]);
    expect(Array.from(back.data as Float32Array)).toEqual(Array.from(f));
    const n = BigInt64Array.of(-1n, 0n, 2n, 9007199254740993n);
    await writeNpy(join(dir, 'i.npy'), { dtype: 'int64', shape: [4], data: n });
    const nb = await readNpy(join(dir, 'i.npy'));
    expect([nb.dtype, nb.shape]).toEqual(['int64', [4]]);
    expect(Array.from(nb.data as BigInt64Array)).toEqual(Array.from(n));
  });

  it('reads single rows on demand, as the whole file has them', async () => {
    const f = Float32Array.from({ length: 24 }, (_, i) => i * 0.5 - 3);
    await writeNpy(join(dir, 'rows.npy'), { dtype: 'float32', shape: [4, 2, 3], data: f });
    const rows = openNpyRows(join(dir, 'rows.npy'));
    try {
      expect([rows.rows, rows.shape]).toEqual([4, [4, 2, 3]]);
      for (const i of [2, 0, 3]) expect(Array.from(rows.row(i))).toEqual(Array.from(f.subarray(i * 6, (i + 1) * 6)));
      expect(() => rows.row(4)).toThrow(/a row from 0 to 3/);
    } finally {
      rows.close();
    }
    await writeNpy(join(dir, 'ints.npy'), { dtype: 'int64', shape: [1], data: BigInt64Array.of(1n) });
    expect(() => openNpyRows(join(dir, 'ints.npy'))).toThrow(/<f4/);
  });

  it('streams rows and fixes the first dimension on close (also with no rows)', async () => {
    const w = await NpyWriter.create(join(dir, 's.npy'), 'float32', [2, 3]);
    await w.append(Float32Array.from([1, 2, 3, 4, 5, 6]));
    await w.append(Float32Array.from({ length: 12 }, (_, i) => i));
    expect(w.length).toBe(3);
    await w.close();
    const back = await readNpy(join(dir, 's.npy'));
    expect(back.shape).toEqual([3, 2, 3]);
    expect((back.data as Float32Array)[6]).toBe(0);
    const empty = await NpyWriter.create(join(dir, 'e.npy'), 'int64');
    await empty.close();
    expect((await readNpy(join(dir, 'e.npy'))).shape).toEqual([0]);
  });

  it('refuses rows of the wrong size or type, shapes that do not match, and files that are not .npy', async () => {
    const w = await NpyWriter.create(join(dir, 'bad.npy'), 'float32', [4]);
    await expect(w.append(new Float32Array(3))).rejects.toThrow(ModelError);
    await expect(w.append(new BigInt64Array(4))).rejects.toThrow(/float32 rows/);
    await w.close();
    await expect(
      writeNpy(join(dir, 'x.npy'), { dtype: 'float32', shape: [5], data: new Float32Array(4) }),
    ).rejects.toThrow(/5 values/);
    await writeFile(join(dir, 'not.npy'), 'hello world');
    await expect(readNpy(join(dir, 'not.npy'))).rejects.toThrow(/magic/);
  });

  it.skipIf(!python)('numpy reads what we write, and we read what numpy writes', async () => {
    const w = await NpyWriter.create(join(dir, 'np.npy'), 'float32', [2]);
    await w.append(Float32Array.from([0.5, -1.25, 3, 4]));
    await w.close();
    await writeNpy(join(dir, 'np_i.npy'), { dtype: 'int64', shape: [3], data: BigInt64Array.of(2n, 0n, -1n) });
    const code = [
      'import numpy as np, sys',
      `a = np.load(${JSON.stringify(join(dir, 'np.npy'))}); b = np.load(${JSON.stringify(join(dir, 'np_i.npy'))})`,
      'assert a.dtype == np.float32 and a.shape == (2, 2) and a[0, 1] == -1.25, (a.dtype, a.shape, a)',
      'assert b.dtype == np.int64 and b.tolist() == [2, 0, -1], b',
      `np.save(${JSON.stringify(join(dir, 'from_np.npy'))}, np.arange(6, dtype='<f4').reshape(3, 2))`,
    ].join('\n');
    const r = spawnSync(python!, ['-c', code], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const back = await readNpy(join(dir, 'from_np.npy'));
    expect(back.shape).toEqual([3, 2]);
    expect(Array.from(back.data as Float32Array)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
