// Object storage prefixes (s3://bucket/prefix, listed like a folder) and WebDataset shards as inputs.

import { ManifestError, expected } from '../../errors.js';
import type { FormatContext, FormatHandler, InputRow, InputSource } from '../input-types.js';
import { listS3Objects, parseS3Url, remoteError, s3Endpoint, s3Url, type S3Location } from '../object-store.js';
import { openWebDataset } from '../webdataset.js';
import { isVideoName, messageOf } from './common.js';

/** The listed prefix of an s3:// input: its key with a trailing '/' (none for a whole bucket). */
function folderOf(input: string): S3Location {
  const loc = parseS3Url(input);
  return { bucket: loc.bucket, key: loc.key === '' || loc.key.endsWith('/') ? loc.key : `${loc.key}/` };
}

/**
 * The video objects under an s3:// prefix, in S3's key order. Like a folder: hidden names (a path component starting
 * with '.') are skipped, the id is the key relative to the prefix, the path the object's s3:// location and the
 * columns `{ path: relative key }`. The prefix is a folder: `s3://b/clips` lists `clips/...` (not `clips-old/...`).
 */
async function* s3Rows(ctx: FormatContext): AsyncGenerator<InputRow> {
  const loc = folderOf(ctx.input);
  const base = loc.key;
  let row = 0;
  for await (const o of listS3Objects(loc)) {
    const rel = o.key.slice(base.length);
    if (!isVideoName(o.key) || rel.split('/').some((part) => part.startsWith('.'))) continue;
    row++;
    yield { row, id: rel, path: s3Url({ bucket: loc.bucket, key: o.key }), columns: { path: rel } };
  }
}

/** An s3:// prefix, listed with ListObjectsV2 (the first page is read at open time to check access and that it holds objects). */
export const s3Format: FormatHandler = Object.freeze({
  kind: 's3',
  extensions: Object.freeze([]),
  async open(ctx: FormatContext): Promise<InputSource> {
    const loc = folderOf(ctx.input);
    let first: IteratorResult<unknown>;
    try {
      first = await listS3Objects(loc).next();
    } catch (err) {
      const e = remoteError(ctx.input, err);
      const where = s3Endpoint() ? ` at ${s3Endpoint()}` : '';
      throw new ManifestError(
        `input-${e.code}`,
        `${expected('a readable S3 prefix', 'input', ctx.input)}: listing s3://${loc.bucket}${where} failed: ${e.message.replace(/^Clip \S+ cannot be read: /, '')}`,
        { path: ctx.input },
        { cause: err },
      );
    }
    // S3 has no folders: a mistyped prefix lists nothing, which is reported like a missing folder.
    if (first.done)
      throw new ManifestError(
        'input-missing',
        `${expected('an S3 prefix holding objects', 'input', ctx.input)}: nothing is stored under s3://${loc.bucket}/${loc.key}`,
        { path: ctx.input },
      );
    return { kind: 's3', input: ctx.input, rows: () => s3Rows(ctx) };
  },
});

/** WebDataset tar shards: one `.tar` or a brace pattern (`shard-{00000..00099}.tar`), local or s3://. */
export const webdatasetFormat: FormatHandler = Object.freeze({
  kind: 'webdataset',
  extensions: Object.freeze(['.tar']),
  async open(ctx: FormatContext): Promise<InputSource> {
    try {
      return await openWebDataset(ctx);
    } catch (err) {
      if (err instanceof ManifestError) throw err;
      throw new ManifestError(
        'input-unreadable',
        expected('readable WebDataset shards', 'input', ctx.input) + `: ${messageOf(err)}`,
        { path: ctx.input },
        { cause: err },
      );
    }
  },
});
