// JSONL manifests: one JSON object per line; empty lines are skipped, a broken line is a row problem.

import { expected } from '../../errors.js';
import type { CellValue, FormatContext, FormatHandler, InputRow, InputSource, RowProblem } from '../input-types.js';
import { readLineBatches, tooLongMessage } from '../lines.js';
import { buildRow, checkColumns, messageOf, rowProblem, setCell } from './common.js';
import { parseJsonExact } from '../json-exact.js';

/** How many lines open() looks through for a first valid object to check the path column against. */
const PROBE_LINES = 1000;

type Parsed = { columns: Record<string, CellValue> } | { error: string };

/** Parses one line into cells (primitives kept, nested objects/arrays become their JSON text); `where` names file and line. */
function parseLine(text: string, where: string): Parsed {
  let value: unknown;
  try {
    value = parseJsonExact(text);
  } catch (err) {
    return { error: `${where}: invalid JSON: ${messageOf(err)}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { error: expected('a JSON object', where, value) };
  }
  const columns: Record<string, CellValue> = {};
  for (const [key, cell] of Object.entries(value as Record<string, unknown>)) {
    setCell(columns, key, cell === null || typeof cell !== 'object' ? (cell as CellValue) : JSON.stringify(cell));
  }
  return { columns };
}

async function* jsonlRows(ctx: FormatContext): AsyncGenerator<InputRow | RowProblem> {
  for await (const lines of readLineBatches(ctx.input, undefined, 'mark')) {
    for (const ln of lines) {
      if (ln.tooLong !== undefined) {
        yield rowProblem(ln.line, 'manifest-line-too-long', tooLongMessage(ctx.input, ln.line, ln.tooLong));
        continue;
      }
      if (ln.text.trim() === '') continue;
      const where = `line ${ln.line}`;
      const parsed = parseLine(ln.text, `${ctx.input} ${where}`);
      if ('error' in parsed) {
        yield rowProblem(ln.line, 'manifest-bad-row', parsed.error);
        continue;
      }
      yield buildRow(ctx, ln.line, where, parsed.columns);
    }
  }
}

/**
 * Checks the first parseable object of the file names the path column (later rows are checked one by one), and that
 * the segment columns asked for are in one of the first PROBE_LINES objects: a writer that leaves out null keys drops
 * an open end from the rows that have none.
 */
async function probe(ctx: FormatContext): Promise<void> {
  const keys = new Set<string>();
  let first: number | null = null;
  let last = 0;
  const segments = [ctx.startColumn, ctx.endColumn].filter((c): c is string => c !== undefined);
  scan: for await (const lines of readLineBatches(ctx.input, undefined, 'mark')) {
    for (const ln of lines) {
      if (ln.line > PROBE_LINES) break scan;
      if (ln.text.trim() === '') continue;
      const parsed = parseLine(ln.text, '');
      if ('error' in parsed) continue;
      const names = Object.keys(parsed.columns);
      if (first === null) {
        first = ln.line;
        checkColumns({ ...ctx, startColumn: undefined, endColumn: undefined }, `line ${ln.line}`, names);
      }
      for (const k of names) keys.add(k);
      last = ln.line;
      if (segments.every((c) => keys.has(c))) return;
    }
  }
  if (first !== null) checkColumns(ctx, first === last ? `line ${first}` : `lines ${first}-${last}`, [...keys]);
}

/** Newline-delimited JSON manifest (one object per line). */
export const jsonlFormat: FormatHandler = Object.freeze({
  kind: 'jsonl',
  extensions: Object.freeze(['.jsonl', '.ndjson']),
  async open(ctx: FormatContext): Promise<InputSource> {
    await probe(ctx);
    return { kind: 'jsonl', input: ctx.input, rows: () => jsonlRows(ctx) };
  },
});
