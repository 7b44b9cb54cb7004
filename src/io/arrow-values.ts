// Converts Apache Arrow cell values (bigint, Date, vectors, struct rows) to plain JavaScript values.

import { DataType, Precision, type RecordBatch } from 'apache-arrow';
import type { CellValue } from './input-types.js';

// ignoreBOM: a leading EF BB BF is part of the cell's bytes, not a marker to drop
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Bytes as text: UTF-8 when they are (a string column some writers store as plain binary), else `base64:` and their
 * base64, so bytes that are not text (a hash, a thumbnail) come through whole instead of as replacement characters.
 */
function bytesText(value: Uint8Array): string {
  try {
    return utf8.decode(value);
  } catch {
    return `base64:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}`;
  }
}

/** A bigint as a number when that is exact, else as its decimal text. */
function exactBigint(value: bigint): number | string {
  return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
}

/** JSON.stringify replacer that writes bigints as numbers when exact, else as strings. */
export function bigintReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return exactBigint(value);
  return value;
}

/**
 * The conversion {@link toPlain} and {@link toCell} share: null and undefined -> null, strings, numbers and booleans
 * kept, Date -> ISO text, bytes -> UTF-8 text (else base64, see {@link bytesText}); bigints and nested values go to the caller's `bigint` and `nested`.
 */
function convertValue<T>(
  value: unknown,
  bigint: (v: bigint) => T,
  nested: (v: unknown) => T,
): string | number | boolean | null | T {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return bigint(value);
    default:
      break;
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return bytesText(value);
  return nested(value);
}

const nestedPlain = (value: unknown): unknown => JSON.parse(JSON.stringify(value, bigintReplacer)) as unknown;
const nestedCell = (value: unknown): string | null => JSON.stringify(value, bigintReplacer) ?? null;

/** A value from an Arrow vector as plain data: bigint -> number (lossy beyond 2^53), Date -> ISO text, nested -> JSON-like. */
export function toPlain(value: unknown): unknown {
  return convertValue(value, Number, nestedPlain);
}

/** A value from an Arrow vector as a manifest cell: primitives kept (bigints exact or as text), nested -> JSON text. */
export function toCell(value: unknown): CellValue {
  return convertValue(value, exactBigint, nestedCell);
}

/** The shortest decimal that reads back as the same float32 (0.1f is 0.1, not 0.10000000149011612). */
export function float32Number(v: number): number {
  if (!Number.isFinite(v)) return v;
  for (let p = 1; p < 9; p++) {
    const short = Number(v.toPrecision(p));
    if (Math.fround(short) === v) return short;
  }
  return v;
}

/**
 * Column names and per-row getters of a record batch (Vector.get is faster than StructRow proxies). Dates and
 * timestamps (which Arrow gives as epoch milliseconds) come back as Date, float32 values as their shortest decimal.
 */
export function batchColumns(batch: RecordBatch): { names: string[]; get: Array<(i: number) => unknown> } {
  const names = batch.schema.fields.map((f) => f.name);
  const get = batch.schema.fields.map((field, j) => {
    const vector = batch.getChildAt(j);
    if (vector === null) return (): unknown => null;
    const t = field.type;
    if (DataType.isDate(t) || DataType.isTimestamp(t))
      return (i: number): unknown => {
        const v = vector.get(i) as unknown;
        return typeof v === 'number' ? new Date(v) : v;
      };
    if (DataType.isFloat(t) && t.precision === Precision.SINGLE)
      return (i: number): unknown => {
        const v = vector.get(i) as unknown;
        return typeof v === 'number' ? float32Number(v) : v;
      };
    return (i: number): unknown => vector.get(i) as unknown;
  });
  return { names, get };
}
