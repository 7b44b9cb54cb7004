// `npm run bench`: pipeline throughput against an ffmpeg decode-only pass of the same clips, same process.
// Usage: npm run bench [-- --clips 40 --seconds 5 --workers N --decode-batch 8 --content --json]
// --content also times the scan with --content (object detector on one frame a clip, content head) in the same run.
import { availableParallelism } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchDis, decodeClips, decodeOnly, locateFfmpeg, scan } from '../dist/index.js';
import { benchClips, benchManifest } from './bench-clips.js';

const { values } = parseArgs({
  options: {
    clips: { type: 'string', default: '40' },
    seconds: { type: 'string', default: '5' },
    workers: { type: 'string', default: String(availableParallelism()) },
    preset: { type: 'string', default: 'ultrafast' },
    'decode-batch': { type: 'string', default: '8' },
    'both-ways': { type: 'boolean', default: false },
    content: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const clips = Number(values.clips);
const workers = Number(values.workers);
/** @type {(...a: unknown[]) => void} */
const log = values.json ? () => {} : (...a) => console.log(...a);
/** @typedef {import('../dist/index.js').DisPresetName} DisPresetName */
// Unchecked here: scan refuses a preset it does not know before anything is timed.
const preset = /** @type {DisPresetName} */ (values.preset);

const paths = benchClips(join(process.cwd(), '.bench', 'clips'), { seconds: Number(values.seconds) });
const work = mkdtempSync(join(tmpdir(), 'audit-bench-'));
const manifest = benchManifest(join(work, 'manifest.csv'), paths, clips);
const rows = Array.from({ length: clips }, (_, i) => paths[i % paths.length]);
const decodeOpts = { shortSide: 96, fps: 24, maxSeconds: 10 };
const ff = locateFfmpeg();
log(
  `${clips} clips of ${values.seconds} s at 640x360 30 fps (H.264), ${workers} workers, analysis ${decodeOpts.shortSide} px short side at ${decodeOpts.fps} fps, flow ${values.preset}${values['both-ways'] ? ' both ways' : ''}`,
);
log(`ffmpeg: ${ff.ffmpeg} (from ${ff.source}), ffprobe: ${ff.ffprobe ?? 'none (probing parses ffmpeg -i)'}`);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);

// 1. Baseline: ffmpeg decode-only to the same size, rate and window, `workers` at a time.
const t0 = performance.now();
let next = 0;
let decodedFrames = 0;
await Promise.all(
  Array.from({ length: workers }, async () => {
    while (next < rows.length) {
      const n = await decodeOnly(rows[next++], decodeOpts);
      decodedFrames += n;
    }
  }),
);
const decodeS = (performance.now() - t0) / 1000;
// The same, --decode-batch clips per ffmpeg (frames kept, then dropped): what decoding alone allows when batched.
const t1 = performance.now();
next = 0;
await Promise.all(
  Array.from({ length: workers }, async () => {
    while (next < rows.length) {
      const batch = rows.slice(next, next + Number(values['decode-batch']));
      next += batch.length;
      await decodeClips(batch.map((path) => ({ path, options: decodeOpts })));
    }
  }),
);
const decodeBatchedS = (performance.now() - t1) / 1000;

// 2. The pipeline: probe, decode, flow both ways, camera fit, cues, writers; with --decode-batch clips per
// ffmpeg, then (when that is more than 1) with one ffmpeg per clip, for the gain of batching in the same run.
const decodeBatch = Number(values['decode-batch']);
/** @param {number} batch @param {string} name @param {{ content?: boolean }} [extra] */
async function timedScan(batch, name, extra = {}) {
  const t = performance.now();
  const s = await scan({
    input: manifest,
    out: join(work, name),
    workers,
    quiet: true,
    count: false,
    flowPreset: preset,
    flowDirections: values['both-ways'] ? 'both' : 'canonical',
    decodeBatch: batch,
    ...decodeOpts,
    ...extra,
  });
  if (s.counts.errors) throw new Error(`${s.counts.errors} clips failed; see ${join(work, name, 'errors.jsonl')}`);
  return { summary: s, seconds: (performance.now() - t) / 1000 };
}
const { summary, seconds: pipeS } = await timedScan(decodeBatch, 'out');
const perClip = decodeBatch > 1 ? await timedScan(1, 'out-per-clip') : null;
const withContent = values.content ? await timedScan(decodeBatch, 'out-content', { content: true }) : null;
clearInterval(sampler);

// 3. DIS alone on one core, 160x90.
/** @type {Partial<Record<DisPresetName, number>>} */
const dis = {};
for (const p of /** @type {DisPresetName[]} */ (['ultrafast', 'fast', 'medium']))
  dis[p] = benchDis(160, 90, p, 200).msPerPair;

const result = {
  clips,
  workers,
  clips_per_s: clips / pipeS,
  decode_only_clips_per_s: clips / decodeS,
  throughput_ratio: decodeS / pipeS,
  decode_only_batched_clips_per_s: clips / decodeBatchedS,
  throughput_ratio_batched: decodeBatchedS / pipeS,
  decode_batch: decodeBatch,
  per_clip_ffmpeg_clips_per_s: perClip ? clips / perClip.seconds : null,
  batch_speedup: perClip ? perClip.seconds / pipeS : null,
  frames_per_s: decodedFrames / pipeS,
  decode_only_frames_per_s: decodedFrames / decodeS,
  pairs_per_s: (decodedFrames - clips) / pipeS,
  ms_per_flow_pair_in_pipeline: (summary.timings.mean_analyse_ms * clips) / Math.max(1, decodedFrames - clips),
  dis_ms_per_pair_160x90: dis[preset],
  dis_ms_per_pair_160x90_by_preset: dis,
  mean_decode_ms: summary.timings.mean_decode_ms,
  mean_analyse_ms: summary.timings.mean_analyse_ms,
  peak_rss_mb: peakRss / 2 ** 20,
  content_clips_per_s: withContent ? clips / withContent.seconds : null,
  content_throughput_ratio: withContent ? pipeS / withContent.seconds : null,
  flow_preset: values.preset,
  flow_directions: values['both-ways'] ? 'both' : 'canonical',
  ffmpeg: ff.ffmpeg,
  ffmpeg_source: ff.source,
};
rmSync(work, { recursive: true, force: true });
if (values.json) console.log(JSON.stringify(result));
else {
  log(
    `decode-only: ${result.decode_only_clips_per_s.toFixed(2)} clips/s, ${result.decode_only_frames_per_s.toFixed(0)} frames/s`,
  );
  log(
    `pipeline:    ${result.clips_per_s.toFixed(2)} clips/s, ${result.frames_per_s.toFixed(0)} frames/s, ${result.pairs_per_s.toFixed(0)} pairs/s`,
  );
  log(`ratio pipeline/decode-only: ${result.throughput_ratio.toFixed(2)}`);
  log(
    `decode-only, ${values['decode-batch']} clips per ffmpeg: ${result.decode_only_batched_clips_per_s.toFixed(2)} clips/s; ratio pipeline/that: ${result.throughput_ratio_batched.toFixed(2)}`,
  );
  if (perClip)
    log(
      `one ffmpeg per clip (--decode-batch 1): ${result.per_clip_ffmpeg_clips_per_s?.toFixed(2)} clips/s; ${decodeBatch} clips per ffmpeg is ${result.batch_speedup?.toFixed(2)}x that`,
    );
  log(
    `per clip: decode ${result.mean_decode_ms.toFixed(0)} ms, analyse ${result.mean_analyse_ms.toFixed(0)} ms (${result.ms_per_flow_pair_in_pipeline.toFixed(2)} ms per pair: flow, camera fit, cues)`,
  );
  log(
    `DIS alone at 160x90, ms per pair: ${Object.entries(dis)
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(', ')}`,
  );
  if (withContent)
    log(
      `with --content: ${result.content_clips_per_s?.toFixed(2)} clips/s, ${result.content_throughput_ratio?.toFixed(2)}x the pipeline's throughput`,
    );
  log(`peak RSS (this process, workers included; ffmpeg children not): ${result.peak_rss_mb.toFixed(0)} MB`);
}
