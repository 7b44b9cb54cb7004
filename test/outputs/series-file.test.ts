// readSeries / readClipSeries: a clip row's series back from a scan output folder, with column names, and clear errors.

import { readFile, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CUE_COLUMNS } from '../../src/cues/index.js';
import { readJsonl } from '../../src/io/jsonl-log.js';
import { OutDir } from '../../src/pipeline/out-dir.js';
import { CLIPS_JSONL, CUES_JSON } from '../../src/outputs/layout.js';
import { scan } from '../../src/pipeline/scan.js';
import { readClipSeries, readSeries } from '../../src/outputs/series-file.js';
import { tempDir } from '../fixtures/cli.js';

async function rows(out: string): Promise<Record<string, unknown>[]> {
  const list: Record<string, unknown>[] = [];
  for await (const { value } of readJsonl(join(out, CLIPS_JSONL))) list.push(value as Record<string, unknown>);
  return list;
}

describe('readClipSeries', () => {
  let out: string;
  const F = CUE_COLUMNS.length;
  // Two clips written through the scan's own writer; the second starts at a non-zero offset.
  const a = Float32Array.from({ length: 3 * F }, (_, i) => i * 0.5);
  const b = Float32Array.from({ length: 5 * F }, (_, i) => -i / 7);

  beforeAll(async () => {
    out = await tempDir('audit-series-');
    const dir = await OutDir.open(out, 'test');
    await dir.appendClip({ id: 'a', series_pairs: 3, series_columns: F }, a);
    await dir.appendClip({ id: 'b', series_pairs: 5, series_columns: F }, b);
    await dir.close();
    await writeFile(join(out, CUES_JSON), JSON.stringify({ columns: CUE_COLUMNS }));
  });

  it('returns each row its own values and the column names of cues.json', async () => {
    const [ra, rb] = await rows(out);
    expect(rb.series_offset).toBe(a.byteLength);
    const sa = await readClipSeries(out, ra);
    const sb = await readClipSeries(out, rb);
    expect(sa.columns).toEqual(CUE_COLUMNS.map((c) => c.name));
    expect([sa.frames, sb.frames]).toEqual([3, 5]);
    expect(Array.from(sa.data)).toEqual(Array.from(a));
    expect(Array.from(sb.data)).toEqual(Array.from(b));
    // Parquet gives int64 cells as bigint; numeric strings (CSV exports) work too.
    const viaBigint = await readClipSeries(out, { ...rb, series_offset: BigInt(a.byteLength), series_pairs: '5' });
    expect(Array.from(viaBigint.data)).toEqual(Array.from(b));
  });

  it('names the file when the series is missing or short, and the field when the row is bad', async () => {
    const [ra] = await rows(out);
    await expect(readClipSeries(out, { ...ra, series_file: 'series/part-gone.f32' })).rejects.toMatchObject({
      code: 'series_missing',
      message: expect.stringContaining('part-gone.f32'),
    });
    await expect(readClipSeries(out, { ...ra, series_offset: a.byteLength + b.byteLength - 4 })).rejects.toMatchObject({
      code: 'series_short',
      message: expect.stringContaining(String(ra.series_file)),
    });
    await expect(readClipSeries(out, { ...ra, series_offset: -4 })).rejects.toThrow(
      /non-negative integer for series_offset of clip "a"/,
    );
    await expect(readClipSeries(out, { ...ra, series_file: undefined })).rejects.toThrow(/series_file of clip "a"/);
    await expect(readClipSeries(out, { ...ra, series_file: '../../etc/passwd' })).rejects.toThrow(
      /inside the output folder/,
    );
    await expect(readClipSeries(out, { ...ra, series_columns: F - 1 })).rejects.toThrow(
      new RegExp(`${F} columns .*cues\\.json.*series_columns of clip "a"`),
    );
    await expect(readClipSeries(join(out, 'nowhere'), ra)).rejects.toMatchObject({
      code: 'series_missing',
      message: expect.stringContaining('cues.json'),
    });
  });

  it('reports a truncated series file after the fact', async () => {
    const other = await tempDir('audit-series-cut-');
    const dir = await OutDir.open(other, 'cut');
    await dir.appendClip({ id: 'c', series_pairs: 3, series_columns: F }, a);
    await dir.close();
    await writeFile(join(other, CUES_JSON), JSON.stringify({ columns: CUE_COLUMNS }));
    const [rc] = await rows(other);
    await truncate(join(other, String(rc.series_file)), 100);
    await expect(readClipSeries(other, rc)).rejects.toThrow(/series file .*part-cut\.f32.*received "100 bytes"/);
    await unlink(join(other, String(rc.series_file)));
    await expect(readClipSeries(other, rc)).rejects.toThrow(/part-cut\.f32.*cannot be opened \(ENOENT\)/);
  });

  it('round-trips a real scan of a sample clip', async () => {
    const real = await tempDir('audit-series-scan-');
    await scan({
      input: new URL('../../samples/swing.mp4', import.meta.url).pathname,
      out: real,
      model: 'none',
      workers: 1,
      quiet: true,
      parquet: false,
    });
    const [row] = await rows(real);
    const s = await readClipSeries(real, row);
    const cues = JSON.parse(await readFile(join(real, CUES_JSON), 'utf8')) as { columns: Array<{ name: string }> };
    expect(s.columns).toEqual(cues.columns.map((c) => c.name));
    expect(s.frames).toBe(row.series_pairs);
    const ref = await readSeries(real, row as never);
    expect(Array.from(s.data)).toEqual(Array.from(ref.data));
    // A swinging pendulum moves: the energy column is not all zero.
    const k = s.columns.indexOf('energy_residual');
    expect(Math.max(...Array.from({ length: s.frames }, (_, t) => s.data[t * s.columns.length + k]))).toBeGreaterThan(
      0.01,
    );
  });
});
