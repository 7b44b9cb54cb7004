// The frozen registry of input formats: which handler reads each kind, and which extensions select it.

import type { FormatHandler, InputKind } from '../input-types.js';
import { arrowFormat } from './arrow.js';
import { csvFormat } from './csv.js';
import { fileFormat, folderFormat } from './folder.js';
import { jsonlFormat } from './jsonl.js';
import { parquetFormat } from './parquet.js';
import { s3Format, webdatasetFormat } from './s3.js';

/** Every input kind and its handler. */
export const FORMATS: Readonly<Record<InputKind, FormatHandler>> = Object.freeze({
  folder: folderFormat,
  file: fileFormat,
  csv: csvFormat,
  jsonl: jsonlFormat,
  parquet: parquetFormat,
  arrow: arrowFormat,
  s3: s3Format,
  webdataset: webdatasetFormat,
});

/** All kinds, in the order shown to users. */
export const INPUT_KINDS: readonly InputKind[] = Object.freeze([
  'folder',
  'file',
  'csv',
  'jsonl',
  'parquet',
  'arrow',
  's3',
  'webdataset',
] as const);

/** The handler whose extensions include `ext` (lower case, with the dot), if any. */
export function formatForExtension(ext: string): FormatHandler | undefined {
  const lower = ext.toLowerCase();
  for (const kind of INPUT_KINDS) {
    if (FORMATS[kind].extensions.includes(lower)) return FORMATS[kind];
  }
  return undefined;
}
