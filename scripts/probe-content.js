// Content probe (research, not part of the tool): what is in the picture, as the largest score of each of the 80 COCO
// classes in CenterNet's class heatmap on one frame per clip, one JSON line per clip for models/probe_content.py.
// The detector ships in @vladmandic/human (MIT) and runs offline in TensorFlow.js on WebAssembly; neither is a
// dependency of the tool, so install them beside it first (about 100 MB, not saved to package.json):
//   npm install --no-save @vladmandic/human@3.3.6 @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0
// Usage: node scripts/probe-content.js --clips DIR --out FILE.jsonl [--at 1] [--shard I/N]
//   --clips DIR    a folder of clips (every .mp4/.mov/.mkv/.webm/.avi in it)
//   --out FILE     JSON lines {file, at_s, scores[80]}; a rerun skips the clips already in it (resume)
//   --at S         the frame's time in seconds (the first frame for a shorter clip) [1]
//   --shard I/N    only every N-th clip from the I-th (run N processes to use N cores) [0/1]
// About 0.17 s a clip on one core (the detector takes 512x512 frames only).
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { locateFfmpeg } from '../dist/index.js';

const SIZE = 512;
const { values } = parseArgs({
  options: {
    clips: { type: 'string' },
    out: { type: 'string' },
    at: { type: 'string', default: '1' },
    shard: { type: 'string', default: '0/1' },
  },
});
if (!values.clips || !values.out) {
  console.error('usage: node scripts/probe-content.js --clips DIR --out FILE.jsonl [--at S] [--shard I/N]');
  process.exit(2);
}
const at0 = Number(values.at);
if (!(Number.isFinite(at0) && at0 >= 0)) {
  console.error(`--at: expected a time in seconds >= 0, got ${values.at}`);
  process.exit(2);
}
const [shard, shards] = values.shard.split('/').map(Number);
if (!(Number.isInteger(shard) && Number.isInteger(shards) && shard >= 0 && shard < shards)) {
  console.error(`--shard: expected I/N with 0 <= I < N, got ${values.shard}`);
  process.exit(2);
}

/** @param {string} name */
async function optional(name) {
  try {
    return await import(name);
  } catch {
    console.error(
      `${name} is not installed; run: npm install --no-save @vladmandic/human@3.3.6 @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0`,
    );
    process.exit(1);
  }
}

const tf = await optional('@tensorflow/tfjs');
const wasm = await optional('@tensorflow/tfjs-backend-wasm');
const require = createRequire(import.meta.url);
wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
await tf.setBackend('wasm');
const models = join(dirname(dirname(require.resolve('@vladmandic/human'))), 'models');
const graph = JSON.parse(readFileSync(join(models, 'centernet.json'), 'utf8'));
const bin = readFileSync(join(models, 'centernet.bin'));
const detector = await tf.loadGraphModel(
  tf.io.fromMemory({
    modelTopology: graph.modelTopology,
    weightSpecs: graph.weightsManifest[0].weights,
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length),
  }),
);

const { ffmpeg } = locateFfmpeg();
/** One RGB frame at `at` seconds, scaled to SIZE x SIZE; null when the clip has none there. @param {string} path @param {number} at */
function frameAt(path, at) {
  const args = ['-v', 'error', '-ss', String(at), '-i', path, '-frames:v', '1', '-vf', `scale=${SIZE}:${SIZE}`];
  const r = spawnSync(ffmpeg, [...args, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 26 });
  return r.status === 0 && r.stdout.length >= SIZE * SIZE * 3 ? r.stdout.subarray(0, SIZE * SIZE * 3) : null;
}

const done = new Set(
  existsSync(values.out)
    ? readFileSync(values.out, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).file)
    : [],
);
const files = readdirSync(values.clips)
  .filter((f) => /\.(mp4|mov|mkv|webm|avi)$/i.test(f))
  .sort();
let n = 0;
for (let k = shard; k < files.length; k += shards) {
  const file = files[k];
  if (done.has(file)) continue;
  const path = join(values.clips, file);
  let at = at0;
  let rgb = frameAt(path, at);
  if (!rgb) {
    at = 0;
    rgb = frameAt(path, at);
  }
  if (!rgb) {
    console.error(`${path}: no frame decoded; skipped`);
    continue;
  }
  const input = tf.tensor4d(Float32Array.from(rgb), [1, SIZE, SIZE, 3]);
  const heat = detector.execute(input, ['tower_0/keypoints']);
  const top = heat.max([0, 1, 2]);
  const scores = Array.from(await top.data(), (v) => Number(v.toFixed(4)));
  tf.dispose([input, heat, top]);
  appendFileSync(values.out, `${JSON.stringify({ file, at_s: at, scores })}\n`);
  if (++n % 100 === 0) console.error(`${n} clips`);
}
console.error(`${n} clips written to ${values.out}`);
