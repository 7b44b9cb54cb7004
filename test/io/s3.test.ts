// Object storage as input, against a real S3-compatible server (s3rver) on 127.0.0.1 behind a fault-injecting
// proxy: s3://bucket/prefix listed like a folder, s3:// and http:// paths in a manifest, a missing key and a denied
// read as error rows, throttling (503 SlowDown) and a body cut mid-read retried, resume, WebDataset shards in S3.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRowProblem, openInput, type InputRow } from '../../src/io/inputs.js';
import { readS3Range, remoteError } from '../../src/io/object-store.js';
import { fileReader, tarMembers, type SeqReader } from '../../src/io/tar-walk.js';
import { rangedReader } from '../../src/io/webdataset.js';
import { analyseClip } from '../../src/pipeline/analyse-clip.js';
import { scan } from '../../src/pipeline/scan.js';
import { sceneClip } from '../fixtures/clips.js';
import { runCliProcess } from '../fixtures/cli.js';
import { S3RVER_KEYS, startTestS3, type TestS3 } from './s3-server.js';
import { collect, tempDir } from './tmp.js';
import { writeShard } from './wds-fixtures.js';

const SETTINGS = {
  shortSide: 96,
  fps: 24,
  maxSeconds: 10,
  timeoutMs: 60_000,
  flowPreset: 'ultrafast',
  flowDirections: 'canonical',
  reverse: false,
} as const;

const TINY_MODEL = new URL('../fixtures/model/tiny.onnx', import.meta.url).pathname;
let dir: string;
let s3: TestS3;
let web: Server;
let webUrl: string;
let clip: Buffer;
const saved = { ...process.env };

