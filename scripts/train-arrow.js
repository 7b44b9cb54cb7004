// `npm run train:arrow`: the arrow head (models/reversal-arrow-v1.json) from the real corpus: a scan of its clips (the
// network's own arrow, for comparison), time-asymmetry statistics of each clip's series as filmed and mirrored, then
// models/train_arrow.py (gradient-boosted trees, forwards against mirrored, on the training split; the tree setting and
// the temperature chosen on the fixed validation split). No labels are needed to learn the arrow; the weak labels only
// say which validation clips are irreversible, for the card.
// Usage: npm run train:arrow [-- --real-corpus DIR --model models/reversal-v1.onnx --work-dir .train --out-dir models]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const USAGE = `npm run train:arrow -- [options]
  --real-corpus DIR   real footage with weak labels (clips/, index.csv, labels.csv)  [<shared-data>/real-corpus]
  --shared-data DIR   shared data folder (real-dev/ is never used)                   [../shared/data]
  --model PATH        the network whose arrow the head is compared with              [models/reversal-v1.onnx]
  --scan DIR          a finished scan of the corpus's clips to reuse (no scan then)
  --name NAME         head name: <out-dir>/<name>.json, .card.json, .parity.json     [reversal-arrow-v1]
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
        scan: { type: 'string' },
        name: { type: 'string', default: 'reversal-arrow-v1' },
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
  fail(`${realDir}: real-dev is for evaluation only; the arrow head never trains or chooses on it`, 2);
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
const { asymmetryStats, ASYMMETRY_STATS } = await import('../dist/model/arrow-head.js');
const { mirrorSeries } = await import('../dist/cues/series.js');
const { COLUMNS_HASH } = await import('../dist/model/features.js');
const { CUE_COLUMNS } = await import('../dist/cues/index.js');

const work = resolve(values['work-dir']);
const modelPath = resolve(values.model);
if (!existsSync(modelPath)) fail(`--model ${modelPath}: no such file (train the network first: npm run train)`, 2);
const modelSha = createHash('sha256')
  .update(await readFile(modelPath))
  .digest('hex');
const dataDir = join(work, 'data', 'real-arrow');
/** @param {string} p */
const rel = (p) => relative(process.cwd(), p) || '.';

let scanOut;
if (values.scan) {
  scanOut = resolve(values.scan);
  if (!existsSync(join(scanOut, 'clips.jsonl'))) fail(`--scan ${scanOut}: no clips.jsonl (not a finished scan)`, 2);
  console.log(`== 1. the scan in ${rel(scanOut)} (reused)`);
} else {
  // One scan folder per network: the rows carry its arrow, and a scan folder never mixes two models.
  scanOut = join(work, `real-arrow-${modelSha.slice(0, 12)}`);
  const controller = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\nInterrupted: run the same command again to resume.\n');
    controller.abort();
  });
  console.log(`== 1. scan of ${rel(join(realDir, 'clips'))} (the network's arrow, for comparison)`);
  const summary = await scan(
    { input: join(realDir, 'clips'), out: scanOut, workers, model: modelPath, report: false },
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
/** @type {Float64Array[]} */
const forwards = [];
/** @type {Float64Array[]} */
const mirrored = [];
/** @type {Record<string, unknown>[]} */
const meta = [];
for (const line of lines) {
  const r = JSON.parse(line);
  const clip = corpus.get(basename(r.path));
  if (!clip) fail(`${r.path}: scanned but not in ${rel(join(realDir, 'index.csv'))}`);
  const series = await readSeries(scanOut, r);
  forwards.push(asymmetryStats(series));
  mirrored.push(asymmetryStats(mirrorSeries(series)));
  meta.push({
    file: clip.file,
    group: clip.group,
    repo: clip.repo,
    split: clip.split,
    verdict: clip.verdict,
    confidence: clip.confidence,
    license: clip.license,
    network_p_forward: typeof r.p_forward === 'number' ? r.p_forward : null,
  });
}
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
const out = resolve(values['out-dir']);
const args = [join(ROOT, 'models', 'train_arrow.py'), '--data', dataDir, '--out', out];
args.push('--name', values.name, '--version', values['model-version']);
const r = spawnSync(values.python, args, { stdio: 'inherit' });
if (r.status !== 0) fail(`models/train_arrow.py exited with ${r.status ?? r.signal}`);
const cardPath = join(out, `${values.name}.card.json`);
const card = JSON.parse(await readFile(cardPath, 'utf8'));
card.training.command = `npm run train:arrow -- ${process.argv.slice(2).join(' ')}`.trim();
card.training.network_compared = { path: rel(modelPath), sha256: modelSha };
await writeFile(cardPath, `${JSON.stringify(card, null, 1)}\n`);
console.log(`\nhead: ${rel(join(out, values.name))}.{json,card.json,parity.json}`);
