// `npm run train:content`: the content head (models/reversal-content-v1.json) from the real corpus: a scan of its clips
// with --content (class scores of one frame a clip, the network's verdict), whole-clip statistics of each series, then
// models/train_content.py (gradient-boosted trees on the training split; mixing weight and temperature fitted on the
// fixed validation split). Run it after `npm run train` (it reads the network it will be averaged with).
// Usage: npm run train:content [-- --real-corpus DIR --model models/reversal-v1.onnx --work-dir .train --out-dir models]
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { clipFacts, fail, HEAD_TRAINING_USAGE, headTrainingOptions, rel, trainHead } from './lib/head-training.js';

const USAGE = `npm run train:content -- [options]
  --model PATH        the network the head is averaged with                          [models/reversal-v1.onnx]
  --name NAME         head name: <out-dir>/<name>.json, .card.json, .parity.json     [reversal-content-v1]
${HEAD_TRAINING_USAGE}`;

const { values, realDir, workers, work, modelPath, modelSha } = await headTrainingOptions({
  usage: USAGE,
  name: 'reversal-content-v1',
  what: 'the content head',
});

const { scan } = await import('../dist/pipeline/scan.js');
const { readSeries } = await import('../dist/outputs/series-file.js');
const { readRealCorpus } = await import('../dist/model/real-corpus.js');
const { seriesStats, SERIES_STATS } = await import('../dist/model/content-head.js');
const { DETECTOR_ID } = await import('../dist/content/detector.js');
const { COLUMNS_HASH } = await import('../dist/model/features.js');
const { CUE_COLUMNS } = await import('../dist/cues/index.js');
const { COCO_CLASSES } = await import('../dist/content/coco.js');

// One scan folder per network: the rows carry its verdicts, and a scan folder never mixes two models.
const scanOut = join(work, `real-content-${modelSha.slice(0, 12)}`);
const dataDir = join(work, 'data', 'real-content');

const controller = new AbortController();
process.once('SIGINT', () => {
  process.stderr.write('\nInterrupted: run the same command again to resume.\n');
  controller.abort();
});

console.log(`== 1. scan of ${rel(join(realDir, 'clips'))} with --content (class scores; the network's verdict)`);
const summary = await scan(
  {
    input: join(realDir, 'clips'),
    out: scanOut,
    workers,
    model: modelPath,
    content: true,
    contentHead: 'none',
  },
  { signal: controller.signal },
);
if (summary.status === 'interrupted') process.exit(130);
console.log(`${summary.counts.clips} clips, ${summary.counts.errors} errors (left out) in ${rel(scanOut)}`);

console.log(
  `\n== 2. features: ${SERIES_STATS.length} statistics x ${CUE_COLUMNS.length} cue columns + ${COCO_CLASSES.length} class scores`,
);
const corpus = await readRealCorpus(realDir);
const lines = (await readFile(join(scanOut, 'clips.jsonl'), 'utf8')).split('\n').filter(Boolean);
/** @type {number[][]} */
const rows = [];
/** @type {Record<string, unknown>[]} */
const meta = [];
let noContent = 0;
for (const line of lines) {
  const r = JSON.parse(line);
  const clip = corpus.get(basename(r.path));
  if (!clip) fail(`${r.path}: scanned but not in ${rel(join(realDir, 'index.csv'))}`);
  if (!r.content?.scores) {
    noContent++;
    continue;
  }
  const stats = seriesStats(await readSeries(scanOut, r));
  rows.push([...stats, ...r.content.scores]);
  meta.push({
    ...clipFacts(clip),
    network: r.p_invariant === null ? null : [r.p_invariant, r.p_equivariant, r.p_irreversible],
  });
}
const F = rows[0]?.length ?? 0;
if (!F) fail(`${rel(scanOut)}: no clip with class scores`);
await mkdir(dataDir, { recursive: true });
const X = new Float64Array(rows.length * F);
rows.forEach((x, i) => {
  X.set(x, i * F);
});
await writeFile(join(dataDir, 'X.f64'), new Uint8Array(X.buffer));
await writeFile(
  join(dataDir, 'meta.json'),
  `${JSON.stringify({ features: F, detector: DETECTOR_ID, columns_hash: COLUMNS_HASH, clips: meta })}\n`,
);
console.log(`${rows.length} clips x ${F} features -> ${rel(dataDir)} (${noContent} without class scores left out)`);

console.log('\n== 3. models/train_content.py');
await trainHead(values, {
  script: 'train_content.py',
  dataDir,
  command: 'npm run train:content',
  network: { network: { path: rel(modelPath), sha256: modelSha } },
});
