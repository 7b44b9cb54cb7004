// Outputs in object storage (--out s3://bucket/prefix), against s3rver on 127.0.0.1: a scan's objects equal a local
// scan's files, a rerun resumes from the objects, merge reads and writes prefixes, a multipart upload appears whole,
// the prefix's lock object, a rerun after an upload that failed part way, and clear errors for a missing bucket,
// refused credentials and a prefix of other data.

import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOutputFile, REMOTE_LOCK, stagingRoot, withStagedOut } from '../../src/io/object-store-out.js';
import { merge } from '../../src/pipeline/merge.js';
import { scan } from '../../src/pipeline/scan.js';
import { sceneClip } from '../fixtures/clips.js';
import { S3RVER_KEYS, startTestS3, type TestS3 } from './s3-server.js';
import { tempDir } from './tmp.js';

let dir: string;
let clips: string;
let staging: string;
let s3: TestS3;
let client: S3Client;
const saved = { ...process.env };

beforeAll(async () => {
  dir = await tempDir();
  s3 = await startTestS3(dir, ['out']);
  staging = join(dir, 'staging');
  Object.assign(process.env, S3RVER_KEYS, {
    AWS_ENDPOINT_URL: s3.endpoint,
    AWS_MAX_ATTEMPTS: '2',
    AUDIT_STAGING_DIR: staging,
  });
  delete process.env.AWS_ENDPOINT_URL_S3;
  delete process.env.AWS_PROFILE;
  client = new S3Client({
    endpoint: s3.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  clips = join(dir, 'clips');
  await mkdir(clips);
  await sceneClip('drop', join(clips, 'a.mp4'), { seconds: 1 });
  await sceneClip('pan', join(clips, 'b.mp4'), { seconds: 1 });
}, 120_000);

afterAll(async () => {
  client?.destroy();
  await s3?.close();
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

/** Objects under `prefix` of bucket `out`: relative name -> bytes. */
async function objects(prefix: string): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  const page = await client.send(new ListObjectsV2Command({ Bucket: 'out', Prefix: prefix }));
  for (const o of page.Contents ?? []) {
    const r = await client.send(new GetObjectCommand({ Bucket: 'out', Key: o.Key! }));
    found.set(o.Key!.slice(prefix.length), Buffer.from(await r.Body!.transformToByteArray()));
  }
  return found;
}

/** Every file under `root` (relative, '/'-separated) -> bytes. */
async function files(root: string): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  for (const e of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath, e.name);
    found.set(p.slice(root.length + 1), await readFile(p));
  }
  return found;
}

/** Rows of a JSONL text without what differs between two runs (timings, the series file's run id). */
function stableRows(text: Buffer | undefined): unknown[] {
  return String(text ?? '')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const {
        decode_ms: _d,
        analyse_ms: _a,
        series_file: _s,
        series_offset: _o,
        ...rest
      } = JSON.parse(l) as Record<string, unknown>;
      return rest;
    })
    .sort((a, b) => String((a as { id: string }).id).localeCompare(String((b as { id: string }).id)));
}

