// Output folders in object storage: `--out s3://bucket/prefix`. The run writes a local staging folder exactly as it
// writes any output folder; before it, the objects already under the prefix are brought into that folder (so a rerun
// resumes), and after it every new or changed file goes up as one object: a single PutObject, or a multipart upload
// above the part size, which S3 only shows once it is complete. So each object under the prefix is a finished file or
// absent, never a partial one.
//
// Staging: `<staging>/<hash of the URL and endpoint>/out`, where <staging> is AUDIT_STAGING_DIR or
// `<os.tmpdir()>/reversal-audit-staging`. Beside `out` lie `sync.json` (what each object held when this folder last
// matched the prefix) and the folder's lock. The staging folder is removed once every file is uploaded; a run that
// could not upload (or was killed) leaves it, and the next run of the same command on this machine continues from it
// when the prefix has not changed since, else makes it equal to the prefix first.
//
// A prefix is used only when it is empty or holds an earlier run's outputs: a summary, run or row file, only names this
// tool writes (an upload that stopped part way leaves some of them), or only what this machine's staging folder last
// saw there. Any other object may be someone's own data: the run is refused before anything is downloaded or written.
//
// One run per prefix: the staging folder is locked (io/lock.ts), and the prefix holds a `.audit.lock` object naming
// the run while it runs, written with If-None-Match (stores that honour it, as S3 and MinIO do, let only one of two
// runs starting at once have it; others, such as s3rver, leave a short race between the check and the write). A
// lock object left by a run on another host is never taken over: the run stops and prints how to remove it.

