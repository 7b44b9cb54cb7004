// Fits a model's reference of its training footage (src/model/domain.ts) from exported training tensors and writes it
// into the model card under `domain`, so `audit scan` can say which clips are unlike anything the model learned from.
//
// The split is models/train.py's: the reference's mean and covariance come from the training rows; its calibration
// from clips the model never trained on and that are drawn like the training footage: the held-out seeds of the
// synthetic families and of the unlabelled real clips, and the real corpus's validation split (other source
// repositories). The held-out synthetic families are left out of both (they are new kinds of scene by design).
// Every clip is judged as `audit scan` judges it: its whole-clip windows, embeddings averaged; reversed twins
// (`*_rev`) are skipped (the embedding is the same both ways).
//
// Usage: node scripts/domain-reference.js --model M.onnx --data DIR [--data DIR ...] [--write]
//          [--holdout-families LIST] [--split-seed 0] [--holdout-seed-frac 0.15] [--shrinkage 0.05] [--json]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import { fitDomainReference, IN_DOMAIN_THRESHOLD, inDomain } from '../dist/model/domain.js';
import { openNpyRows } from '../dist/model/npy.js';
import { loadModel, predictClips } from '../dist/model/onnx.js';

const USAGE =
  'node scripts/domain-reference.js --model M.onnx --data DIR [--data DIR ...] [--write] [--holdout-families LIST] [--split-seed N] [--holdout-seed-frac F] [--shrinkage A] [--json]';
/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  process.stderr.write(`domain-reference: ${message}\n`);
  process.exit(2);
}
/** The command line's options; a usage error (exit 2) when they do not parse. */
function readOptions() {
  try {
    return parseArgs({
      options: {
        model: { type: 'string' },
        data: { type: 'string', multiple: true },
        write: { type: 'boolean', default: false },
        'holdout-families': { type: 'string', default: 'throw_land,cover_uncover,spin' },
        'split-seed': { type: 'string', default: '0' },
        'holdout-seed-frac': { type: 'string', default: '0.15' },
        shrinkage: { type: 'string', default: '0.05' },
        json: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    return fail(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  }
}
const values = readOptions();
if (!values.model || !values.data?.length) fail(`--model and --data are required\n${USAGE}`);

const held = new Set(
  values['holdout-families']
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const frac = Number(values['holdout-seed-frac']) * 10000;
/**
 * One row of groups.json (exportDataset): the clip a tensor row comes from. Real corpus rows carry a fixed `split`;
 * clips judged on several windows carry the row's `window`.
 * @typedef {{ id: string, path: string | null, family: string, seed: number, split?: 'train' | 'val', window?: number }} Group
 */
/** @typedef {'fit' | 'calibration'} Role */
/** @param {Group} g */
const seedHeld = (g) => zlib.crc32(`${values['split-seed']}:${g.seed}`) % 10000 < frac;
/**
 * 'fit', 'calibration' or null (left out), as models/train.py splits rows.
 * @param {Group} g
 * @returns {Role | null}
 */
const role = (g) => {
  if (g.split !== undefined) return g.split === 'val' ? 'calibration' : 'fit';
  if (held.has(g.family)) return null;
  return seedHeld(g) ? 'calibration' : 'fit';
};

const model = await loadModel(values.model, { device: 'cpu' });
/** @typedef {{ dir: string, embedding: Float32Array }} Embedded */
/** @type {Embedded[]} */
const fit = [];
/** @type {Embedded[]} */
const calibration = [];
const perFolder = [];
for (const dir of values.data) {
  /** @type {Group[]} */
  const groups = JSON.parse(readFileSync(join(dir, 'groups.json'), 'utf8'));
  const X = openNpyRows(join(dir, 'X.npy'));
  const M = openNpyRows(join(dir, 'mask.npy'));
  const [, T, F] = X.shape;
  if (T !== model.T || F !== model.F)
    fail(`${dir}: tensors of T ${T}, F ${F}; the model takes T ${model.T}, F ${model.F}`);
  /** @type {Map<string, { role: Role, rows: number[] }>} */
  const clips = new Map();
  groups.forEach((g, i) => {
    if (String(g.id).endsWith('_rev')) return;
    const r = role(g);
    if (r === null) return;
    let clip = clips.get(g.id);
    if (!clip) {
      clip = { role: r, rows: [] };
      clips.set(g.id, clip);
    }
    clip.rows.push(i);
  });
  const chosen = [...clips.values()];
  const inputs = chosen.map(({ rows: all }) => {
    const windows = all.filter((i) => (groups[i].window ?? 0) >= 1);
    return (windows.length ? windows : all).map((i) => ({ x: X.row(i), mask: M.row(i) }));
  });
  const preds = await predictClips({ ...model, domain: null }, inputs);
  X.close();
  M.close();
  const counts = { fit: 0, calibration: 0 };
  chosen.forEach(({ role: r }, k) => {
    (r === 'fit' ? fit : calibration).push({ dir, embedding: preds[k].embedding });
    counts[r]++;
  });
  perFolder.push({ data: dir, ...counts });
  process.stderr.write(`domain-reference: ${dir}: ${counts.fit} clips to fit, ${counts.calibration} held out\n`);
}

const ref = fitDomainReference(
  fit.map((c) => c.embedding),
  calibration.map((c) => c.embedding),
  { shrinkage: Number(values.shrinkage) },
);
/** @param {number} x */
const round = (x) => Number(x.toPrecision(7));
const stored = {
  ...ref,
  mean: ref.mean.map(round),
  cholesky: ref.cholesky.map(round),
  calibration: ref.calibration.map(round),
};
// Flagged share per folder of the held-out clips (about the threshold by construction) and of the fitted ones.
/**
 * @param {Embedded[]} list
 * @param {string} dir
 */
const share = (list, dir) => {
  const mine = list.filter((c) => c.dir === dir);
  // inDomain is null only without a reference
  return mine.length
    ? mine.filter((c) => /** @type {number} */ (inDomain(stored, c.embedding)) < IN_DOMAIN_THRESHOLD).length /
        mine.length
    : null;
};
const summary = perFolder.map((f) => ({
  ...f,
  flagged_fit: share(fit, f.data),
  flagged_calibration: share(calibration, f.data),
}));
if (values.write) {
  const cardPath = values.model.replace(/\.onnx$/, '.card.json');
  const card = JSON.parse(readFileSync(cardPath, 'utf8'));
  // the card's own layout (one field a line), with the reference's long arrays on one line each
  const text = JSON.stringify({ ...card, domain: '__DOMAIN__' }, null, 1).replace(
    '"__DOMAIN__"',
    JSON.stringify(stored),
  );
  writeFileSync(cardPath, `${text}\n`);
  process.stderr.write(`domain-reference: wrote the reference into ${cardPath}\n`);
}
if (values.json)
  console.log(
    JSON.stringify({
      model: values.model,
      fit_clips: ref.fit_clips,
      calibration_clips: ref.calibration_clips,
      threshold: ref.threshold,
      folders: summary,
    }),
  );
else {
  console.log(
    `${values.model}: reference fitted on ${ref.fit_clips} clips, calibrated on ${ref.calibration_clips} held-out clips; out of domain below in_domain ${ref.threshold}`,
  );
  for (const f of summary)
    console.log(
      `  ${f.data}: ${f.fit} fitted (${((f.flagged_fit ?? 0) * 100).toFixed(1)} % flagged), ${f.calibration} held out (${((f.flagged_calibration ?? 0) * 100).toFixed(1)} % flagged)`,
    );
}
