// Object storage (S3 and S3-compatible stores): s3:// locations, the client, listing, and reads by byte range.

import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DecodeError, UsageError, expected } from '../errors.js';

/** A bucket and a key (or key prefix). */
export interface S3Location {
  bucket: string;
  key: string;
}

/** True for `s3://...` (case-insensitive scheme). */
export function isS3Url(text: string): boolean {
  return /^s3:\/\//i.test(text);
}

/** True for `http://...` and `https://...`. */
export function isHttpUrl(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

/** True for a clip or manifest path that lives in object storage or on a web server rather than on a local disk. */
export function isRemotePath(text: string): boolean {
  return isS3Url(text) || isHttpUrl(text);
}

/** Splits `s3://bucket/key/with/slashes` (the key may be empty: a whole bucket). Throws UsageError without a bucket. */
export function parseS3Url(url: string): S3Location {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/i.exec(url);
  if (!m?.[1]) throw new UsageError(expected('an S3 location like s3://bucket/prefix', 'input', url));
  return { bucket: m[1], key: m[2] ?? '' };
}

/** `s3://bucket/key`. */
export function s3Url(loc: S3Location): string {
  return `s3://${loc.bucket}/${loc.key}`;
}

/**
 * The endpoint of an S3-compatible store (MinIO, Ceph, GCS's S3 API, a local test server): `AWS_ENDPOINT_URL_S3`,
 * else `AWS_ENDPOINT_URL` (the variables the AWS tools read; `audit scan --s3-endpoint URL` sets the first).
 * Undefined means AWS itself.
 */
export function s3Endpoint(): string | undefined {
  const v = process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL;
  return v ? v : undefined;
}

/** Attempts per S3 request (the SDK's standard retry strategy: exponential backoff with jitter on throttling, 5xx and network errors). */
const DEFAULT_MAX_ATTEMPTS = 5;

const clients = new Map<string, S3Client>();

/**
 * The S3 client for the current endpoint (one per endpoint and thread). Credentials come from the SDK's standard
 * chain (environment, shared config and credentials files, SSO, web identity, container and instance roles). With
 * an endpoint, requests use path-style addressing (`endpoint/bucket/key`), which S3-compatible stores expect. The
 * region is `AWS_REGION` / `AWS_DEFAULT_REGION`, else us-east-1; requests to a bucket in another AWS region follow
 * S3's redirect. `AWS_MAX_ATTEMPTS` overrides the 5 attempts per request.
 */
export function s3Client(): S3Client {
  const endpoint = s3Endpoint();
  const cacheKey = endpoint ?? '';
  let client = clients.get(cacheKey);
  if (!client) {
    // The SDK warns, once per thread, that its releases after January 2027 will need Node 22; this package runs on
    // Node 20 with the SDK version its lockfile pins, so the warning would only repeat in every worker's output.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const attempts = Number(process.env.AWS_MAX_ATTEMPTS);
    client = new S3Client({
      region: process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1',
      followRegionRedirects: true,
      maxAttempts: Number.isInteger(attempts) && attempts > 0 ? attempts : DEFAULT_MAX_ATTEMPTS,
      requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
      ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    });
    clients.set(cacheKey, client);
  }
  return client;
}

/** HTTP status and error name of an SDK error (or of a fetch failure wrapped by this module). */
function statusOf(err: unknown): { status: number | undefined; name: string } {
  const e = err as { $metadata?: { httpStatusCode?: number }; name?: string; Code?: string } | null;
  return { status: e?.$metadata?.httpStatusCode, name: e?.Code ?? e?.name ?? 'Error' };
}

/** What a store's failure says: its HTTP status, its error name, and `tag`, both in one line for a message. */
export function storeFailure(err: unknown): { status: number | undefined; name: string; tag: string } {
  const { status, name } = statusOf(err);
  const reason =
    err instanceof Error && err.message && err.message !== name && !/^UnknownError$/.test(err.message)
      ? `${name}: ${err.message}`
      : name;
  return { status, name, tag: status ? `HTTP ${status} ${reason}` : reason };
}

/**
 * The clip-level error for a failed read of `where` (an s3:// or https:// location): 'missing' (404, NoSuchKey,
 * NoSuchBucket), 'access_denied' (401, 403), 'no_credentials' (no credentials found), else 'remote_failed' after the
 * retries. The message names the location and the store's reason.
 */
export function remoteError(where: string, err: unknown): DecodeError {
  if (err instanceof DecodeError) return err;
  const { status, name, tag } = storeFailure(err);
  if (status === 404 || name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchBucket') {
    const what = name === 'NoSuchBucket' ? 'its bucket does not exist' : 'it does not exist';
    return new DecodeError(
      'missing',
      `Clip ${where} cannot be read: ${what} (${tag})`,
      { path: where },
      { cause: err },
    );
  }
  if (status === 403 || status === 401 || name === 'AccessDenied' || name === 'Forbidden') {
    return new DecodeError(
      'access_denied',
      `Clip ${where} cannot be read: access denied (${tag}); check the credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...) and the bucket policy`,
      { path: where },
      { cause: err },
    );
  }
  if (name === 'CredentialsProviderError') {
    return new DecodeError(
      'no_credentials',
      `Clip ${where} cannot be read: no AWS credentials found (${err instanceof Error ? err.message : String(err)}); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`,
      { path: where },
      { cause: err },
    );
  }
  return new DecodeError('remote_failed', `Clip ${where} cannot be read: ${tag}`, { path: where }, { cause: err });
}

/** One listed object. */
export interface S3Object {
  key: string;
  size: number;
}

/**
 * Lists the objects under `loc.key` (a prefix), page by page (1,000 keys per request), in S3's order (UTF-8 byte
 * order of the keys). Memory holds one page. Throws the SDK's error (the caller names the input).
 */
export async function* listS3Objects(loc: S3Location): AsyncGenerator<S3Object> {
  const client = s3Client();
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: loc.bucket, Prefix: loc.key, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) if (o.Key !== undefined) yield { key: o.Key, size: o.Size ?? 0 };
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** Size of an object; throws the clip-level error of {@link remoteError}. */
export async function headS3Object(loc: S3Location): Promise<number> {
  try {
    const h = await s3Client().send(new HeadObjectCommand({ Bucket: loc.bucket, Key: loc.key }));
    return h.ContentLength ?? 0;
  } catch (err) {
    throw remoteError(s3Url(loc), err);
  }
}

/** Bytes `start..end` (inclusive; `end` undefined: to the object's end) of an object, as a stream. */
export async function readS3Range(
  loc: S3Location,
  start: number,
  end?: number,
  signal?: AbortSignal,
): Promise<Readable> {
  const range = `bytes=${start}-${end === undefined ? '' : end}`;
  const r = await s3Client().send(new GetObjectCommand({ Bucket: loc.bucket, Key: loc.key, Range: range }), {
    abortSignal: signal,
  });
  const body = r.Body;
  if (!body) throw new Error(`no body for ${s3Url(loc)} ${range}`);
  return body instanceof Readable
    ? body
    : Readable.fromWeb(body as unknown as import('node:stream/web').ReadableStream<Uint8Array>);
}

/** An http(s) failure carrying its status, so {@link remoteError} classifies it as it does S3's. */
class HttpStatusError extends Error {
  readonly $metadata: { httpStatusCode: number };
  constructor(status: number, statusText: string) {
    super(statusText || `HTTP ${status}`);
    this.name = statusText ? statusText.replace(/\s+/g, '') : 'HttpError';
    this.$metadata = { httpStatusCode: status };
  }
}

/** How long the check of an http(s) clip may take before it counts as a failed attempt (the decode's own limit starts after it). */
const HTTP_CHECK_TIMEOUT_MS = 60_000;

/** Statuses worth another try: throttling and server errors. */
export function isRetryableStatus(status: number | undefined): boolean {
  return status === 429 || (status !== undefined && status >= 500);
}

/**
 * Size of an http(s) resource: a one-byte ranged GET (servers that refuse HEAD still answer it); retried with
 * backoff on 429/5xx. Returns null when the server ignores ranges or hides the size (the body is then read in order,
 * once, and ffmpeg cannot seek in it).
 */
export async function headHttp(url: string): Promise<number | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await fetch(url, {
        headers: { Range: 'bytes=0-0' },
        signal: AbortSignal.timeout(HTTP_CHECK_TIMEOUT_MS),
      });
      await r.body?.cancel();
      if (r.status === 206) {
        const total = /\/(\d+)$/.exec(r.headers.get('content-range') ?? '');
        return total ? Number(total[1]) : null;
      }
      // 200 to a ranged request: the server ignores ranges (its whole body is served in order, unseekable).
      if (r.status === 200) return r.headers.get('content-length') === '0' ? 0 : null;
      throw new HttpStatusError(r.status, r.statusText);
    } catch (err) {
      const { status } = statusOf(err);
      const transient = status === undefined ? !(err instanceof HttpStatusError) : isRetryableStatus(status);
      if (!transient || attempt >= DEFAULT_MAX_ATTEMPTS) throw remoteError(url, err);
      await backoff(attempt);
    }
  }
}

