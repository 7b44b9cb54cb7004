// `npm run train:content`: the content head (models/reversal-content-v1.json) from the real corpus: a scan of its clips
// with --content (class scores of one frame a clip, the network's verdict), whole-clip statistics of each series, then
// models/train_content.py (gradient-boosted trees on the training split; mixing weight and temperature fitted on the
// fixed validation split). Run it after `npm run train` (it reads the network it will be averaged with).
// Usage: npm run train:content [-- --real-corpus DIR --model models/reversal-v1.onnx --work-dir .train --out-dir models]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const USAGE = `npm run train:content -- [options]
  --real-corpus DIR   real footage with weak labels (clips/, index.csv, labels.csv)  [<shared-data>/real-corpus]
  --shared-data DIR   shared data folder (real-dev/ is never used)                   [../shared/data]
  --model PATH        the network the head is averaged with                          [models/reversal-v1.onnx]
  --name NAME         head name: <out-dir>/<name>.json, .card.json, .parity.json     [reversal-content-v1]
  --model-version V   version written into the head and its card                    [0.1.0]
  --out-dir DIR       where the head goes                                            [models]
  --work-dir DIR      the scan and the feature table (resumable; git-ignored)        [.train]
  --workers N         scan worker threads                                            [all cores]
  --python PATH       python with numpy and scikit-learn                             [/usr/bin/python3]`;

/** @param {string} message @param {number} [code] @returns {never} */
function fail(message, code = 1) {
  console.error(message);
  process.exit(code);
}

/** The command line's options; a usage error (exit 2) when they do not parse. */
function readOptions() {
  try {
    return parseArgs({
      options: {
        'real-corpus': { type: 'string' },
        'shared-data': {
          type: 'string',
          default: process.env.REVERSAL_AUDIT_SHARED_DATA ?? join(ROOT, '..', 'shared', 'data'),
        },
        model: { type: 'string', default: join(ROOT, 'models', 'reversal-v1.onnx') },
        name: { type: 'string', default: 'reversal-content-v1' },
        'model-version': { type: 'string', default: '0.1.0' },
        'out-dir': { type: 'string', default: 'models' },
        'work-dir': { type: 'string', default: '.train' },
        workers: { type: 'string', default: String(availableParallelism()) },
        python: { type: 'string', default: process.env.REVERSAL_AUDIT_PYTHON ?? '/usr/bin/python3' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (err) {
    return fail(`${/** @type {Error} */ (err).message}\n\n${USAGE}`, 2);
  }
}

const values = readOptions();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const realDir = resolve(values['real-corpus'] ?? join(values['shared-data'], 'real-corpus'));
if (realDir.split(sep).includes('real-dev'))
  fail(`${realDir}: real-dev is for evaluation only; the content head never trains or chooses on it`, 2);
const workers = Number(values.workers);
if (!(Number.isInteger(workers) && workers >= 1))
  fail(`--workers: expected a positive integer, got ${values.workers}`, 2);
for (const f of ['index.csv', 'labels.csv', 'clips'])
  if (!existsSync(join(realDir, f)))
    fail(`${realDir}: no ${f} (expected a real corpus: clips/, index.csv, labels.csv)`, 2);
const py = spawnSync(values.python, ['-c', 'import numpy, sklearn'], { encoding: 'utf8' });
if (py.status !== 0)
  fail(
    `${values.python} cannot import numpy and scikit-learn\nPossible solutions:\n- apt-get install -y python3-numpy python3-sklearn\n- or --python PATH to a python that has them`,
  );
if (!existsSync(join(ROOT, 'dist', 'pipeline', 'scan.js'))) fail('dist/ is missing: run `npm run build` first');

const { scan } = await import('../dist/pipeline/scan.js');
const { readSeries } = await import('../dist/outputs/series-file.js');
const { readRealCorpus } = await import('../dist/model/real-corpus.js');
const { seriesStats, SERIES_STATS } = await import('../dist/model/content-head.js');
const { DETECTOR_ID } = await import('../dist/content/detector.js');
const { COLUMNS_HASH } = await import('../dist/model/features.js');
const { CUE_COLUMNS } = await import('../dist/cues/index.js');
const { COCO_CLASSES } = await import('../dist/content/coco.js');

const work = resolve(values['work-dir']);
const modelPath = resolve(values.model);
if (!existsSync(modelPath)) fail(`--model ${modelPath}: no such file (train the network first: npm run train)`, 2);
// One scan folder per network: the rows carry its verdicts, and a scan folder never mixes two models.
const modelSha = createHash('sha256')
  .update(await readFile(modelPath))
  .digest('hex');
const scanOut = join(work, `real-content-${modelSha.slice(0, 12)}`);
const dataDir = join(work, 'data', 'real-content');
/** @param {string} p */
const rel = (p) => relative(process.cwd(), p) || '.';

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
    file: clip.file,
    group: clip.group,
    repo: clip.repo,
    split: clip.split,
    verdict: clip.verdict,
    confidence: clip.confidence,
    license: clip.license,
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
const out = resolve(values['out-dir']);
const args = [join(ROOT, 'models', 'train_content.py'), '--data', dataDir, '--out', out];
args.push('--name', values.name, '--version', values['model-version']);
const r = spawnSync(values.python, args, { stdio: 'inherit' });
if (r.status !== 0) fail(`models/train_content.py exited with ${r.status ?? r.signal}`);
const cardPath = join(out, `${values.name}.card.json`);
const card = JSON.parse(await readFile(cardPath, 'utf8'));
card.training.command = `npm run train:content -- ${process.argv.slice(2).join(' ')}`.trim();
card.training.network = { path: rel(modelPath), sha256: modelSha };
await writeFile(cardPath, `${JSON.stringify(card, null, 1)}\n`);
console.log(`\nhead: ${rel(join(out, values.name))}.{json,card.json,parity.json}`);
