// Reading one clip's cue series, with its column names, back from a scan's output folder.

import { open, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { AuditError, expected } from '../errors.js';
import { CUES_JSON } from '../pipeline/out-dir.js';
import type { NamedSeries } from './curves.js';

const columnCache = new Map<string, { mtimeMs: number; names: string[] }>();

/** Column names of the series in `outDir`, from its cues.json (cached per file and modification time). */
export async function seriesColumnNames(outDir: string): Promise<string[]> {
  const file = join(outDir, CUES_JSON);
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(file)).mtimeMs;
  } catch (cause) {
    throw new AuditError('series_missing', `${expected('a cues.json written by audit scan', 'the output folder', outDir)}: ${file} cannot be read (${(cause as NodeJS.ErrnoException).code ?? cause})`, { path: file }, { cause });
  }
  const hit = columnCache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.names;
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new AuditError('series_bad', `${expected('JSON', file, 'text that does not parse')}: ${(cause as Error).message}`, { path: file }, { cause });
  }
  const columns = (parsed as { columns?: unknown }).columns;
  if (!Array.isArray(columns) || !columns.every((c) => typeof (c as { name?: unknown })?.name === 'string')) {
    throw new AuditError('series_bad', expected('a "columns" list of {name, ...} objects', file, typeof columns === 'object' ? 'another shape' : columns), { path: file });
  }
  const names = columns.map((c) => (c as { name: string }).name);
  columnCache.set(file, { mtimeMs, names });
  return names;
}

/** A non-negative integer cell of a clips row (JSONL numbers, Parquet int64 as bigint, or numeric strings). */
function intCell(row: Record<string, unknown>, name: string, where: string): number {
  const v = row[name];
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new AuditError('series_bad', expected('a non-negative integer', `${name} of ${where}`, v));
  return n;
}

/**
 * Reads the cue series a clips.jsonl / clips.parquet row points to: `series_pairs` x `series_columns` float32
 * little-endian values at byte `series_offset` of `series_file` (relative to `outDir`), with the column
 * names from `outDir/cues.json`.
 * @throws AuditError code 'series_bad' (row fields missing or wrong, series file outside the folder, column count
 *   differing from cues.json), 'series_missing' (series file or cues.json absent) or 'series_short' (file ends
 *   before the row's bytes); each message names the file.
 * @example
 * const series = await readClipSeries('out/samples', row); // { frames: 71, columns: ['energy_total', ...], data }
 */
export async function readClipSeries(outDir: string, row: Record<string, unknown>): Promise<NamedSeries> {
  const where = `clip ${JSON.stringify(row.id ?? row.path ?? '?')}`;
  const rel = row.series_file;
  if (typeof rel !== 'string' || rel === '') throw new AuditError('series_bad', expected('a series file name', `series_file of ${where}`, rel));
  // The row names a file inside the output folder; a path leading elsewhere is a damaged or foreign row.
  if (isAbsolute(rel) || normalize(rel).split(sep).includes('..')) {
    throw new AuditError('series_bad', expected('a path inside the output folder', `series_file of ${where}`, rel));
  }
  const offset = intCell(row, 'series_offset', where);
  const pairs = intCell(row, 'series_pairs', where);
  const width = intCell(row, 'series_columns', where);
  const names = await seriesColumnNames(outDir);
  if (names.length !== width) {
    throw new AuditError('series_bad', `${expected(`${names.length} columns (as ${join(outDir, CUES_JSON)} lists)`, `series_columns of ${where}`, width)}; was the row written by another version?`);
  }
  const file = join(outDir, rel);
  const bytes = pairs * width * 4;
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (cause) {
    throw new AuditError('series_missing', `Series file ${file} of ${where} cannot be opened (${(cause as NodeJS.ErrnoException).code ?? cause})`, { path: file }, { cause });
  }
  try {
    const buf = new Uint8Array(bytes);
    const { bytesRead } = bytes > 0 ? await fh.read(buf, 0, bytes, offset) : { bytesRead: 0 };
    if (bytesRead !== bytes) {
      throw new AuditError('series_short', `${expected(`${bytes} bytes at offset ${offset}`, `series file ${file} (${where})`, `${bytesRead} bytes`)}: the file is truncated or belongs to another run`, { path: file });
    }
    const data = new Float32Array(pairs * width);
    // Little-endian on disk whatever the host: read through a DataView.
    const view = new DataView(buf.buffer);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(i * 4, true);
    return { frames: pairs, columns: names, data };
  } finally {
    await fh.close();
  }
}
