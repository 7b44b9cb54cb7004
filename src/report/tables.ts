// Reads the small side tables a report shows (classes.*, leaderboard.*) from JSONL, CSV or Parquet.

import { existsSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { ManifestError, expected } from '../errors.js';
import { CsvRecordSplitter, type CsvRecord } from '../io/formats/csv-records.js';
import { readJsonl } from '../io/jsonl-log.js';
import { readLineBatches } from '../io/lines.js';
import { readParquetRows } from '../io/parquet-writer.js';
import type { Cell, PlainTable } from './types.js';

/** A value as a table cell: scalars as they are, arrays and objects as compact JSON. */
export function toCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  try {
    return JSON.stringify(v) ?? null;
  } catch {
    return String(v);
  }
}

async function* csvRows(file: string): AsyncGenerator<Record<string, unknown>> {
  const splitter = new CsvRecordSplitter(
    extname(file).toLowerCase() === '.tsv' ? '\t' : ',',
    extname(file).toLowerCase() === '.tsv',
  );
  let header: string[] | null = null;
  const recs: CsvRecord[] = [];
  const emit = function* (): Generator<Record<string, unknown>> {
    for (const r of recs.splice(0)) {
      if ('error' in r)
        throw new ManifestError('table-corrupt', `${file} line ${r.line}: ${r.error}`, { path: file, row: r.line });
      if (!header) {
        header = r.fields;
        continue;
      }
      const row: Record<string, unknown> = {};
      header.forEach((h, i) => {
        const raw = r.fields[i] ?? '';
        // Numbers written by our own CSV writers come back as numbers so they sort and format as such.
        row[h] =
          raw !== '' && /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)
            ? Number(raw)
            : raw === 'true'
              ? true
              : raw === 'false'
                ? false
                : raw;
      });
      yield row;
    }
  };
  for await (const lines of readLineBatches(file)) {
    for (const ln of lines) splitter.push(ln, recs);
    yield* emit();
  }
  splitter.end(recs);
  yield* emit();
}

/** Streams the rows of a .jsonl, .csv/.tsv or .parquet table. */
export async function* tableRows(file: string): AsyncGenerator<Record<string, unknown>> {
  const ext = extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') {
    for await (const { line, value } of readJsonl(file)) {
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        throw new ManifestError('table-corrupt', expected('a JSON object', `${file} line ${line}`, value), {
          path: file,
          row: line,
        });
      yield value as Record<string, unknown>;
    }
  } else if (ext === '.csv' || ext === '.tsv') {
    yield* csvRows(file);
  } else if (ext === '.parquet') {
    yield* readParquetRows(file);
  } else {
    throw new ManifestError('table-kind', expected('a .jsonl, .csv, .tsv or .parquet table', 'report table', file), {
      path: file,
    });
  }
}

/**
 * Reads the first of `names` that exists in `dir` as a plain table of at most `maxRows` rows (the rest are
 * counted as omitted). Columns are the keys in first-seen order. Null when none of the files exists.
 */
export async function readFirstTable(dir: string, names: readonly string[], maxRows = 500): Promise<PlainTable | null> {
  const file = names.map((n) => join(dir, n)).find((f) => existsSync(f));
  if (!file) return null;
  const columns: string[] = [];
  const seen = new Set<string>();
  const kept: Array<Record<string, unknown>> = [];
  let omitted = 0;
  for await (const row of tableRows(file)) {
    if (kept.length >= maxRows) {
      omitted++;
      continue;
    }
    for (const k of Object.keys(row)) {
      if (seen.has(k)) continue;
      seen.add(k);
      columns.push(k);
    }
    kept.push(row);
  }
  return { columns, rows: kept.map((r) => columns.map((c) => toCell(r[c]))), source: basename(file), omitted };
}
