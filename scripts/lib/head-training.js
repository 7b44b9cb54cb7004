// What `npm run train:content` and `npm run train:arrow` share: their common options and checks (a real corpus that
// is not real-dev, a python with numpy and scikit-learn, a built dist/, the network), and running the python trainer
// and stamping its card with the command and the network.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The usage lines of the options every head trainer has (after its own). */
export const HEAD_TRAINING_USAGE = `  --real-corpus DIR   real footage with weak labels (clips/, index.csv, labels.csv)  [<shared-data>/real-corpus]
  --shared-data DIR   shared data folder (real-dev/ is never used)                   [../shared/data]
  --model-version V   version written into the head and its card                    [0.1.0]
  --out-dir DIR       where the head goes                                            [models]
  --work-dir DIR      the scan and the feature table (resumable; git-ignored)        [.train]
  --workers N         scan worker threads                                            [all cores]
  --python PATH       python with numpy and scikit-learn                             [/usr/bin/python3]`;

/** @param {string} message @param {number} [code] @returns {never} */
export function fail(message, code = 1) {
  console.error(message);
  process.exit(code);
}

/**
 * What the trainers read of a real-corpus clip (its source, split and weak label), for their meta.json.
 * @param {{ file: string, group: string, repo: string, split: string, verdict: number, confidence: string, license: string }} clip
 */
export function clipFacts(clip) {
  const { file, group, repo, split, verdict, confidence, license } = clip;
  return { file, group, repo, split, verdict, confidence, license };
}

/** @param {string} p */
export const rel = (p) => relative(process.cwd(), p) || '.';

/**
 * Parses and checks the options of a head trainer; exits 2 with the usage on a bad one, 0 after --help.
 * @param {{ usage: string, name: string, what: string, extra?: import('node:util').ParseArgsConfig['options'] }} spec
 *   `name`: the default head name; `what`: the head, for messages ("the arrow head"); `extra`: more options.
 */
export async function headTrainingOptions({ usage, name, what, extra = {} }) {
  /** @type {Record<string, any>} */
  let values;
  try {
    values = parseArgs({
      options: {
        'real-corpus': { type: 'string' },
        'shared-data': {
          type: 'string',
          default: process.env.REVERSAL_AUDIT_SHARED_DATA ?? join(ROOT, '..', 'shared', 'data'),
        },
        model: { type: 'string', default: join(ROOT, 'models', 'reversal-v1.onnx') },
        name: { type: 'string', default: name },
        'model-version': { type: 'string', default: '0.1.0' },
        'out-dir': { type: 'string', default: 'models' },
        'work-dir': { type: 'string', default: '.train' },
        workers: { type: 'string', default: String(availableParallelism()) },
        python: { type: 'string', default: process.env.REVERSAL_AUDIT_PYTHON ?? '/usr/bin/python3' },
        help: { type: 'boolean', short: 'h', default: false },
        ...extra,
      },
    }).values;
  } catch (err) {
    return fail(`${/** @type {Error} */ (err).message}\n\n${usage}`, 2);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const realDir = resolve(values['real-corpus'] ?? join(values['shared-data'], 'real-corpus'));
  if (realDir.split(sep).includes('real-dev'))
    fail(`${realDir}: real-dev is for evaluation only; ${what} never trains or chooses on it`, 2);
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
  const modelPath = resolve(values.model);
  if (!existsSync(modelPath)) fail(`--model ${modelPath}: no such file (train the network first: npm run train)`, 2);
  const modelSha = createHash('sha256')
    .update(await readFile(modelPath))
    .digest('hex');
  return { values, realDir, workers, work: resolve(values['work-dir']), modelPath, modelSha };
}

/**
 * Runs models/<script> on the feature folder, then writes the command and the network into its card.
 * @param {Record<string, any>} values the parsed options
 * @param {{ script: string, dataDir: string, command: string, network: Record<string, unknown> }} run
 */
export async function trainHead(values, { script, dataDir, command, network }) {
  const out = resolve(values['out-dir']);
  const args = [join(ROOT, 'models', script), '--data', dataDir, '--out', out];
  args.push('--name', values.name, '--version', values['model-version']);
  const r = spawnSync(values.python, args, { stdio: 'inherit' });
  if (r.status !== 0) fail(`models/${script} exited with ${r.status ?? r.signal}`);
  const cardPath = join(out, `${values.name}.card.json`);
  const card = JSON.parse(await readFile(cardPath, 'utf8'));
  card.training.command = `${command} -- ${process.argv.slice(2).join(' ')}`.trim();
  Object.assign(card.training, network);
  await writeFile(cardPath, `${JSON.stringify(card, null, 1)}\n`);
  console.log(`\nhead: ${rel(join(out, values.name))}.{json,card.json,parity.json}`);
}
