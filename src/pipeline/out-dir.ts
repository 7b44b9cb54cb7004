// The output folder: append-only clip and error logs, series files, and the resume bookkeeping.

import { createHash } from 'node:crypto';
import { mkdir, open, readFile, readdir, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { JsonlLog, readJsonl } from '../io/jsonl-log.js';
import { toIoError, withRerunAdvice } from '../errors.js';
import { withAtomicFile, writeFileAtomic } from '../io/atomic.js';
import { lockFolder, type FolderLock } from '../io/lock.js';
import { relocate, withStagedOut } from '../io/object-store-out.js';

import { CLIPS_JSONL, ERRORS_JSONL, SERIES_DIR, SUMMARY_JSON } from '../outputs/layout.js';
import { StringTable } from '../util/string-table.js';
import { writeFully } from '../io/write-fully.js';

/** Resume key of a manifest row: its id, or `row:N` for a row that never got an id. */
export function rowKey(id: string | undefined, row: number): string {
  return id !== undefined ? `id:${id}` : `row:${row}`;
}

/** Stable shard of a key: sha1 -> first 32 bits -> modulo n. Same answer on every machine and run. */
export function shardOf(key: string, n: number): number {
  return createHash('sha1').update(key).digest().readUInt32BE(0) % n;
}

/**
 * Creates the output folder `dir` (with parents) and locks it for this process (see io/lock.ts): a second
 * run on the same folder stops with FolderLockedError naming this one. `command` is how this run is shown.
 */
/** What running the same scan (or physics run) again does after a failure. */
export const RESUME_ADVICE = 'Run the same command again to resume; finished clips are kept.';

/**
 * Runs a resumable job on an output folder: `run` takes the folder's lock into `held` (with {@link lockOutDir}) before
 * reading or writing it; the lock is released however the job ends, and a failure says that rerunning resumes (every
 * row is appended whole and resume skips finished rows).
 */
export async function withResumableOut<T>(
  out: string | undefined,
  run: (held: { lock?: FolderLock }) => Promise<T>,
): Promise<T> {
  const held: { lock?: FolderLock } = {};
  try {
    return await run(held);
  } catch (err) {
    throw withRerunAdvice(err, RESUME_ADVICE, out ? resolve(out) : undefined);
  } finally {
    await held.lock?.release();
  }
}

/** How {@link withOutputFolder} reports and what it uploads after a failure. */
export interface OutputFolderOptions {
  /** How the run is shown in the locks. */
  command: string;
  /** No upload lines (--quiet). */
  quiet?: boolean;
  /** Where the upload lines go (default process.stderr). */
  stream?: NodeJS.WritableStream;
  /** Upload what a failed run left (rows are whole and resume: scan, physics); false where a failed run's files are no use (merge). */
  uploadOnFailure?: boolean;
}

/**
 * Runs `run` on the folder `out` names: `out` itself, or for `--out s3://bucket/prefix` a local staging folder that holds
 * the prefix's objects before the run and whose new and changed files are uploaded after it, each as one complete
 * object (io/object-store-out.ts). Paths into the staging folder in the result and in summary.json files are given as
 * the URL.
 */
export function withOutputFolder<T>(
  out: string,
  run: (dir: string) => Promise<T>,
  options: OutputFolderOptions,
): Promise<T> {
  const stream = options.stream ?? process.stderr;
  return withStagedOut(out, run, {
    command: options.command,
    uploadOnFailure: options.uploadOnFailure ?? true,
    beforeUpload: relocateSummaries,
    log: options.quiet ? undefined : (line) => void stream.write(`${line}\n`),
  });
}

/** summary.json of the folder and of its sub-folders (physics' scan/) say the URL instead of the staging folder. */
async function relocateSummaries(local: string, url: string): Promise<void> {
  const dirs = [
    local,
    ...(await readdir(local, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => join(local, e.name)),
  ];
  for (const d of dirs) {
    const file = join(d, SUMMARY_JSON);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    let moved: string;
    try {
      moved = `${JSON.stringify(relocate(JSON.parse(text) as unknown, [[local, url]]), null, 2)}\n`;
    } catch {
      continue;
    }
    if (moved !== text) await writeFileAtomic(file, moved);
  }
}

export async function lockOutDir(dir: string, command: string): Promise<FolderLock> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw toIoError(err, 'create the output folder', dir);
  }
  return lockFolder(dir, { command });
}

/** The input row number a finished row was written for, as `OutDir.done` keeps it (0: unknown or beyond 2^32). */
function storedRow(row: unknown): number {
  return typeof row === 'number' && Number.isInteger(row) && row > 0 && row <= 0xffff_ffff ? row : 0;
}

/** Rewrites a JSONL log keeping the rows `keep` accepts, streaming (atomically: a crash leaves the old file). */
async function rewriteJsonl(file: string, keep: (value: unknown) => boolean): Promise<void> {
  await withAtomicFile(file, async (fh) => {
    let chunk: string[] = [];
    const flush = async () => {
      if (chunk.length) await fh.write(`${chunk.join('\n')}\n`);
      chunk = [];
    };
    for await (const { value } of readJsonl(file)) {
      if (!keep(value)) continue;
      chunk.push(JSON.stringify(value));
      if (chunk.length >= 1000) await flush();
    }
    await flush();
  });
}

