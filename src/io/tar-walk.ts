// Walks the members of a tar archive in order, with the byte offset of each member's data (for ranged reads).
//
// tar-stream (used to write shards) hides where a member's data starts; scanning a WebDataset shard needs exactly
// that offset so a clip can later be read in place by byte range. This reader parses ustar, GNU (long names, base-256
// sizes) and pax (path, size) headers, verifies each header checksum and reports truncation.

import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

const BLOCK = 512;

/** Sequential access to the archive's bytes: take the next n bytes, or skip them. */
export interface SeqReader {
  /** The next `n` bytes; fewer when the archive ends first. */
  take(n: number): Promise<Buffer>;
  /** Skips `n` bytes; false when the archive ends first. */
  skip(n: number): Promise<boolean>;
  close(): Promise<void>;
}

/** A local file: skipping is free (reads at an offset). */
export async function fileReader(file: string): Promise<SeqReader> {
  const fh: FileHandle = await open(file, 'r');
  const size = (await fh.stat()).size;
  let pos = 0;
  return {
    async take(n) {
      const buf = Buffer.alloc(Math.max(0, Math.min(n, size - pos)));
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await fh.read(buf, got, buf.length - got, pos + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      pos += got;
      return got === buf.length ? buf : buf.subarray(0, got);
    },
    async skip(n) {
      if (pos + n > size) {
        pos = size;
        return false;
      }
      pos += n;
      return true;
    },
    close: () => fh.close(),
  };
}

/** A stream (an object read from start to end): skipped bytes are read and dropped. */
export function streamReader(stream: Readable): SeqReader {
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let buf: Buffer = Buffer.alloc(0);
  let ended = false;
  const fill = async (n: number): Promise<void> => {
    const parts: Buffer[] = [buf];
    let have = buf.length;
    while (have < n && !ended) {
      const r = await it.next();
      if (r.done) ended = true;
      else {
        parts.push(r.value);
        have += r.value.length;
      }
    }
    buf = parts.length === 1 ? buf : Buffer.concat(parts);
  };
  return {
    async take(n) {
      await fill(n);
      const out = buf.subarray(0, n);
      buf = buf.subarray(out.length);
      return out;
    },
    async skip(n) {
      let left = n;
      while (left > 0) {
        if (buf.length === 0) {
          if (ended) return false;
          const r = await it.next();
          if (r.done) {
            ended = true;
            return false;
          }
          buf = r.value;
        }
        const k = Math.min(left, buf.length);
        buf = buf.subarray(k);
        left -= k;
      }
      return true;
    },
    async close() {
      await it.return?.();
      stream.destroy();
    },
  };
}

/** A regular file member of the archive. */
export interface TarMember {
  name: string;
  /** Byte offset of its data in the archive. */
  offset: number;
  size: number;
  /** Its data; only valid before the walk moves on (call it while handling the member). */
  data(): Promise<Buffer>;
}

/**
 * A damaged archive: `offset` is where the walk stopped; `atHeader` when it stopped at a header (the members before
 * it are whole), not inside a member's data.
 */
export class TarError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly atHeader = false,
  ) {
    super(message);
    this.name = 'TarError';
  }
}

function cstr(b: Buffer, from: number, len: number): string {
  const end = b.indexOf(0, from);
  return b.toString('utf8', from, end === -1 || end > from + len ? from + len : end);
}

function octal(b: Buffer, from: number, len: number): number {
  // GNU base-256 for sizes beyond 8 GiB: high bit of the first byte set.
  if ((b[from] & 0x80) !== 0) {
    let v = b[from] & 0x7f;
    for (let i = from + 1; i < from + len; i++) v = v * 256 + b[i];
    return v;
  }
  const text = cstr(b, from, len).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return NaN;
  return parseInt(text, 8);
}

