// WebDataset inputs: tar shards (local or s3://, brace patterns) whose samples become clip rows.
//
// A sample is the run of consecutive members sharing a key: the member path up to the first '.' of its last path
// component (`shard/000123.mp4`, `shard/000123.json` -> key `shard/000123`). Its video member is the clip, read in
// place by byte range (never extracted); its `json` object's fields, its `txt` (and `cls`) text are the row's columns.

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ManifestError, expected } from '../errors.js';
import { isVideoName, messageOf, rowProblem, setCell } from './formats/common.js';
import type { CellValue, FormatContext, InputRow, InputSource, RowProblem } from './input-types.js';
import type { Readable } from 'node:stream';
import { backoff, headS3Object, isS3Url, isTransient, parseS3Url, readS3Range, remoteError } from './object-store.js';
import { TarError, fileReader, streamReader, tarMembers, type SeqReader, type TarMember } from './tar-walk.js';
import { parseJsonExact } from './json-exact.js';

/** Video member extensions, in order of preference when a sample holds several. */
const PREFERRED_VIDEO = ['mp4', 'webm', 'mkv', 'avi', 'mov'];
/** Text members that become columns of their own name. */
const TEXT_MEMBERS = new Set(['txt', 'cls']);
/** Largest json/txt member read into a row. */
const MAX_META_BYTES = 4 * 1024 * 1024;
/** Most shards one brace pattern may name. */
const MAX_SHARDS = 10_000_000;

/** True when `input` names WebDataset shards: a `.tar` file (local or s3://) or a brace pattern of them. */
export function isWebDatasetInput(input: string): boolean {
  return /\.tar$/i.test(input) || (/\{[^}]*(\.\.|,)[^}]*\}/.test(input) && /\.tar(\}|$)/i.test(input));
}

/**
 * Expands brace patterns: `{00000..00123}` (numeric range, zero-padded to the width of its first bound), `{a,b,c}`
 * (alternatives); several braces multiply. Yields the names lazily, in order.
 */
export function* expandBraces(pattern: string): Generator<string> {
  const m = /\{([^{}]*)\}/.exec(pattern);
  if (!m) {
    yield pattern;
    return;
  }
  const head = pattern.slice(0, m.index);
  const tail = pattern.slice(m.index + m[0].length);
  const range = /^(\d+)\.\.(\d+)$/.exec(m[1]);
  let parts: Iterable<string>;
  if (range) {
    const [a, b] = [Number(range[1]), Number(range[2])];
    const width = range[1].length;
    if (b < a || b - a >= MAX_SHARDS)
      throw new ManifestError(
        'input-pattern',
        expected(`a range {a..b} with a <= b and at most ${MAX_SHARDS} names`, 'input', pattern),
        { path: pattern },
      );
    parts = (function* () {
      for (let i = a; i <= b; i++) yield String(i).padStart(width, '0');
    })();
  } else if (m[1].includes(',')) {
    parts = m[1].split(',');
  } else {
    parts = [m[0]];
  }
  for (const p of parts) {
    for (const rest of expandBraces(tail)) yield `${head}${p}${rest}`;
  }
}

/** Where a video member is: the shard, the member's name, and its data's byte range. */
export interface MemberRef {
  shard: string;
  member: string;
  offset: number;
  size: number;
}

const LOCATOR = /^(.+\.tar)#(.+)@(\d+)\+(\d+)$/is;

/**
 * The clip path of a shard member: `SHARD#MEMBER@OFFSET+SIZE` (for example
 * `/data/shard-00003.tar#000123.mp4@1536+20480`): readable, and all a worker needs to read the clip in place.
 */
export function memberLocator(ref: MemberRef): string {
  return `${ref.shard}#${ref.member}@${ref.offset}+${ref.size}`;
}

/** The member a clip path of {@link memberLocator} names, or null for any other path. */
export function parseMemberLocator(text: string): MemberRef | null {
  const m = LOCATOR.exec(text);
  return m ? { shard: m[1], member: m[2], offset: Number(m[3]), size: Number(m[4]) } : null;
}

/** The sample key and extension of a member name (WebDataset's rule: split at the first '.' of the base name). */
export function splitMemberName(name: string): { key: string; ext: string } {
  const slash = name.lastIndexOf('/');
  const dot = name.indexOf('.', slash + 1);
  if (dot <= slash + 1) return { key: name, ext: '' };
  return { key: name.slice(0, dot), ext: name.slice(dot + 1).toLowerCase() };
}

/** One sample as walked: its members in order. */
export interface Sample {
  key: string;
  members: TarMember[];
  /** json/txt contents read while walking (they must be read before the walk moves on). */
  meta: Map<string, Buffer | Error>;
  /** Every member's bytes, in order, when the walk was asked for them (see {@link walkSamples}). */
  bodies?: Buffer[];
}

/** What {@link walkSamples} yields: a shard about to be read, a sample with its row number, or a row problem. */
export type WalkEvent =
  | { type: 'shard'; shard: string }
  | { type: 'sample'; row: number; shard: string; sample: Sample }
  | { type: 'problem'; row: number; problem: RowProblem };

