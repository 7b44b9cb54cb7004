// `npm run bench:adapt-domains`: domain shift on the real corpus. Each clip gets a content domain by keyword rules on
// index.csv's `content` column (DOMAIN_RULES below, first match wins); `audit adapt` adapts the shipped model to one
// domain's clips that the base never trained on (the corpus's fixed validation split, src/model/real-corpus.ts); then
// base and adapted are scored per domain, whole clips as `audit scan` judges them, on clips neither model trained on.
//
// Usage: node scripts/adapt-domains.js [--corpus DIR] [--scan DIR] [--work DIR] [--domain NAME]
//          [--epochs N] [--lr X] [--anchor W] [--holdout S] [--seed N] [--name NAME] [--workers N] [--boot N]
//   --corpus DIR   the real corpus (clips/, index.csv, labels.csv) [../shared/data/real-corpus]
//   --scan DIR     a finished `audit scan` of the corpus whose manifest carried index.csv's group and content
//                  columns and the labels (the manifest.csv this script writes); scanned here when missing
//                  [<work>/scan]
//   --work DIR     scratch folder: manifest.csv, the scan, the domain's scan subset, tensors, models [.train/adapt-domains]
//   --domain NAME  the domain adapted to [people]
//   --epochs, --lr, --anchor, --verdict-weight, --holdout   passed to `audit adapt` (its defaults when not given)
//   --seed N       seed of adapt's training draws [0]
//   --name NAME    name of the adapted model under <work>/models [<domain>]
//   --workers N    scan worker threads [1]
//   --boot N       bootstrap resamples (by source video) for the 90 % intervals [2000]
// Prints the counts per domain and split, `audit adapt`'s own table, then per domain (and the other domains pooled):
// clips, source videos, arrow accuracy (p_forward > 0.5 on the clip as filmed) of the base network, of the shipped
// default (`+head`: the base network with the shipped arrow head's p_forward, what `audit scan` gives) and of the
// adapted model, the adapted model's difference from each with its 90 % bootstrap interval (source videos resampled),
// the arrow on the clips weakly labelled irreversible, and the verdict agreement with the weak labels (confidence
// high or medium; the arrow head leaves the verdict as it is). Fair clips: the base is scored only on
// the validation split (it trained on the training split); the adapted model additionally never on the groups
// `audit adapt` trained on. A second table shows the training split: the base trained on it, adapt did not, so
// there the difference is a forgetting check biased against the adapted model (the arrow head trained there too, so
// its column there says nothing). Each clip's p_forward by the three goes to <work>/predictions-<name>.jsonl.
// Degenerate clips (tiny, blank, still) are left out, as adapt leaves them.
// real-dev/ is refused: it is for evaluation only. Example: npm run bench:adapt-domains -- --anchor 1 --seed 1
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const AUDIT = join(ROOT, 'bin', 'audit.js');

/** @param {string[]} lines  words separated by spaces */
const wordList = (...lines) => lines.join(' ').split(' ');

/**
 * Content domains by keywords on index.csv's `content` column: the first rule with a matching word wins, so a robot
 * arm beside a person is a robot, a man playing with his dog is an animal, and a car park with pedestrians is vehicles.
 * Words match whole (with an optional plural s). What no rule matches is `other` (fire, smoke, pendulums, scenery).
 * @type {ReadonlyArray<{ domain: string, words: readonly string[] }>}
 */
export const DOMAIN_RULES = Object.freeze([
  {
    domain: 'robots',
    words: wordList('robot robotic gripper franka xarm7 so101 ur5e manipulator humanoid'),
  },
  {
    domain: 'animals',
    words: wordList(
      'animal dog cat kitten puppy horse donkey bird pigeon finch cockatoo fish fly flies bee sheep cow',
      'goat camel lion tiger cheetah antelope giraffe zebra panda penguin seal bear chicken mouse',
      'greyhound corgi dachshund terrier shiba flock bulldog duck flamingo rabbit serow rhinoceros',
    ),
  },
  {
    domain: 'vehicles',
    words: wordList(
      'car cars traffic highway motorway expressway road bus buses truck driving drive dashcam suv',
      'motorcyclist motorbike speedometer airliner quadcopter parking roundabout cyclist motocross race',
      'dinghy',
    ),
  },
  {
    domain: 'people',
    words: wordList(
      'person people man men woman women girl boy baby toddler child crowd pedestrian shopper dancer',
      'dancing dance player actor actress president senator congressman congresswoman politician anchor',
      'presenter host guest performer singing signing footballer goalkeeper golfer weightlifter runner',
      'worker schoolgirl martial breakdancer juggling face hand hands finger fingers egocentric model',
      'rider elderly businessmen exercising sparring soccer football tennis squash volleyball',
      'basketball taiji tai talking speaking cooking businessman singer fighter skier snowboarder boxer',
      'skater hiker athlete comedian',
    ),
  },
]);

