// Writes reverse-safe.<ext> and excluded.<ext>: the input manifest's rows, every original column in order,
// plus the decision columns, in the input's own format (CSV/TSV, JSONL, Parquet; folders: CSV and Parquet).

import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { tempPathFor } from '../io/atomic.js';
import type { CellValue } from '../io/inputs.js';
import { writeParquet, type ColumnSpec, type ColumnType } from '../io/parquet-writer.js';
import type { Manifest, ManifestRecord } from './manifest-read.js';
import type { DecisionInput, DecisionResult } from './policy.js';

/** The columns added after the original ones, with their Parquet types. */
export const ADDED_COLUMNS: readonly ColumnSpec[] = Object.freeze([
  { name: 'reverse', type: 'bool' },
  { name: 'label_reversed', type: 'string' },
  { name: 'caption_reversed', type: 'string' },
  { name: 'verdict', type: 'string' },
  { name: 'decision', type: 'string' },
  { name: 'confidence', type: 'float64' },
  { name: 'reason', type: 'string' },
] satisfies ColumnSpec[]);

export const REVERSE_SAFE = 'reverse-safe';
export const EXCLUDED = 'excluded';

/** One manifest record with its decision. */
export interface DecidedRecord {
  record: ManifestRecord;
  result: DecisionResult;
  /** The model's confidence (null without a model or for failed rows). */
  confidence: number | null;
  /** What the decision was made from. */
  input: DecisionInput;
}

/** An output format and the extension it is written with. */
export type ManifestFormat = 'csv' | 'tsv' | 'jsonl' | 'parquet';

/** The formats the manifests are written in for an input: its own (Arrow becomes Parquet; folders, files and s3:// prefixes get CSV and Parquet; WebDataset shards JSONL). */
export function outputFormats(m: Pick<Manifest, 'kind' | 'delimiter'>): ManifestFormat[] {
  switch (m.kind) {
    case 'csv':
      return [m.delimiter === '\t' ? 'tsv' : 'csv'];
    case 'jsonl':
      return ['jsonl'];
    case 'parquet':
    case 'arrow':
      return ['parquet'];
    case 'folder':
    case 'file':
    case 's3':
      return ['csv', 'parquet'];
    case 'webdataset':
      return ['jsonl'];
  }
}

/**
 * Names for the added columns that do not collide with the original ones: a taken name gets `audit_` in
 * front (again, until it is free). Returns the names in {@link ADDED_COLUMNS} order.
 */
export function addedColumnNames(original: Iterable<string>): string[] {
  const taken = new Set(original);
  return ADDED_COLUMNS.map((c) => {
    let name = c.name;
    while (taken.has(name)) name = `audit_${name}`;
    taken.add(name);
    return name;
  });
}

function addedValues(d: DecidedRecord): CellValue[] {
  const r = d.result;
  return [r.reverse, r.label_reversed, r.caption_reversed, r.verdict, r.decision, d.confidence, r.reason];
}

const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Makes a CSV cell safe to open in a spreadsheet: a cell starting with `=`, `+`, `-`, `@`, tab or carriage
 * return gets a leading `'` so it is shown as text, not run as a formula, unless it is a plain number
 * (`-3.5`, `+2`, `-1e-3`), which a spreadsheet reads as that number and cannot run.
 */
