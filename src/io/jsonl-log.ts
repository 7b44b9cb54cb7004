// The append-only, crash-safe JSONL log behind clips.jsonl and errors.jsonl, and a streaming reader for it.

import { open, type FileHandle } from 'node:fs/promises';
import { AuditError, ManifestError, expected, toIoError } from '../errors.js';
import { bigintReplacer } from './arrow-values.js';
import { readLineBatches } from './lines.js';

const TAIL_CHUNK = 1 << 16;

/** Byte length the file should have so that it ends after its last '\n' (0 when there is none). */
async function completeLength(fh: FileHandle, size: number): Promise<number> {
  const buf = Buffer.alloc(TAIL_CHUNK);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - TAIL_CHUNK);
    const { bytesRead } = await fh.read(buf, 0, end - start, start);
    const nl = buf.subarray(0, bytesRead).lastIndexOf(10);
    if (nl >= 0) return start + nl + 1;
    end = start;
  }
  return 0;
}

/** An append-only JSONL file holding only complete lines; appends are serialised and each is one write. */
export class JsonlLog {
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  /** Bytes of complete lines in the file (this process is assumed to be its only writer). */
  private size: number;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    size: number,
  ) {
    this.size = size;
  }

  /**
   * Opens `path` for append, creating it. If the file ends with a partial line (a crash mid-write), that
   * partial line is truncated away first, so the file always holds only complete rows.
   */
  static async open(path: string): Promise<JsonlLog> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'a+');
    } catch (err) {
      throw toIoError(err, 'open for appending', path);
    }
    let keep: number;
    try {
      const { size } = await fh.stat();
      keep = size === 0 ? 0 : await completeLength(fh, size);
      if (keep < size) {
        await fh.truncate(keep);
        await fh.sync();
      }
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw toIoError(err, 'cut the partial last line of', path);
    }
    return new JsonlLog(path, fh, keep);
  }

  /** Appends one row (JSON, bigints as numbers) as a single write of one complete line. */
  append(row: unknown): Promise<void> {
    if (this.closed)
      return Promise.reject(
        new AuditError('log-closed', `Cannot append to ${this.path}: the log is closed`, { path: this.path }),
      );
    let text: string | undefined;
    try {
      text = JSON.stringify(row, bigintReplacer);
    } catch (err) {
      return Promise.reject(
        new AuditError(
          'log-row',
          expected('a JSON-serialisable row', this.path, String(err)),
          { path: this.path },
          { cause: err },
        ),
      );
    }
    if (text === undefined)
      return Promise.reject(
        new AuditError('log-row', expected('a JSON-serialisable row', this.path, String(row)), { path: this.path }),
      );
    const bytes = Buffer.from(`${text}\n`, 'utf8');
    const next = this.tail.then(() => this.writeAll(bytes));
    this.tail = next.catch(() => undefined);
    return next;
  }

  private async writeAll(bytes: Buffer): Promise<void> {
    let offset = 0;
    try {
      while (offset < bytes.length) {
        // O_APPEND: each write lands at the end; a short write (disk nearly full) is continued.
        const { bytesWritten } = await this.fh.write(bytes, offset, bytes.length - offset);
        offset += bytesWritten;
      }
    } catch (err) {
      // Cut a half-written line away (best effort) so that later appends start on a fresh line.
      if (offset > 0) await this.fh.truncate(this.size).catch(() => undefined);
      throw toIoError(err, 'append a row to', this.path);
    }
    this.size += bytes.length;
  }

  /** Waits for pending appends, then fsyncs the file. */
  async sync(): Promise<void> {
    await this.tail;
    if (!this.closed) await this.fh.sync().catch((err: unknown) => Promise.reject(toIoError(err, 'sync', this.path)));
  }

  /** Waits for pending appends, fsyncs and closes; later calls do nothing. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    try {
      await this.fh.sync();
    } catch (err) {
      await this.fh.close().catch(() => undefined);
      throw toIoError(err, 'sync', this.path);
    }
    await this.fh.close().catch((err: unknown) => Promise.reject(toIoError(err, 'close', this.path)));
  }
}

/**
 * Streams the complete rows of a JSONL file as `{ line, value }` (1-based physical line numbers), skipping
 * empty lines and ignoring a partial last line (one without its '\n'). A missing file yields nothing.
 * A complete line that is not valid JSON throws ManifestError naming the file and line.
 */
export async function* readJsonl(path: string): AsyncGenerator<{ line: number; value: unknown }> {
  try {
    for await (const lines of readLineBatches(path)) {
      for (const ln of lines) {
        if (!ln.terminated || ln.text.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(ln.text);
        } catch (err) {
          throw new ManifestError(
            'jsonl-corrupt',
            `${path} line ${ln.line}: invalid JSON: ${(err as Error).message}`,
            { path, row: ln.line },
            { cause: err },
          );
        }
        yield { line: ln.line, value };
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
}
