// `npm run bench:storage`: the same clips scanned from a local folder, from a local S3-compatible server (s3rver on
// 127.0.0.1) and from WebDataset shards; clips/s of each and their ratios, from one run. Also how many bytes of a long
// object a windowed decode reads (the window policy over byte ranges).
// Usage: npm run bench:storage [-- --clips 200 --workers N --rounds 2 --json]
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, createWriteStream } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import tar from 'tar-stream';
import { spawnSync } from 'node:child_process';
import { locateFfmpeg, scan } from '../dist/index.js';
import { decodeClip } from '../dist/decode/index.js';
import { openRemoteClip } from '../dist/io/remote-clip.js';
import { benchClips } from './bench-clips.js';

const { values } = parseArgs({
  options: {
    clips: { type: 'string', default: '200' },
    workers: { type: 'string', default: String(availableParallelism()) },
    rounds: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
  },
});
const n = Number(values.clips);
const workers = Number(values.workers);
const rounds = Number(values.rounds);
/** @param {string} line */
const log = (line) => values.json || process.stderr.write(`${line}\n`);

const work = mkdtempSync(join(tmpdir(), 'audit-bench-storage-'));
const distinct = benchClips(join(process.cwd(), '.bench', 'clips'), {
  width: 320,
  height: 180,
  fps: 24,
  seconds: 2,
  distinct: 8,
});
const folder = join(work, 'folder');
mkdirSync(folder);
const names = Array.from({ length: n }, (_, i) => `clip-${String(i).padStart(5, '0')}.mp4`);
names.forEach((name, i) => {
  copyFileSync(distinct[i % distinct.length], join(folder, name));
});
const bytes = names.reduce((s, name) => s + statSync(join(folder, name)).size, 0);

const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: join(work, 's3rver') });
const { port } = await server.run();
const endpoint = `http://127.0.0.1:${port}`;
Object.assign(process.env, {
  AWS_ENDPOINT_URL: endpoint,
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});
const client = new S3Client({ endpoint, forcePathStyle: true });
await client.send(new CreateBucketCommand({ Bucket: 'bench' }));
for (const name of names)
  await client.send(
    new PutObjectCommand({ Bucket: 'bench', Key: `clips/${name}`, Body: readFileSync(join(folder, name)) }),
  );

const perShard = 50;
const shards = Math.ceil(n / perShard);
for (let s = 0; s < shards; s++) {
  const pack = tar.pack();
  const done = pipeline(pack, createWriteStream(join(work, `shard-${String(s).padStart(5, '0')}.tar`)));
  for (const name of names.slice(s * perShard, (s + 1) * perShard)) {
    const key = name.replace(/\.mp4$/, '');
    await /** @type {Promise<void>} */ (
      new Promise((r, j) =>
        pack.entry({ name: `${key}.mp4` }, readFileSync(join(folder, name)), (e) => (e ? j(e) : r())),
      )
    );
    await /** @type {Promise<void>} */ (
      new Promise((r, j) =>
        pack.entry({ name: `${key}.json` }, JSON.stringify({ caption: `clip ${key}` }), (e) => (e ? j(e) : r())),
      )
    );
  }
  pack.finalize();
  await done;
}

const inputs = {
  local: folder,
  s3: 's3://bench/clips/',
  webdataset: join(work, `shard-{00000..${String(shards - 1).padStart(5, '0')}}.tar`),
};
/** @typedef {{ clips_per_s: number, wall_s: number, mean_decode_ms: number }} Timing */
/** @type {Record<string, Timing>} */
const best = {};
for (let round = 1; round <= rounds; round++) {
  for (const [kind, input] of Object.entries(inputs)) {
    const out = join(work, `out-${kind}-${round}`);
    const s = await scan({ input, out, workers, model: 'none', quiet: true, count: false });
    if (s.counts.clips !== n)
      throw new Error(`${kind}: ${s.counts.clips} clips of ${n} (${JSON.stringify(s.counts.errors_by_code)})`);
    const r = {
      clips_per_s: s.timings.clips_per_s,
      wall_s: s.timings.wall_s,
      mean_decode_ms: s.timings.mean_decode_ms,
    };
    log(
      `round ${round} ${kind.padEnd(10)} ${r.clips_per_s.toFixed(1)} clips/s, decode ${r.mean_decode_ms.toFixed(0)} ms/clip, ${r.wall_s.toFixed(1)} s`,
    );
    if (!best[kind] || r.clips_per_s > best[kind].clips_per_s) best[kind] = r;
  }
}

// A 60 s object (640x360, noisy so that it is megabytes, a keyframe every 2 s) decoded with a 2 s window: how much of it is read.
const long = join(work, 'long.mp4');
const enc = spawnSync(locateFfmpeg().ffmpeg, [
  '-v',
  'error',
  '-y',
  '-f',
  'lavfi',
  '-i',
  'testsrc2=size=640x360:rate=24,noise=alls=20:allf=t',
  '-t',
  '60',
  '-c:v',
  'libx264',
  '-preset',
  'ultrafast',
  '-crf',
  '23',
  '-g',
  '48',
  '-pix_fmt',
  'yuv420p',
  long,
]);
if (enc.status !== 0) throw new Error(`ffmpeg failed: ${enc.stderr}`);
await client.send(new PutObjectCommand({ Bucket: 'bench', Key: 'long.mp4', Body: readFileSync(long) }));
const remote = await openRemoteClip('s3://bench/long.mp4');
const clip = await decodeClip(remote.url, { maxSeconds: 2 });
remote.close();
// read_bytes counts what the loopback server sent, including read-ahead ffmpeg dropped when it seeked.
const window = {
  object_bytes: remote.size,
  read_bytes: remote.served,
  frames: clip.frames.length,
  window_s: [clip.windowStartS, clip.windowEndS],
};

const result = {
  clips: n,
  workers,
  corpus_mb: bytes / 1e6,
  best_of_rounds: rounds,
  clips_per_s: Object.fromEntries(Object.entries(best).map(([k, r]) => [k, r.clips_per_s])),
  mean_decode_ms: Object.fromEntries(Object.entries(best).map(([k, r]) => [k, r.mean_decode_ms])),
  ratio_to_local: Object.fromEntries(Object.entries(best).map(([k, r]) => [k, r.clips_per_s / best.local.clips_per_s])),
  windowed_read: window,
};
process.stdout.write(`${JSON.stringify(result, null, values.json ? 0 : 2)}\n`);
client.destroy();
await server.close();
rmSync(work, { recursive: true, force: true });
