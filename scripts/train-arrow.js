// `npm run train:arrow`: the arrow head (models/reversal-arrow-v1.json) from the real corpus: a scan of its clips (their
// series), the network's own arrow on each clip's series (for comparison, computed here: a scan beside the shipped
// model gives the shipped head's p_forward, and stage 8 of `npm run train` passes a scan made without a model),
// time-asymmetry statistics of each clip's series as filmed and mirrored, then
// models/train_arrow.py (gradient-boosted trees, forwards against mirrored, on the training split; the tree setting and
// the temperature chosen on the fixed validation split). No labels are needed to learn the arrow; the weak labels only
// say which validation clips are irreversible, for the card.
// Usage: npm run train:arrow [-- --real-corpus DIR --model models/reversal-v1.onnx --work-dir .train --out-dir models]
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { clipFacts, fail, HEAD_TRAINING_USAGE, headTrainingOptions, rel, trainHead } from './lib/head-training.js';

const USAGE = `npm run train:arrow -- [options]
  --model PATH        the network whose arrow the head is compared with              [models/reversal-v1.onnx]
  --scan DIR          a finished scan of the corpus's clips to reuse, with or without a model (no scan then)
  --name NAME         head name: <out-dir>/<name>.json, .card.json, .parity.json     [reversal-arrow-v1]
${HEAD_TRAINING_USAGE}`;

const { values, realDir, workers, work, modelPath, modelSha } = await headTrainingOptions({
  usage: USAGE,
  name: 'reversal-arrow-v1',
  what: 'the arrow head',
  extra: { scan: { type: 'string' } },
});

const { scan } = await import('../dist/pipeline/scan.js');
const { readSeries } = await import('../dist/outputs/series-file.js');
const { readRealCorpus } = await import('../dist/model/real-corpus.js');
const { asymmetryStats, ASYMMETRY_STATS } = await import('../dist/model/arrow-head.js');
const { loadModel, predictClips } = await import('../dist/model/onnx.js');
const { clipWindows } = await import('../dist/model/features.js');
const { isDegenerateDoubt } = await import('../dist/cues/degenerate.js');
const { mirrorSeries } = await import('../dist/cues/series.js');
const { COLUMNS_HASH } = await import('../dist/model/features.js');
const { CUE_COLUMNS } = await import('../dist/cues/index.js');

const dataDir = join(work, 'data', 'real-arrow');

let scanOut;
if (values.scan) {
  scanOut = resolve(values.scan);
  if (!existsSync(join(scanOut, 'clips.jsonl'))) fail(`--scan ${scanOut}: no clips.jsonl (not a finished scan)`, 2);
  console.log(`== 1. the scan in ${rel(scanOut)} (reused)`);
} else {
  // The series only: the network's arrow is computed below from them.
  scanOut = join(work, 'real-arrow-series');
  const controller = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\nInterrupted: run the same command again to resume.\n');
    controller.abort();
  });
  console.log(`== 1. scan of ${rel(join(realDir, 'clips'))} (the series)`);
  const summary = await scan(
    { input: join(realDir, 'clips'), out: scanOut, workers, model: 'none', report: false },
    { signal: controller.signal },
  );
  if (summary.status === 'interrupted') process.exit(130);
  console.log(`${summary.counts.clips} clips, ${summary.counts.errors} errors (left out) in ${rel(scanOut)}`);
}

console.log(
  `\n== 2. features: ${ASYMMETRY_STATS.length} statistics x ${CUE_COLUMNS.length} cue columns, each clip as filmed and mirrored`,
);
const corpus = await readRealCorpus(realDir);
const lines = (await readFile(join(scanOut, 'clips.jsonl'), 'utf8')).split('\n').filter(Boolean);
const network = await loadModel(modelPath, { device: 'cpu' });
/** @type {Float64Array[]} */
const forwards = [];
/** @type {Float64Array[]} */
const mirrored = [];
/** @type {Record<string, unknown>[]} */
const meta = [];
/** @type {import('../dist/model/features.js').ModelInput[][]} */
let windows = [];
/** @type {number[]} */
let waiting = [];
// The network's own p_forward of each clip, its whole-clip windows as a scan judges them (no arrow head), 64 at a
// time; none for a clip a scan gives no verdict (tiny, blank, still), as before.
const judge = async () => {
  const preds = await predictClips(network, windows);
  preds.forEach((p, i) => {
    meta[waiting[i]].network_p_forward = p.p_forward;
  });
  windows = [];
  waiting = [];
};
for (const line of lines) {
  const r = JSON.parse(line);
  const clip = corpus.get(basename(r.path));
  if (!clip) fail(`${r.path}: scanned but not in ${rel(join(realDir, 'index.csv'))}`);
  const series = await readSeries(scanOut, r);
  forwards.push(asymmetryStats(series));
  mirrored.push(asymmetryStats(mirrorSeries(series)));
  meta.push({ ...clipFacts(clip), network_p_forward: null });
  if (isDegenerateDoubt(r.doubt)) continue;
  windows.push(clipWindows(series, network.T));
  waiting.push(meta.length - 1);
  if (windows.length === 64) await judge();
}
await judge();
await network.session.release();
const F = forwards[0]?.length ?? 0;
if (!F) fail(`${rel(scanOut)}: no clip of the corpus`);
await mkdir(dataDir, { recursive: true });
/** @param {Float64Array[]} rows */
const table = (rows) => {
  const X = new Float64Array(rows.length * F);
  rows.forEach((x, i) => {
    X.set(x, i * F);
  });
  return new Uint8Array(X.buffer);
};
await writeFile(join(dataDir, 'X_forward.f64'), table(forwards));
await writeFile(join(dataDir, 'X_mirrored.f64'), table(mirrored));
await writeFile(
  join(dataDir, 'meta.json'),
  `${JSON.stringify({ features: F, columns_hash: COLUMNS_HASH, scan: rel(scanOut), clips: meta })}\n`,
);
console.log(`${meta.length} clips x ${F} features, both ways -> ${rel(dataDir)}`);

console.log('\n== 3. models/train_arrow.py');
await trainHead(values, {
  script: 'train_arrow.py',
  dataDir,
  command: 'npm run train:arrow',
  network: { network_compared: { path: rel(modelPath), sha256: modelSha } },
});