async function jsonl(file: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

beforeAll(async () => {
  dir = await tempDir();
  s3 = await startTestS3(dir, ['corpus']);
  // The endpoint and keys reach the worker threads through the environment, as with the AWS tools.
  Object.assign(process.env, S3RVER_KEYS, { AWS_ENDPOINT_URL: s3.endpoint, AWS_MAX_ATTEMPTS: '4' });
  delete process.env.AWS_ENDPOINT_URL_S3;
  delete process.env.AWS_PROFILE;
  clip = await readFile(await sceneClip('drop', join(dir, 'a.mp4'), { seconds: 1 }));
  const pan = await readFile(await sceneClip('pan', join(dir, 'b.mp4'), { seconds: 1 }));
  await s3.put('corpus', 'clips/a.mp4', clip);
  await s3.put('corpus', 'clips/sub/b.mp4', pan);
  await s3.put('corpus', 'clips/.hidden/c.mp4', pan);
  await s3.put('corpus', 'clips/notes.txt', 'not a clip');
  await s3.put('corpus', 'clips-old/d.mp4', pan);
  await s3.put('corpus', 'private/e.mp4', pan);
  s3.faults.denied.add('private/e.mp4');
  // A web server for http:// paths: /ok.mp4, /denied.mp4 (403), /gone.mp4 (404).
  web = createServer((req, res) => {
    if (req.url === '/denied.mp4') return void res.writeHead(403, 'Forbidden').end();
    if (req.url !== '/ok.mp4') return void res.writeHead(404, 'Not Found').end();
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const end = m?.[2] ? Math.min(Number(m[2]), clip.length - 1) : clip.length - 1;
    res.writeHead(m ? 206 : 200, {
      'Content-Length': end - start + 1,
      ...(m ? { 'Content-Range': `bytes ${start}-${end}/${clip.length}` } : {}),
    });
    res.end(clip.subarray(start, end + 1));
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await s3?.close();
  await new Promise<void>((r) => (web ? web.close(() => r()) : r()));
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

describe('s3://bucket/prefix as input', () => {
  it('lists the video objects under the prefix like a folder (sorted, hidden skipped, the prefix a folder)', async () => {
    const src = await openInput('s3://corpus/clips');
    expect(src.kind).toBe('s3');
    const rows = (await collect(src.rows())) as InputRow[];
    expect(rows.map((r) => [r.row, r.id, r.path])).toEqual([
      [1, 'a.mp4', 's3://corpus/clips/a.mp4'],
      [2, 'sub/b.mp4', 's3://corpus/clips/sub/b.mp4'],
    ]);
    expect(rows[0].columns).toEqual({ path: 'a.mp4' });
  });

  it('an empty prefix or a missing bucket is an input error naming it', async () => {
    await expect(openInput('s3://corpus/nothing-here/')).rejects.toMatchObject({
      code: 'input-missing',
      message: expect.stringContaining('s3://corpus/nothing-here/'),
    });
    await expect(openInput('s3://no-such-bucket/x')).rejects.toMatchObject({
      code: 'input-missing',
      message: expect.stringMatching(/s3:\/\/no-such-bucket.*NoSuchBucket/),
    });
  });

  it('reads a clip by byte range through the SDK, retrying throttling and a body cut mid-read', async () => {
    s3.faults.log.length = 0;
    s3.faults.slowDown = 2;
    s3.faults.cutBodies = 1;
    const out = await analyseClip({ id: 'a', path: 's3://corpus/clips/a.mp4', row: 1, settings: SETTINGS });
    expect(out.ok).toBe(true);
    expect(s3.faults.slowDown).toBe(0);
    expect(s3.faults.cutBodies).toBe(0);
    // ffmpeg read the object by ranges (never the whole corpus to disk); the read cut after 20,000 bytes resumed there.
    const gets = s3.faults.log.filter((l) => l.startsWith('GET /corpus/clips/a.mp4'));
    expect(gets.every((l) => / bytes=\d+-\d*$/.test(l))).toBe(true);
    expect(gets.filter((l) => l.endsWith(` bytes=0-${clip.length - 1}`)).length).toBeGreaterThanOrEqual(3);
    expect(
      gets.some((l) => l.endsWith(` bytes=20000-${clip.length - 1}`)),
      gets.join('\n'),
    ).toBe(true);
  });

  it('a missing key and a denied read are error rows with a code and the s3:// path', async () => {
    const missing = await analyseClip({ id: 'm', path: 's3://corpus/clips/nope.mp4', row: 1, settings: SETTINGS });
    expect(missing).toMatchObject({
      ok: false,
      error: {
        code: 'missing',
        message: expect.stringMatching(/^Clip s3:\/\/corpus\/clips\/nope\.mp4 cannot be read: it does not exist/),
      },
    });
    const denied = await analyseClip({ id: 'd', path: 's3://corpus/private/e.mp4', row: 1, settings: SETTINGS });
    expect(denied).toMatchObject({
      ok: false,
      error: {
        code: 'access_denied',
        message: expect.stringMatching(/^Clip s3:\/\/corpus\/private\/e\.mp4 cannot be read: access denied \(HTTP 403/),
      },
    });
  });

  it('classifies the SDK errors of a missing bucket, a throttled and a credential-less read', () => {
    const err = (name: string, status?: number) =>
      Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
    expect(remoteError('s3://b/k', err('NoSuchBucket', 404)).code).toBe('missing');
    expect(remoteError('s3://b/k', err('SlowDown', 503)).message).toBe(
      'Clip s3://b/k cannot be read: HTTP 503 SlowDown',
    );
    expect(remoteError('s3://b/k', err('CredentialsProviderError')).code).toBe('no_credentials');
  });
});

describe('scans', () => {
  it('scans an s3:// prefix: every object once, decisions as for a folder, and resumes', async () => {
    const out = join(dir, 'out-prefix');
    const s = await scan({ input: 's3://corpus/clips/', out, workers: 2, quiet: true, model: 'none' });
    expect(s.input).toEqual({ path: 's3://corpus/clips/', kind: 's3' });
    expect(s.counts).toMatchObject({ input_rows: 2, clips: 2, errors: 0 });
    const clips = await jsonl(join(out, 'clips.jsonl'));
    expect(clips.map((c) => c.path).sort()).toEqual(['s3://corpus/clips/a.mp4', 's3://corpus/clips/sub/b.mp4']);
    expect(s.decisions && 'counts' in s.decisions).toBe(true);
    expect((await readFile(join(out, 'reverse-safe.csv'), 'utf8')).split('\n')[0]).toMatch(/^path,/);
    const again = await scan({ input: 's3://corpus/clips/', out, workers: 2, quiet: true, model: 'none' });
    expect(again.counts).toMatchObject({ resumed: 2, this_run_clips: 0, this_run_errors: 0 });
  });

  it('scans a manifest of s3:// and http:// paths: missing and denied ones are error rows, every row once', async () => {
    const manifest = join(dir, 'manifest.csv');
    await writeFile(
      manifest,
      [
        'id,path,caption',
        'a,s3://corpus/clips/a.mp4,a ball drops',
        'gone,s3://corpus/clips/gone.mp4,x',
        'private,s3://corpus/private/e.mp4,x',
        `web,${webUrl}/ok.mp4,a ball drops`,
        `webdenied,${webUrl}/denied.mp4,x`,
        `webgone,${webUrl}/gone.mp4,x`,
        'local,a.mp4,local file',
      ].join('\n') + '\n',
    );
    const out = join(dir, 'out-manifest');
    const s = await scan({ input: manifest, out, workers: 2, quiet: true, model: 'none', captionColumn: 'caption' });
    expect(s.counts).toMatchObject({ input_rows: 7, clips: 3, errors: 4 });
    const clips = await jsonl(join(out, 'clips.jsonl'));
    expect(clips.map((c) => c.id).sort()).toEqual(['a', 'local', 'web']);
    const errors = Object.fromEntries((await jsonl(join(out, 'errors.jsonl'))).map((e) => [e.id, e]));
    expect(errors.gone).toMatchObject({
      code: 'missing',
      path: 's3://corpus/clips/gone.mp4',
      message: expect.stringContaining('s3://corpus/clips/gone.mp4'),
    });
    expect(errors.private).toMatchObject({
      code: 'access_denied',
      message: expect.stringContaining('s3://corpus/private/e.mp4'),
    });
    expect(errors.webdenied).toMatchObject({
      code: 'access_denied',
      message: expect.stringContaining(`${webUrl}/denied.mp4`),
    });
    expect(errors.webgone).toMatchObject({ code: 'missing' });
    for (const e of Object.values(errors))
      expect(String((e as Record<string, unknown>).message)).not.toMatch(/\/clip\/[0-9a-f]+/);
    const again = await scan({
      input: manifest,
      out,
      workers: 2,
      quiet: true,
      model: 'none',
      captionColumn: 'caption',
    });
    expect(again.counts).toMatchObject({ resumed: 7, this_run_clips: 0, this_run_errors: 0 });
  });

  it('scans WebDataset shards stored in S3 (a brace pattern of s3:// shards)', async () => {
    const local = join(dir, 'shard.tar');
    await writeShard(local, [
      { name: 's0.mp4', data: clip },
      { name: 's0.json', data: JSON.stringify({ caption: 'a ball drops' }) },
      { name: 's1.txt', data: 'no video' },
    ]);
    await s3.put('corpus', 'shards/shard-0.tar', await readFile(local));
    await writeShard(local, [{ name: 's2.mp4', data: clip }]);
    await s3.put('corpus', 'shards/shard-1.tar', await readFile(local));
    await expect(openInput('s3://corpus/shards/nope-{0..2}.tar')).rejects.toMatchObject({
      code: 'input-missing',
      message: expect.stringContaining('s3://corpus/shards/nope-0.tar'),
    });
    const rows = await collect((await openInput('s3://corpus/shards/shard-{0..2}.tar')).rows());
    expect(rows.map((r) => (isRowProblem(r) ? r.error.code : r.id))).toEqual([
      's0',
      'webdataset_no_video',
      's2',
      'webdataset_missing_shard',
    ]);
    const out = join(dir, 'out-wds');
    const s = await scan({ input: 's3://corpus/shards/shard-{0..2}.tar', out, workers: 2, quiet: true, model: 'none' });
    expect(s.counts).toMatchObject({ input_rows: 4, clips: 2, errors: 2 });
    expect((await jsonl(join(out, 'clips.jsonl'))).map((c) => c.path).sort()).toEqual([
      expect.stringMatching(/^s3:\/\/corpus\/shards\/shard-0\.tar#s0\.mp4@512\+\d+$/),
      expect.stringMatching(/^s3:\/\/corpus\/shards\/shard-1\.tar#s2\.mp4@512\+\d+$/),
    ]);
  });

  it('walks a shard in S3 by ranged reads that jump over video members, resuming a read cut mid-member', async () => {
    const local = join(dir, 'ranged.tar');
    const big = 'x'.repeat(30_000);
    await writeShard(local, [
      { name: 'r0.mp4', data: clip },
      { name: 'r0.json', data: JSON.stringify({ caption: big }) },
      { name: 'r1.mp4', data: clip },
      { name: 'r1.txt', data: 'second' },
    ]);
    const bytes = await readFile(local);
    await s3.put('corpus', 'shards/ranged.tar', bytes);
    const walk = async (reader: SeqReader) => {
      const seen: Array<[string, number, number, string | null]> = [];
      for await (const m of tarMembers(reader))
        seen.push([m.name, m.offset, m.size, m.name.endsWith('.mp4') ? null : (await m.data()).toString()]);
      await reader.close();
      return seen;
    };
    const expected = await walk(await fileReader(local));
    s3.faults.log.length = 0;
    s3.faults.cutBodies = 2;
    const loc = { bucket: 'corpus', key: 'shards/ranged.tar' };
    expect(await walk(rangedReader((start) => readS3Range(loc, start), bytes.length, 10_000))).toEqual(expected);
    expect(s3.faults.cutBodies).toBe(0);
    const gets = s3.faults.log
      .filter((l) => l.startsWith('GET /corpus/shards/ranged.tar'))
      .map((l) => Number(/bytes=(\d+)-/.exec(l)![1]));
    // From 0; past r0.mp4 to r0.json's header; again within r0.json (from the start of the read the cut broke: its
    // bytes so far were not handed out); past r1.mp4.
    const r0json = expected[1];
    expect(gets[0]).toBe(0);
    expect(gets[1]).toBe(r0json[1] - 512);
    expect(gets[2]).toBeGreaterThanOrEqual(r0json[1]);
    expect(gets[2]).toBeLessThan(r0json[1] + r0json[2]);
    expect(gets[3]).toBe(expected[2][1] + Math.ceil(clip.length / 512) * 512);
  });

  it('the CLI scans an s3:// prefix with --s3-endpoint, its report drawing contact sheets from the objects', async () => {
    const out = join(dir, 'out-cli');
    const env = { ...S3RVER_KEYS, AWS_ENDPOINT_URL: '', AWS_ENDPOINT_URL_S3: '' };
    const r = await runCliProcess(
      ['scan', 's3://corpus/clips', '--s3-endpoint', s3.endpoint, '--out', out, '--model', TINY_MODEL, '-w', '2', '-q'],
      env,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((await jsonl(join(out, 'clips.jsonl'))).length).toBe(2);
    expect((await readdir(join(out, 'report'))).filter((f) => f.startsWith('sheet-')).length).toBe(2);
    expect(await readFile(join(out, 'report.html'), 'utf8')).not.toContain('no contact sheet');
  });
});
