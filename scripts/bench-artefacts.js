// `npm run bench:artefacts`: how well `audit physics` finds reversal artefacts, on real footage and planted renders.
// Usage: npm run bench:artefacts [-- --json --per-scene 20 --seed 1 --model PATH|none --arrow-head PATH|none --workers N
//   --out DIR --verbose]
//
// Real: every clip of ../shared/data/real-dev played forwards (no artefact) and backwards with the scan's
// --reverse (an artefact exactly when its label is irreversible). real-dev is evaluation data: nothing here
// tunes anything on it; the thresholds were set on the planted renders and unlabelled real clips.
// Synthetic: src/physics/planted.ts renders balls rolling up ramps while speeding up, leaving the floor from
// rest, slowing in mid-air, and their correct twins.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchScan } from './lib/bench-scan.js';
import { judgeClip, readScanRows, renderPlanted, rowModel, rowSignals } from '../dist/physics/index.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    'per-scene': { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    model: { type: 'string' },
    'arrow-head': { type: 'string' },
    workers: { type: 'string', default: String(availableParallelism()) },
    out: { type: 'string', default: 'out/bench-artefacts' },
    data: { type: 'string', default: process.env.REVERSAL_AUDIT_SHARED_DATA ?? '../shared/data' },
    verbose: { type: 'boolean', default: false },
  },
});
/** @typedef {import('../dist/physics/index.js').ClipJudgment} ClipJudgment */
/**
 * One judged clip for the verbose listing: a real-dev clip (direction, label) or a planted render (scene).
 * @typedef {{ id: string, artefact: number, score: number, found: boolean, top: ClipJudgment, direction?: string, label?: string, scene?: string }} Item
 */
/** @typedef {Item & { scene: string }} PlantedItem */

/** @type {(...a: unknown[]) => void} */
const log = values.json ? () => {} : (...a) => console.error(...a);
const work = resolve(values.out);
const workers = Number(values.workers);
const realDev = resolve(values.data, 'real-dev');
if (!existsSync(join(realDev, 'labels.csv'))) {
  console.error(
    `bench:artefacts needs ${join(realDev, 'labels.csv')} (set --data or REVERSAL_AUDIT_SHARED_DATA to the shared data folder)`,
  );
  process.exit(1);
}

/**
 * Scans `input` into work/<name> (resumes) and judges every clip with no caption; returns id -> judgment.
 * @param {string} name
 * @param {string} input
 * @param {Partial<import('../dist/index.js').ScanOptionsInput>} [extra]
 */
async function judged(name, input, extra = {}) {
  const out = join(work, name);
  const arrowHead = values['arrow-head'] ? { arrowHead: values['arrow-head'] } : {};
  await benchScan({ input, out, model: values.model, ...arrowHead, workers, quiet: true, count: false, ...extra }, log);
  const { clips, errors } = await readScanRows(out);
  /** @type {Map<string, { row: Record<string, unknown>, judgment: ClipJudgment }>} */
  const res = new Map();
  for (const [id, row] of clips) {
    const signals = await rowSignals(out, row);
    res.set(id, { row, judgment: judgeClip({ signals, caption: null, model: rowModel(row), modelNote: 'no model' }) });
  }
  return { res, errors: errors.size };
}

/**
 * Area under the ROC curve of `scores` for `labels` (1 positive); ties count half.
 * @param {number[]} scores
 * @param {number[]} labels
 */
function auc(scores, labels) {
  const pos = scores.filter((_, i) => labels[i] === 1);
  const neg = scores.filter((_, i) => labels[i] === 0);
  if (!pos.length || !neg.length) return null;
  let s = 0;
  for (const p of pos) for (const n of neg) s += p > n ? 1 : p === n ? 0.5 : 0;
  return s / (pos.length * neg.length);
}
/** @param {number[]} xs */
const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
/** @param {number | null} x */
const r4 = (x) => (x === null ? null : Math.round(x * 1e4) / 1e4);

const t0 = performance.now();
log(`real-dev: scanning forwards and backwards into ${work} ...`);
const labels = join(realDev, 'labels.csv');
const fwd = await judged('real-fwd', labels, { pathColumn: 'file' });
const rev = await judged('real-rev', labels, { pathColumn: 'file', reverse: true });
const labelOf = new Map(
  [...fwd.res].map(([id, { row }]) => [id, /** @type {{ label?: string } | undefined} */ (row.input)?.label]),
);

/** @type {Item[]} */
const realItems = [];
for (const [id, { judgment }] of fwd.res)
  realItems.push({
    id,
    direction: 'forward',
    label: labelOf.get(id),
    artefact: 0,
    score: judgment.artefact_score,
    found: judgment.artefact,
    top: judgment,
  });
