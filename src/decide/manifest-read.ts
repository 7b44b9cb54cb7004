// Reads the scanned manifest again, record by record with its original cells, for the decision manifests.

import { open } from 'node:fs/promises';
import path from 'node:path';
import { DataType, RecordBatchReader, type RecordBatch, type Schema } from 'apache-arrow';
import { ManifestError, UsageError, expected } from '../errors.js';
import { batchColumns, toCell } from '../io/arrow-values.js';
import { CsvRecordSplitter, type CsvRecord } from '../io/formats/csv-records.js';
import { segmentId, segmentTime } from '../io/formats/common.js';
import { csvHeader, delimiterOf } from '../io/formats/csv.js';
import { isRowProblem, openInput, type CellValue, type InputKind } from '../io/inputs.js';
import { readLineBatches, type TextLine } from '../io/lines.js';
import { isS3Url } from '../io/object-store.js';
import type { ColumnType } from '../io/parquet-writer.js';
import { openParquet, parquetBatches } from '../io/parquet-read.js';
import { parseJsonExact } from '../io/json-exact.js';

/** One record of the manifest as it was written. */
export interface ManifestRecord {
  /** The row number the scan gave it (CSV/JSONL: first physical line; Parquet/Arrow: record; folder: entry). */
  row: number;
  /** The original cells, or null when the record could not be parsed. */
  columns: Record<string, CellValue> | null;
  /** JSONL: the record's own text (trimmed), so that output keeps it byte for byte. */
  json?: string;
  /** Text of a record that could not be parsed (cut at 500 characters), when it is known. */
  raw?: string;
  /** s3 and WebDataset listings: the id the scan gave the row. */
  id?: string;
}

/** An opened manifest: its kind, its columns in order and their types, and its records. */
export interface Manifest {
  kind: InputKind;
  input: string;
  /** Column names in file order (JSONL: the keys of the first objects, in order of appearance). */
  columns: string[];
  /** Parquet/Arrow column types mapped to output types (everything else: string). */
  types: ReadonlyMap<string, ColumnType>;
  /** ',' or '\t' for CSV/TSV; null otherwise. */
  delimiter: ',' | '\t' | null;
  records(): AsyncIterable<ManifestRecord>;
}

const RAW_CHARS = 500;
/** JSONL: how many leading lines are read to list the columns. */
const JSONL_PROBE_LINES = 1000;

function cut(text: string): string {
  return text.length > RAW_CHARS ? `${text.slice(0, RAW_CHARS)}...` : text;
}

function unreadable(file: string, kind: string, err: unknown): ManifestError {
  if (err instanceof ManifestError) return err;
  return new ManifestError(
    'manifest-unreadable',
    expected(`a readable ${kind} file`, file, err instanceof Error ? err.message : String(err)),
    { path: file },
    { cause: err },
  );
}

/** CSV records with the raw text of the lines they start on (kept for two read chunks, enough for the error rows). */
async function* csvRecords(
  file: string,
  delimiter: string,
): AsyncGenerator<{ rec: CsvRecord; raw: string | undefined }> {
  const splitter = new CsvRecordSplitter(delimiter, delimiter === '\t');
  // Lines are numbered consecutively within a batch, so a line is found by its offset from the first.
  let prev: TextLine[] = [];
  let cur: TextLine[] = [];
  const find = (batch: TextLine[], line: number) => (batch.length ? batch[line - batch[0].line]?.text : undefined);
  const lookup = (line: number) => find(cur, line) ?? find(prev, line);
  for await (const lines of readLineBatches(file, undefined, 'mark')) {
    prev = cur;
    cur = lines;
    const out: CsvRecord[] = [];
    for (const ln of lines) splitter.push(ln, out);
    for (const rec of out) yield { rec, raw: lookup(rec.line) };
  }
  const out: CsvRecord[] = [];
  splitter.end(out);
  for (const rec of out) yield { rec, raw: lookup(rec.line) };
}

async function openCsv(file: string): Promise<Manifest> {
  const delimiter = delimiterOf(file);
  const names = await csvHeader(file);
  async function* records(): AsyncGenerator<ManifestRecord> {
    let first = true;
    for await (const { rec, raw } of csvRecords(file, delimiter)) {
      if (first) {
        first = false;
        continue;
      }
      if ('error' in rec || rec.fields.length !== names.length) {
        yield { row: rec.line, columns: null, ...(raw !== undefined ? { raw: cut(raw) } : {}) };
        continue;
      }
      const columns: Record<string, CellValue> = {};
      names.forEach((n, i) => {
        define(columns, n, rec.fields[i] ?? '');
      });
      yield { row: rec.line, columns };
    }
  }
  return { kind: 'csv', input: file, columns: names, types: new Map(), delimiter, records };
}

