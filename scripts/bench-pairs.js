// `npm run bench:pairs`: can the class-level analysis find time-reversal pairs from data alone (after Retro-Actions)?
// Renders forward clips of the synthetic equivariant families with their action labels (open/close, approach/recede,
// carry left/right, ...), scans them with the model and --label-column action (no taxonomy), and checks each class's
// nearest class (reversed clips of A closest to forward clips of B) against the true counterpart.
// Usage: npm run bench:pairs [-- --per-action 20 --seed 7 --out out/bench-pairs --json]
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { synthCorpus } from '../dist/synth/corpus/generate.js';
import { benchScan } from './lib/bench-scan.js';
import { readParquetRows } from '../dist/io/parquet-writer.js';

const { values } = parseArgs({
  options: {
    'per-action': { type: 'string', default: '20' },
    seed: { type: 'string', default: '7' },
    out: { type: 'string', default: 'out/bench-pairs' },
    json: { type: 'boolean', default: false },
  },
});
const perAction = Number(values['per-action']);
const work = resolve(values.out);
/** @type {(...a: unknown[]) => void} */
const log = values.json ? () => {} : (...a) => console.log(...a);

// The true counterparts: what each action becomes when played backwards.
/** @type {Record<string, string>} */
const COUNTERPART = {
  approach: 'recede',
  zoom_in: 'zoom_out',
  carry_left: 'carry_right',
  carry_up: 'carry_down',
  open: 'close',
  cover: 'uncover',
  stack: 'unstack',
};
for (const [a, b] of Object.entries(COUNTERPART)) COUNTERPART[b] = a;
const FAMILIES = ['carry', 'lid_door', 'cover_uncover', 'camera_zoom', 'approach_recede', 'stacking'];

// Each family draws its action at random per clip; carry has four actions, the others two.
const count = FAMILIES.length * Math.ceil(perAction * 4.5);
log(`rendering ${count} forward clips of ${FAMILIES.join(', ')} (seed ${values.seed}) ...`);
const corpus = join(work, 'corpus');
await synthCorpus({ out: corpus, count, seed: Number(values.seed), families: FAMILIES, reversedTwins: false });
/** @type {Record<string, number>} */
const taken = {};
/** @type {string[]} */
const rows = [];
for (const line of readFileSync(join(corpus, 'labels.jsonl'), 'utf8').split('\n')) {
  if (!line) continue;
  const d = JSON.parse(line);
  if (!d.action || (taken[d.action] ?? 0) >= perAction) continue;
  taken[d.action] = (taken[d.action] ?? 0) + 1;
  rows.push(`${d.id},${join(corpus, d.path)},${d.action}`);
}
const manifest = join(work, 'manifest.csv');
writeFileSync(manifest, `id,path,action\n${rows.join('\n')}\n`);
log(
  `scanning ${rows.length} clips (${Object.entries(taken)
    .map(([a, n]) => `${a} ${n}`)
    .join(', ')}) ...`,
);
await benchScan(
  { input: manifest, out: join(work, 'scan'), labelColumn: 'action', taxonomy: 'none', quiet: true, count: false },
  console.error,
);
// The model the scan ran, as its clip rows name it (summary.json does not): null when it ran none.
const firstClip = readFileSync(join(work, 'scan', 'clips.jsonl'), 'utf8').split('\n', 1)[0];

/** @typedef {{ label: string, nearest: string, score: number, self_score: number, mutual: boolean, correct: boolean }} ClassResult */
const result = {
  clips: rows.length,
  /** @type {string | null} */
  model: firstClip ? (JSON.parse(firstClip).model_version ?? null) : null,
  /** @type {ClassResult[]} */
  classes: [],
  nearest_correct: 0,
  mutual_pairs: 0,
  mutual_pairs_correct: 0,
  nearest_accuracy: 0,
  true_pairs: 0,
};
for await (const c of readParquetRows(join(work, 'scan', 'classes.parquet'))) {
  const label = String(c.label);
  const nearest = String(c.nearest_class ?? '');
  const mutual = c.pair_found === true || c.pair_found === 'true';
  const correct = nearest === COUNTERPART[label];
  result.classes.push({
    label,
    nearest,
    score: Number(c.nearest_score),
    self_score: Number(c.self_score),
    mutual,
    correct,
  });
  if (correct) result.nearest_correct++;
  if (mutual) {
    result.mutual_pairs++;
    if (correct) result.mutual_pairs_correct++;
  }
}
result.mutual_pairs /= 2;
result.mutual_pairs_correct /= 2;
result.nearest_accuracy = result.nearest_correct / result.classes.length;
result.true_pairs = Object.keys(COUNTERPART).length / 2;
if (values.json) console.log(JSON.stringify(result));
else {
  for (const c of result.classes)
    log(
      `${c.label.padEnd(12)} nearest ${c.nearest.padEnd(12)} ${c.score.toFixed(3)} (own class ${c.self_score.toFixed(3)})${c.mutual ? ' mutual' : ''}${c.correct ? '  correct' : ''}`,
    );
  log(
    `nearest class is the true counterpart for ${result.nearest_correct} of ${result.classes.length} classes; ${result.mutual_pairs} mutual pairs found, ${result.mutual_pairs_correct} correct, of ${result.true_pairs} true pairs`,
  );
}