export function neutraliseCell(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/**
 * One CSV/TSV line (with its line break): cells neutralised, then quoted when they must be. CSV: a cell holding the
 * delimiter, a quote or a line break. TSV (tab delimiter), whose readers often know no quoting (`cut`, `awk -F'\t'`)
 * and whose quotes inside a cell are read as they are: only a cell holding a tab or a line break, or starting with
 * a quote, so `5" screen` stays `5" screen`.
 */
export function csvLine(cells: readonly CellValue[], delimiter: string): string {
  const mustQuote = delimiter === '\t' ? /^"|[\t\r\n]/ : null;
  return `${cells
    .map((v) => {
      const s = neutraliseCell(v === null || v === undefined ? '' : String(v));
      const quote = mustQuote ? mustQuote.test(s) : s.includes(delimiter) || /["\r\n]/.test(s);
      return quote ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(delimiter)}\n`;
}

/** The JSONL line of a decided record: the original object text with the decision fields added at its end. */
export function jsonlLine(d: DecidedRecord, names: readonly string[]): string {
  const values = addedValues(d);
  const fields = names.map((n, i) => `${JSON.stringify(n)}:${JSON.stringify(values[i] ?? null)}`).join(',');
  const text = d.record.json;
  if (text === undefined || d.record.columns === null) return `{${fields}}\n`;
  const body = text.slice(0, text.lastIndexOf('}'));
  return `${body}${Object.keys(d.record.columns).length ? ',' : ''}${fields}}\n`;
}

/** A text file written through a buffer into a temp file that replaces the target on commit. */
export interface TextSink {
  write(text: string): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** Opens a {@link TextSink} for `target` (the temp file sits beside it). */
export async function openTextSink(target: string): Promise<TextSink> {
  const temp = tempPathFor(target);
  const fh: FileHandle = await open(temp, 'wx');
  let buf: string[] = [];
  let size = 0;
  let done = false;
  const flush = async () => {
    if (!buf.length) return;
    const text = buf.join('');
    buf = [];
    size = 0;
    await fh.write(text);
  };
  return {
    async write(text) {
      buf.push(text);
      size += text.length;
      if (size >= 1 << 16) await flush();
    },
    async commit() {
      if (done) return;
      done = true;
      await flush();
      await fh.sync();
      await fh.close();
      await rename(temp, target);
    },
    async abort() {
      if (done) return;
      done = true;
      await fh.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
    },
  };
}

/** What one pass over the decided records needs: the records (a fresh stream per call) and an observer. */
export interface ManifestWriteOptions {
  out: string;
  manifest: Pick<Manifest, 'kind' | 'delimiter' | 'columns' | 'types'>;
  /** Names of the added columns (see {@link addedColumnNames}). */
  added: readonly string[];
  /** Streams the decided records in manifest order; called once per pass. */
  rows: () => AsyncIterable<DecidedRecord>;
  /** Called for every record of the first pass (for counts and decisions.jsonl). */
  onRow?: (d: DecidedRecord) => Promise<void> | void;
}

/** The files written, per format. */
export interface ManifestFiles {
  formats: ManifestFormat[];
  files: string[];
  reverse_safe: number;
  excluded: number;
}

const isSafe = (d: DecidedRecord) => d.result.reverse;

function originalCells(d: DecidedRecord, columns: readonly string[]): CellValue[] {
  const c = d.record.columns;
  return columns.map((name) => (c && Object.hasOwn(c, name) ? (c[name] ?? null) : null));
}

/** Records counted so far, per output file. */
interface Counts {
  safe: number;
  excluded: number;
}

/** Counts one record of the observed pass and hands it to `onRow`. */
async function observeRow(o: ManifestWriteOptions, d: DecidedRecord, counts: Counts): Promise<void> {
  if (isSafe(d)) counts.safe++;
  else counts.excluded++;
  await o.onRow?.(d);
}

type TextFormat = 'csv' | 'tsv' | 'jsonl';
type TextSinks = Array<{ format: TextFormat; safe: TextSink; excluded: TextSink }>;

/** Opens both files of every text format into `sinks` (so a failure part way still aborts the opened ones) and writes the CSV/TSV headers. */
async function openTextSinks(o: ManifestWriteOptions, text: readonly TextFormat[], sinks: TextSinks): Promise<void> {
  for (const format of text) {
    const safe = await openTextSink(join(o.out, `${REVERSE_SAFE}.${format}`));
    const excluded = await openTextSink(join(o.out, `${EXCLUDED}.${format}`));
    sinks.push({ format, safe, excluded });
    if (format !== 'jsonl') {
      const header = csvLine([...o.manifest.columns, ...o.added], format === 'tsv' ? '\t' : ',');
      await safe.write(header);
      await excluded.write(header);
    }
  }
}

/**
 * Writes the text formats in one pass over the records (which also counts them and feeds `onRow`), then
 * commits every file and adds it to `files`; on any failure every opened file is aborted.
 */
async function writeTextManifests(
  o: ManifestWriteOptions,
  text: readonly TextFormat[],
  files: string[],
  counts: Counts,
): Promise<void> {
  const sinks: TextSinks = [];
  try {
    await openTextSinks(o, text, sinks);
    for await (const d of o.rows()) {
      await observeRow(o, d, counts);
      for (const s of sinks) {
        const line =
          s.format === 'jsonl'
            ? jsonlLine(d, o.added)
            : csvLine([...originalCells(d, o.manifest.columns), ...addedValues(d)], s.format === 'tsv' ? '\t' : ',');
        await (isSafe(d) ? s.safe : s.excluded).write(line);
      }
    }
    for (const s of sinks) {
      await s.safe.commit();
      await s.excluded.commit();
      files.push(join(o.out, `${REVERSE_SAFE}.${s.format}`), join(o.out, `${EXCLUDED}.${s.format}`));
    }
  } catch (err) {
    for (const s of sinks) {
      await s.safe.abort();
      await s.excluded.abort();
    }
    throw err;
  }
}

/** The Parquet schema: the original columns with their read types, then the added ones under their names. */
function parquetColumns(o: ManifestWriteOptions): ColumnSpec[] {
  return [
    ...o.manifest.columns.map((name) => ({ name, type: (o.manifest.types.get(name) ?? 'string') as ColumnType })),
    ...ADDED_COLUMNS.map((c, i) => ({ name: o.added[i], type: c.type })),
  ];
}

/** The Parquet row of a record: its cells as own properties named by the columns (names like `__proto__` included). */
function parquetRow(
  d: DecidedRecord,
  o: ManifestWriteOptions,
  columns: readonly ColumnSpec[],
): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  const cells = [...originalCells(d, o.manifest.columns), ...addedValues(d)];
  columns.forEach((c, i) => {
    Object.defineProperty(row, c.name, {
      value: cells[i],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  });
  return row;
}

/** One pass for one Parquet file: the records that belong in it (`keep`: the reverse-safe one), counting all when `observe`. */
async function* parquetRows(
  o: ManifestWriteOptions,
  columns: readonly ColumnSpec[],
  keep: boolean,
  observe: boolean,
  counts: Counts,
): AsyncGenerator<Record<string, unknown>> {
  for await (const d of o.rows()) {
    if (observe) await observeRow(o, d, counts);
    if (isSafe(d) !== keep) continue;
    yield parquetRow(d, o, columns);
  }
}

/** Writes reverse-safe.parquet then excluded.parquet, one pass each; the first pass counts when no text pass did. */
async function writeParquetManifests(
  o: ManifestWriteOptions,
  observeFirst: boolean,
  files: string[],
  counts: Counts,
): Promise<void> {
  const columns = parquetColumns(o);
  let first = observeFirst;
  for (const [name, keep] of [
    [REVERSE_SAFE, true],
    [EXCLUDED, false],
  ] as const) {
    const observe = first;
    first = false;
    const file = join(o.out, `${name}.parquet`);
    await writeParquet(file, columns, parquetRows(o, columns, keep, observe, counts));
    files.push(file);
  }
}

/**
 * Writes reverse-safe.<ext> and excluded.<ext> for every output format of the input. Text formats are
 * written in one pass over the records (which also feeds `onRow`); each Parquet file takes one more pass.
 * Every record lands in exactly one of the two files of each format.
 */
export async function writeManifests(o: ManifestWriteOptions): Promise<ManifestFiles> {
  const formats = outputFormats(o.manifest);
  const text = formats.filter((f): f is TextFormat => f !== 'parquet');
  const files: string[] = [];
  const counts: Counts = { safe: 0, excluded: 0 };
  // One pass observes each row (counts, onRow: decisions.jsonl): the text pass when there is one, else the Parquet one.
  const parquet = formats.includes('parquet');
  if (text.length > 0 || !parquet) await writeTextManifests(o, text, files, counts);
  if (parquet) await writeParquetManifests(o, text.length === 0, files, counts);
  return { formats, files, reverse_safe: counts.safe, excluded: counts.excluded };
}
