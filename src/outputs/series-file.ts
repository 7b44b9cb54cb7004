// Reading a clip's cue series back from an output folder (training export, eval, report, physics).

import { type FileHandle, open, readFile, stat } from 'node:fs/promises';
import { endianness } from 'node:os';
import { isAbsolute, join, normalize, sep } from 'node:path';
import type { CueSeries } from '../cues/series.js';
import { AuditError, expected } from '../errors.js';
import { CUES_JSON } from './layout.js';

/** A clip's cue series with its column names ([frames x columns] float32, row-major). */
export interface NamedSeries {
  frames: number;
  columns: string[];
  data: Float32Array;
}

/** The row fields that locate a series. */
export interface SeriesRef {
  series_file?: unknown;
  series_offset?: unknown;
  series_pairs?: unknown;
  series_columns?: unknown;
  id?: unknown;
  path?: unknown;
}

const columnCache = new Map<string, { mtimeMs: number; names: string[] }>();

/** Column names of the series in `outDir`, from its cues.json (cached per file and modification time). */
export async function seriesColumnNames(outDir: string): Promise<string[]> {
  const file = join(outDir, CUES_JSON);
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(file)).mtimeMs;
  } catch (cause) {
    throw new AuditError(
      'series_missing',
      `${expected('a cues.json written by audit scan', 'the output folder', outDir)}: ${file} cannot be read (${(cause as NodeJS.ErrnoException).code ?? cause})`,
      { path: file },
      { cause },
    );
  }
  const hit = columnCache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.names;
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new AuditError(
      'series_bad',
      `${expected('JSON', file, 'text that does not parse')}: ${(cause as Error).message}`,
      { path: file },
      { cause },
    );
  }
  const columns = (parsed as { columns?: unknown }).columns;
  if (!Array.isArray(columns) || !columns.every((c) => typeof (c as { name?: unknown })?.name === 'string')) {
    throw new AuditError(
      'series_bad',
      expected(
        'a "columns" list of {name, ...} objects',
        file,
        typeof columns === 'object' ? 'another shape' : columns,
      ),
      { path: file },
    );
  }
  const names = columns.map((c) => (c as { name: string }).name);
  columnCache.set(file, { mtimeMs, names });
  return names;
}

/** A non-negative integer cell of a clips row (JSONL numbers, Parquet int64 as bigint, or numeric strings). */
function intCell(row: SeriesRef, name: keyof SeriesRef, where: string): number {
  const v = row[name];
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
    throw new AuditError('series_bad', expected('a non-negative integer', `${name} of ${where}`, v));
  return n;
}

/** Where a row's series lies, checked: the file inside the folder, whole numbers for offset and shape. */
function locate(
  outDir: string,
  row: SeriesRef,
): { file: string; offset: number; pairs: number; width: number; where: string } {
  const where = `clip ${JSON.stringify(row.id ?? row.path ?? '?')}`;
  const rel = row.series_file;
  if (typeof rel !== 'string' || rel === '')
    throw new AuditError('series_bad', expected('a series file name', `series_file of ${where}`, rel));
  // The row names a file inside the output folder; a path leading elsewhere is a damaged or foreign row.
  if (isAbsolute(rel) || normalize(rel).split(sep).includes('..')) {
    throw new AuditError('series_bad', expected('a path inside the output folder', `series_file of ${where}`, rel));
  }
  return {
    file: join(outDir, rel),
    offset: intCell(row, 'series_offset', where),
    pairs: intCell(row, 'series_pairs', where),
    width: intCell(row, 'series_columns', where),
    where,
  };
}

async function readLocated(at: ReturnType<typeof locate>): Promise<Float32Array> {
  const { file, offset, pairs, width, where } = at;
  const bytes = pairs * width * 4;
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (cause) {
    throw new AuditError(
      'series_missing',
      `Series file ${file} of ${where} cannot be opened (${(cause as NodeJS.ErrnoException).code ?? cause})`,
      { path: file },
      { cause },
    );
  }
  try {
    const buf = new Uint8Array(bytes);
    const { bytesRead } = bytes > 0 ? await fh.read(buf, 0, bytes, offset) : { bytesRead: 0 };
    if (bytesRead !== bytes) {
      throw new AuditError(
        'series_short',
        `${expected(`${bytes} bytes at offset ${offset}`, `series file ${file} (${where})`, `${bytesRead} bytes`)}: the file is truncated or belongs to another run`,
        { path: file },
      );
    }
    // Little-endian on disk: a view on little-endian hosts, a DataView copy elsewhere.
    if (endianness() === 'LE') return new Float32Array(buf.buffer);
    const data = new Float32Array(pairs * width);
    const view = new DataView(buf.buffer);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(i * 4, true);
    return data;
  } finally {
    await fh.close();
  }
}

/**
 * Reads the [series_pairs x series_columns] float32 series a clips.jsonl/clips.parquet row points to.
 * (numpy: np.fromfile(out/series_file, '<f4', count=pairs*columns, offset=series_offset).reshape(pairs, columns))
 * @throws AuditError 'series_bad' (row fields missing or wrong, file outside the folder), 'series_missing',
 *   'series_short' (the file ends before the row's bytes); each message names the file.
 */
export async function readSeries(outDir: string, row: SeriesRef): Promise<CueSeries> {
  const at = locate(outDir, row);
  return { frames: at.pairs, columns: at.width, data: await readLocated(at) };
}

/**
 * {@link readSeries} with the column names from `outDir/cues.json` (checked against `series_columns`).
 * @example
 * const series = await readClipSeries('out/samples', row); // { frames: 71, columns: ['energy_total', ...], data }
 */
export async function readClipSeries(outDir: string, row: SeriesRef): Promise<NamedSeries> {
  const at = locate(outDir, row);
  const names = await seriesColumnNames(outDir);
  if (names.length !== at.width) {
    throw new AuditError(
      'series_bad',
      `${expected(`${names.length} columns (as ${join(outDir, CUES_JSON)} lists)`, `series_columns of ${at.where}`, at.width)}; was the row written by another version?`,
    );
  }
  return { frames: at.pairs, columns: names, data: await readLocated(at) };
}