/** Sets an own property even for "__proto__". */
function define(obj: Record<string, CellValue>, key: string, value: CellValue): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function parseObject(text: string): Record<string, CellValue> | null {
  let value: unknown;
  try {
    value = parseJsonExact(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const columns: Record<string, CellValue> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>))
    define(columns, k, v === null || typeof v !== 'object' ? (v as CellValue) : JSON.stringify(v));
  return columns;
}

async function openJsonl(file: string): Promise<Manifest> {
  const names: string[] = [];
  const seen = new Set<string>();
  try {
    probe: for await (const lines of readLineBatches(file, undefined, 'mark')) {
      for (const ln of lines) {
        if (ln.line > JSONL_PROBE_LINES) break probe;
        const obj = ln.text.trim() === '' ? null : parseObject(ln.text);
        for (const k of Object.keys(obj ?? {})) if (!seen.has(k)) seen.add(k) && names.push(k);
      }
    }
  } catch (err) {
    throw unreadable(file, 'JSONL', err);
  }
  async function* records(): AsyncGenerator<ManifestRecord> {
    for await (const lines of readLineBatches(file, undefined, 'mark')) {
      for (const ln of lines) {
        if (ln.tooLong !== undefined) {
          yield { row: ln.line, columns: null, raw: `(a line of ${ln.tooLong} bytes)` };
          continue;
        }
        const text = ln.text.trim();
        if (text === '') continue;
        const columns = parseObject(text);
        yield columns ? { row: ln.line, columns, json: text } : { row: ln.line, columns: null, raw: cut(ln.text) };
      }
    }
  }
  return { kind: 'jsonl', input: file, columns: names, types: new Map(), delimiter: null, records };
}

function typesOf(schema: Schema): Map<string, ColumnType> {
  const types = new Map<string, ColumnType>();
  for (const f of schema.fields) {
    const t = f.type;
    types.set(
      f.name,
      // unsigned 64-bit values above int64's range would not survive an int64 column: kept as their decimal text
      DataType.isInt(t) && (t.isSigned || t.bitWidth < 64)
        ? 'int64'
        : DataType.isFloat(t)
          ? 'float64'
          : DataType.isBool(t)
            ? 'bool'
            : 'string',
    );
  }
  return types;
}

async function* batchRecords(batches: AsyncIterable<RecordBatch>): AsyncGenerator<ManifestRecord> {
  let record = 0;
  for await (const batch of batches) {
    const { names, get } = batchColumns(batch);
    for (let i = 0; i < batch.numRows; i++) {
      const columns: Record<string, CellValue> = {};
      for (let j = 0; j < names.length; j++) define(columns, names[j], toCell(get[j](i)));
      yield { row: ++record, columns };
    }
  }
}

async function openParquetManifest(file: string): Promise<Manifest> {
  const { pf, schema } = await openParquet(file);
  pf.free();
  return {
    kind: 'parquet',
    input: file,
    columns: schema.fields.map((f) => f.name),
    types: typesOf(schema),
    delimiter: null,
    records: () => batchRecords(parquetBatches(file)),
  };
}

async function openArrowReader(
  file: string,
): Promise<{ close: () => Promise<void>; reader: RecordBatchReader; schema: Schema }> {
  const fh = await open(file, 'r');
  try {
    const reader = await RecordBatchReader.from(fh);
    await reader.open();
    if (!reader.schema) throw new Error('no Arrow schema found');
    return { close: () => fh.close().catch(() => undefined), reader, schema: reader.schema };
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw unreadable(file, 'Arrow IPC', err);
  }
}

async function openArrowManifest(file: string): Promise<Manifest> {
  const { close, schema } = await openArrowReader(file);
  await close();
  async function* batches(): AsyncGenerator<RecordBatch> {
    const { close: done, reader } = await openArrowReader(file);
    try {
      for await (const b of reader as AsyncIterable<RecordBatch>) yield b;
    } finally {
      await done();
    }
  }
  return {
    kind: 'arrow',
    input: file,
    columns: schema.fields.map((f) => f.name),
    types: typesOf(schema),
    delimiter: null,
    records: () => batchRecords(batches()),
  };
}