/** Skips at least this long are made by starting a new ranged read, not by reading the bytes and dropping them. */
const SKIP_BY_RANGE = 4 * 1024 * 1024;
/** Reads of a shard that may break off before its walk gives up (each resumes where the last one stopped). */
const MAX_SHARD_READS = 5;

/**
 * Sequential access to an object of `size` bytes through ranged reads `open(start)`: a skip of `skipBytes` or more
 * (a video member, typically) starts a new ranged read past it instead of downloading it, and a read that breaks off
 * (or fails with a throttling, 5xx or network error) is started again from the byte it reached, with backoff.
 */
export function rangedReader(
  open: (start: number) => Promise<Readable>,
  size: number,
  skipBytes = SKIP_BY_RANGE,
): SeqReader {
  let pos = 0;
  let inner: SeqReader | null = null;
  const drop = async (): Promise<void> => {
    const r = inner;
    inner = null;
    await r?.close().catch(() => undefined);
  };
  return {
    async take(n) {
      const parts: Buffer[] = [];
      let want = Math.min(n, size - pos);
      for (let attempt = 1; want > 0; ) {
        try {
          inner ??= streamReader(await open(pos));
          const b = await inner.take(want);
          if (b.length === 0) throw new Error(`the read ended at byte ${pos} of ${size}`);
          parts.push(b);
          pos += b.length;
          want -= b.length;
        } catch (err) {
          await drop();
          if (attempt >= MAX_SHARD_READS || !isTransient(err)) throw err;
          await backoff(attempt++);
        }
      }
      return parts.length === 1 ? parts[0] : Buffer.concat(parts);
    },
    async skip(n) {
      if (pos + n > size) {
        pos = size;
        await drop();
        return false;
      }
      if (inner && n < skipBytes) {
        if (!(await inner.skip(n))) await drop();
      } else {
        await drop();
      }
      pos += n;
      return true;
    },
    close: drop,
  };
}

/** Opens a shard for a sequential walk (an s3:// shard: its size first, which also tells a missing key). */
async function openShard(shard: string): Promise<SeqReader> {
  if (isS3Url(shard)) {
    const loc = parseS3Url(shard);
    return rangedReader((start) => readS3Range(loc, start), await headS3Object(loc));
  }
  return fileReader(shard);
}

/** The row (or row problem) of one finished sample. */
function sampleRow(ctx: FormatContext, shard: string, s: Sample, row: number): InputRow | RowProblem {
  const where = `sample ${JSON.stringify(s.key)} of shard ${shard}`;
  const videos = s.members.filter((m) => isVideoName(m.name));
  if (videos.length === 0) {
    const have = s.members.map((m) => splitMemberName(m.name).ext || m.name).join(', ');
    return rowProblem(
      row,
      'webdataset_no_video',
      `${where} has no video member (mp4, webm, mkv, avi, mov, ...); it has: ${have}`,
    );
  }
  const rank = (m: TarMember) => {
    const ext = path.extname(m.name).slice(1).toLowerCase();
    const i = PREFERRED_VIDEO.indexOf(ext);
    return i === -1 ? PREFERRED_VIDEO.length : i;
  };
  const video = videos.reduce((best, m) => (rank(m) < rank(best) ? m : best));
  const columns: Record<string, CellValue> = {};
  for (const [ext, data] of s.meta) {
    if (data instanceof Error)
      return rowProblem(row, 'webdataset_bad_member', `${where}: its ${ext} member cannot be read: ${data.message}`);
    if (ext === 'json') {
      let value: unknown;
      try {
        value = parseJsonExact(data.toString('utf8'));
      } catch (err) {
        return rowProblem(row, 'webdataset_bad_json', `${where}: its json member is not valid JSON: ${messageOf(err)}`);
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        return rowProblem(row, 'webdataset_bad_json', expected('a JSON object', `the json member of ${where}`, value));
      }
      for (const [k, v] of Object.entries(value as Record<string, unknown>))
        setCell(columns, k, v === null || typeof v !== 'object' ? (v as CellValue) : JSON.stringify(v));
    }
  }
  for (const [ext, data] of s.meta)
    if (TEXT_MEMBERS.has(ext) && !(data instanceof Error)) setCell(columns, ext, data.toString('utf8').trim());
  setCell(columns, '__key__', s.key);
  setCell(columns, '__shard__', shard);
  const idRaw = Object.hasOwn(columns, ctx.idColumn) ? columns[ctx.idColumn] : undefined;
  const id =
    idRaw === undefined || idRaw === null || (typeof idRaw === 'string' && idRaw.trim() === '') ? s.key : String(idRaw);
  return {
    row,
    id,
    path: memberLocator({ shard, member: video.name, offset: video.offset, size: video.size }),
    columns,
  };
}