for (const [id, { judgment }] of rev.res)
  realItems.push({
    id,
    direction: 'backward',
    label: labelOf.get(id),
    artefact: labelOf.get(id) === 'irreversible' ? 1 : 0,
    score: judgment.artefact_score,
    found: judgment.artefact,
    top: judgment,
  });

log(`planted renders: ${values['per-scene']} per violation, as many correct twins per setting ...`);
const planted = await renderPlanted({
  out: join(work, 'planted'),
  perScene: Number(values['per-scene']),
  seed: Number(values.seed),
});
const pj = await judged('planted-scan', join(work, 'planted', 'manifest.jsonl'));
/** @type {PlantedItem[]} */
const plantedItems = planted.flatMap((c) => {
  const judgment = pj.res.get(c.id)?.judgment;
  return judgment
    ? [
        {
          id: c.id,
          scene: c.scene,
          artefact: c.violation ? 1 : 0,
          score: judgment.artefact_score,
          found: judgment.artefact,
          top: judgment,
        },
      ]
    : [];
});

const forward = realItems.filter((x) => x.direction === 'forward');
const positives = realItems.filter((x) => x.artefact === 1);
const violations = plantedItems.filter((x) => x.artefact === 1);
const twins = plantedItems.filter((x) => x.artefact === 0);
/** @type {Record<string, number[]>} */
const scenes = {};
for (const x of plantedItems) {
  scenes[x.scene] ??= [];
  scenes[x.scene].push(x.found ? 1 : 0);
}
const result = {
  model: values.model ?? (existsSync(resolve('models/reversal-v1.onnx')) ? 'models/reversal-v1.onnx' : 'none'),
  arrow_head: values['arrow-head'] ?? 'models/reversal-arrow-v1.json',
  real_clips: forward.length,
  real_auc: r4(
    auc(
      realItems.map((x) => x.score),
      realItems.map((x) => x.artefact),
    ),
  ),
  real_accuracy: r4(mean(realItems.map((x) => ((x.found ? 1 : 0) === x.artefact ? 1 : 0)))),
  real_false_artefact_rate: r4(mean(forward.map((x) => (x.found ? 1 : 0)))),
  real_recall: r4(mean(positives.map((x) => (x.found ? 1 : 0)))),
  real_errors: fwd.errors + rev.errors,
  synthetic_clips: plantedItems.length,
  synthetic_auc: r4(
    auc(
      plantedItems.map((x) => x.score),
      plantedItems.map((x) => x.artefact),
    ),
  ),
  synthetic_recall: r4(mean(violations.map((x) => (x.found ? 1 : 0)))),
  synthetic_false_alarm_rate: r4(mean(twins.map((x) => (x.found ? 1 : 0)))),
  synthetic_by_scene: Object.fromEntries(Object.entries(scenes).map(([k, v]) => [k, r4(mean(v))])),
  synthetic_errors: pj.errors,
  wall_s: Math.round((performance.now() - t0) / 100) / 10,
};

if (values.json) {
  console.log(JSON.stringify(result));
} else {
  /** @param {number | null} x */
  const pct = (x) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);
  console.log(`model for the time-direction check: ${result.model}`);
  console.log(`real-dev (${result.real_clips} clips, forwards and reversed; artefact = reversed irreversible clip):`);
  console.log(
    `  AUC ${result.real_auc?.toFixed(3) ?? '–'}   accuracy ${pct(result.real_accuracy)}   false-artefact rate on forward clips ${pct(result.real_false_artefact_rate)}   reversed irreversible found ${pct(result.real_recall)}`,
  );
  console.log(`planted renders (${result.synthetic_clips} clips):`);
  console.log(
    `  AUC ${result.synthetic_auc?.toFixed(3) ?? '–'}   violations found ${pct(result.synthetic_recall)}   false alarms on correct twins ${pct(result.synthetic_false_alarm_rate)}`,
  );
  for (const [k, v] of Object.entries(result.synthetic_by_scene)) console.log(`    ${k.padEnd(24)} flagged ${pct(v)}`);
  console.log(`(${result.wall_s} s; scans kept in ${work} and resumed next time)`);
}
if (values.verbose) {
  /** @param {Item} x */
  const line = (x) => {
    const top = x.top.checks
      .flatMap((c) => c.findings.map((f) => ({ c: c.check, ...f })))
      .sort((a, b) => b.strength - a.strength)[0];
    return `${String(x.artefact).padEnd(2)}${(x.found ? 'FOUND' : '-').padEnd(6)}${x.score.toFixed(3)}  ${(x.direction ?? x.scene ?? '').padEnd(22)} ${(x.label ?? '').padEnd(13)} ${x.id.padEnd(40)} ${top ? `${top.c}/${top.kind} ${top.strength}` : ''}`;
  };
  console.error([...realItems, ...plantedItems].map(line).join('\n'));
}
