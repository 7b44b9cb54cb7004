import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { ParquetFile, readParquet } from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { readParquetRows, writeParquet, type ColumnSpec } from '../../src/io/parquet-writer.js';
import { collect, tempDir } from './tmp.js';

const SPEC: ColumnSpec[] = [
  { name: 'id', type: 'string' },
  { name: 'score', type: 'float64' },
  { name: 'frames', type: 'int64' },
  { name: 'vfr', type: 'bool' },
  { name: 'input', type: 'json' },
];

describe('writeParquet / readParquetRows', () => {
  it('keeps row groups of batchSize rows when the rows are fed to the writer in smaller record batches', async () => {
    const dir = await tempDir();
    const file = join(dir, 'big.parquet');
    function* rows() {
      for (let i = 0; i < 5_500; i++) yield { id: `clip-${i}`, score: i, frames: i, vfr: false, input: { i } };
    }
    expect(await writeParquet(file, SPEC, rows(), { batchSize: 2_500 })).toEqual({ rows: 5_500 });
    const meta = (await ParquetFile.fromFile(new Blob([await readFile(file)]))).metadata();
    expect(meta.rowGroups().map((g) => g.numRows())).toEqual([2_500, 2_500, 500]);
    const back = await collect(readParquetRows(file));
    expect(back.map((r) => r.frames)).toEqual(Array.from({ length: 5_500 }, (_, i) => i));
  });

  it('round-trips all column types with nulls and coercion, over several row groups', async () => {
    const dir = await tempDir();
    const file = join(dir, 'clips.parquet');
    async function* rows() {
      for (let i = 0; i < 23; i++) {
        yield {
          id: `clip-${i}`,
          score: i / 4,
          frames: i * 1000,
          vfr: i % 2 === 0,
          input: { path: `é ${i}.mp4`, tags: [i] },
          extra: 'ignored',
        };
      }
      yield { id: 'nulls' };
      yield { id: 7, score: '1.5', frames: '42', vfr: 'false', input: 'plain text' };
      yield { id: null, score: 'abc', frames: 1.5, vfr: 'maybe', input: undefined };
      yield { id: 'big', score: 12n, frames: 2n ** 40n, vfr: 1, input: null };
    }
    const result = await writeParquet(file, SPEC, rows(), { batchSize: 10 });
    expect(result).toEqual({ rows: 27 });
    expect(await readdir(dir)).toEqual(['clips.parquet']);
    const back = await collect(readParquetRows(file));
    expect(back).toHaveLength(27);
    expect(back[5]).toEqual({
      id: 'clip-5',
      score: 1.25,
      frames: 5000,
      vfr: false,
      input: { path: 'é 5.mp4', tags: [5] },
    });
    expect(back[23]).toEqual({ id: 'nulls', score: null, frames: null, vfr: null, input: null });
    expect(back[24]).toEqual({ id: '7', score: 1.5, frames: 42, vfr: false, input: 'plain text' });
    expect(back[25]).toEqual({ id: null, score: null, frames: null, vfr: null, input: null });
    expect(back[26]).toEqual({ id: 'big', score: 12, frames: 2 ** 40, vfr: true, input: null });

    // Standard Parquet: magic bytes, ZSTD, one row group per batch, plain types for other readers.
    const bytes = await readFile(file);
    expect(bytes.subarray(0, 4).toString()).toBe('PAR1');
    expect(bytes.subarray(-4).toString()).toBe('PAR1');
    const pf = await ParquetFile.fromFile(new Blob([bytes]));
    const meta = pf.metadata();
    expect(meta.numRowGroups()).toBe(3);
    expect(meta.rowGroups().map((g) => g.numRows())).toEqual([10, 10, 7]);
    expect(meta.rowGroup(0).column(0).compression()).toBe(5); // Compression.ZSTD
    const table = tableFromIPC(readParquet(bytes).intoIPCStream());
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'id:Utf8',
      'score:Float64',
      'frames:Int64',
      'vfr:Bool',
      'input:Utf8',
    ]);
    expect(table.getChild('input')?.get(0)).toBe('{"path":"é 0.mp4","tags":[0]}');
  });

  it('writes an empty file with its schema, accepts plain iterables, and leaves nothing behind on failure', async () => {
    const dir = await tempDir();
    const empty = join(dir, 'empty.parquet');
    expect(await writeParquet(empty, SPEC, [])).toEqual({ rows: 0 });
    expect(await collect(readParquetRows(empty))).toEqual([]);
    const schema = tableFromIPC(readParquet(await readFile(empty)).intoIPCStream()).schema;
    expect(schema.fields.map((f) => f.name)).toEqual(SPEC.map((c) => c.name));

    async function* failing() {
      yield { id: 'a' };
      throw new Error('upstream broke');
    }
    await expect(writeParquet(join(dir, 'broken.parquet'), SPEC, failing(), { batchSize: 1 })).rejects.toThrow(
      'upstream broke',
    );
    expect((await readdir(dir)).sort()).toEqual(['empty.parquet']);
    await expect(
      writeParquet(
        join(dir, 'x.parquet'),
        [
          { name: 'a', type: 'string' },
          { name: 'a', type: 'int64' },
        ],
        [],
      ),
    ).rejects.toThrow(/Expected a list of uniquely named columns/);
    await expect(writeParquet(join(dir, 'x.parquet'), SPEC, [], { batchSize: 0 })).rejects.toThrow(/batch size/);
  });
});