/**
 * Streams the samples of every shard the pattern names, in order. A missing or unreadable shard is one row problem
 * (`webdataset_missing_shard`, `webdataset_unreadable_shard`); a damaged one (bad header, cut short) ends its walk
 * with one row problem (`webdataset_corrupt`) naming the shard, the byte and the last sample read, and the next
 * shard follows. Row numbers count samples (and those problems) from 1 across all shards.
 */
async function* webDatasetRows(
  ctx: FormatContext,
  shards: () => Iterable<string>,
): AsyncGenerator<InputRow | RowProblem> {
  for await (const ev of walkSamples(ctx.input, shards())) {
    if (ev.type === 'sample') yield sampleRow(ctx, ev.shard, ev.sample, ev.row);
    else if (ev.type === 'problem') yield ev.problem;
  }
}

/**
 * Walks the samples of `shards` in order, numbering them (and the problems) as the scan's rows. `wantBodies(row)`
 * says, when a sample starts, whether to read all its members' bytes (`sample.bodies`); otherwise only json/txt.
 */
export async function* walkSamples(
  input: string,
  shards: Iterable<string>,
  wantBodies: (row: number) => boolean = () => false,
): AsyncGenerator<WalkEvent> {
  let row = 0;
  for (const shard of shards) {
    yield { type: 'shard', shard };
    let reader: SeqReader;
    try {
      reader = await openShard(shard);
    } catch (err) {
      row++;
      const e = isS3Url(shard) ? remoteError(shard, err) : null;
      const missing = e ? e.code === 'missing' : (err as NodeJS.ErrnoException).code === 'ENOENT';
      yield {
        type: 'problem',
        row,
        problem: rowProblem(
          row,
          missing ? 'webdataset_missing_shard' : 'webdataset_unreadable_shard',
          `Shard ${shard} of ${input} cannot be read: ${e ? e.message : messageOf(err)}`,
          err,
        ),
      };
      continue;
    }
    let current: Sample | null = null;
    try {
      for await (const m of tarMembers(reader)) {
        const { key, ext } = splitMemberName(m.name);
        if (current && current.key !== key) {
          yield { type: 'sample', row: ++row, shard, sample: current };
          current = null;
        }
        // Nothing is yielded between a sample's start and its end, so its row number is known now.
        current ??= { key, members: [], meta: new Map(), ...(wantBodies(row + 1) ? { bodies: [] } : {}) };
        current.members.push(m);
        const meta = ext === 'json' || TEXT_MEMBERS.has(ext);
        if (current.bodies) {
          const body = await m.data();
          current.bodies.push(body);
          if (meta) current.meta.set(ext, body);
        } else if (meta) {
          current.meta.set(
            ext,
            m.size > MAX_META_BYTES
              ? new Error(`${m.size} bytes, more than the ${MAX_META_BYTES} read`)
              : await m.data(),
          );
        }
      }
      if (current) yield { type: 'sample', row: ++row, shard, sample: current };
    } catch (err) {
      // Stopped at a header: the sample read so far is whole (its members all there) and is scanned.
      const whole = err instanceof TarError && err.atHeader && current !== null;
      if (whole) yield { type: 'sample', row: ++row, shard, sample: current! };
      row++;
      const after = current ? ` ${whole ? 'after' : 'in'} sample ${JSON.stringify(current.key)}` : '';
      const why =
        err instanceof TarError ? err.message : isS3Url(shard) ? remoteError(shard, err).message : messageOf(err);
      yield {
        type: 'problem',
        row,
        problem: rowProblem(
          row,
          'webdataset_corrupt',
          `Shard ${shard} is damaged${after}: ${why}; the samples after this point are not read`,
          err,
        ),
      };
    } finally {
      await reader.close().catch(() => undefined);
    }
  }
}

/** Opens WebDataset shards: `input` is one shard or a brace pattern (local paths absolute; or s3:// locations). */
export async function openWebDataset(ctx: FormatContext): Promise<InputSource> {
  const first = expandBraces(ctx.input).next().value as string;
  if (isS3Url(first)) {
    await headS3Object(parseS3Url(first)).catch((err: unknown) => {
      const e = remoteError(first, err);
      throw new ManifestError(
        `input-${e.code}`,
        `${expected('a readable tar shard', `the first shard of ${ctx.input}`, first)}: ${e.message.replace(/^Clip \S+ cannot be read: /, '')}`,
        { path: first },
        { cause: err },
      );
    });
  } else {
    // The first shard must be there: a mistyped pattern fails now, not as a row problem per shard.
    const st = await stat(first).catch((err: unknown) => {
      throw new ManifestError(
        'input-missing',
        expected('an existing tar shard', `the first shard of ${ctx.input}`, first),
        { path: first },
        { cause: err },
      );
    });
    if (!st.isFile())
      throw new ManifestError('input-kind', expected('a tar file', `the first shard of ${ctx.input}`, first), {
        path: first,
      });
  }
  return { kind: 'webdataset', input: ctx.input, rows: () => webDatasetRows(ctx, () => expandBraces(ctx.input)) };
}