/**
 * The domain of a content description (DOMAIN_RULES, first match; `other` when none matches).
 * @param {string} content
 */
export function domainOf(content) {
  const words = new Set(
    content
      .toLowerCase()
      .split(/[^a-z0-9']+/)
      .filter(Boolean)
      .flatMap((w) => [w, w.replace(/s$/, '')]),
  );
  for (const rule of DOMAIN_RULES) if (rule.words.some((w) => words.has(w))) return rule.domain;
  return 'other';
}

/**
 * @typedef {{ id: string, path: string, group: string, repo: string, split: 'train' | 'val', content: string,
 *   label: string, confidence: string, verdict: number, domain: string }} Clip
 */

/**
 * Every clip of the real corpus with its source video, repository, fixed split, weak label and content domain.
 * @param {string} dir
 * @returns {Promise<Clip[]>}
 */
export async function readCorpus(dir) {
  const { readRealCorpus } = await import('../dist/model/real-corpus.js');
  const { openInput, isRowProblem } = await import('../dist/io/inputs.js');
  const { VERDICTS } = await import('../dist/model/features.js');
  const real = await readRealCorpus(dir);
  const index = join(dir, 'index.csv');
  const source = await openInput(index, { pathColumn: 'file', format: 'csv' });
  /** @type {Clip[]} */
  const out = [];
  for await (const row of source.rows()) {
    if (isRowProblem(row)) throw row.error;
    const file = String(row.columns.file);
    const content =
      row.columns.content === null || row.columns.content === undefined ? '' : String(row.columns.content);
    if (!content.trim())
      throw new Error(`${index} line ${row.row} (${file}): no content description to find its domain`);
    const c = /** @type {import('../dist/model/real-corpus.js').RealClip} */ (real.get(file));
    out.push({
      id: file,
      path: join(dir, 'clips', file),
      group: c.group,
      repo: c.repo,
      split: c.split,
      content,
      label: c.verdict >= 0 ? VERDICTS[c.verdict] : 'unclear',
      confidence: c.confidence,
      verdict: c.verdict,
      domain: domainOf(content),
    });
  }
  return out;
}

/** @param {unknown} v */
const csvCell = (v) => {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/**
 * The manifest `audit scan` reads: each clip's path, and index.csv's group and content and the labels as columns, so
 * that the scan's rows carry them (`audit adapt --group-column group`).
 * @param {Clip[]} clips
 * @param {string} file
 */
export async function writeManifest(clips, file) {
  const cols = /** @type {const} */ (['id', 'path', 'group', 'repo', 'split', 'content', 'label', 'confidence']);
  const lines = [cols.join(','), ...clips.map((c) => cols.map((k) => csvCell(c[k])).join(','))];
  await writeFile(file, `${lines.join('\n')}\n`);
}

/**
 * Runs `node ARGS` (one torch/OpenMP thread), its output shown; resolves with its exit code.
 * @param {string[]} args
 * @returns {Promise<number | null>}
 */
function run(args) {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    child.on('error', fail);
    child.on('close', (code) => done(code));
  });
}

/**
 * The scan's clip rows by id; scans the corpus first when the folder holds no finished scan. A scan whose rows lack
 * the manifest's group, content or label columns is refused: its clips could not be split or scored.
 * @param {string} scanDir
 * @param {string} manifest
 * @param {number} workers
 * @returns {Promise<Map<string, Record<string, any>>>}
 */
async function finishedScan(scanDir, manifest, workers) {
  const summaryPath = join(scanDir, 'summary.json');
  const status = existsSync(summaryPath) ? JSON.parse(await readFile(summaryPath, 'utf8')).status : null;
  if (status !== 'complete') {
    console.log(`scanning ${manifest} -> ${scanDir} (${workers} worker${workers > 1 ? 's' : ''})`);
    const code = await run([
      AUDIT,
      'scan',
      manifest,
      '--out',
      scanDir,
      '--workers',
      String(workers),
      '--no-report',
      '-q',
    ]);
    if (code !== 0) throw new Error(`audit scan exited with ${code}`);
  }
  /** @type {Map<string, Record<string, any>>} */
  const rows = new Map();
  const text = await readFile(join(scanDir, 'clips.jsonl'), 'utf8');
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    const row = JSON.parse(line);
    for (const k of ['group', 'content', 'label'])
      if (row.input?.[k] === undefined)
        throw new Error(
          `${scanDir}/clips.jsonl line ${i + 1}: no ${k} column in the scanned manifest; scan the manifest.csv this script writes`,
        );
    rows.set(row.id, row);
  }
  return rows;
}

