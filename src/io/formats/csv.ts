// CSV/TSV manifests: the first record is the header; every later record becomes a row (values stay strings).

import path from 'node:path';
import { ManifestError, expected } from '../../errors.js';
import type { CellValue, FormatContext, FormatHandler, InputRow, InputSource, RowProblem } from '../input-types.js';
import { readLineBatches } from '../lines.js';
import { buildRow, checkColumns, rowProblem, setCell } from './common.js';
import { CsvRecordSplitter, type CsvRecord } from './csv-records.js';

/** Tab for .tsv files, comma otherwise. */
export function delimiterOf(file: string): ',' | '\t' {
  return path.extname(file).toLowerCase() === '.tsv' ? '\t' : ',';
}

/** Streams the records of a CSV file (header included), batch by batch. */
async function* csvRecordBatches(file: string): AsyncGenerator<CsvRecord[]> {
  const delimiter = delimiterOf(file);
  const splitter = new CsvRecordSplitter(delimiter, delimiter === '\t');
  for await (const lines of readLineBatches(file, undefined, 'mark')) {
    const out: CsvRecord[] = [];
    for (const ln of lines) splitter.push(ln, out);
    if (out.length > 0) yield out;
  }
  const out: CsvRecord[] = [];
  splitter.end(out);
  if (out.length > 0) yield out;
}

/** Reads and checks the header record: present, well-formed, no duplicate names. */
function checkHeader(file: string, rec: CsvRecord | undefined): { fields: string[]; line: number } {
  if (rec === undefined) {
    throw new ManifestError('manifest-empty', expected('a header line naming the columns', `${file} line 1`, ''), {
      path: file,
      row: 1,
    });
  }
  if ('error' in rec) {
    throw new ManifestError(
      'manifest-bad-header',
      `Expected a well-formed header for ${file} line ${rec.line} but received a malformed one: ${rec.error}`,
      { path: file, row: rec.line },
    );
  }
  const seen = new Set<string>();
  for (const name of rec.fields) {
    if (seen.has(name)) {
      throw new ManifestError(
        'manifest-bad-header',
        expected('unique column names', `${file} line ${rec.line}`, rec.fields),
        { path: file, row: rec.line },
      );
    }
    seen.add(name);
  }
  return { fields: rec.fields, line: rec.line };
}

async function readHeader(file: string): Promise<CsvRecord | undefined> {
  for await (const batch of csvRecordBatches(file)) return batch[0];
  return undefined;
}

/** The column names of a CSV/TSV file's header line, checked (present, well-formed, unique). */
export async function csvHeader(file: string): Promise<string[]> {
  return checkHeader(file, await readHeader(file)).fields;
}

async function* csvRows(ctx: FormatContext): AsyncGenerator<InputRow | RowProblem> {
  const file = ctx.input;
  let header: string[] | null = null;
  for await (const batch of csvRecordBatches(file)) {
    for (const rec of batch) {
      if (header === null) {
        header = checkHeader(file, rec).fields;
        continue;
      }
      const where = `line ${rec.line}`;
      if ('error' in rec) {
        yield rowProblem(
          rec.line,
          'manifest-bad-row',
          `Expected a well-formed CSV record for ${file} ${where} but received a malformed one: ${rec.error}`,
        );
        continue;
      }
      if (rec.fields.length !== header.length) {
        const what = `${header.length} columns (${header.join(', ')})`;
        yield rowProblem(
          rec.line,
          'manifest-bad-row',
          `${expected(what, `${file} ${where}`, rec.fields.length)} columns`,
        );
        continue;
      }
      const columns: Record<string, CellValue> = {};
      for (let i = 0; i < header.length; i++) setCell(columns, header[i] as string, rec.fields[i] as string);
      yield buildRow(ctx, rec.line, where, columns);
    }
  }
}

/** Comma- or tab-separated manifest with a header line. */
export const csvFormat: FormatHandler = Object.freeze({
  kind: 'csv',
  extensions: Object.freeze(['.csv', '.tsv']),
  async open(ctx: FormatContext): Promise<InputSource> {
    const header = checkHeader(ctx.input, await readHeader(ctx.input));
    checkColumns(ctx, `line ${header.line}`, header.fields);
    return { kind: 'csv', input: ctx.input, rows: () => csvRows(ctx) };
  },
});
