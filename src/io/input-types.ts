// Plain types shared by the input manifest readers (rows, row problems, sources, format handlers).

import type { ManifestError } from '../errors.js';

/** What the user pointed the audit at. */
export type InputKind = 'folder' | 'file' | 'csv' | 'jsonl' | 'parquet' | 'arrow' | 's3' | 'webdataset';

/** One manifest cell as read: CSV cells are strings, JSONL/Parquet/Arrow keep primitives (objects become JSON text). */
export type CellValue = string | number | boolean | null;

/** One clip to audit, as listed by the input. */
export interface InputRow {
  /**
   * 1-based: for CSV and JSONL the physical line number in the file (the header is line 1 for CSV;
   * a record spanning several lines has the number of its first line); for Parquet/Arrow the 1-based
   * record number; for folders the 1-based index in sorted order.
   */
  row: number;
  /** The id column's value as a string when present and non-empty, else the path as written in the manifest. */
  id: string;
  /**
   * Absolute path, resolved against the manifest's folder when relative; an s3:// or http(s):// location as written;
   * for a WebDataset sample, the video member's locator (see io/webdataset.ts memberLocator).
   */
  path: string;
  /** Every original column as it was (including path and id); for folders and single files just `{ path }`. */
  columns: Record<string, CellValue>;
  /** With start/end columns: the span of the video this row stands for, in seconds (endS Infinity: to the end). */
  segment?: { startS: number; endS: number };
}

/** A malformed row (broken JSON line, bad CSV quote, missing/empty path, wrong type); the stream goes on after it. */
export interface RowProblem {
  row: number;
  error: ManifestError;
  /** The record's cells, when the record was read and one of its cells is what is wrong (an empty path, say). */
  columns?: Record<string, CellValue>;
}

/** An opened input: streams its rows in order without holding the whole manifest in memory. */
export interface InputSource {
  kind: InputKind;
  /** Absolute path of what the user gave. */
  input: string;
  /** Streams rows in order. Yields a RowProblem for a bad row and continues with the next one. */
  rows(): AsyncIterable<InputRow | RowProblem>;
}

/** Options of {@link openInput}. */
export interface InputOptions {
  /** Column holding the clip path (default 'path'). */
  pathColumn?: string;
  /** Column holding the clip id (default 'id'). */
  idColumn?: string;
  /** Overrides detection from the file extension. */
  format?: InputKind;
  /** Columns holding a segment's start and end (seconds, or [HH:]MM:SS[.mmm]): the row is that span of the video. */
  startColumn?: string;
  endColumn?: string;
}

/** What a format handler gets: the resolved input and column names. */
export interface FormatContext {
  /** Absolute path of the input. */
  input: string;
  /** Folder that relative paths in the manifest resolve against. */
  baseDir: string;
  pathColumn: string;
  idColumn: string;
  /** Segment columns ({@link InputOptions.startColumn}); absent: every row is its whole video. */
  startColumn?: string;
  endColumn?: string;
}

/** One entry of the format registry. */
export interface FormatHandler {
  readonly kind: InputKind;
  /** Lower-case extensions (with the dot) detected as this format; empty for folders. */
  readonly extensions: readonly string[];
  /** Validates that the input can be read (throws ManifestError otherwise) and returns its source. */
  open(ctx: FormatContext): Promise<InputSource>;
}
