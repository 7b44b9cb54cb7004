import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  Binary,
  Field,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Struct,
  tableFromArrays,
  tableToIPC,
  Table,
  vectorFromArray,
  Utf8,
} from 'apache-arrow';
import { Table as WasmTable, writeParquet as wasmWriteParquet } from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { isRowProblem, openInput, type InputRow } from '../../src/io/inputs.js';
import { writeParquet } from '../../src/io/parquet-writer.js';
import { collect, tempDir } from './tmp.js';

const rowsOf = (items: unknown[]) => items.filter((r) => !isRowProblem(r as InputRow)) as InputRow[];

function sampleTable(): Table {
  return new Table({
    path: vectorFromArray(['a b/é.mp4', '/abs/x.mov', '', 'c.mp4'], new Utf8()),
    id: vectorFromArray(['i1', null, 'i3', ''], new Utf8()),
    caption: vectorFromArray(['one, "two"\nthree', 'ü', null, 'z'], new Utf8()),
    n: makeVector(BigInt64Array.from([1n, 2n, 3n, 2n ** 60n])),
    score: makeVector(Float64Array.from([0.5, 1, 2, 3])),
  });
}

function check(dir: string, items: unknown[]) {
  expect((items as { row: number }[]).map((r) => r.row)).toEqual([1, 2, 3, 4]);
  const rows = rowsOf(items);
  expect(rows[0]).toEqual({
    row: 1,
    id: 'i1',
    path: join(dir, 'a b/é.mp4'),
    columns: { path: 'a b/é.mp4', id: 'i1', caption: 'one, "two"\nthree', n: 1, score: 0.5 },
  });
  expect(rows[1]).toMatchObject({ row: 2, id: '/abs/x.mov', path: '/abs/x.mov' });
  expect(rows[2]).toMatchObject({ row: 4, id: 'c.mp4', columns: { n: String(2n ** 60n) } });
  const problem = (items as { row: number; error?: Error }[])[2];
  expect(problem?.error?.message).toMatch(/Expected a non-empty path for column "path" of .* record 3 but received ""/);
}

describe('Parquet and Arrow manifests', () => {
  it('reads a Parquet manifest written by parquet-wasm from an Arrow table', async () => {
    const dir = await tempDir();
    const file = join(dir, 'm.parquet');
    await writeFile(file, wasmWriteParquet(WasmTable.fromIPCStream(tableToIPC(sampleTable(), 'stream'))));
    const src = await openInput(file);
    expect(src.kind).toBe('parquet');
    check(dir, await collect(src.rows()));
  });

  it('reads Arrow IPC in file format (.arrow, .feather) and stream format (.arrows)', async () => {
    const dir = await tempDir();
    for (const [name, format] of [
      ['m.arrow', 'file'],
      ['m.feather', 'file'],
      ['m.arrows', 'stream'],
    ] as const) {
      const file = join(dir, name);
      await writeFile(file, tableToIPC(sampleTable(), format));
      const src = await openInput(file);
      expect(src.kind).toBe('arrow');
      check(dir, await collect(src.rows()));
    }
  });

  it('gives a binary column as text when it is UTF-8, else as base64: its bytes come through whole', async () => {
    const dir = await tempDir();
    const file = join(dir, 'bin.arrow');
    const bytes = [new Uint8Array([0xff, 0x00, 0x80, 0x41]), new TextEncoder().encode('plain é')];
    const table = new Table({
      path: vectorFromArray(['a.mp4', 'b.mp4'], new Utf8()),
      bin: vectorFromArray(bytes, new Binary()),
    });
    await writeFile(file, tableToIPC(table, 'file'));
    const rows = rowsOf(await collect((await openInput(file)).rows()));
    expect(rows.map((r) => r.columns.bin)).toEqual(['base64:/wCAQQ==', 'plain é']);
  });

  it('refuses a schema that names a column twice, naming it', async () => {
    const dir = await tempDir();
    const file = join(dir, 'dup.arrow');
    const fields = [new Field('path', new Utf8()), new Field('x', new Utf8()), new Field('x', new Utf8())];
    const schema = new Schema(fields);
    const children = [['a.mp4'], ['one'], ['two']].map((v) => vectorFromArray(v, new Utf8()).data[0]);
    const data = makeData({ type: new Struct(fields), length: 1, nullCount: 0, children });
    await writeFile(file, tableToIPC(new Table([new RecordBatch(schema, data)]), 'file'));
    await expect(openInput(file)).rejects.toThrow(/"x" appears twice/);
  });

  it('numbers records across batches and row groups, and honours --path-column', async () => {
    const dir = await tempDir();
    const t = tableFromArrays({ video: Array.from({ length: 10 }, (_, i) => `v${i}.mp4`) });
    const two = new Table([...t.batches, ...t.batches]);
    await writeFile(join(dir, 'two.arrows'), tableToIPC(two, 'stream'));
    const rows = rowsOf(await collect((await openInput(join(dir, 'two.arrows'), { pathColumn: 'video' })).rows()));
    expect(rows.map((r) => r.row)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(rows[19]?.id).toBe('v9.mp4');

    const pq = join(dir, 'groups.parquet');
    await writeParquet(
      pq,
      [{ name: 'video', type: 'string' }],
      Array.from({ length: 25 }, (_, i) => ({ video: `v${i}.mp4` })),
      { batchSize: 10 },
    );
    const source = await openInput(pq, { pathColumn: 'video' });
    for await (const first of source.rows()) {
      expect(first.row).toBe(1);
      break; // stopping early releases the reader; rows() can start again
    }
    const prow = rowsOf(await collect(source.rows()));
    expect(prow.map((r) => r.id)).toEqual(Array.from({ length: 25 }, (_, i) => `v${i}.mp4`));
    const arrows = await openInput(join(dir, 'two.arrows'), { pathColumn: 'video' });
    for await (const first of arrows.rows()) if (first.row === 3) break;
    expect(await collect(arrows.rows())).toHaveLength(20);
  });

  it('throws naming the file and the existing columns when the path column is missing or the file is not readable', async () => {
    const dir = await tempDir();
    const pq = join(dir, 'm.pq');
    await writeParquet(
      pq,
      [
        { name: 'url', type: 'string' },
        { name: 'n', type: 'int64' },
      ],
      [{ url: 'a.mp4', n: 1 }],
    );
    await expect(openInput(pq)).rejects.toThrow(
      /Expected a column named "path" for .*m\.pq \(schema\) but received \["url","n"\]/,
    );
    await writeFile(join(dir, 'm.ipc'), tableToIPC(tableFromArrays({ url: ['a'] }), 'file'));
    await expect(openInput(join(dir, 'm.ipc'))).rejects.toThrow(/\["url"\]/);
    await writeFile(join(dir, 'bad.parquet'), 'not parquet at all');
    await expect(openInput(join(dir, 'bad.parquet'))).rejects.toThrow(
      /Expected a readable Parquet file for .*bad\.parquet/,
    );
    await writeFile(join(dir, 'bad.arrow'), 'not arrow');
    await expect(openInput(join(dir, 'bad.arrow'))).rejects.toThrow(/Expected a readable Arrow IPC/);
  });
});
