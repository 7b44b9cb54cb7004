// Scores ONNX models on exported training tensors (exportDataset folders) without scanning again: each clip is judged
// on its whole-clip windows averaged, as `audit scan` does, on the held-out clips of the split models/train.py makes
// (same hash of split seed and clip seed, same hold-out families). For comparing models on the same clips, for example
// the shipped model against an earlier one on the handheld corpus.
// Usage: node scripts/eval-tensors.js --data DIR --model A.onnx [--model B.onnx ...]
//          [--holdout-families throw_land,cover_uncover,spin] [--exclude-families LIST] [--split-seed 0]
//          [--holdout-seed-frac 0.15] [--split heldout|families|seeds|real|all] [--families LIST] [--json]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import { openNpyRows, readNpy } from '../dist/model/npy.js';
import { judgedRows } from '../dist/model/dataset.js';
import { loadModel, predictClips } from '../dist/model/onnx.js';
import { accuracy, classScores, confusionMatrix, macroF1 } from '../dist/model/metrics.js';

const USAGE =
  'node scripts/eval-tensors.js --data DIR --model A.onnx [--model B.onnx] [--holdout-families LIST] [--exclude-families LIST] [--split-seed N] [--holdout-seed-frac F] [--split heldout|families|seeds|real|all] [--families LIST] [--json]';
/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  process.stderr.write(`eval-tensors: ${message}\n`);
  process.exit(2);
}
/** The command line's options; a usage error (exit 2) when they do not parse. */
function readOptions() {
  try {
    return parseArgs({
      options: {
        data: { type: 'string' },
        model: { type: 'string', multiple: true },
        'holdout-families': { type: 'string', default: 'throw_land,cover_uncover,spin' },
        'exclude-families': { type: 'string', default: '' },
        'split-seed': { type: 'string', default: '0' },
        'holdout-seed-frac': { type: 'string', default: '0.15' },
        split: { type: 'string', default: 'heldout' },
        families: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    return fail(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  }
}
const values = readOptions();
if (!values.data || !values.model?.length) fail(`--data and --model are required\n${USAGE}`);
if (!['heldout', 'families', 'seeds', 'real', 'all'].includes(values.split))
  fail(`--split: expected heldout, families, seeds, real or all, got ${values.split}`);
/** @param {string | undefined} s */
const list = (s) =>
  new Set(
    (s ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

/**
 * A label file (int64 or float32 .npy) as plain numbers.
 * @param {string} path
 */
async function labels(path) {
  return Array.from((await readNpy(path)).data, Number);
}

/**
 * One row of groups.json (exportDataset): the clip a tensor row comes from. Real corpus rows carry a fixed `split`;
 * clips judged on several windows carry the row's `window`.
 * @typedef {{ id: string, path: string | null, family: string, seed: number, split?: 'train' | 'val', window?: number }} Group
 */
/** @type {Group[]} */
const groups = JSON.parse(readFileSync(join(values.data, 'groups.json'), 'utf8'));
const X = openNpyRows(join(values.data, 'X.npy'));
const M = openNpyRows(join(values.data, 'mask.npy'));
const yv = await labels(join(values.data, 'y_verdict.npy'));
const yf = await labels(join(values.data, 'y_forward.npy'));

// The split of models/train.py: a clip's seed is held out when crc32("<split seed>:<clip seed>") % 10000 < frac * 10000.
const held = list(values['holdout-families']);
const excluded = list(values['exclude-families']);
const only = values.families ? list(values.families) : null;
const frac = Number(values['holdout-seed-frac']) * 10000;
// Real corpus rows (a `split` in groups.json) keep their fixed split instead: `--split real` takes their validation rows.
/** @param {Group} g */
const seedHeld = (g) => zlib.crc32(`${values['split-seed']}:${g.seed}`) % 10000 < frac;
/** @param {Group} g */
const take = (g) => {
  if (excluded.has(g.family) || (only && !only.has(g.family))) return false;
  if (g.split !== undefined) return values.split === 'all' || (g.split === 'val' && values.split === 'real');
  const fam = held.has(g.family);
  return { heldout: fam || seedHeld(g), families: fam, seeds: !fam && seedHeld(g), real: false, all: true }[
    values.split
  ];
};
/** @type {Map<string, number[]>} */
const clips = new Map();
groups.forEach((g, i) => {
  if (yv[i] < 0 || !take(g)) return;
  let rows = clips.get(g.id);
  if (!rows) {
    rows = [];
    clips.set(g.id, rows);
  }
  rows.push(i);
});
if (clips.size === 0) fail(`no labelled clips of ${values.data} in split ${values.split}`);
const ids = [...clips.keys()];
const rowsOf = [...clips.values()]; // the tensor rows of each of ids
const inputs = rowsOf.map((all) => judgedRows(all, groups).map((i) => ({ x: X.row(i), mask: M.row(i) })));
const truth = rowsOf.map((all) => yv[all[0]]);
const forward = rowsOf.map((all) => yf[all[0]]);

const VERDICTS = ['invariant', 'equivariant', 'irreversible'];
const results = [];
for (const path of values.model) {
  const model = await loadModel(path, { device: 'cpu' });
  const preds = await predictClips(model, inputs);
  const m = confusionMatrix(
    truth,
    preds.map((p) => VERDICTS.indexOf(p.verdict)),
    3,
  );
  const irr = preds.map((p, k) => /** @type {const} */ ([p, k])).filter(([, k]) => truth[k] === 2 && forward[k] >= 0);
  results.push({
    model: path,
    version: model.card?.version ?? null,
    clips: preds.length,
    macro_f1: macroF1(classScores(m)),
    accuracy: accuracy(m),
    arrow_accuracy_irreversible: irr.length
      ? irr.filter(([p, k]) => p.p_forward > 0.5 === (forward[k] === 1)).length / irr.length
      : null,
    irreversible_called_invariant: m[2][0],
    confusion: m,
  });
}
if (values.json) console.log(JSON.stringify({ data: values.data, split: values.split, clips: ids.length, results }));
else {
  console.log(`${values.data}: ${ids.length} clips (${values.split}; whole clips)`);
  for (const r of results)
    console.log(
      `${r.model} ${r.version ?? ''}: macro-F1 ${r.macro_f1.toFixed(3)}, accuracy ${r.accuracy.toFixed(3)}, arrow on irreversible ${r.arrow_accuracy_irreversible?.toFixed(3) ?? '-'}, irreversible called invariant ${r.irreversible_called_invariant}, confusion ${JSON.stringify(r.confusion)}`,
    );
}