/**
 * Owns everything written under --out. Rows are appended one complete line at a time, a clip's
 * series bytes before its row, so a crash at any point leaves only complete rows (a partial last
 * line is cut on reopen) and at worst unreferenced series bytes; never a row without its data.
 */
export class OutDir {
  clipsWritten = 0;
  errorsWritten = 0;
  /** Error rows per code, earlier runs included (for summary.json and the closing line). */
  readonly errorCodes = new Map<string, number>();
  private series: Promise<FileHandle> | null = null;
  private seriesOffset = 0;
  private readonly seriesName: string;

  private constructor(
    readonly dir: string,
    private readonly clips: JsonlLog,
    private readonly errors: JsonlLog,
    runId: string,
    /** Resume keys of the rows earlier runs finished (and this one's as they finish), each with its input row number. */
    readonly done: StringTable,
  ) {
    this.seriesName = `${SERIES_DIR}/part-${runId}.f32`;
  }

  /** Opens (creating) the folder and reads back what earlier runs finished. */
  static async open(dir: string, runId: string, options: { retryErrors?: boolean } = {}): Promise<OutDir> {
    try {
      await mkdir(join(dir, SERIES_DIR), { recursive: true });
    } catch (err) {
      throw toIoError(err, 'create the output folder', join(dir, SERIES_DIR));
    }
    const done = new StringTable();
    let clips = 0;
    let errors = 0;
    for await (const { value } of readJsonl(join(dir, CLIPS_JSONL))) {
      const v = value as { id: string; row?: unknown };
      done.set(rowKey(v.id, 0), storedRow(v.row));
      clips++;
    }
    // Manifest problems (bad records, repeated ids) are found again on every run from the manifest as it is now,
    // at no decoding cost: a row fixed since is scanned, and a row moved keeps one error row, not two. With
    // --retry-errors, clip failures are forgotten too (and tried again).
    const forget = (v: { stage: string }) => v.stage === 'manifest' || !!options.retryErrors;
    const codes = new Map<string, number>();
    let dropped = 0;
    for await (const { value } of readJsonl(join(dir, ERRORS_JSONL))) {
      const v = value as { key: string; stage: string; code: string; row?: unknown };
      if (forget(v)) {
        dropped++;
        continue;
      }
      done.set(v.key, storedRow(v.row));
      codes.set(v.code, (codes.get(v.code) ?? 0) + 1);
      errors++;
    }
    if (dropped > 0) await rewriteJsonl(join(dir, ERRORS_JSONL), (v) => !forget(v as { stage: string }));
    const out = new OutDir(
      dir,
      await JsonlLog.open(join(dir, CLIPS_JSONL)),
      await JsonlLog.open(join(dir, ERRORS_JSONL)),
      runId,
      done, // handed over, not copied: two sets of every key would double the peak of a large resume
    );
    out.clipsWritten = clips;
    out.errorsWritten = errors;
    for (const [k, n] of codes) out.errorCodes.set(k, n);
    return out;
  }

  /** Appends a clip's series (float32 little-endian) and then its row; returns the reference written. */
  async appendClip(row: Record<string, unknown>, series: Float32Array): Promise<void> {
    // Offsets are reserved before any await so concurrent clips never share bytes; the file is new per run.
    const file = join(this.dir, this.seriesName);
    this.series ??= open(file, 'w').catch((err: unknown) => Promise.reject(toIoError(err, 'create', file)));
    const bytes = new Uint8Array(series.buffer, series.byteOffset, series.byteLength);
    const offset = this.seriesOffset;
    this.seriesOffset += bytes.length;
    const fh = await this.series;
    await writeFully(fh, bytes, offset).catch((err: unknown) =>
      Promise.reject(toIoError(err, 'write a clip series to', file)),
    );
    await this.clips.append({ ...row, series_file: this.seriesName, series_offset: offset });
    this.done.set(rowKey(row.id as string, 0), storedRow(row.row));
    this.clipsWritten++;
  }

  /** Appends an error row; `key` is the resume key of the input row it stands for. */
  async appendError(row: { key: string; code: string } & Record<string, unknown>): Promise<void> {
    await this.errors.append(row);
    this.errorCodes.set(row.code, (this.errorCodes.get(row.code) ?? 0) + 1);
    this.done.set(row.key, storedRow(row.row));
    this.errorsWritten++;
  }

  async sync(): Promise<void> {
    await (await this.series)
      ?.sync()
      .catch((err: unknown) => Promise.reject(toIoError(err, 'sync', join(this.dir, this.seriesName))));
    await this.clips.sync();
    await this.errors.sync();
  }

  async close(): Promise<void> {
    await this.sync();
    await (await this.series)?.close();
    this.series = null;
    await this.clips.close();
    await this.errors.close();
  }
}