/**
 * A scan folder of the given clips only (their clips.jsonl rows, the summary, the series files linked), for
 * `audit adapt` to read.
 * @param {string} scanDir
 * @param {Map<string, Record<string, any>>} rows
 * @param {Clip[]} clips
 * @param {string} out
 */
async function subsetScan(scanDir, rows, clips, out) {
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const lines = clips.flatMap((c) => (rows.has(c.id) ? [JSON.stringify(rows.get(c.id))] : []));
  await writeFile(join(out, 'clips.jsonl'), `${lines.join('\n')}\n`);
  await writeFile(join(out, 'summary.json'), JSON.stringify({ status: 'complete' }));
  await symlink(resolve(scanDir, 'series'), join(out, 'series'));
  return lines.length;
}

/**
 * Every scanned clip's whole-clip prediction (the judged windows averaged, as `audit scan` judges a clip) by each
 * model, from tensors exported once from the scan.
 * @param {string} scanDir
 * @param {string} tensors
 * @param {Record<string, string>} models  name -> .onnx
 * @returns {Promise<Record<string, Map<string, { p_forward: number, verdict: string }>>>}
 */
async function predictAll(scanDir, tensors, models) {
  const { exportDataset, judgedRows } = await import('../dist/model/dataset.js');
  const { openNpyRows } = await import('../dist/model/npy.js');
  const { loadModel, predictClips } = await import('../dist/model/onnx.js');
  if (!existsSync(join(tensors, 'groups.json')))
    await exportDataset({
      scanOut: scanDir,
      out: tensors,
      windows: 8,
      labelOf: (row) => ({
        verdict: -1,
        family: 'real',
        group: String(row.input?.group),
        split: 'val',
        verdict_weight: 1,
      }),
    });
  /** @type {Array<{ id: string, judged?: boolean, window?: number }>} */
  const groups = JSON.parse(await readFile(join(tensors, 'groups.json'), 'utf8'));
  /** @type {Map<string, number[]>} */
  const byClip = new Map();
  for (const [i, g] of groups.entries()) byClip.set(g.id, [...(byClip.get(g.id) ?? []), i]);
  const X = openNpyRows(join(tensors, 'X.npy'));
  const M = openNpyRows(join(tensors, 'mask.npy'));
  const loaded = await Promise.all(Object.values(models).map((file) => loadModel(file, { device: 'cpu' })));
  /** @type {Record<string, Map<string, { p_forward: number, verdict: string }>>} */
  const out = Object.fromEntries(Object.keys(models).map((name) => [name, new Map()]));
  try {
    const ids = [...byClip.keys()];
    // 256 clips at a time: the corpus's tensors are never all in memory
    for (let at = 0; at < ids.length; at += 256) {
      const part = ids.slice(at, at + 256);
      const inputs = part.map((id) =>
        judgedRows(/** @type {number[]} */ (byClip.get(id)), groups).map((i) => ({ x: X.row(i), mask: M.row(i) })),
      );
      for (const [k, name] of Object.keys(models).entries()) {
        const preds = await predictClips(loaded[k], inputs);
        for (const [j, id] of part.entries())
          out[name].set(id, { p_forward: preds[j].p_forward, verdict: preds[j].verdict });
      }
    }
  } finally {
    X.close();
    M.close();
    for (const m of loaded) await m.session.release();
  }
  return out;
}

/**
 * The shipped default's prediction of every scanned clip: the base network's verdict with the shipped arrow head's
 * p_forward over the whole clip's series (model/heads.ts, as `audit scan` gives it beside the shipped model).
 * @param {string} scanDir
 * @param {Map<string, Record<string, any>>} rows
 * @param {Map<string, Pred>} base
 * @returns {Promise<Map<string, Pred>>}
 */
