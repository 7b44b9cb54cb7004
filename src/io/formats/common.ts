// Helpers shared by the format readers: the video extension list and turning manifest cells into rows.

import path from 'node:path';
import { ManifestError, expected } from '../../errors.js';
import type { CellValue, FormatContext, InputRow, RowProblem } from '../input-types.js';
import { isRemotePath } from '../object-store.js';

/** Extensions (lower case, with the dot) treated as video files. */
export const VIDEO_EXTENSIONS: ReadonlySet<string> = new Set([
  '.mp4',
  '.mov',
  '.mkv',
  '.webm',
  '.avi',
  '.m4v',
  '.mpg',
  '.mpeg',
  '.wmv',
  '.flv',
  '.gif',
  '.ts',
  '.mts',
  '.m2ts',
  '.3gp',
  '.ogv',
]);

/** True when the file name has a video extension (case-insensitive). */
export function isVideoName(name: string): boolean {
  return VIDEO_EXTENSIONS.has(path.extname(name).toLowerCase());
}

/** Sets `obj[key] = value` as an own property, even for the key "__proto__". */
export function setCell(obj: Record<string, CellValue>, key: string, value: CellValue): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** Message of an unknown thrown value. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The error thrown at open time when the manifest lacks the path column. */
function missingPathColumn(ctx: FormatContext, where: string, columns: readonly string[]): ManifestError {
  const msg = expected(`a column named ${JSON.stringify(ctx.pathColumn)}`, `${ctx.input} ${where}`, columns);
  return new ManifestError('manifest-no-path-column', `${msg} (name the path column with --path-column)`, {
    path: ctx.input,
    row: where.startsWith('line ') ? Number(where.slice(5)) : undefined,
  });
}

/**
 * Throws ManifestError when the manifest's columns (its header, schema or first object, at `where`) name one column
 * twice, lack the path column, or a segment column that was asked for: a misspelt --start-column would otherwise make every row its whole
 * video.
 */
export function checkColumns(ctx: FormatContext, where: string, columns: readonly string[]): void {
  const twice = columns.find((c, i) => columns.indexOf(c) !== i);
  if (twice !== undefined)
    throw new ManifestError(
      'manifest-bad-header',
      `${expected('unique column names', `${ctx.input} ${where}`, columns)}: ${JSON.stringify(twice)} appears twice, so its cells could not be told apart in the outputs`,
      { path: ctx.input },
    );
  if (!columns.includes(ctx.pathColumn)) throw missingPathColumn(ctx, where, columns);
  for (const [option, name] of [
    ['--start-column', ctx.startColumn],
    ['--end-column', ctx.endColumn],
  ] as const) {
    if (name === undefined || columns.includes(name)) continue;
    const msg = expected(`a column named ${JSON.stringify(name)} (${option})`, `${ctx.input} ${where}`, columns);
    throw new ManifestError('manifest-no-segment-column', msg, {
      path: ctx.input,
      row: where.startsWith('line ') ? Number(where.slice(5)) : undefined,
    });
  }
}

/** A RowProblem for manifest row `row` (the message names the file and row). */
export function rowProblem(row: number, code: string, message: string, cause?: unknown): RowProblem {
  const error = new ManifestError(code, message, { row }, cause === undefined ? undefined : { cause });
  return { row, error };
}

/**
 * Turns one manifest record into an InputRow: checks the path cell (present, a string, not blank),
 * resolves it against the manifest's folder (no `~` expansion; s3:// and http(s):// kept) and picks the id.
 */
export function buildRow(
  ctx: FormatContext,
  row: number,
  where: string,
  columns: Record<string, CellValue>,
): InputRow | RowProblem {
  const problem = (code: string, message: string): RowProblem => ({ ...rowProblem(row, code, message), columns });
  const raw = Object.hasOwn(columns, ctx.pathColumn) ? columns[ctx.pathColumn] : undefined;
  const name = `column ${JSON.stringify(ctx.pathColumn)} of ${ctx.input} ${where}`;
  if (raw === undefined || raw === null || raw === '' || (typeof raw === 'string' && raw.trim() === '')) {
    return problem('manifest-empty-path', expected('a non-empty path', name, raw ?? null));
  }
  if (typeof raw !== 'string') {
    return problem('manifest-bad-path', expected('a path string', name, raw));
  }
  let segment: InputRow['segment'];
  if (ctx.startColumn !== undefined && ctx.endColumn !== undefined) {
    const start = segmentTime(columns[ctx.startColumn]);
    const end = segmentTime(columns[ctx.endColumn]);
    const cell = (c: string) => `column ${JSON.stringify(c)} of ${ctx.input} ${where}`;
    if (start === undefined)
      return problem(
        'manifest-bad-segment',
        expected(
          'seconds or [HH:]MM:SS[.mmm] (empty: the start)',
          cell(ctx.startColumn),
          columns[ctx.startColumn] ?? null,
        ),
      );
    if (end === undefined)
      return problem(
        'manifest-bad-segment',
        expected('seconds or [HH:]MM:SS[.mmm] (empty: the end)', cell(ctx.endColumn), columns[ctx.endColumn] ?? null),
      );
    const startS = start ?? 0;
    const endS = end ?? Infinity;
    if (!(endS > startS))
      return problem(
        'manifest-bad-segment',
        expected(`an end after the start (${startS} s)`, cell(ctx.endColumn), endS),
      );
    if (start !== null || end !== null) segment = { startS, endS };
  }
  const idRaw = Object.hasOwn(columns, ctx.idColumn) ? columns[ctx.idColumn] : undefined;
  const noId = idRaw === undefined || idRaw === null || (typeof idRaw === 'string' && idRaw.trim() === '');
  // Without an id, a segment is known by its video and span (`path#start-end`): pieces of one video differ.
  const id = noId ? (segment ? segmentId(raw, segment) : raw) : String(idRaw);
  // s3:// and http(s):// locations are kept as written (read by the workers from object storage or the web).
  const out: InputRow = {
    row,
    id,
    path: path.isAbsolute(raw) || isRemotePath(raw) ? raw : path.resolve(ctx.baseDir, raw),
    columns,
  };
  if (segment) out.segment = segment;
  return out;
}

/**
 * A segment time cell: seconds (a number, or a decimal string) or [HH:]MM:SS[.mmm]; null for an empty cell (the
 * start or the end of the video), undefined for anything else.
 */
export function segmentTime(v: CellValue | undefined): number | null | undefined {
  if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) return null;
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const m = /^(?:(\d+):)?([0-5]?\d):([0-5]\d(?:\.\d+)?)$/.exec(t);
  if (!m) return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

/** The id of a segment row without an id: `path#start-end` in seconds (up to 3 decimals; `end` for the video's end). */
export function segmentId(pathText: string, segment: { startS: number; endS: number }): string {
  const sec = (x: number) => String(Math.round(x * 1000) / 1000);
  return `${pathText}#${sec(segment.startS)}-${Number.isFinite(segment.endS) ? sec(segment.endS) : 'end'}`;
}