function checksumOk(h: Buffer): boolean {
  const stored = octal(h, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  return sum === stored;
}

/** pax records "len key=value\n". */
function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const sp = data.indexOf(32, at);
    if (sp === -1) break;
    const len = Number(data.toString('ascii', at, sp));
    if (!(len > 0) || at + len > data.length) break;
    const rec = data.toString('utf8', sp + 1, at + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    at += len;
  }
  return out;
}

const padded = (n: number) => Math.ceil(n / BLOCK) * BLOCK;

/**
 * The regular file members of an archive, in order. Directories, links and other entries are passed over. Throws
 * TarError for a header with a bad checksum or size, or an archive cut short inside a header or a member's data;
 * members yielded before that stay valid.
 */
export async function* tarMembers(reader: SeqReader): AsyncGenerator<TarMember> {
  let pos = 0;
  let longName: string | null = null;
  let pax: Map<string, string> | null = null;
  for (;;) {
    const h = await reader.take(BLOCK);
    if (h.length === 0 && pos > 0) return; // no end-of-archive blocks: tolerated, as GNU tar does
    if (h.length < BLOCK)
      throw new TarError(
        `the archive ends inside a header at byte ${pos}${h.length === 0 ? ' (it is empty)' : ''}`,
        pos,
        true,
      );
    if (h.every((x) => x === 0)) return;
    if (!checksumOk(h))
      throw new TarError(`bad tar header checksum at byte ${pos} (not a tar archive, or damaged)`, pos, true);
    const size = octal(h, 124, 12);
    if (!Number.isFinite(size) || size < 0)
      throw new TarError(`bad member size in the header at byte ${pos}`, pos, true);
    const type = String.fromCharCode(h[156]);
    const dataAt = pos + BLOCK;
    pos = dataAt + padded(size);
    const readAll = async (): Promise<Buffer> => {
      const d = await reader.take(padded(size));
      if (d.length < padded(size) && d.length < size)
        throw new TarError(`the archive ends inside a member's data at byte ${dataAt + d.length}`, dataAt + d.length);
      return d.subarray(0, size);
    };
    if (type === 'L') {
      longName = cstr(await readAll(), 0, size);
      continue;
    }
    if (type === 'x') {
      pax = paxRecords(await readAll());
      continue;
    }
    const ustar = h.toString('latin1', 257, 263) === 'ustar\0';
    const prefix = ustar ? cstr(h, 345, 155) : '';
    let name = longName ?? (prefix ? `${prefix}/${cstr(h, 0, 100)}` : cstr(h, 0, 100));
    let realSize = size;
    if (pax) {
      name = pax.get('path') ?? name;
      const ps = Number(pax.get('size'));
      if (Number.isFinite(ps) && pax.has('size')) realSize = ps;
    }
    longName = null;
    pax = null;
    if (realSize !== size) pos = dataAt + padded(realSize);
    if (type !== '0' && type !== '\0' && type !== '7') {
      if (!(await reader.skip(padded(realSize))))
        throw new TarError(`the archive ends inside an entry at byte ${dataAt}`, dataAt);
      continue;
    }
    let consumed = false;
    const member: TarMember = {
      name,
      offset: dataAt,
      size: realSize,
      data: async () => {
        if (consumed) throw new Error(`data of tar member ${name} was already read`);
        consumed = true;
        const d = await reader.take(padded(realSize));
        if (d.length < realSize)
          throw new TarError(
            `the archive ends inside member ${name} (${d.length} of ${realSize} bytes)`,
            dataAt + d.length,
          );
        return d.subarray(0, realSize);
      },
    };
    yield member;
    if (!consumed) {
      consumed = true;
      // A truncated last block of padding is harmless (the archive then ends there); truncated data is not.
      if (!(await reader.skip(realSize)))
        throw new TarError(`the archive ends inside member ${name} (its ${realSize} bytes are not all there)`, dataAt);
      await reader.skip(padded(realSize) - realSize);
    }
  }
}