async function headPredictions(scanDir, rows, base) {
  const { headArrow, loadArrowHead, DEFAULT_ARROW_HEAD } = await import('../dist/model/arrow-head.js');
  const { readSeries } = await import('../dist/outputs/series-file.js');
  const head = await loadArrowHead(fileURLToPath(DEFAULT_ARROW_HEAD));
  /** @type {Map<string, Pred>} */
  const out = new Map();
  for (const [id, pred] of base) {
    const row = rows.get(id);
    if (row) out.set(id, { ...pred, p_forward: headArrow(head, await readSeries(scanDir, row)).p_forward });
  }
  return out;
}

/** @typedef {{ p_forward: number, verdict: string }} Pred */
/** @typedef {{ clip: Clip, base: Pred, head: Pred, adapted: Pred }} Scored */

/**
 * The 90 % interval of the adapted-minus-base (or minus-head) arrow accuracy, resampling source videos with replacement.
 * @param {Scored[]} scored
 * @param {number} reps
 * @param {() => number} draw
 * @param {'base' | 'head'} from
 */
function bootstrap(scored, reps, draw, from) {
  /** @type {Map<string, number[]>} */
  const byGroup = new Map();
  for (const s of scored) {
    const d = Number(s.adapted.p_forward > 0.5) - Number(s[from].p_forward > 0.5);
    byGroup.set(s.clip.group, [...(byGroup.get(s.clip.group) ?? []), d]);
  }
  const groups = [...byGroup.values()];
  /** @type {number[]} */
  const diffs = [];
  for (let r = 0; r < reps && groups.length > 0; r++) {
    let sum = 0;
    let n = 0;
    for (let k = 0; k < groups.length; k++) {
      const g = groups[Math.floor(draw() * groups.length)];
      for (const d of g) sum += d;
      n += g.length;
    }
    diffs.push(sum / n);
  }
  diffs.sort((a, b) => a - b);
  const at = (/** @type {number} */ q) => diffs[Math.min(diffs.length - 1, Math.floor(q * diffs.length))] ?? NaN;
  return [at(0.05), at(0.95)];
}

const pct = (/** @type {number} */ x) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}` : '-');
const signed = (/** @type {number} */ x) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}` : '-');

/**
 * One table row: clips, source videos, arrow accuracy of the base network, of the shipped default (the base network
 * with the shipped arrow head, what `audit scan` gives) and of the adapted model, the adapted model's difference from
 * each with its 90 % interval, the arrow on the clips weakly labelled irreversible (the ones with a knowable arrow: a
 * pendulum or a face talking plays as well backwards), and the verdict agreement with the weak labels of confidence
 * high or medium.
 * @param {string} name
 * @param {Scored[]} s
 * @param {number} reps
 * @param {(seed: number) => () => number} rng
 */
function domainRow(name, s, reps, rng) {
  const arrow = (/** @type {Scored[]} */ c, /** @type {'base' | 'head' | 'adapted'} */ m) =>
    c.filter((x) => x[m].p_forward > 0.5).length / c.length;
  const irreversible = s.filter((x) => x.clip.label === 'irreversible');
  const labelled = s.filter((x) => x.clip.verdict >= 0 && x.clip.confidence !== 'low');
  const agree = (/** @type {'base' | 'adapted'} */ m) =>
    labelled.filter((x) => x[m].verdict === x.clip.label).length / labelled.length;
  const [lo, hi] = bootstrap(s, reps, rng(1), 'base');
  const [hlo, hhi] = bootstrap(s, reps, rng(2), 'head');
  return [
    name,
    String(s.length),
    String(new Set(s.map((x) => x.clip.group)).size),
    pct(arrow(s, 'base')),
    pct(arrow(s, 'head')),
    pct(arrow(s, 'adapted')),
    signed(arrow(s, 'adapted') - arrow(s, 'base')),
    `[${signed(lo)}, ${signed(hi)}]`,
    signed(arrow(s, 'adapted') - arrow(s, 'head')),
    `[${signed(hlo)}, ${signed(hhi)}]`,
    String(irreversible.length),
    pct(arrow(irreversible, 'base')),
    pct(arrow(irreversible, 'head')),
    pct(arrow(irreversible, 'adapted')),
    pct(agree('base')),
    pct(agree('adapted')),
    String(labelled.length),
  ];
}