import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, type Dirent } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { AuditError, UsageError, toIoError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import { LOCK_FILE, judgeHolder, lockFolder, type LockHolder } from './lock.js';
import { isS3Url, parseS3Url, s3Client, s3Endpoint, s3Url, storeFailure, type S3Location } from './object-store.js';

/** Name of the object that marks a prefix in use by a run (the same name as a local folder's lock file). */
export const REMOTE_LOCK = LOCK_FILE;

/** Files above this size go up as a multipart upload, in parts of this size (S3 allows 5 MiB to 5 GiB per part). */
const DEFAULT_PART_SIZE = 64 * 2 ** 20;
/** Transfers at once. */
const CONCURRENCY = 4;

/** Names (relative to the prefix) that show a prefix holds an earlier run's outputs (scan, physics, merge). */
const OUTPUT_MARKERS = new Set([
  'summary.json',
  'run.json',
  'clips.jsonl',
  'errors.jsonl',
  'scan/run.json',
  'scan/clips.jsonl',
  'physics.jsonl',
]);

/**
 * Every file scan, merge, the decisions and the report write into a scan's output folder (relative names). Uploads go
 * series first and summary.json last, so an upload that stops part way can leave a prefix of these without a marker.
 */
const SCAN_FILES = [
  /^(summary|run|cues|decisions)\.json$/,
  /^(clips|errors|decisions)\.jsonl$/,
  /^clips\.parquet$/,
  /^(reverse-safe|excluded)\.(csv|tsv|jsonl|parquet)$/,
  /^classes\.(csv|parquet)$/,
  /^reverse-safe-shards\/[^/]+$/,
  /^series\/[^/]+\.f32$/,
  /^report\.html$/,
  /^report\/sheet-[0-9a-f]{16}\.jpg$/,
];
/** The files physics writes beside the scan folder it keeps in `scan/`. */
const PHYSICS_FILES = [
  /^physics\.jsonl$/,
  /^scan-manifest\.jsonl$/,
  /^output_(rule|pc)\.csv$/,
  /^leaderboard\.(csv|md)$/,
  /^agreement\.(json|md)$/,
];

/** Whether `rel` (relative to the prefix) is the name of a file a scan, merge or physics run writes. */
export function isOutputFile(rel: string): boolean {
  const inScan = rel.startsWith('scan/') ? rel.slice('scan/'.length) : null;
  return (
    SCAN_FILES.some((re) => re.test(rel)) ||
    PHYSICS_FILES.some((re) => re.test(rel)) ||
    (inScan !== null && SCAN_FILES.some((re) => re.test(inScan)))
  );
}

/**
 * Throws unless the objects under the prefix (the lock object left out) may be taken as an earlier run's outputs: none
 * at all; one of the OUTPUT_MARKERS among them; only names the tool writes (what an upload that stopped part way
 * leaves); or only objects this machine's staging folder last saw there, each with the ETag `state` (its sync.json)
 * holds. Any other object may be someone's own data, which a run must neither download nor overwrite.
 */
function refuseForeignPrefix(url: string, remote: Map<string, { etag: string }>, state: SyncState | null): void {
  const names = [...remote.keys()];
  if (names.some((k) => OUTPUT_MARKERS.has(k))) return;
  const foreign = names.filter((k) => !isOutputFile(k));
  if (foreign.length === 0) return;
  if (state !== null && typeof state === 'object' && [...remote].every(([rel, o]) => state[rel]?.etag === o.etag))
    return;
  const first = foreign.slice(0, 3).join(', ');
  throw new UsageError(
    `Expected an empty output prefix or one an earlier run wrote for --out but ${url} holds ${foreign.length} other objects (${first}${foreign.length > 3 ? ', ...' : ''}); choose another prefix`,
  );
}

export interface StagedOutOptions {
  /** How the run is shown in the locks (`audit scan in/ --out s3://b/p`). */
  command: string;
  /** Parent of the staging folders (default AUDIT_STAGING_DIR, else `<os.tmpdir()>/reversal-audit-staging`). */
  stagingDir?: string;
  /** Upload what a failed run left (true for runs whose files are whole rows and resume, such as scan; false for merge). */
  uploadOnFailure?: boolean;
  /** Rewrites files in the staging folder just before the upload (e.g. paths in summary.json). */
  beforeUpload?: (local: string, url: string) => Promise<void>;
  /** One line per step (download, upload). */
  log?: (line: string) => void;
  /** Multipart threshold and part size in bytes (tests use small ones). */
  partSize?: number;
}

/** What one remote object held, and the local file that equals it. */
interface SyncEntry {
  etag: string;
  size: number;
  mtimeMs: number;
}
type SyncState = Record<string, SyncEntry>;

/** The default parent of staging folders. */
export function defaultStagingDir(): string {
  return process.env.AUDIT_STAGING_DIR || join(tmpdir(), 'reversal-audit-staging');
}

/** The prefix of `url` as a folder: '' (the whole bucket) or ending in '/'. */
function folderLocation(url: string): S3Location {
  const loc = parseS3Url(url);
  const key = loc.key.replace(/\/+$/, '');
  return { bucket: loc.bucket, key: key ? `${key}/` : '' };
}

/** The clear error for a failed request on the output prefix `url`: names the URL, the step and what to check. */
export function outputStoreError(url: string, step: string, err: unknown): AuditError {
  if (err instanceof AuditError) return err;
  const { status, name, tag } = storeFailure(err);
  const bucket = parseS3Url(url).bucket;
  let what: string;
  if (name === 'NoSuchBucket' || (status === 404 && step.startsWith('list')))
    what = `bucket ${bucket} does not exist (${tag}); create it, or check its name and the endpoint (--s3-endpoint, AWS_ENDPOINT_URL)`;
  else if (status === 403 || status === 401 || name === 'AccessDenied' || name === 'Forbidden')
    what = `access denied (${tag}); check the credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...) and that they may list, read, write and delete objects under it`;
  else if (name === 'CredentialsProviderError')
    what = `no AWS credentials found (${err instanceof Error ? err.message : name}); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`;
  else what = tag;
  return new AuditError('object_store', `Cannot ${step} ${url}: ${what}`, { path: url }, { cause: err });
}

/** The URL of the object `rel` under the prefix `url`. */
const objectUrl = (url: string, rel: string): string => `${url.replace(/\/+$/, '')}/${rel}`;

const quoteless = (etag: string | undefined): string => (etag ?? '').replace(/"/g, '');

/** Objects under the folder prefix: relative name -> ETag and size. */
async function listRemote(url: string, loc: S3Location): Promise<Map<string, { etag: string; size: number }>> {
  const found = new Map<string, { etag: string; size: number }>();
  try {
    const client = s3Client();
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: loc.bucket, Prefix: loc.key, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined || o.Key.endsWith('/')) continue;
        found.set(o.Key.slice(loc.key.length), { etag: quoteless(o.ETag), size: o.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (err) {
    throw outputStoreError(url, 'list the output prefix', err);
  }
  for (const rel of found.keys()) {
    if (rel.split('/').some((part) => part === '' || part === '.' || part === '..') || rel.includes('\\')) {
      throw new AuditError(
        'object_store',
        `Cannot use ${url} as an output prefix: it holds the object ${s3Url({ bucket: loc.bucket, key: loc.key + rel })}, whose name is not a relative file path`,
        { path: url },
      );
    }
  }
  return found;
}

/** Every file under `dir` as a relative name with '/' separators (the lock and half-written temp files left out). */
async function localFiles(dir: string): Promise<Map<string, { size: number; mtimeMs: number }>> {
  const files = new Map<string, { size: number; mtimeMs: number }>();
  async function walk(d: string): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw toIoError(err, 'read the folder', d);
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && e.name !== LOCK_FILE && !/^\..*\.tmp$/.test(e.name) && !e.name.endsWith('.download')) {
        const s = await stat(p);
        files.set(relative(dir, p).split(sep).join('/'), { size: s.size, mtimeMs: s.mtimeMs });
      }
    }
  }
  await walk(dir);
  return files;
}

/** Runs `jobs` with at most CONCURRENCY at once; the first failure is thrown after the running ones settle. */
async function pool<T>(items: T[], job: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const lane = async () => {
    while (failure === null && next < items.length) {
      const item = items[next++]!;
      try {
        await job(item);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, lane));
  if (failure !== null) throw failure;
}

async function download(url: string, loc: S3Location, rel: string, file: string, size: number): Promise<void> {
  await mkdir(dirname(file), { recursive: true }).catch((err: unknown) =>
    Promise.reject(toIoError(err, 'create the folder', dirname(file))),
  );
  const part = `${file}.download`;
  try {
    const r = await s3Client().send(new GetObjectCommand({ Bucket: loc.bucket, Key: loc.key + rel }));
    if (!r.Body) throw new Error('no body');
    await pipeline(r.Body as NodeJS.ReadableStream, createWriteStream(part));
  } catch (err) {
    await unlink(part).catch(() => undefined);
    const io = toIoError(err, 'write', file);
    throw io instanceof AuditError ? io : outputStoreError(objectUrl(url, rel), 'download', err);
  }
  const got = (await stat(part)).size;
  if (got !== size) {
    await unlink(part).catch(() => undefined);
    throw new AuditError(
      'object_store',
      `Cannot download ${objectUrl(url, rel)}: ${got} bytes arrived of ${size}; run the same command again`,
      { path: url },
    );
  }
  await rename(part, file).catch((err: unknown) => Promise.reject(toIoError(err, 'rename a download over', file)));
}

/** Uploads one file as one object (PutObject, or a multipart upload that only appears when complete); returns its ETag. */
async function upload(loc: S3Location, rel: string, file: string, size: number, partSize: number): Promise<string> {
  const client = s3Client();
  const Key = loc.key + rel;
  if (size <= partSize) {
    const body = await readFile(file).catch((err: unknown) => Promise.reject(toIoError(err, 'read', file)));
    const r = await client.send(new PutObjectCommand({ Bucket: loc.bucket, Key, Body: body }));
    return quoteless(r.ETag);
  }
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: loc.bucket, Key }));
  const fh = await open(file, 'r').catch((err: unknown) => Promise.reject(toIoError(err, 'open', file)));
  try {
    const parts: Array<{ PartNumber: number; ETag: string }> = [];
    for (let offset = 0, n = 1; offset < size; offset += partSize, n++) {
      const length = Math.min(partSize, size - offset);
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      if (bytesRead !== length)
        throw new AuditError('io', `Cannot read ${file}: it shrank while it was uploaded`, { path: file });
      const r = await client.send(
        new UploadPartCommand({ Bucket: loc.bucket, Key, UploadId, PartNumber: n, Body: buf }),
      );
      parts.push({ PartNumber: n, ETag: r.ETag ?? '' });
    }
    const done = await client.send(
      new CompleteMultipartUploadCommand({ Bucket: loc.bucket, Key, UploadId, MultipartUpload: { Parts: parts } }),
    );
    return quoteless(done.ETag);
  } catch (err) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: loc.bucket, Key, UploadId })).catch(() => undefined);
    throw err;
  } finally {
    await fh.close();
  }
}