/** Bytes `start..end` (inclusive) of an http(s) resource as a stream; throws HttpStatusError for a failed status. */
export async function readHttpRange(url: string, start: number, end?: number, signal?: AbortSignal): Promise<Readable> {
  const r = await fetch(url, { headers: { Range: `bytes=${start}-${end === undefined ? '' : end}` }, signal });
  if (!r.ok || !r.body) {
    await r.body?.cancel();
    throw new HttpStatusError(r.status, r.statusText);
  }
  if (start > 0 && r.status !== 206) {
    await r.body.cancel();
    throw new Error(`${url} ignores byte ranges (status ${r.status} to a ranged request)`);
  }
  return Readable.fromWeb(r.body as unknown as import('node:stream/web').ReadableStream<Uint8Array>);
}

/** Waits before attempt `attempt + 1`: 200 ms doubled per attempt (capped at 5 s), with full jitter. */
export function backoff(attempt: number): Promise<void> {
  const cap = Math.min(5_000, 200 * 2 ** (attempt - 1));
  return new Promise((r) => setTimeout(r, Math.random() * cap));
}

/** Whether a failed read is worth another try (network errors, throttling, 5xx); a 4xx answer is final. */
export function isTransient(err: unknown): boolean {
  const { status } = statusOf(err);
  return status === undefined || isRetryableStatus(status);
}