/**
 * The table: a row per domain, then the domains other than the adapted one pooled.
 * @param {string} title
 * @param {Scored[]} scored
 * @param {string[]} domains
 * @param {string} adaptedTo
 * @param {{ reps: number, rng: (seed: number) => () => number }} boot
 */
function domainTable(title, scored, domains, adaptedTo, boot) {
  const head = ['domain', 'clips', 'videos', 'arrow base', '+head', 'adapted', 'diff', '90 % interval'];
  head.push('vs +head', '90 % interval', 'irreversible', 'arrow base', '+head', 'adapted');
  head.push('verdict base', 'adapted', 'labelled');
  const rows = domains.map((d) =>
    domainRow(
      d,
      scored.filter((x) => x.clip.domain === d),
      boot.reps,
      boot.rng,
    ),
  );
  const others = scored.filter((x) => x.clip.domain !== adaptedTo);
  rows.push(domainRow(`all but ${adaptedTo}`, others, boot.reps, boot.rng));
  const w = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (/** @type {string[]} */ r) => r.map((c, k) => (k === 0 ? c.padEnd(w[k]) : c.padStart(w[k]))).join('  ');
  console.log(`\n${title}\n${line(head)}\n${rows.map(line).join('\n')}`);
}

/** @param {string[]} argv */
function options(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      corpus: { type: 'string', default: join(ROOT, '..', 'shared', 'data', 'real-corpus') },
      scan: { type: 'string' },
      work: { type: 'string', default: join(ROOT, '.train', 'adapt-domains') },
      domain: { type: 'string', default: 'people' },
      epochs: { type: 'string' },
      lr: { type: 'string' },
      anchor: { type: 'string' },
      'verdict-weight': { type: 'string' },
      seed: { type: 'string', default: '0' },
      holdout: { type: 'string', default: '0.2' },
      name: { type: 'string' },
      workers: { type: 'string', default: '1' },
      boot: { type: 'string', default: '2000' },
    },
  });
  const corpus = resolve(values.corpus);
  if (corpus.split(sep).includes('real-dev'))
    throw new Error(`${corpus} lies under real-dev/, which is evaluation-only`);
  const num = (/** @type {string | undefined} */ v, /** @type {string} */ flag) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!(Number.isFinite(n) && n >= 0)) throw new Error(`--${flag}: expected a number >= 0, got ${JSON.stringify(v)}`);
    return n;
  };
  const work = resolve(values.work);
  return {
    corpus,
    work,
    scan: resolve(values.scan ?? join(work, 'scan')),
    domain: values.domain,
    name: values.name ?? values.domain,
    epochs: num(values.epochs, 'epochs'),
    lr: num(values.lr, 'lr'),
    anchor: num(values.anchor, 'anchor'),
    verdictWeight: num(values['verdict-weight'], 'verdict-weight'),
    seed: num(values.seed, 'seed') ?? 0,
    holdout: num(values.holdout, 'holdout') ?? 0.2,
    workers: Math.max(1, Number(values.workers) || 1),
    boot: Math.max(1, Number(values.boot) || 2000),
  };
}

/**
 * Clips, source videos and repositories per domain and split.
 * @param {Clip[]} clips
 * @param {string[]} domains
 */
function printCounts(clips, domains) {
  console.log('domain     split  clips  videos  repositories');
  for (const domain of domains)
    for (const split of ['train', 'val']) {
      const c = clips.filter((x) => x.domain === domain && x.split === split);
      const n = (/** @type {(x: Clip) => string} */ key) => new Set(c.map(key)).size;
      console.log(
        `${domain.padEnd(10)} ${split.padEnd(5)} ${String(c.length).padStart(6)} ${String(n((x) => x.group)).padStart(7)} ${String(n((x) => x.repo)).padStart(13)}`,
      );
    }
}

/**
 * `audit adapt` (its library call, the CLI's code) on the target clips, with the settings asked for; prints the
 * equivalent command and adapt's own table. Resolves with the adapted model, or null when refused.
 * @param {ReturnType<typeof options>} o
 * @param {string} subset
 */
