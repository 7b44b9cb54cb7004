// Serves clips that are not local files (s3:// objects, http(s):// URLs, members of WebDataset shards) to ffmpeg over
// a loopback HTTP server in the reading thread, so ffmpeg reads them by byte range and nothing is copied to disk.
//
// Why a loopback server rather than handing ffmpeg a presigned URL: the requests to the store go through the AWS
// SDK (its credential chain, TLS certificate checks, retries with backoff on throttling and 5xx), a read that breaks
// off mid-body is resumed from the byte it reached, a tar member is served as a file of its own (its byte range of
// the shard), and no signed URL (a credential) can leak into errors.jsonl: messages name the s3:// location.

import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { AuditError, DecodeError } from '../errors.js';
import {
  backoff,
  headHttp,
  headS3Object,
  isHttpUrl,
  isS3Url,
  isTransient,
  parseS3Url,
  readHttpRange,
  readS3Range,
  remoteError,
} from './object-store.js';
import { parseMemberLocator } from './webdataset.js';

/** Reads of one range that may break off before the clip is given up (each resumes where the last one stopped). */
const MAX_READ_ATTEMPTS = 5;

/** The URLs this module hands ffmpeg (the decoder reads them as they are: decode/ffmpeg.ts isLoopbackClipUrl). */
const LOOPBACK_URL = /^http:\/\/127\.0\.0\.1:\d+\/clip\/[0-9a-f]+$/;

/**
 * True for a clip path read through {@link openRemoteClip}: s3://, http(s)://, or a WebDataset member locator; false
 * for the loopback URLs it serves them on (already open).
 */
export function isRemoteClip(path: string): boolean {
  return !LOOPBACK_URL.test(path) && (isS3Url(path) || isHttpUrl(path) || parseMemberLocator(path) !== null);
}

interface Source {
  /** Size in bytes, or null when unknown (a web server that ignores ranges: served in order, once). */
  size: number | null;
  /** Bytes start..end (inclusive) as a stream. */
  read(start: number, end: number | undefined, signal: AbortSignal): Promise<Readable>;
  /** Where the bytes come from, for messages. */
  name: string;
  /** The last read failure, once a read was given up. */
  failure: Error | null;
  /** Bytes served to ffmpeg. */
  served: number;
}

const sources = new Map<string, Source>();
let serverReady: Promise<{ server: Server; port: number }> | null = null;

/** Resolves when `res` can take more bytes, or has closed (ffmpeg seeked or finished). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Answers one of ffmpeg's requests (GET with an optional `Range: bytes=a-b`), resuming a read that breaks off. */
async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const id = /^\/clip\/([0-9a-f]+)$/.exec(req.url ?? '')?.[1];
  const src = id === undefined ? undefined : sources.get(id);
  if (!src) {
    res.writeHead(404).end();
    return;
  }
  const size = src.size;
  const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  let start = m?.[1] ? Number(m[1]) : 0;
  let end = m?.[2] ? Number(m[2]) : size === null ? undefined : size - 1;
  if (m && !m[1] && m[2] && size !== null) {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  }
  if (size !== null && end !== undefined) end = Math.min(end, size - 1);
  if (size !== null && start >= size) {
    res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
    return;
  }
  if (size === null && start > 0) {
    res.writeHead(416).end();
    return;
  }
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/octet-stream',
    'Accept-Ranges': size === null ? 'none' : 'bytes',
  };
  if (end !== undefined) headers['Content-Length'] = end - start + 1;
  if (m && size !== null) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  res.writeHead(m && size !== null ? 206 : 200, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stop = new AbortController();
  res.on('close', () => stop.abort());
  let pos = start;
  for (let attempt = 1; pos <= (end ?? Infinity) && !stop.signal.aborted; attempt++) {
    try {
      const body = await src.read(pos, end, stop.signal);
      for await (const chunk of body as AsyncIterable<Buffer>) {
        if (stop.signal.aborted) break;
        pos += chunk.length;
        src.served += chunk.length;
        if (!res.write(chunk)) await drained(res);
      }
      if (end === undefined) break;
      if (pos <= end && !stop.signal.aborted) throw new Error(`the read ended at byte ${pos} of ${end + 1}`);
    } catch (err) {
      if (stop.signal.aborted) break;
      // A whole-body read (size unknown) cannot resume; neither can a 4xx answer.
      if (attempt >= MAX_READ_ATTEMPTS || !isTransient(err) || size === null) {
        src.failure = err instanceof Error ? err : new Error(String(err));
        res.destroy();
        return;
      }
      await backoff(attempt);
    }
  }
  res.end();
}

