// Streams plain rows into a standard Parquet file (ZSTD, one row group per batch) and reads one back.

import {
  Bool,
  Field,
  Float64,
  Int64,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Utf8,
  makeData,
  type Data,
  type DataType,
} from 'apache-arrow';
import {
  Compression,
  Table as WasmTable,
  WriterPropertiesBuilder,
  transformParquetStream,
  type RecordBatch as WasmRecordBatch,
} from 'parquet-wasm';
import { z } from 'zod';
import { AuditError, expected } from '../errors.js';
import { withAtomicFile } from './atomic.js';
import { writeFully } from './write-fully.js';
import { batchColumns, bigintReplacer, toPlain } from './arrow-values.js';
import { parquetBatches } from './parquet-read.js';

/** Column types of {@link writeParquet}; 'json' = any value stored as its JSON string. */
export type ColumnType = 'string' | 'float64' | 'int64' | 'bool' | 'json';

/** One output column. */
export interface ColumnSpec {
  name: string;
  type: ColumnType;
}

/** Field metadata key marking a 'json' column, so {@link readParquetRows} parses it back (other tools see a string). */
export const JSON_TYPE_KEY = 'reversal_audit.type';

const specSchema = z
  .array(z.object({ name: z.string().min(1), type: z.enum(['string', 'float64', 'int64', 'bool', 'json']) }))
  .min(1)
  .refine((cols) => new Set(cols.map((c) => c.name)).size === cols.length, 'unique column names');
const batchSizeSchema = z.number().int().min(1).max(10_000_000);
/**
 * Rows per record batch handed to parquet-wasm. Its writer gathers batches into row groups of `batchSize` rows, so
 * the row groups are the same, but the rows held in JS values, Arrow buffers and wasm memory at once are far fewer:
 * on clip rows, batches of 10,000 rows peaked at 435 MB RSS, batches of 1,000 at 175 MB (100,000 rows).
 */
const FEED_ROWS = 1_000;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const NUMBER_TEXT = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$|^\s*[-+]?(Infinity|NaN)\s*$/;
const INT_TEXT = /^\s*[-+]?\d+\s*$/;

function toInt64(v: unknown): bigint | null {
  let b: bigint | null = null;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isInteger(v)) b = BigInt(v);
  else if (typeof v === 'string' && INT_TEXT.test(v)) b = BigInt(v.trim());
  else if (typeof v === 'string' && NUMBER_TEXT.test(v) && Number.isInteger(Number(v))) b = BigInt(Number(v));
  return b !== null && b >= INT64_MIN && b <= INT64_MAX ? b : null;
}

/** Coerces a value to the column type, or null when it cannot be (missing, wrong type, unparseable text). */
export function coerce(type: ColumnType, v: unknown): Cell {
  if (v === undefined || v === null) return null;
  switch (type) {
    case 'string':
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
      return safeJson(v);
    case 'float64':
      if (typeof v === 'number') return v;
      if (typeof v === 'bigint') return Number(v);
      return typeof v === 'string' && NUMBER_TEXT.test(v) ? Number(v) : null;
    case 'int64':
      return toInt64(v);
    case 'bool':
      if (typeof v === 'boolean') return v;
      if (v === 1 || v === 0) return v === 1;
      if (typeof v === 'string') {
        const s = v.trim().toLowerCase();
        return s === 'true' || s === '1' ? true : s === 'false' || s === '0' ? false : null;
      }
      return null;
    case 'json':
      return safeJson(v);
  }
}

function safeJson(v: unknown): string | null {
  try {
    return JSON.stringify(v, bigintReplacer) ?? null;
  } catch {
    return null;
  }
}

function arrowType(type: ColumnType): DataType {
  switch (type) {
    case 'float64':
      return new Float64();
    case 'int64':
      return new Int64();
    case 'bool':
      return new Bool();
    default:
      return new Utf8();
  }
}

type Cell = string | number | bigint | boolean | null;

/** Validity bitmap (bit set = value present) and null count of one column, or no bitmap when nothing is null. */
function validity(values: Cell[]): { nullBitmap: Uint8Array | undefined; nullCount: number } {
  let nullCount = 0;
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null) nullCount++;
    else bitmap[i >> 3] |= 1 << (i & 7);
  }
  return { nullBitmap: nullCount === 0 ? undefined : bitmap, nullCount };
}