async function runAdapt(o, subset) {
  const { adapt, formatAdaptTable } = await import('../dist/adapt/index.js');
  const out = join(o.work, 'models', o.name);
  const flags = [
    ['epochs', o.epochs],
    ['lr', o.lr],
    ['anchor', o.anchor],
    ['verdict-weight', o.verdictWeight],
    ['holdout', o.holdout === 0.2 ? undefined : o.holdout],
  ].flatMap(([k, v]) => (v === undefined ? [] : [` --${k} ${v}`]));
  console.log(`\naudit adapt ${subset} --out ${out} --group-column group${flags.join('')} (seed ${o.seed})`);
  const r = await adapt({
    scans: [subset],
    out,
    groupColumn: 'group',
    epochs: o.epochs,
    lr: o.lr,
    anchor: o.anchor,
    verdictWeight: o.verdictWeight,
    seed: o.seed,
    holdout: o.holdout,
    threads: 1,
    quiet: true,
  });
  console.log(formatAdaptTable(r));
  console.log(`${r.status}: ${r.reason} (${r.seconds.toFixed(0)} s)`);
  return r.model;
}

/**
 * Scores base and adapted per domain and prints both tables; writes each clip's predictions to
 * <work>/predictions-<name>.jsonl.
 * @param {ReturnType<typeof options>} o
 * @param {Clip[]} scanned
 * @param {Set<string>} trainedOn  the source videos `audit adapt` trained on
 * @param {string} model
 * @param {Map<string, Record<string, any>>} rows  the scan's clip rows by id
 */
async function scoreDomains(o, scanned, trainedOn, model, rows) {
  const { rng } = await import('../dist/util/random.js');
  const domains = [...DOMAIN_RULES.map((r) => r.domain), 'other'];
  const preds = await predictAll(o.scan, join(o.work, 'tensors'), {
    base: join(ROOT, 'models', 'reversal-v1.onnx'),
    adapted: model,
  });
  const heads = await headPredictions(o.scan, rows, preds.base);
  /** @type {Scored[]} */
  const scored = scanned.flatMap((clip) => {
    const base = preds.base.get(clip.id);
    const adapted = preds.adapted.get(clip.id);
    const head = heads.get(clip.id);
    return base && adapted && head ? [{ clip, base, head, adapted }] : [];
  });
  const lines = scored.map(({ clip: c, base, head, adapted }) =>
    JSON.stringify({
      id: c.id,
      domain: c.domain,
      split: c.split,
      group: c.group,
      label: c.label,
      adapt_trained: trainedOn.has(c.group),
      base: base.p_forward,
      head: head.p_forward,
      adapted: adapted.p_forward,
    }),
  );
  await writeFile(join(o.work, `predictions-${o.name}.jsonl`), `${lines.join('\n')}\n`);
  domainTable(
    `Validation split (the base never trained on it), less the ${trainedOn.size} source videos audit adapt trained on:`,
    scored.filter((s) => s.clip.split === 'val' && !trainedOn.has(s.clip.group)),
    domains,
    o.domain,
    { reps: o.boot, rng },
  );
  domainTable(
    'Training split (the base trained on it, audit adapt did not): a forgetting check, biased against the adapted model:',
    scored.filter((s) => s.clip.split === 'train'),
    domains,
    o.domain,
    { reps: o.boot, rng },
  );
}

async function main() {
  const o = options(process.argv.slice(2));
  const { heldOut } = await import('../dist/adapt/index.js');
  const { isDegenerateDoubt } = await import('../dist/cues/degenerate.js');
  const clips = await readCorpus(o.corpus);
  const domains = [...DOMAIN_RULES.map((r) => r.domain), 'other'];
  if (!domains.includes(o.domain)) throw new Error(`--domain: expected one of ${domains.join(', ')}, got ${o.domain}`);
  printCounts(clips, domains);
  await mkdir(o.work, { recursive: true });
  const manifest = join(o.work, 'manifest.csv');
  await writeManifest(clips, manifest);
  const rows = await finishedScan(o.scan, manifest, o.workers);
  const scanned = clips.filter((c) => rows.has(c.id) && !isDegenerateDoubt(rows.get(c.id)?.doubt));
  // the base never trained on the validation split: the domain's clips there are what adapt trains and holds out on
  const target = scanned.filter((c) => c.domain === o.domain && c.split === 'val');
  const subset = join(o.work, `scan-${o.domain}`);
  await subsetScan(o.scan, rows, target, subset);
  const model = await runAdapt(o, subset);
  if (!model) return;
  // the groups adapt trained on: its own held-out rule (src/adapt heldOut)
  const trainedOn = new Set(target.filter((c) => !heldOut(c.group, o.holdout)).map((c) => c.group));
  await scoreDomains(o, scanned, trainedOn, model, rows);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) await main();