/** A proxy in front of `target` that answers a PUT of a key in `deny` (`bucket/key`) with 403 AccessDenied. */
async function putDenyingProxy(
  target: string,
  deny: Set<string>,
): Promise<{ endpoint: string; close(): Promise<void> }> {
  const to = new URL(target);
  const server = createServer((req, res) => {
    const key = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    if (req.method === 'PUT' && deny.has(key)) {
      req.resume();
      req.on('end', () =>
        res
          .writeHead(403, { 'Content-Type': 'application/xml' })
          .end(
            '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
          ),
      );
      return;
    }
    // The Host header is forwarded unchanged: the request's signature covers it.
    const up = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const normalise = (names: Iterable<string>) =>
  [...names].map((n) => n.replace(/part-[^/]+\.f32$/, 'part-RUN.f32')).sort();

describe('scan --out s3://bucket/prefix', () => {
  it('writes the same files as a local scan, one object each, and says so in summary.json; nothing is left behind', async () => {
    const localOut = join(dir, 'local-a');
    const local = await scan({ input: clips, out: localOut, workers: 2, quiet: true, model: 'none', report: true });
    const lines: string[] = [];
    const remote = await scan(
      { input: clips, out: 's3://out/runs/a', workers: 2, model: 'none', report: true },
      { progressStream: { write: (l: string) => lines.push(l) > 0, isTTY: false } as unknown as NodeJS.WritableStream },
    );
    expect(remote.counts.clips).toBe(2);
    expect(remote.out).toBe('s3://out/runs/a');
    const got = await objects('runs/a/');
    const want = await files(localOut);
    expect(normalise(got.keys())).toEqual(normalise(want.keys()));
    // every file a scan writes is one the prefix check knows, so an upload that stops part way can be resumed
    expect([...want.keys()].filter((f) => !isOutputFile(f))).toEqual([]);
    expect(got.has(REMOTE_LOCK)).toBe(false);
    expect(stableRows(got.get('clips.jsonl'))).toEqual(stableRows(want.get('clips.jsonl')));
    expect(String(got.get('cues.json'))).toBe(String(want.get('cues.json')));
    expect(String(got.get('run.json'))).toBe(String(want.get('run.json')));
    // The series bytes of each clip are the local scan's.
    const seriesOf = (all: Map<string, Buffer>) =>
      String(all.get('clips.jsonl'))
        .split('\n')
        .filter(Boolean)
        .map(
          (l) =>
            JSON.parse(l) as {
              id: string;
              series_file: string;
              series_offset: number;
              series_pairs: number;
              series_columns: number;
            },
        )
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((r) =>
          all
            .get(r.series_file)!
            .subarray(r.series_offset, r.series_offset + r.series_pairs * r.series_columns * 4)
            .toString('hex'),
        );
    expect(seriesOf(got)).toEqual(seriesOf(want));
    expect(JSON.parse(String(got.get('summary.json'))).out).toBe('s3://out/runs/a');
    // the report names the prefix as the output folder, not the staging folder it was written in
    expect(String(got.get('report.html'))).toContain('s3://out/runs/a');
    expect(String(got.get('report.html'))).not.toContain(staging);
    expect(local.counts.clips).toBe(2);
    expect(lines.join('')).toMatch(/uploaded \d+ files \([\d.]+ MB\) -> s3:\/\/out\/runs\/a/);
    // The staging folder is removed once everything is uploaded.
    expect(await readdir(staging)).toEqual([]);
  }, 120_000);

  it('resumes from the objects when run again: finished clips are not scanned twice, new ones are added', async () => {
    const input = join(dir, 'clips-b');
    await mkdir(input);
    await writeFile(join(input, 'a.mp4'), await readFile(join(clips, 'a.mp4')));
    const first = await scan({ input, out: 's3://out/runs/b/', workers: 2, quiet: true, model: 'none' });
    expect(first.counts).toMatchObject({ clips: 1, resumed: 0 });
    await writeFile(join(input, 'b.mp4'), await readFile(join(clips, 'b.mp4')));
    const again = await scan({ input, out: 's3://out/runs/b', workers: 2, quiet: true, model: 'none' });
    expect(again.counts).toMatchObject({ clips: 2, resumed: 1, this_run_clips: 1 });
    const got = await objects('runs/b/');
    expect(stableRows(got.get('clips.jsonl')).map((r) => (r as { id: string }).id)).toEqual(['a.mp4', 'b.mp4']);
    // Two runs, two series files, both referenced.
    expect([...got.keys()].filter((k) => k.startsWith('series/'))).toHaveLength(2);
    const third = await scan({ input, out: 's3://out/runs/b', workers: 2, quiet: true, model: 'none' });
    expect(third.counts).toMatchObject({ clips: 2, resumed: 2, this_run_clips: 0 });
  }, 120_000);

  it('resumes after an upload that failed part way and left no summary, run or row file, on this machine and on another', async () => {
    const url = 's3://out/runs/partial';
    const marks = ['summary.json', 'run.json', 'clips.jsonl', 'errors.jsonl'];
    // PUTs of every marker file are refused: the upload stops after series/ and some other files have gone up.
    const deny = new Set(marks.map((m) => `out/runs/partial/${m}`));
    const proxy = await putDenyingProxy(s3.endpoint, deny);
    const endpoint = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = proxy.endpoint;
    try {
      const local = join(stagingRoot(url, staging), 'out');
      const failed = await scan({ input: clips, out: url, workers: 2, quiet: true, model: 'none' }).then(
        () => null,
        (err: unknown) => err as Error,
      );
      expect(failed?.message).toMatch(/Cannot upload s3:\/\/out\/runs\/partial\/\S+: access denied \(HTTP 403/);
      expect(failed?.message).toContain(`kept in the staging folder ${local}; run the same command again`);
      expect(existsSync(join(local, 'clips.jsonl'))).toBe(true);
      const left = [...(await objects('runs/partial/')).keys()];
      expect(left.some((k) => k.startsWith('series/'))).toBe(true);
      expect(left.filter((k) => marks.includes(k))).toEqual([]);
      // The same command again: the prefix is taken as this run's, and the staging folder's finished rows are uploaded.
      deny.clear();
      const again = await scan({ input: clips, out: url, workers: 2, quiet: true, model: 'none' });
      expect(again.counts).toMatchObject({ clips: 2, resumed: 2, this_run_clips: 0 });
      expect(existsSync(local)).toBe(false);
    } finally {
      process.env.AWS_ENDPOINT_URL = endpoint;
      await proxy.close();
    }
    const got = await objects('runs/partial/');
    expect(JSON.parse(String(got.get('summary.json'))).status).toBe('complete');
    expect(stableRows(got.get('clips.jsonl')).map((r) => (r as { id: string }).id)).toEqual(['a.mp4', 'b.mp4']);
    for (const k of ['run.json', 'cues.json', 'errors.jsonl']) expect(got.has(k)).toBe(true);
    // On another machine (no staging folder): a prefix holding only some of the tool's files is resumed from them.
    await s3.put('out', 'runs/partial2/series/part-0.f32', Buffer.alloc(64));
    await s3.put('out', 'runs/partial2/cues.json', String(got.get('cues.json')));
    const other = await scan({ input: clips, out: 's3://out/runs/partial2', workers: 2, quiet: true, model: 'none' });
    expect(other.counts).toMatchObject({ clips: 2, resumed: 0 });
    const done = await objects('runs/partial2/');
    expect(JSON.parse(String(done.get('summary.json'))).status).toBe('complete');
    expect(stableRows(done.get('clips.jsonl'))).toHaveLength(2);
    expect(normalise([...done.keys()].filter((k) => k !== 'series/part-0.f32'))).toEqual(normalise(got.keys()));
  }, 120_000);

  it('merge reads shard prefixes and writes the merged folder to a prefix', async () => {
    for (const i of [0, 1])
      await scan({
        input: clips,
        out: `s3://out/shards/s${i}`,
        workers: 2,
        quiet: true,
        model: 'none',
        shard: `${i}/2`,
      });
    const m = await merge(['s3://out/shards/s0', 's3://out/shards/s1'], 's3://out/shards/all', { quiet: true });
    expect(m).toMatchObject({ shards: 2, clips: 2, errors: 0, out: 's3://out/shards/all' });
    const got = await objects('shards/all/');
    expect(stableRows(got.get('clips.jsonl')).map((r) => (r as { id: string }).id)).toEqual(['a.mp4', 'b.mp4']);
    const summary = JSON.parse(String(got.get('summary.json'))) as { out: string; merged_from: Array<{ dir: string }> };
    expect(summary.out).toBe('s3://out/shards/all');
    expect(summary.merged_from.map((s) => s.dir)).toEqual(['s3://out/shards/s0', 's3://out/shards/s1']);
    // A second merge into the same prefix is refused (as into a local folder that holds one), and nothing changes.
    await expect(
      merge(['s3://out/shards/s0', 's3://out/shards/s1'], 's3://out/shards/all', { quiet: true }),
    ).rejects.toThrow(/already holds clips\.jsonl[\s\S]*nothing was uploaded to s3:\/\/out\/shards\/all/);
  }, 180_000);
});

describe('the staging wrapper', () => {
  it('uploads a file above the part size as a multipart upload that holds every byte', async () => {
    const big = Buffer.alloc(11 * 2 ** 20 + 123);
    for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
    await withStagedOut('s3://out/big', async (local) => writeFile(join(local, 'summary.json'), big), {
      command: 'test',
      partSize: 5 * 2 ** 20,
    });
    const got = await objects('big/');
    expect(got.get('summary.json')?.equals(big)).toBe(true);
  }, 60_000);

  it('uploads what a failed run left; a run killed before its upload is continued from the staging folder while the prefix is unchanged', async () => {
    await expect(
      withStagedOut(
        's3://out/failed',
        async (local) => {
          await writeFile(join(local, 'clips.jsonl'), '{"id":"a"}\n');
          throw new Error('disk trouble');
        },
        { command: 'test', uploadOnFailure: true },
      ),
    ).rejects.toThrow(
      /disk trouble\n\(The files it finished were uploaded to s3:\/\/out\/failed; its staging folder .* is removed\.\)/,
    );
    expect(String((await objects('failed/')).get('clips.jsonl'))).toBe('{"id":"a"}\n');
    // What a killed run leaves: the files as last synced (sync.json) plus rows it added after.
    const root = stagingRoot('s3://out/failed', staging);
    const etag = (
      await client.send(new ListObjectsV2Command({ Bucket: 'out', Prefix: 'failed/' }))
    ).Contents![0].ETag!.replace(/"/g, '');
    await mkdir(join(root, 'out'), { recursive: true });
    await writeFile(join(root, 'out', 'clips.jsonl'), '{"id":"a"}\n{"id":"b"}\n');
    const st = await stat(join(root, 'out', 'clips.jsonl'));
    await writeFile(
      join(root, 'sync.json'),
      JSON.stringify({ 'clips.jsonl': { etag, size: 11, mtimeMs: st.mtimeMs - 1 } }),
    );
    const seen = await withStagedOut('s3://out/failed', async (local) => readFile(join(local, 'clips.jsonl'), 'utf8'), {
      command: 'test',
    });
    expect(seen).toBe('{"id":"a"}\n{"id":"b"}\n');
    expect(String((await objects('failed/')).get('clips.jsonl'))).toBe('{"id":"a"}\n{"id":"b"}\n');
    // When the prefix changed since (another machine wrote it), the staging folder is made equal to the prefix first.
    await mkdir(join(root, 'out'), { recursive: true });
    await writeFile(join(root, 'out', 'clips.jsonl'), 'stale\n');
    await writeFile(join(root, 'sync.json'), JSON.stringify({ 'clips.jsonl': { etag: 'older', size: 6, mtimeMs: 1 } }));
    expect(
      await withStagedOut('s3://out/failed', async (local) => readFile(join(local, 'clips.jsonl'), 'utf8'), {
        command: 'test',
      }),
    ).toBe('{"id":"a"}\n{"id":"b"}\n');
  }, 60_000);

  it("refuses a prefix marked in use from another host, naming it and how to clear the mark; takes over this host's dead run", async () => {
    await s3.put(
      'out',
      `locked/${REMOTE_LOCK}`,
      JSON.stringify({
        pid: 4242,
        host: 'other-host',
        started_at: '2026-01-01T00:00:00Z',
        command: 'audit scan x --out s3://out/locked',
        nonce: 'n',
      }),
    );
    await expect(withStagedOut('s3://out/locked', async () => 1, { command: 'test' })).rejects.toThrow(
      /s3:\/\/out\/locked is marked in use by pid 4242 on host other-host[\s\S]*aws s3 rm s3:\/\/out\/locked\/\.audit\.lock --endpoint-url http/,
    );
    // A run on this host whose process is gone: its mark is taken over.
    await s3.put(
      'out',
      `stale/${REMOTE_LOCK}`,
      JSON.stringify({
        pid: 2 ** 22 + 17,
        host: hostname(),
        started_at: '2026-01-01T00:00:00Z',
        command: 'audit scan x',
        nonce: 'n',
      }),
    );
    expect(
      await withStagedOut('s3://out/stale', async (local) => writeFile(join(local, 'run.json'), '{}'), {
        command: 'test',
      }),
    ).toBeUndefined();
    expect([...(await objects('stale/')).keys()]).toEqual(['run.json']);
  }, 60_000);

  it('names the URL when the bucket does not exist, the credentials are refused, or the prefix holds other data', async () => {
    await expect(
      scan({ input: clips, out: 's3://no-such-bucket/runs', workers: 1, quiet: true, model: 'none' }),
    ).rejects.toThrow(
      /Cannot list the output prefix s3:\/\/no-such-bucket\/runs: bucket no-such-bucket does not exist/,
    );
    // a run that stopped before writing anything leaves no empty staging folders behind
    expect(existsSync(stagingRoot('s3://no-such-bucket/runs', staging))).toBe(false);
    // Keys s3rver does not know (a client per endpoint is kept, so the same endpoint written another way gets a new one).
    const before = { key: process.env.AWS_ACCESS_KEY_ID, endpoint: process.env.AWS_ENDPOINT_URL };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'NOT-A-KEY', AWS_ENDPOINT_URL: `${s3.endpoint}/` });
    try {
      await expect(withStagedOut('s3://out/denied', async () => 1, { command: 'test' })).rejects.toThrow(
        /Cannot list the output prefix s3:\/\/out\/denied: access denied \(HTTP 403/,
      );
    } finally {
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: before.key, AWS_ENDPOINT_URL: before.endpoint });
    }
    await s3.put('out', 'corpus/video.mp4', 'not an output');
    await expect(withStagedOut('s3://out/corpus', async () => 1, { command: 'test' })).rejects.toThrow(
      /s3:\/\/out\/corpus holds 1 other objects \(video\.mp4\); choose another prefix/,
    );
    // Files the tool writes beside one it does not: still refused, naming the other one, and nothing is written.
    await s3.put('out', 'mixed/series/part-0.f32', Buffer.alloc(8));
    await s3.put('out', 'mixed/cues.json', '{}');
    await s3.put('out', 'mixed/notes.txt', 'mine');
    await expect(
      withStagedOut('s3://out/mixed', async (local) => writeFile(join(local, 'notes.txt'), 'theirs'), {
        command: 'test',
      }),
    ).rejects.toThrow(/s3:\/\/out\/mixed holds 1 other objects \(notes\.txt\); choose another prefix/);
    expect(String((await objects('mixed/')).get('notes.txt'))).toBe('mine');
  }, 60_000);
});
