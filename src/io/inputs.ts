// Opens what the user gave (a folder, a video file or a manifest) and streams the clips it lists.

import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ManifestError, UsageError, expected } from '../errors.js';
import { VIDEO_EXTENSIONS, messageOf } from './formats/common.js';
import { FORMATS, INPUT_KINDS, formatForExtension } from './formats/index.js';
import { isS3Url } from './object-store.js';
import { isWebDatasetInput } from './webdataset.js';
import type { InputKind, InputOptions, InputRow, InputSource, RowProblem } from './input-types.js';

export type { CellValue, InputKind, InputOptions, InputRow, InputSource, RowProblem } from './input-types.js';
export { VIDEO_EXTENSIONS };

const columnName = z.string({ error: 'a column name' }).min(1, { error: 'a non-empty column name' });
const optionsSchema = z.object(
  {
    pathColumn: columnName.optional(),
    idColumn: columnName.optional(),
    startColumn: columnName.optional(),
    endColumn: columnName.optional(),
    format: z
      .enum(INPUT_KINDS as [InputKind, ...InputKind[]], { error: `one of ${INPUT_KINDS.join(', ')}` })
      .optional(),
  },
  { error: 'an options object' },
);

/** True for a malformed row reported by {@link InputSource.rows}. */
export function isRowProblem(x: InputRow | RowProblem): x is RowProblem {
  return 'error' in x && !('path' in x);
}

const KNOWN =
  'a folder, a video file, a manifest (.csv, .tsv, .jsonl, .ndjson, .parquet, .pq, .arrow, .feather, .ipc, .arrows), WebDataset shards (.tar) or an s3:// prefix';

/**
 * Detects the kind of `input` (a directory; .csv/.tsv; .jsonl/.ndjson; .parquet/.pq;
 * .arrow/.feather/.ipc/.arrows; a video extension -> 'file') unless `options.format` says it, and checks
 * that it can be read. Throws ManifestError for a missing input, an unknown extension, an unreadable file,
 * or a manifest without the path column (the message names the file, the line or schema, and the columns
 * that do exist); throws UsageError for invalid options.
 */
export async function openInput(input: string, options: InputOptions = {}): Promise<InputSource> {
  if (typeof input !== 'string' || input === '')
    throw new UsageError(expected('a file or folder path', 'input', input));
  const parsed = optionsSchema.safeParse(options ?? {}, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue?.path.join('.') || 'input options';
    const value = issue !== undefined && 'input' in issue ? issue.input : options;
    throw new UsageError(expected(issue?.message ?? 'valid options', name, value));
  }
  const { pathColumn = 'path', idColumn = 'id', format, startColumn, endColumn } = parsed.data;
  if ((startColumn === undefined) !== (endColumn === undefined)) {
    throw new UsageError(
      `Expected both --start-column and --end-column (a segment needs its start and its end) but received only ${startColumn !== undefined ? '--start-column' : '--end-column'}`,
    );
  }
  const segments = startColumn !== undefined ? { startColumn, endColumn } : {};
  const refuseSegments = (kind: InputKind) => {
    if (startColumn !== undefined)
      throw new UsageError(
        `Expected a manifest (CSV, JSONL, Parquet, Arrow) for --start-column and --end-column, which read each row's segment from its columns, but ${input} is ${kind === 'webdataset' ? 'WebDataset shards' : kind === 's3' ? 'an s3:// prefix' : kind === 'folder' ? 'a folder' : 'a video file'}; write a manifest with the path and segment columns`,
      );
  };
  // s3://bucket/prefix (listed like a folder) and WebDataset shards (a .tar or a brace pattern, local or s3://).
  if (
    (isS3Url(input) || isWebDatasetInput(input)) &&
    (format === undefined || format === 's3' || format === 'webdataset')
  ) {
    const kind: InputKind = format ?? (isWebDatasetInput(input) ? 'webdataset' : 's3');
    refuseSegments(kind);
    const where = isS3Url(input) ? input : path.resolve(input);
    return FORMATS[kind].open({ input: where, baseDir: path.dirname(where), pathColumn, idColumn, ...segments });
  }
  const abs = path.resolve(input);
  let st: Stats;
  try {
    st = await stat(abs);
  } catch (err) {
    throw new ManifestError(
      'input-missing',
      expected('an existing file or folder', 'input', abs),
      { path: abs },
      { cause: err },
    );
  }
  let kind: InputKind;
  if (format !== undefined) {
    kind = format;
    if ((kind === 'folder') !== st.isDirectory()) {
      throw new ManifestError(
        'input-kind',
        expected(kind === 'folder' ? 'a folder' : `a ${kind} file`, `input (--format ${kind})`, abs),
        { path: abs },
      );
    }
  } else if (st.isDirectory()) {
    kind = 'folder';
  } else {
    const handler = formatForExtension(path.extname(abs));
    if (handler === undefined) throw new ManifestError('input-kind', expected(KNOWN, 'input', abs), { path: abs });
    kind = handler.kind;
  }
  if (kind === 'folder' || kind === 'file') refuseSegments(kind);
  const baseDir = kind === 'folder' ? abs : path.dirname(abs);
  try {
    return await FORMATS[kind].open({ input: abs, baseDir, pathColumn, idColumn, ...segments });
  } catch (err) {
    if (err instanceof ManifestError) throw err;
    throw new ManifestError(
      'input-unreadable',
      expected(`a readable ${kind} input`, abs, messageOf(err)),
      { path: abs },
      { cause: err },
    );
  }
}