/**
 * Folders, single files and s3:// prefixes: the scan's own rows (columns `{ path }`). WebDataset shards: each sample's
 * columns (json fields, txt, __key__, __shard__; the columns are those of the first 1,000 samples), written as JSONL.
 */
async function openListing(input: string, kind: 'folder' | 'file' | 's3' | 'webdataset'): Promise<Manifest> {
  const source = await openInput(input, { format: kind });
  const wds = kind === 'webdataset';
  async function* records(): AsyncGenerator<ManifestRecord> {
    for await (const r of source.rows()) {
      if (isRowProblem(r)) yield { row: r.row, columns: null, raw: r.error.message };
      else yield { row: r.row, columns: r.columns, id: r.id, ...(wds ? { json: JSON.stringify(r.columns) } : {}) };
    }
  }
  const columns = new Set<string>(wds ? [] : ['path']);
  if (wds) {
    let n = 0;
    for await (const r of source.rows()) {
      if (!isRowProblem(r)) for (const k of Object.keys(r.columns)) columns.add(k);
      if (++n >= JSONL_PROBE_LINES) break;
    }
  }
  return { kind, input, columns: [...columns], types: new Map(), delimiter: null, records };
}

/**
 * Opens the manifest a scan read (`kind` as the scan's summary.json records it) to stream its records with
 * their original cells, in file order. Throws ManifestError when it is missing or unreadable.
 */
export async function openManifest(input: string, kind: InputKind): Promise<Manifest> {
  const abs = isS3Url(input) ? input : path.resolve(input);
  try {
    switch (kind) {
      case 'csv':
        return await openCsv(abs);
      case 'jsonl':
        return await openJsonl(abs);
      case 'parquet':
        return await openParquetManifest(abs);
      case 'arrow':
        return await openArrowManifest(abs);
      case 'folder':
      case 'file':
      case 's3':
      case 'webdataset':
        return await openListing(abs, kind);
    }
  } catch (err) {
    throw unreadable(abs, kind, err);
  }
}

/**
 * Checks that the label and caption columns exist in the input; throws UsageError naming the column and the
 * columns there are. A folder or a single file has only `path`.
 */
export async function checkDecisionColumns(
  input: string,
  kind: InputKind,
  columns: { labelColumn?: string | undefined; captionColumn?: string | undefined },
): Promise<void> {
  const wanted: Array<[string, string]> = [];
  if (columns.labelColumn !== undefined) wanted.push(['--label-column', columns.labelColumn]);
  if (columns.captionColumn !== undefined) wanted.push(['--caption-column', columns.captionColumn]);
  if (!wanted.length) return;
  const m = await openManifest(input, kind);
  for (const [flag, name] of wanted) {
    if (!m.columns.includes(name)) {
      const where =
        kind === 'folder' || kind === 'file' ? `${input} (a ${kind} input has only the column "path")` : input;
      const have = m.columns.length
        ? `the columns ${m.columns.map((c) => JSON.stringify(c)).join(', ')}`
        : 'no columns';
      throw new UsageError(
        `Expected a column named ${JSON.stringify(name)} for ${flag} in ${where} but received ${have}`,
      );
    }
  }
}

/** The scan's id of a parsed record: the id cell when it is non-empty, else the path cell as written. */
export function recordId(
  columns: Record<string, CellValue>,
  pathColumn: string,
  idColumn: string,
  segments?: { startColumn: string; endColumn: string },
): string | null {
  const id = Object.hasOwn(columns, idColumn) ? columns[idColumn] : undefined;
  if (id !== undefined && id !== null && !(typeof id === 'string' && id.trim() === '')) return String(id);
  const p = Object.hasOwn(columns, pathColumn) ? columns[pathColumn] : undefined;
  if (!(typeof p === 'string' && p.trim() !== '')) return null;
  if (segments) {
    // as the scan named the row (io/formats/common.ts buildRow): `path#start-end` for a segment
    const start = segmentTime(columns[segments.startColumn]);
    const end = segmentTime(columns[segments.endColumn]);
    if (start === undefined || end === undefined) return null;
    if (start !== null || end !== null) return segmentId(p, { startS: start ?? 0, endS: end ?? Infinity });
  }
  return p;
}