async function readState(file: string): Promise<SyncState | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as SyncState;
  } catch {
    return null;
  }
}

/** Takes the prefix's lock object, or throws naming the run that holds it. Returns its release. */
async function lockPrefix(
  url: string,
  loc: S3Location,
  existing: boolean,
  command: string,
): Promise<() => Promise<void>> {
  const client = s3Client();
  const Key = loc.key + REMOTE_LOCK;
  const where = s3Url({ bucket: loc.bucket, key: Key });
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    started_at: new Date().toISOString(),
    command,
    nonce: randomBytes(8).toString('hex'),
  };
  if (existing) {
    let text = '';
    try {
      const r = await client.send(new GetObjectCommand({ Bucket: loc.bucket, Key }));
      text = (await r.Body?.transformToString()) ?? '';
    } catch (err) {
      if ((err as { name?: string }).name !== 'NoSuchKey') throw outputStoreError(url, 'read the lock object of', err);
    }
    if (text) {
      let h: LockHolder | null = null;
      try {
        h = JSON.parse(text) as LockHolder;
      } catch {
        h = null;
      }
      const judged =
        h && typeof h.pid === 'number' && typeof h.host === 'string'
          ? judgeHolder(h)
          : ({ state: 'foreign', why: 'it cannot be read as a lock' } as const);
      if (judged.state !== 'stale') {
        const who = h
          ? `pid ${h.pid} on host ${h.host}, started ${h.started_at}, command: ${h.command}`
          : 'an unreadable lock object';
        const clear = `aws s3 rm ${where}${s3Endpoint() ? ` --endpoint-url ${s3Endpoint()}` : ''}`;
        throw new AuditError(
          'locked',
          judged.state === 'alive'
            ? `Output prefix ${url} is in use by another run (${who}); wait for it to finish`
            : `Output prefix ${url} is marked in use by ${who}, and whether that run still writes cannot be told from here (${judged.why}). If it has stopped, remove the mark and run again:\n  ${clear}`,
          { path: where },
        );
      }
    }
  }
  try {
    // If-None-Match: where the store honours it, a lock object written by another run since the listing makes this fail.
    await client.send(
      new PutObjectCommand({
        Bucket: loc.bucket,
        Key,
        Body: `${JSON.stringify(holder)}\n`,
        ContentType: 'application/json',
        ...(existing ? {} : { IfNoneMatch: '*' }),
      }),
    );
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 412 || status === 409)
      throw new AuditError(
        'locked',
        `Output prefix ${url} was taken by another run a moment ago (${where} appeared); wait for it to finish`,
        { path: where },
      );
    throw outputStoreError(url, 'write the lock object of', err);
  }
  return async () => {
    await client.send(new DeleteObjectCommand({ Bucket: loc.bucket, Key })).catch(() => undefined);
  };
}

