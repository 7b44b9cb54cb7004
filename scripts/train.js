// `npm run train`: synthetic corpora -> scans -> real corpus and unlabelled real scans -> tensors -> models/train.py -> ONNX model, card, parity file;
// then, when the real corpus is used, the content head averaged with it (scripts/train-content.js) and the arrow head
// that gives p_forward (scripts/train-arrow.js).
// Usage: npm run train [-- --count 2000 --seed 1 --epochs 30 --work-dir .train --out-dir models --skip-synth --no-unlabeled]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const USAGE = `npm run train -- [options]
  --count N                 synthetic clips (each also gets its reversed twin)   [2000]
  --seed N                  corpus seed (same seed, same clips)                   [1]
  --handheld-count N        clips of a second corpus with the handheld-camera look (camera sway and shake,
                            exposure breathing, background things oscillating: real footage's nuisances) [500]
  --handheld-seed N         its corpus seed                                        [2]
  --train-seed N            torch / shuffling / split seed                        [0]
  --epochs N                training epochs                                       [30]
  --width N                 network width W                                       [64]
  --ensemble K              networks from seeds train-seed..+K-1, averaged in one graph [3]
  --windows N               tensors also hold each clip's whole-clip windows (up to N) as audit scan judges it:
                            the card's whole_clip metrics and the calibration use them; training uses the
                            centred window (1: centred window only)                [8]
  --name NAME               model name: <out-dir>/<name>.onnx, .card.json, .parity.json [reversal-v1]
  --model-version V         version written into the card (model_version column: <name>@<V>) [0.4.0]
  --out-dir DIR             where the model goes                                  [models]
  --work-dir DIR            corpus, scans and tensors (resumable; git-ignored)    [.train]
  --holdout-families LIST   families kept out of training, one per verdict at least [throw_land,cover_uncover,spin]
  --workers N               scan worker threads                                   [all cores]
  --threads N               torch threads (1 is fastest on busy shared cores)     [1]
  --shared-data DIR         shared data folder (real-corpus/ and real-unlabeled/ are used; real-dev/ never) [../shared/data]
  --real-corpus DIR         real footage with weak labels (clips/, index.csv, labels.csv): every clip an arrow-of-time
                            example and a weak verdict; its fixed validation split (by source repository) chooses and
                            calibrates                                             [<shared-data>/real-corpus]
  --no-real                 train without the real corpus (and so without the content and arrow heads)
  --no-content              no content head (scripts/train-content.js, \`npm run train:content\`) after the network
  --no-arrow                no arrow head (scripts/train-arrow.js, \`npm run train:arrow\`) after the network
  --real-arrow MODE         real clips' arrow target: definition or all (models/train.py --real-arrow) [definition]
  --real-weight W           weight of real corpus rows in the losses (models/train.py --real-weight) [3]
  --skip-synth              use the corpora already in <work-dir>/corpus and corpus-handheld
  --no-unlabeled            no self-supervised rows from real-unlabeled/
  --no-backgrounds          no real-unlabeled frames as synthetic backgrounds
  --python PATH             python with torch and numpy                           [/usr/bin/python3]`;

/** The command line's options; a usage error (exit 2) when they do not parse. */
function readOptions() {
  try {
    return parseArgs({
      options: {
        count: { type: 'string', default: '2000' },
        seed: { type: 'string', default: '1' },
        'handheld-count': { type: 'string', default: '500' },
        'handheld-seed': { type: 'string', default: '2' },
        'train-seed': { type: 'string', default: '0' },
        epochs: { type: 'string', default: '30' },
        width: { type: 'string', default: '64' },
        ensemble: { type: 'string', default: '3' },
        windows: { type: 'string', default: '8' },
        name: { type: 'string', default: 'reversal-v1' },
        'model-version': { type: 'string', default: '0.4.0' },
        'out-dir': { type: 'string', default: 'models' },
        'work-dir': { type: 'string', default: '.train' },
        'holdout-families': { type: 'string', default: 'throw_land,cover_uncover,spin' },
        workers: { type: 'string', default: String(availableParallelism()) },
        threads: { type: 'string', default: '1' },
        'shared-data': {
          type: 'string',
          default: process.env.REVERSAL_AUDIT_SHARED_DATA ?? join(ROOT, '..', 'shared', 'data'),
        },
        'skip-synth': { type: 'boolean', default: false },
        'no-unlabeled': { type: 'boolean', default: false },
        'no-backgrounds': { type: 'boolean', default: false },
        'real-corpus': { type: 'string' },
        'no-real': { type: 'boolean', default: false },
        'no-content': { type: 'boolean', default: false },
        'no-arrow': { type: 'boolean', default: false },
        'real-arrow': { type: 'string', default: 'definition' },
        'real-weight': { type: 'string', default: '3' },
        python: { type: 'string', default: process.env.REVERSAL_AUDIT_PYTHON ?? '/usr/bin/python3' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (err) {
    return fail(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`, 2);
  }
}
const values = readOptions();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

/**
 * @param {string} message
 * @param {number} [code]
 * @returns {never}
 */
function fail(message, code = 1) {
  process.stderr.write(`train: ${message}\n`);
  process.exit(code);
}

/**
 * @param {keyof typeof values} name
 * @param {number} min
 */
function whole(name, min) {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min)
    fail(`Expected an integer >= ${min} for --${name} but received ${JSON.stringify(values[name])}`, 2);
  return n;
}

/**
 * Evaluation footage must never feed training, not even as backgrounds.
 * @param {string} path
 * @param {string} what
 */
function refuseDev(path, what) {
  if (resolve(path).split(sep).includes('real-dev'))
    fail(`${what} ${path} lies under real-dev/, which is evaluation-only`, 2);
  return path;
}

const count = whole('count', 1);
const seed = whole('seed', 0);
const handheldCount = whole('handheld-count', 0);
const handheldSeed = whole('handheld-seed', 0);
if (handheldCount > 0 && handheldSeed === seed)
  fail(`--handheld-seed ${handheldSeed} equals --seed: the two corpora would share clip ids`, 2);
const trainSeed = whole('train-seed', 0);
const epochs = whole('epochs', 1);
const width = whole('width', 1);
const ensemble = whole('ensemble', 1);
const windows = whole('windows', 1);
const workers = whole('workers', 1);
const threads = whole('threads', 1);
const work = refuseDev(resolve(values['work-dir']), '--work-dir');
const outDir = resolve(values['out-dir']);
const held = values['holdout-families']
  .split(',')
  .map((f) => f.trim())
  .filter(Boolean);
const unlabeledDir = refuseDev(join(values['shared-data'], 'real-unlabeled'), 'real-unlabeled');
const haveUnlabeled = existsSync(unlabeledDir);
const useBackgrounds = haveUnlabeled && !values['no-backgrounds'];
const useUnlabeled = haveUnlabeled && !values['no-unlabeled'];
const realDir = refuseDev(resolve(values['real-corpus'] ?? join(values['shared-data'], 'real-corpus')), 'real corpus');
const useReal = !values['no-real'];
if (useReal && !existsSync(join(realDir, 'index.csv')))
  fail(`no real corpus at ${realDir} (index.csv, labels.csv, clips/): give --real-corpus DIR or --no-real`, 2);
if (!['definition', 'all'].includes(values['real-arrow']))
  fail(`--real-arrow: expected definition or all, got ${values['real-arrow']}`, 2);
const realWeight = Number(values['real-weight']);
if (!(realWeight >= 0)) fail(`--real-weight: expected a number >= 0, got ${values['real-weight']}`, 2);

// 0. Checks that fail in seconds, before an hour of rendering and scanning.
const torch = spawnSync(values.python, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
if (torch.status !== 0) {
  fail(
    `${values.python} cannot import torch and numpy (${(torch.stderr || String(torch.error ?? '')).trim().split('\n').pop()})\nPossible solutions:\n- apt-get install -y python3-torch python3-numpy   (then run again; a pyenv python3 on PATH has no torch)\n- or --python PATH to a python that has them`,
  );
}
if (!existsSync(join(ROOT, 'dist', 'model', 'dataset.js')))
  fail('dist/ is missing: run `npm run build` first (npm run train does)');
const { FAMILIES } = await import('../dist/synth/corpus/index.js');
const { synthCorpus } = await import('../dist/synth/corpus/generate.js');
const { scan } = await import('../dist/pipeline/scan.js');
const { exportDataset } = await import('../dist/model/dataset.js');
for (const f of held) {
  const i = FAMILIES.findIndex((x) => x.name === f);
  if (i < 0) fail(`Unknown hold-out family ${f}; known: ${FAMILIES.map((x) => x.name).join(', ')}`, 2);
  // Families are rendered in turn, so family i first appears at clip i.
  if (i >= Math.max(count, handheldCount))
    fail(
      `--count ${count} renders no ${f} clip (first at clip ${i + 1}): raise --count or pick other --holdout-families`,
      2,
    );
}

const controller = new AbortController();
process.once('SIGINT', () => {
  process.stderr.write('\nInterrupted: run the same command again to resume.\n');
  controller.abort();
});

/**
 * What the card says of the real corpus: its size, sources, licences, weak labels and fixed split.
 * @param {string} dir
 */
async function describeRealCorpus(dir) {
  const { readRealCorpus, REAL_VALIDATION } = await import('../dist/model/real-corpus.js');
  const { VERDICTS } = await import('../dist/model/features.js');
  const clips = [...(await readRealCorpus(dir)).values()];
  /** @typedef {(typeof clips)[number]} RealClip */
  /**
   * @param {(c: RealClip) => string} key
   * @param {RealClip[]} [of]
   */
  const count = (key, of = clips) =>
    Object.fromEntries(
      [...of.reduce((m, c) => m.set(key(c), (m.get(key(c)) ?? 0) + 1), new Map())].sort((x, y) => y[1] - x[1]),
    );
  /** @param {RealClip['split']} split */
  const side = (split) => {
    const part = clips.filter((c) => c.split === split);
    return {
      clips: part.length,
      groups: new Set(part.map((c) => c.group)).size,
      repositories: new Set(part.map((c) => c.repo)).size,
      labels: count((c) => VERDICTS[c.verdict] ?? 'unclear', part),
    };
  };
  return {
    folder: rel(dir),
    clips: clips.length,
    groups: new Set(clips.map((c) => c.group)).size,
    repositories: new Set(clips.map((c) => c.repo)).size,
    licences: count((c) => c.license),
    confidence: count((c) => c.confidence),
    split: {
      rule: `crc32("${REAL_VALIDATION.salt}" + source repository) % 100 < ${REAL_VALIDATION.percent} -> validation`,
      train: side('train'),
      val: side('val'),
    },
    use: 'training and validation only (third-party footage; not redistributed)',
  };
}

/** @type {[string, number][]} */
const times = [];
/**
 * @template T
 * @param {string} name
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
async function stage(name, fn) {
  console.log(`\n== ${name}`);
  const t0 = performance.now();
  const result = await fn();
  const s = (performance.now() - t0) / 1000;
  times.push([name, s]);
  console.log(`== ${name}: ${s.toFixed(1)} s`);
  return result;
}

/**
 * @param {string} input
 * @param {string} out
 */
async function runScan(input, out) {
  // model 'none': training must not be steered by (or wait for) an older shipped model.
  const summary = await scan({ input, out, workers, model: 'none' }, { signal: controller.signal });
  if (summary.status === 'interrupted') process.exit(130);
  const c = summary.counts;
  console.log(`${c.clips} clips, ${c.errors} errors (${c.resumed} from earlier runs) in ${out}`);
  if (c.errors > 0)
    console.log(
      `errors by code: ${JSON.stringify(c.errors_by_code)} (rows in ${join(out, 'errors.jsonl')}; they are left out)`,
    );
}

/** The content head averaged with the network just trained, from the same real corpus (npm run train:content). */
async function contentHead() {
  const args = [join(ROOT, 'scripts', 'train-content.js'), '--real-corpus', realDir, '--work-dir', work];
  args.push('--model', join(outDir, `${values.name}.onnx`), '--out-dir', outDir, '--python', values.python);
  args.push('--workers', String(workers));
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) fail(`scripts/train-content.js exited with ${r.status ?? r.signal}`);
}

/** The arrow head, from the series of stage 3b's scan of the real corpus (npm run train:arrow). */
async function arrowHead() {
  const args = [join(ROOT, 'scripts', 'train-arrow.js'), '--real-corpus', realDir, '--work-dir', work];
  args.push('--scan', join(work, 'real-corpus'), '--model', join(outDir, `${values.name}.onnx`));
  args.push('--out-dir', outDir, '--python', values.python);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) fail(`scripts/train-arrow.js exited with ${r.status ?? r.signal}`);
}

// The corpora: the standard one, and the handheld one when asked for (own folders, scans and tensors).
const corpora = [{ name: 'corpus', count, seed, handheld: false }];
if (handheldCount > 0)
  corpora.push({ name: 'corpus-handheld', count: handheldCount, seed: handheldSeed, handheld: true });
/** @param {string} p */
const rel = (p) => relative(process.cwd(), p) || '.';
try {
  await mkdir(work, { recursive: true });
  for (const c of corpora) {
    const dir = join(work, c.name);
    // A folder holds one corpus: another seed, look or background choice would mix two corpora.
    const settingsPath = join(work, `${c.name}-settings.json`);
    const settings = { seed: c.seed, backgrounds: useBackgrounds, ...(c.handheld ? { handheld: true } : {}) };
    /** @param {{ seed?: number, backgrounds?: boolean, handheld?: boolean }} old */
    const same = (old) =>
      old.seed === settings.seed && old.backgrounds === settings.backgrounds && (old.handheld ?? false) === c.handheld;
    if (!values['skip-synth']) {
      if (existsSync(settingsPath)) {
        const old = JSON.parse(await readFile(settingsPath, 'utf8'));
        if (!same(old))
          fail(
            `${rel(dir)} holds a corpus made with ${JSON.stringify(old)}, not ${JSON.stringify(settings)}: use another --work-dir or delete it`,
            2,
          );
        if (old.count > c.count)
          fail(
            `${rel(dir)} holds ${old.count} clips; --${c.handheld ? 'handheld-' : ''}count ${c.count} would train on all of them anyway: use another --work-dir or the same count`,
            2,
          );
      }
      await writeFile(settingsPath, `${JSON.stringify({ ...settings, count: c.count }, null, 1)}\n`);
      await stage(
        `1. synthetic corpus ${c.name}: ${c.count} clips + reversed twins, seed ${c.seed}${c.handheld ? ', handheld look' : ''}${useBackgrounds ? `, backgrounds from ${rel(unlabeledDir)}` : ''}`,
        async () => {
          let last = 0;
          const r = await synthCorpus({
            out: dir,
            count: c.count,
            seed: c.seed,
            handheld: c.handheld,
            backgroundsDir: useBackgrounds ? unlabeledDir : undefined,
            onClip: (done, n) => {
              if (done === n || performance.now() - last > 10_000) {
                last = performance.now();
                process.stderr.write(`${done}/${n} clips\n`);
              }
              if (controller.signal.aborted) process.exit(130);
            },
          });
          console.log(
            `wrote ${r.clips} files (${r.seconds.toFixed(0)} s of video), ${r.skipped} clips already there -> ${rel(dir)}`,
          );
        },
      );
    } else if (!existsSync(join(dir, 'manifest.csv'))) {
      fail(`--skip-synth: no ${rel(join(dir, 'manifest.csv'))}`, 2);
    }
  }

  // Scan folders keep the names they had when there was one corpus: a resumed work folder stays valid.
  /** @param {{ name: string }} c */
  const scanDir = (c) => join(work, c.name === 'corpus' ? 'scan' : `scan-${c.name.replace(/^corpus-/, '')}`);
  /** @param {{ name: string }} c */
  const tensorDir = (c) => join(work, 'data', c.name === 'corpus' ? 'corpus' : c.name.replace(/^corpus-/, ''));
  for (const c of corpora)
    await stage(`2. scan of ${c.name}`, () => runScan(join(work, c.name, 'manifest.csv'), scanDir(c)));
  if (useUnlabeled)
    await stage(`3. scan of ${rel(unlabeledDir)} (self-supervised arrow-of-time rows)`, () =>
      runScan(unlabeledDir, join(work, 'unlabeled')),
    );
  else
    console.log(`\n== 3. unlabelled real clips: skipped (${haveUnlabeled ? '--no-unlabeled' : `no ${unlabeledDir}`})`);
  if (useReal)
    await stage(`3b. scan of ${rel(realDir)} (real footage: arrow of time both ways, weak verdicts)`, () =>
      runScan(join(realDir, 'clips'), join(work, 'real-corpus')),
    );
  else console.log('\n== 3b. real corpus: skipped (--no-real)');

  const data = corpora.map(tensorDir);
  await stage('4. export of training tensors', async () => {
    for (const c of corpora) {
      console.log(
        `${c.name}:`,
        JSON.stringify(
          await exportDataset({
            scanOut: scanDir(c),
            labels: join(work, c.name, 'labels.jsonl'),
            out: tensorDir(c),
            windows,
          }),
        ),
      );
    }
    if (useUnlabeled) {
      data.push(join(work, 'data', 'unlabeled'));
      console.log(
        'unlabeled:',
        JSON.stringify(await exportDataset({ scanOut: join(work, 'unlabeled'), out: data[data.length - 1], windows })),
      );
    }
    if (useReal) {
      data.push(join(work, 'data', 'real'));
      console.log(
        'real corpus:',
        JSON.stringify(
          await exportDataset({
            scanOut: join(work, 'real-corpus'),
            realCorpus: realDir,
            out: data[data.length - 1],
            windows,
          }),
        ),
      );
    }
  });

  await stage(
    `5. training (${epochs} epochs, width ${width}, ${ensemble} network(s), hold-out ${held.join(',')})`,
    async () => {
      const args = [
        join(ROOT, 'models', 'train.py'),
        '--data',
        ...data,
        '--holdout-families',
        held.join(','),
        '--epochs',
        String(epochs),
      ];
      args.push('--real-arrow', values['real-arrow'], '--real-weight', String(realWeight));
      args.push(
        '--seed',
        String(trainSeed),
        '--width',
        String(width),
        '--ensemble',
        String(ensemble),
        '--threads',
        String(threads),
        '--name',
        values.name,
        '--version',
        values['model-version'],
        '--out',
        outDir,
      );
      const r = spawnSync(values.python, args, { stdio: 'inherit' });
      if (r.status !== 0) fail(`models/train.py exited with ${r.status ?? r.signal}`);
    },
  );

  const cardPath = join(outDir, `${values.name}.card.json`);
  const card = JSON.parse(await readFile(cardPath, 'utf8'));
  // What only this script knows: the corpora behind the tensors and how long each stage of this run took.
  card.training.corpora = corpora.map((c) => ({
    folder: c.name,
    clips: c.count,
    files_with_reversed_twins: 2 * c.count,
    corpus_seed: c.seed,
    look: c.handheld ? 'handheld' : 'standard',
    real_backgrounds: useBackgrounds,
  }));
  card.training.self_supervised_real = useUnlabeled ? `${rel(unlabeledDir)} (forwards only; arrow target only)` : null;
  card.training.real_corpus = useReal ? await describeRealCorpus(realDir) : null;
  card.training.command = `npm run train -- ${process.argv.slice(2).join(' ')}`.trim();
  card.training.stage_seconds = {
    note: 'this run; a resumed stage counts only the work left to it',
    ...Object.fromEntries(times.map(([n, s]) => [n, Math.round(s * 10) / 10])),
  };
  await writeFile(cardPath, `${JSON.stringify(card, null, 1)}\n`);
  // The reference of the training footage behind each clip's in_domain score (src/model/domain.ts), on the same split.
  await stage('6. reference of the training footage (in_domain)', async () => {
    const args = [
      join(ROOT, 'scripts', 'domain-reference.js'),
      '--model',
      join(outDir, `${values.name}.onnx`),
      '--write',
      '--holdout-families',
      held.join(','),
      '--split-seed',
      String(trainSeed),
    ];
    for (const d of data) args.push('--data', d);
    const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
    if (r.status !== 0) fail(`scripts/domain-reference.js exited with ${r.status ?? r.signal}`);
  });
  if (useReal && !values['no-content']) await stage('7. content head (scripts/train-content.js)', () => contentHead());
  if (useReal && !values['no-arrow']) await stage('8. arrow head (scripts/train-arrow.js)', () => arrowHead());
  console.log(
    `\nmodel: ${rel(join(outDir, values.name))}.{onnx,card.json,parity.json} (sha256 ${card.sha256.slice(0, 12)})`,
  );
  /** @param {unknown} x */
  const pct = (x) => (typeof x === 'number' ? `${(100 * x).toFixed(1)}%` : '-');
  console.log(
    `${'split'.padEnd(30)}${'n'.padStart(6)}  ${'accuracy'.padStart(10)}  ${'macro-F1'.padStart(8)}  arrow  arrow(irreversible)`,
  );
  const whole = card.metrics.whole_clip ?? {};
  const rows = ['heldout_families', 'heldout_seeds', 'test', 'train'].map((k) => [k, card.metrics[k]]);
  for (const k of ['heldout_families', 'heldout_seeds']) if (whole[k]) rows.push([`${k} (whole clips)`, whole[k]]);
  for (const [split, m] of rows) {
    console.log(
      `${split.padEnd(30)}${String(m.n).padStart(6)}  ${pct(m.accuracy).padStart(10)}  ${pct(m.macro_f1).padStart(8)}  ${pct(m.arrow_accuracy).padStart(5)}  ${pct(m.arrow_accuracy_irreversible).padStart(8)}`,
    );
  }
  const rv = card.metrics.real_val;
  if (rv) {
    const v = rv.verdict_high_medium;
    console.log(
      `${'real validation (whole clips)'.padEnd(30)}${String(rv.clips).padStart(6)}  ${pct(v.accuracy).padStart(10)}  ${pct(v.macro_f1).padStart(8)}  ${pct(rv.arrow_accuracy).padStart(5)}  ${pct(rv.arrow_accuracy_irreversible).padStart(8)}  (verdicts: weak labels of confidence high and medium)`,
    );
  }
  console.log(
    `held-out families ${held.join(', ')}: confusion (rows true, columns predicted; invariant, equivariant, irreversible) ${JSON.stringify(card.metrics.heldout_families.confusion ?? null)}`,
  );
  console.log(
    `\nstage times: ${times.map(([n, s]) => `${n.split(':')[0].split(' (')[0]} ${s.toFixed(1)} s`).join('; ')}`,
  );
} catch (err) {
  const e = /** @type {{ stack?: string, message?: string }} */ (err);
  fail((process.env.AUDIT_DEBUG ? (e.stack ?? e.message) : e.message) ?? String(err));
}