/** Arrow data for one column of already-coerced values, built from typed arrays (much faster than Builders). */
function columnData(type: DataType, values: Cell[]): Data {
  const length = values.length;
  const { nullBitmap, nullCount } = validity(values);
  if (type instanceof Utf8) {
    const valueOffsets = new Int32Array(length + 1);
    let bytes = 0;
    for (let i = 0; i < length; i++) {
      const v = values[i];
      if (typeof v === 'string') bytes += Buffer.byteLength(v, 'utf8');
      valueOffsets[i + 1] = bytes;
    }
    const data = new Uint8Array(bytes);
    const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    let at = 0;
    for (const v of values) if (typeof v === 'string') at += view.write(v, at, 'utf8');
    return makeData({ type, length, nullCount, nullBitmap, valueOffsets, data });
  }
  if (type instanceof Float64)
    return makeData({
      type,
      length,
      nullCount,
      nullBitmap,
      data: Float64Array.from(values, (v) => (typeof v === 'number' ? v : 0)),
    });
  if (type instanceof Int64)
    return makeData({
      type,
      length,
      nullCount,
      nullBitmap,
      data: BigInt64Array.from(values, (v) => (typeof v === 'bigint' ? v : 0n)),
    });
  const bits = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) if (values[i] === true) bits[i >> 3] |= 1 << (i & 7);
  return makeData({ type: type as Bool, length, nullCount, nullBitmap, data: bits });
}

/** Encodes one batch (one array of coerced values per column) as Arrow IPC stream bytes. */
function encodeBatch(schema: Schema, values: Cell[][], length: number): Uint8Array {
  const children = schema.fields.map((f, j) => columnData(f.type, values[j] as Cell[]));
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
  return RecordBatchStreamWriter.writeAll([new RecordBatch(schema, data)]).toUint8Array(true);
}

/** Moves an IPC batch into wasm memory as a parquet-wasm RecordBatch. */
function toWasmBatch(ipc: Uint8Array): WasmRecordBatch {
  const table = WasmTable.fromIPCStream(ipc);
  try {
    const batch = table.recordBatch(0);
    if (batch === undefined)
      throw new AuditError('parquet-write', 'Expected one record batch in the encoded IPC stream but received none');
    return batch;
  } finally {
    table.free();
  }
}

/** Checks the column spec and batch size of {@link writeParquet}, returning the batch size. */
function checkedBatchSize(path: string, columns: ColumnSpec[], batchSize: number | undefined): number {
  const spec = specSchema.safeParse(columns);
  if (!spec.success)
    throw new AuditError(
      'parquet-spec',
      expected('a list of uniquely named columns with known types', `the columns of ${path}`, columns),
    );
  const size = batchSizeSchema.safeParse(batchSize ?? 10_000);
  if (!size.success)
    throw new AuditError(
      'parquet-spec',
      expected('a whole batch size of at least 1', `the batch size of ${path}`, batchSize),
    );
  return size.data;
}

/** The Arrow schema of the columns, 'json' columns marked in their field metadata. */
function parquetSchema(columns: ColumnSpec[]): Schema {
  const fields = columns.map(
    (c) =>
      new Field(c.name, arrowType(c.type), true, c.type === 'json' ? new Map([[JSON_TYPE_KEY, 'json']]) : undefined),
  );
  return new Schema(fields);
}

type RowIterator = AsyncIterator<Record<string, unknown>> | Iterator<Record<string, unknown>>;

/** What the row stream shares with the writer: rows sent so far and the first error it met. */
interface StreamState {
  count: number;
  failure: { error: unknown } | null;
}

/** Pulls up to `batchSize` rows and coerces them, one array of values per column; `done` once the rows end. */
async function readBatch(
  iterator: RowIterator,
  columns: ColumnSpec[],
  batchSize: number,
  path: string,
  before: number,
): Promise<{ values: Cell[][]; length: number; done: boolean }> {
  const values: Cell[][] = columns.map(() => []);
  let length = 0;
  while (length < batchSize) {
    const next = await iterator.next();
    if (next.done) return { values, length, done: true };
    const row = next.value;
    if (row === null || typeof row !== 'object') {
      throw new AuditError('parquet-row', expected('a row object', `row ${before + length + 1} of ${path}`, row));
    }
    for (let j = 0; j < columns.length; j++) {
      const { name, type } = columns[j] as ColumnSpec;
      (values[j] as Cell[]).push(coerce(type, Object.hasOwn(row, name) ? row[name] : undefined));
    }
    length++;
  }
  return { values, length, done: false };
}