/** `(local, url)` pairs: every string starting with a local folder is shown with the URL instead (results, summaries). */
export type Relocation = [local: string, url: string];

/** A copy of `value` with every string that starts with a relocation's local folder given its URL instead. */
export function relocate<T>(value: T, pairs: Relocation[]): T {
  const swap = (s: string): string => {
    for (const [local, url] of pairs) {
      if (s === local) return url;
      if (s.startsWith(local + sep))
        return `${url.replace(/\/+$/, '')}/${s
          .slice(local.length + 1)
          .split(sep)
          .join('/')}`;
    }
    return s;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return swap(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

async function removeStaging(local: string, stateFile: string): Promise<void> {
  await rm(local, { recursive: true, force: true }).catch(() => undefined);
  await rm(stateFile, { force: true }).catch(() => undefined);
}

/** The staging folder of `url` under `base` (it holds `out`, `sync.json` and the lock). */
export function stagingRoot(url: string, base: string): string {
  const id = createHash('sha256')
    .update(`${s3Endpoint() ?? 'aws'}\n${url.replace(/\/+$/, '')}`)
    .digest('hex')
    .slice(0, 16);
  return join(base, id);
}

/**
 * Runs `run` on a local folder that stands for `out`: `out` itself when it is a local path; for an `s3://bucket/prefix`
 * a staging folder holding the objects already under the prefix, whose new and changed files are uploaded after the
 * run (also after a failure when `uploadOnFailure`), each as one complete object; objects whose files the run removed
 * are deleted. A failure of the store names the URL. See the file comment for staging and locking.
 * @example
 * const summary = await withStagedOut('s3://bucket/runs/a', (dir) => scanInto(dir), { command: 'audit scan ...' });
 */
export async function withStagedOut<T>(
  out: string,
  run: (local: string) => Promise<T>,
  options: StagedOutOptions,
): Promise<T> {
  if (!isS3Url(out)) return run(out);
  const url = out;
  const loc = folderLocation(url);
  const log = options.log ?? (() => undefined);
  const partSize = options.partSize ?? DEFAULT_PART_SIZE;
  const root = stagingRoot(url, options.stagingDir ?? defaultStagingDir());
  const local = join(root, 'out');
  const stateFile = join(root, 'sync.json');
  try {
    await mkdir(local, { recursive: true });
  } catch (err) {
    throw toIoError(err, 'create the staging folder', local);
  }
  const folderLock = await lockFolder(root, { command: options.command });
  let releasePrefix: (() => Promise<void>) | null = null;
  try {
    const remote = await listRemote(url, loc);
    const hadLock = remote.delete(REMOTE_LOCK);
    const synced = await readState(stateFile);
    refuseForeignPrefix(url, remote, synced);
    releasePrefix = await lockPrefix(url, loc, hadLock, options.command);
    const state = await syncDown(url, loc, local, remote, synced, log, ' (an earlier run, to resume)');
    await writeFileAtomic(stateFile, JSON.stringify(state));
    const uploadAll = () => syncUp(url, loc, local, remote, state, stateFile, options, partSize, log);

    let result: T;
    try {
      result = await run(local);
    } catch (err) {
      throw await afterFailedRun(err, uploadAll, url, local, stateFile, options.uploadOnFailure ?? false);
    }
    try {
      await uploadAll();
    } catch (err) {
      throw noteKept(err, url, local);
    }
    // Everything is under the prefix now: the staging folder is not needed to resume. The lock file goes last.
    await removeStaging(local, stateFile);
    return relocate(result, [[local, url]]);
  } finally {
    await releasePrefix?.();
    await folderLock.release();
    // a run that stopped before writing anything (no credentials, no bucket) leaves no empty staging folders
    await rmdir(local).catch(() => undefined);
    await rmdir(root).catch(() => undefined);
  }
}

/** What a run whose upload failed leaves: the staging folder, named in `err`'s message with how to finish the upload. */
function noteKept(err: unknown, url: string, local: string): unknown {
  if (err instanceof Error)
    err.message += `\n(The files not uploaded to ${url} are kept in the staging folder ${local}; run the same command again on this machine to upload them.)`;
  return err;
}

/**
 * After `run` failed with `err`: uploads what it finished (`uploadOnFailure`) or removes the staging folder, and returns
 * `err` with a line saying which, and where the staging folder is when it is kept.
 */
async function afterFailedRun(
  err: unknown,
  uploadAll: () => Promise<void>,
  url: string,
  local: string,
  stateFile: string,
  uploadOnFailure: boolean,
): Promise<unknown> {
  if (!uploadOnFailure) {
    await removeStaging(local, stateFile);
    if (err instanceof Error)
      err.message += `\n(The run was staged in ${local}, now removed; nothing was uploaded to ${url}.)`;
    return err;
  }
  try {
    await uploadAll();
  } catch (up) {
    if (err instanceof Error)
      err.message += `\n(Uploading its finished files failed too: ${up instanceof Error ? up.message : String(up)})`;
    return noteKept(err, url, local);
  }
  await removeStaging(local, stateFile);
  if (err instanceof Error)
    err.message += `\n(The files it finished were uploaded to ${url}; its staging folder ${local} is removed.)`;
  return err;
}

/** Makes the staging folder equal to the prefix, keeping what a run left in it when the prefix has not changed since. */
async function syncDown(
  url: string,
  loc: S3Location,
  local: string,
  remote: Map<string, { etag: string; size: number }>,
  state: SyncState | null,
  log: (line: string) => void,
  purpose = '',
): Promise<SyncState> {
  const files = await localFiles(local);
  const unchanged =
    state !== null &&
    Object.keys(state).length === remote.size &&
    [...remote].every(([rel, o]) => state[rel]?.etag === o.etag);
  const keep = new Set<string>();
  if (unchanged) {
    // The prefix is as this folder last saw it: whatever a killed or failed run added here is newer. Keep all of it.
    for (const rel of files.keys()) keep.add(rel);
  } else {
    for (const [rel, f] of files) {
      const s = state?.[rel];
      const o = remote.get(rel);
      if (o && s && s.etag === o.etag && s.size === f.size && s.mtimeMs === f.mtimeMs) keep.add(rel);
      else
        await unlink(join(local, rel)).catch((err: unknown) =>
          Promise.reject(toIoError(err, 'remove', join(local, rel))),
        );
    }
  }
  const fetch = [...remote].filter(([rel]) => !keep.has(rel) || !files.has(rel));
  if (fetch.length)
    log(
      `downloading ${fetch.length} file${fetch.length > 1 ? 's' : ''} (${(fetch.reduce((a, [, o]) => a + o.size, 0) / 1e6).toFixed(1)} MB) from ${url}${purpose}`,
    );
  await pool(fetch, ([rel, o]) => download(url, loc, rel, join(local, ...rel.split('/')), o.size));
  const next: SyncState = {};
  for (const [rel, o] of remote) {
    const s = state?.[rel];
    if (unchanged && s && files.has(rel)) next[rel] = s;
    else {
      const st = await stat(join(local, ...rel.split('/')));
      next[rel] = { etag: o.etag, size: st.size, mtimeMs: st.mtimeMs };
    }
  }
  return next;
}

/** Uploads new and changed files (series first, summary.json last), then deletes objects whose files are gone. */
async function syncUp(
  url: string,
  loc: S3Location,
  local: string,
  remote: Map<string, { etag: string; size: number }>,
  state: SyncState,
  stateFile: string,
  options: StagedOutOptions,
  partSize: number,
  log: (line: string) => void,
): Promise<void> {
  await options.beforeUpload?.(local, url);
  const files = await localFiles(local);
  const changed = [...files].filter(([rel, f]) => {
    const s = state[rel];
    return !s || s.size !== f.size || s.mtimeMs !== f.mtimeMs;
  });
  const rank = (rel: string) =>
    rel.startsWith('series/') || rel.includes('/series/') ? 0 : rel.endsWith('summary.json') ? 2 : 1;
  const groups = [0, 1, 2].map((g) => changed.filter(([rel]) => rank(rel) === g));
  let bytes = 0;
  try {
    for (const group of groups) {
      await pool(group, async ([rel, f]) => {
        let etag: string;
        try {
          etag = await upload(loc, rel, join(local, ...rel.split('/')), f.size, partSize);
        } catch (err) {
          throw err instanceof AuditError ? err : outputStoreError(objectUrl(url, rel), 'upload', err);
        }
        state[rel] = { etag, size: f.size, mtimeMs: f.mtimeMs };
        bytes += f.size;
      });
    }
    const gone = [...new Set([...remote.keys(), ...Object.keys(state)])].filter((rel) => !files.has(rel));
    await pool(gone, async (rel) => {
      try {
        await s3Client().send(new DeleteObjectCommand({ Bucket: loc.bucket, Key: loc.key + rel }));
      } catch (err) {
        throw outputStoreError(objectUrl(url, rel), 'delete', err);
      }
      delete state[rel];
    });
    log(
      `uploaded ${changed.length} file${changed.length === 1 ? '' : 's'} (${(bytes / 1e6).toFixed(1)} MB)${gone.length ? `, deleted ${gone.length} removed file${gone.length === 1 ? '' : 's'}` : ''} -> ${url}`,
    );
  } finally {
    await writeFileAtomic(stateFile, JSON.stringify(state)).catch(() => undefined);
  }
}

/**
 * Runs `run` on local copies of `dirs`: a local folder is passed as it is, an `s3://bucket/prefix` is downloaded whole
 * into a staging folder first (removed after the run). For commands that only read folders (merge's shard folders).
 */
export async function withDownloadedFolders<T>(
  dirs: string[],
  run: (local: string[]) => Promise<T>,
  options: { command: string; stagingDir?: string; log?: (line: string) => void },
): Promise<T> {
  const locks: Array<{ release(): Promise<void> }> = [];
  const staged: string[] = [];
  try {
    const local: string[] = [];
    for (const d of dirs) {
      if (!isS3Url(d)) {
        local.push(d);
        continue;
      }
      const root = `${stagingRoot(d, options.stagingDir ?? defaultStagingDir())}-in`;
      const dir = join(root, 'out');
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      await mkdir(dir, { recursive: true }).catch((err: unknown) =>
        Promise.reject(toIoError(err, 'create the staging folder', dir)),
      );
      locks.push(await lockFolder(root, { command: options.command }));
      staged.push(dir);
      const remote = await listRemote(d, folderLocation(d));
      remote.delete(REMOTE_LOCK);
      if (remote.size === 0)
        throw new AuditError('object_store', `Cannot read ${d}: no objects are stored under it`, { path: d });
      await syncDown(d, folderLocation(d), dir, remote, null, options.log ?? (() => undefined));
      local.push(dir);
    }
    return await run(local);
  } catch (err) {
    // Messages about a downloaded folder name its URL, not the staging folder.
    if (err instanceof Error)
      dirs.forEach((d, i) => {
        const dir = staged[dirs.slice(0, i).filter(isS3Url).length];
        if (isS3Url(d) && dir) err.message = err.message.split(dir).join(d.replace(/\/+$/, ''));
      });
    throw err;
  } finally {
    for (const dir of staged) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    for (const l of locks) await l.release();
  }
}