function server(): Promise<{ server: Server; port: number }> {
  serverReady ??= new Promise((resolve, reject) => {
    const s = createServer((req, res) => {
      serve(req, res).catch(() => res.destroy());
    });
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      // The server must not keep a worker thread (or the CLI) alive.
      s.unref();
      resolve({ server: s, port: (s.address() as AddressInfo).port });
    });
  });
  return serverReady;
}

/** A clip being served to ffmpeg. */
export interface RemoteClip {
  /** The URL to give ffmpeg (loopback; holds no credentials). */
  url: string;
  /** The clip as the user named it (s3://..., https://..., SHARD#MEMBER@...). */
  name: string;
  /** Its size in bytes (null: unknown). */
  size: number | null;
  /** Bytes served so far. */
  readonly served: number;
  /**
   * The error to report for a failed decode: a read given up after its retries becomes `remote_failed` (the store's
   * reason); otherwise the decoder's error with the loopback URL replaced by the clip's name.
   */
  explain(err: unknown): unknown;
  /** Replaces the loopback URL by the clip's name in a message. */
  rename(text: string): string;
  /** Stops serving it. */
  close(): void;
}

/** How to read a clip path's bytes: checks it exists first (404 -> 'missing', 403 -> 'access_denied', 0 bytes -> 'empty'). */
async function sourceFor(clip: string): Promise<Source> {
  const base = { name: clip, failure: null, served: 0 };
  const member = parseMemberLocator(clip);
  if (member) {
    const { shard, offset, size } = member;
    if (isS3Url(shard)) {
      const loc = parseS3Url(shard);
      return { ...base, size, read: (a, b, signal) => readS3Range(loc, offset + a, offset + (b ?? size - 1), signal) };
    }
    try {
      const st = await stat(shard);
      if (st.size < offset + size)
        throw new DecodeError(
          'corrupt',
          `Clip ${clip} cannot be read: shard ${shard} is ${st.size} bytes, shorter than the member's end at byte ${offset + size}`,
          { path: clip },
        );
    } catch (err) {
      if (err instanceof AuditError) throw err;
      throw new DecodeError(
        (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable',
        `Clip ${clip} cannot be read: shard ${shard}: ${(err as Error).message}`,
        { path: clip },
        { cause: err },
      );
    }
    return {
      ...base,
      size,
      read: async (a, b) => createReadStream(shard, { start: offset + a, end: offset + (b ?? size - 1) }),
    };
  }
  if (isS3Url(clip)) {
    const loc = parseS3Url(clip);
    const size = await headS3Object(loc);
    return { ...base, size, read: (a, b, signal) => readS3Range(loc, a, b, signal) };
  }
  const size = await headHttp(clip);
  return { ...base, size, read: (a, b, signal) => readHttpRange(clip, a, b, signal) };
}

/**
 * Starts serving `clip` (see {@link isRemoteClip}) to ffmpeg. Throws DecodeError 'missing', 'access_denied',
 * 'no_credentials', 'empty' or 'remote_failed' (after retries), naming the clip, when it cannot be read.
 * @example
 * const remote = await openRemoteClip('s3://corpus/clips/a.mp4');
 * try { await decodeClip(remote.url); } catch (err) { throw remote.explain(err); } finally { remote.close(); }
 */
export async function openRemoteClip(clip: string): Promise<RemoteClip> {
  let src: Source;
  try {
    src = await sourceFor(clip);
  } catch (err) {
    throw remoteError(clip, err);
  }
  if (src.size === 0) throw new DecodeError('empty', `Clip ${clip} is empty (0 bytes)`, { path: clip });
  const { port } = await server();
  // A random name: another local user cannot guess it to read the clip with this run's credentials.
  const id = randomBytes(16).toString('hex');
  sources.set(id, src);
  const url = `http://127.0.0.1:${port}/clip/${id}`;
  const rename = (text: string): string => text.split(url).join(clip);
  return {
    url,
    name: clip,
    size: src.size,
    get served() {
      return src.served;
    },
    rename,
    explain(err: unknown): unknown {
      if (src.failure) return remoteError(clip, src.failure);
      if (err instanceof AuditError) {
        const e = new DecodeError(err.code, rename(err.message), { ...err.where, path: clip }, { cause: err });
        return e;
      }
      return err instanceof Error ? new Error(rename(err.message), { cause: err }) : err;
    },
    close() {
      sources.delete(id);
    },
  };
}