/** A pull stream of wasm record batches of up to {@link FEED_ROWS} rows; errors are recorded in `state` too. */
function rowBatchStream(
  path: string,
  columns: ColumnSpec[],
  rows: AsyncIterable<Record<string, unknown>> | Iterable<Record<string, unknown>>,
  batchSize: number,
  state: StreamState,
): ReadableStream<WasmRecordBatch> {
  const schema = parquetSchema(columns);
  const iterator: RowIterator =
    Symbol.asyncIterator in rows
      ? rows[Symbol.asyncIterator]()
      : (rows as Iterable<Record<string, unknown>>)[Symbol.iterator]();
  let sent = false;
  return new ReadableStream<WasmRecordBatch>(
    {
      async pull(controller) {
        try {
          const feed = Math.min(batchSize, FEED_ROWS);
          const { values, length, done } = await readBatch(iterator, columns, feed, path, state.count);
          // An empty file still needs one (empty) batch so its schema is written.
          if (length > 0 || !sent) controller.enqueue(toWasmBatch(encodeBatch(schema, values, length)));
          sent = true;
          state.count += length;
          if (done) controller.close();
        } catch (error) {
          state.failure = { error };
          controller.error(error);
        }
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

/** Writes the batches through parquet-wasm (ZSTD, one row group per batch) to a temp file renamed over `path`. */
async function writeBatchesAtomically(
  path: string,
  source: ReadableStream<WasmRecordBatch>,
  batchSize: number,
  state: StreamState,
): Promise<void> {
  const props = new WriterPropertiesBuilder().setCompression(Compression.ZSTD).setMaxRowGroupSize(batchSize).build();
  try {
    await withAtomicFile(path, async (fh) => {
      const bytes = (await transformParquetStream(source, props)) as ReadableStream<Uint8Array>;
      for await (const chunk of bytes) await writeFully(fh, chunk);
      // parquet-wasm ends its output normally (a valid, shorter file) when the input stream errors: check.
      if (state.failure !== null) throw state.failure.error;
    });
  } catch (err) {
    // Rethrow the caller's own error (from the rows iterable) rather than its wasm-wrapped echo.
    if (state.failure !== null) throw state.failure.error;
    throw err;
  }
}

/**
 * Streams rows (plain objects) into a ZSTD Parquet file with one row group per `batchSize` rows (default
 * 10 000). Rows are buffered up to 1,000 at a time, encoded to Arrow, and pulled by parquet-wasm's
 * `transformParquetStream`, which gathers them into row groups and emits each finished one's bytes; the bytes go to a
 * temp file that is renamed over `path` at the end (atomic). Missing values become null, values of the wrong
 * type are coerced (number text to numbers) or become null, and columns not in the spec are ignored.
 */
export async function writeParquet(
  path: string,
  columns: ColumnSpec[],
  rows: AsyncIterable<Record<string, unknown>> | Iterable<Record<string, unknown>>,
  options: { batchSize?: number } = {},
): Promise<{ rows: number }> {
  const batchSize = checkedBatchSize(path, columns, options.batchSize);
  const state: StreamState = { count: 0, failure: null };
  const source = rowBatchStream(path, columns, rows, batchSize, state);
  await writeBatchesAtomically(path, source, batchSize, state);
  return { rows: state.count };
}

/**
 * Reads a Parquet file back as plain rows, streamed one record batch at a time: int64 as numbers (lossy
 * beyond 2^53), 'json' columns written by {@link writeParquet} parsed back, nested values as plain data.
 */
export async function* readParquetRows(path: string): AsyncGenerator<Record<string, unknown>> {
  for await (const batch of parquetBatches(path)) {
    const { names, get } = batchColumns(batch);
    const json = batch.schema.fields.map((f) => f.metadata.get(JSON_TYPE_KEY) === 'json');
    for (let i = 0; i < batch.numRows; i++) {
      const row: Record<string, unknown> = {};
      for (let j = 0; j < names.length; j++) {
        let value = toPlain((get[j] as (i: number) => unknown)(i));
        if (json[j] && typeof value === 'string') {
          try {
            value = JSON.parse(value) as unknown;
          } catch {
            // Not JSON after all (written by another tool): keep the text.
          }
        }
        const name = names[j] as string;
        if (name === '__proto__')
          Object.defineProperty(row, name, { value, enumerable: true, writable: true, configurable: true });
        else row[name] = value;
      }
      yield row;
    }
  }
}
