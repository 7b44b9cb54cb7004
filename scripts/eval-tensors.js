// Scores ONNX models on exported training tensors (exportDataset folders) without scanning again: each clip is judged
// on its whole-clip windows averaged, as `audit scan` does, on the held-out clips of the split models/train.py makes
// (same hash of split seed and clip seed, same hold-out families). For comparing models on the same clips, for example
// the shipped model against an earlier one on the handheld corpus.
// Usage: node scripts/eval-tensors.js --data DIR --model A.onnx [--model B.onnx ...]
//          [--holdout-families throw_land,cover_uncover,spin] [--exclude-families LIST] [--split-seed 0]
//          [--holdout-seed-frac 0.15] [--split heldout|families|seeds|real|all] [--families LIST] [--json]
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import { loadModel, predictClips } from '../dist/model/onnx.js';
import { accuracy, classScores, confusionMatrix, macroF1 } from '../dist/model/metrics.js';

const USAGE = 'node scripts/eval-tensors.js --data DIR --model A.onnx [--model B.onnx] [--holdout-families LIST] [--exclude-families LIST] [--split-seed N] [--holdout-seed-frac F] [--split heldout|families|seeds|real|all] [--families LIST] [--json]';
let values;
try {
  ({ values } = parseArgs({
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
  }));
} catch (err) {
  fail(`${err.message}\n${USAGE}`);
}
function fail(message) {
  process.stderr.write(`eval-tensors: ${message}\n`);
  process.exit(2);
}
if (!values.data || !values.model?.length) fail(`--data and --model are required\n${USAGE}`);
if (!['heldout', 'families', 'seeds', 'real', 'all'].includes(values.split)) fail(`--split: expected heldout, families, seeds, real or all, got ${values.split}`);
const list = (s) => new Set((s ?? '').split(',').map((x) => x.trim()).filter(Boolean));

/** A .npy file's dtype, shape and data offset; rows are read on demand. */
function npy(path) {
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(65536);
  readSync(fd, head, 0, head.length, 0);
  if (head.toString('latin1', 1, 6) !== 'NUMPY') fail(`${path}: not a .npy file`);
  const major = head[6];
  const len = major === 1 ? head.readUInt16LE(8) : head.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const text = head.toString('latin1', start, start + len);
  const shape = text.match(/'shape': \(([^)]*)\)/)[1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const descr = text.match(/'descr': '([^']+)'/)[1];
  return { fd, offset: start + len, shape, descr };
}
function rows(a, i, n) {
  const bytes = Buffer.alloc(n * 4);
  readSync(a.fd, bytes, 0, bytes.length, a.offset + i * n * 4);
  return new Float32Array(bytes.buffer, bytes.byteOffset, n);
}
function labels(path) {
  const a = npy(path);
  const size = a.descr.endsWith('8') ? 8 : 4;
  const bytes = Buffer.alloc(a.shape[0] * size);
  readSync(a.fd, bytes, 0, bytes.length, a.offset);
  closeSync(a.fd);
  return Array.from({ length: a.shape[0] }, (_, i) => (size === 8 ? Number(bytes.readBigInt64LE(i * 8)) : a.descr.includes('f') ? bytes.readFloatLE(i * 4) : bytes.readInt32LE(i * 4)));
}

const groups = JSON.parse(readFileSync(join(values.data, 'groups.json'), 'utf8'));
const X = npy(join(values.data, 'X.npy'));
const M = npy(join(values.data, 'mask.npy'));
const yv = labels(join(values.data, 'y_verdict.npy'));
const yf = labels(join(values.data, 'y_forward.npy'));
const [, T, F] = X.shape;

// The split of models/train.py: a clip's seed is held out when crc32("<split seed>:<clip seed>") % 10000 < frac * 10000.
const held = list(values['holdout-families']);
const excluded = list(values['exclude-families']);
const only = values.families ? list(values.families) : null;
const frac = Number(values['holdout-seed-frac']) * 10000;
// Real corpus rows (a `split` in groups.json) keep their fixed split instead: `--split real` takes their validation rows.
const seedHeld = (g) => zlib.crc32(`${values['split-seed']}:${g.seed}`) % 10000 < frac;
const take = (g) => {
  if (excluded.has(g.family) || (only && !only.has(g.family))) return false;
  if (g.split !== undefined) return values.split === 'all' || (g.split === 'val' && values.split === 'real');
  const fam = held.has(g.family);
  return { heldout: fam || seedHeld(g), families: fam, seeds: !fam && seedHeld(g), real: false, all: true }[values.split];
};
const clips = new Map();
groups.forEach((g, i) => {
  if (yv[i] < 0 || !take(g)) return;
  if (!clips.has(g.id)) clips.set(g.id, []);
  clips.get(g.id).push(i);
});
if (clips.size === 0) fail(`no labelled clips of ${values.data} in split ${values.split}`);
const ids = [...clips.keys()];
const inputs = ids.map((id) => {
  const all = clips.get(id);
  const windows = all.filter((i) => (groups[i].window ?? 0) >= 1);
  return (windows.length ? windows : all).map((i) => ({ x: rows(X, i, T * F), mask: rows(M, i, T) }));
});
const truth = ids.map((id) => yv[clips.get(id)[0]]);
const forward = ids.map((id) => yf[clips.get(id)[0]]);

const VERDICTS = ['invariant', 'equivariant', 'irreversible'];
const results = [];
for (const path of values.model) {
  const model = await loadModel(path, { device: 'cpu' });
  const preds = await predictClips(model, inputs);
  const m = confusionMatrix(truth, preds.map((p) => VERDICTS.indexOf(p.verdict)), 3);
  const irr = preds.map((p, k) => [p, k]).filter(([, k]) => truth[k] === 2 && forward[k] >= 0);
  results.push({
    model: path,
    version: model.card?.version ?? null,
    clips: preds.length,
    macro_f1: macroF1(classScores(m)),
    accuracy: accuracy(m),
    arrow_accuracy_irreversible: irr.length ? irr.filter(([p, k]) => (p.p_forward > 0.5) === (forward[k] === 1)).length / irr.length : null,
    irreversible_called_invariant: m[2][0],
    confusion: m,
  });
}
if (values.json) console.log(JSON.stringify({ data: values.data, split: values.split, clips: ids.length, results }));
else {
  console.log(`${values.data}: ${ids.length} clips (${values.split}; whole clips)`);
  for (const r of results) console.log(`${r.model} ${r.version ?? ''}: macro-F1 ${r.macro_f1.toFixed(3)}, accuracy ${r.accuracy.toFixed(3)}, arrow on irreversible ${r.arrow_accuracy_irreversible?.toFixed(3) ?? '-'}, irreversible called invariant ${r.irreversible_called_invariant}, confusion ${JSON.stringify(r.confusion)}`);
}
