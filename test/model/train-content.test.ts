// The content and arrow heads' chains on a small real-corpus-shaped folder: scripts/train-content.js (scan --content,
// series statistics) -> models/train_content.py, and scripts/train-arrow.js (asymmetry statistics both ways) ->
// models/train_arrow.py, each giving a head file this tool loads, whose trees give scikit-learn's values. Skipped,
// saying so, without /usr/bin/python3 + numpy + scikit-learn.

import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DETECTOR_ID } from '../../src/content/detector.js';
import { arrowScore, loadArrowHead } from '../../src/model/arrow-head.js';
import { headProbabilities, headVerdict, loadContentHead, mixVerdict } from '../../src/model/content-head.js';
import { isRealValidation } from '../../src/model/real-corpus.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const py = process.env.REVERSAL_AUDIT_PYTHON ?? '/usr/bin/python3';
const hasSklearn = spawnSync(py, ['-c', 'import numpy, sklearn'], { encoding: 'utf8' }).status === 0;
if (!hasSklearn) console.warn(`train-content chain skipped: ${py} cannot import numpy and sklearn`);

const SAMPLES = ['swing', 'drop', 'slide', 'spread', 'zoom', 'pan'];
const LABELS = ['invariant', 'equivariant', 'irreversible'];

/**
 * Repositories named so that 2 fall in the fixed validation split, one in each half of the cross-fit
 * (train_content.py: crc32(repository) % 2), and 6 in training.
 */
function repositories(): string[] {
  const val: string[] = [];
  const train: string[] = [];
  for (let k = 0; val.length < 2 || train.length < 6; k++) {
    const repo = `test-owner/repo-${k}`;
    if (!isRealValidation(repo)) {
      if (train.length < 6) train.push(repo);
    } else if (val.length < 2 && !val.some((v) => crc32(v) % 2 === crc32(repo) % 2)) val.push(repo);
  }
  return [...val, ...train];
}

/** A real-corpus folder: 8 repositories x 3 clips (one per verdict), each clip a copy of a sample, its own source video. */
async function corpus(dir: string): Promise<void> {
  await mkdir(join(dir, 'clips'), { recursive: true });
  const index = ['file,group,source,license'];
  const labels = ['file,label,confidence'];
  let n = 0;
  for (const repo of repositories()) {
    for (const label of LABELS) {
      const file = `c${n}.mp4`;
      await copyFile(join(ROOT, 'samples', `${SAMPLES[n % SAMPLES.length]}.mp4`), join(dir, 'clips', file));
      index.push(`${file},g${n},github ${repo} @ abc : v${n}.mp4,CC-BY-4.0`);
      labels.push(`${file},${label},high`);
      n++;
    }
  }
  await writeFile(join(dir, 'index.csv'), `${index.join('\n')}\n`);
  await writeFile(join(dir, 'labels.csv'), `${labels.join('\n')}\n`);
}

describe.skipIf(!hasSklearn)('npm run train:content chain', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('trains a head that loads, matches scikit-learn on its parity rows, and records its data', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ra-train-content-'));
    await corpus(join(dir, 'corpus'));
    const args = [join(ROOT, 'scripts', 'train-content.js'), '--real-corpus', join(dir, 'corpus')];
    args.push('--work-dir', join(dir, 'work'), '--out-dir', join(dir, 'out'), '--name', 'h', '--workers', '2');
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: ROOT });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const head = await loadContentHead(join(dir, 'out', 'h.json'), DETECTOR_ID);
    const parity = JSON.parse(await readFile(join(dir, 'out', 'h.parity.json'), 'utf8'));
    expect(parity.rows.length).toBeGreaterThan(0);
    for (const row of parity.rows as { x: number[]; head: number[]; network: number[]; mixed: number[] }[]) {
      const own = headProbabilities(head, row.x);
      own.forEach((p, k) => {
        expect(p).toBeCloseTo(row.head[k], 5);
      });
      mixVerdict(head, row.network, headVerdict(head, own)).forEach((p, k) => {
        expect(p).toBeCloseTo(row.mixed[k], 5);
      });
    }
    const card = JSON.parse(await readFile(join(dir, 'out', 'h.card.json'), 'utf8'));
    expect(card.training.clips).toBe(24);
    expect(card.training.labelled_training_clips).toBe(18);
    expect(card.training.licences).toEqual({ 'CC-BY-4.0': 24 });
    expect(card.metrics.real_val_high_medium.averaged.n).toBe(6);
    expect(card.metrics.real_val_crossfitted.averaged.n).toBe(6);
    expect(card.training.command).toMatch(/^npm run train:content/);
    expect(card.training.network.sha256).toMatch(/^[0-9a-f]{64}$/);
  }, 240_000);

  it('train:arrow reuses that scan and trains an arrow head that loads and matches scikit-learn', async () => {
    const [folder] = (await readdir(join(dir, 'work'))).filter((f) => f.startsWith('real-content-'));
    const args = [join(ROOT, 'scripts', 'train-arrow.js'), '--real-corpus', join(dir, 'corpus')];
    args.push('--scan', join(dir, 'work', folder), '--work-dir', join(dir, 'work'), '--out-dir', join(dir, 'out'));
    args.push('--name', 'a');
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: ROOT });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const head = await loadArrowHead(join(dir, 'out', 'a.json'));
    const parity = JSON.parse(await readFile(join(dir, 'out', 'a.parity.json'), 'utf8'));
    expect(parity.rows.length).toBe(6);
    for (const row of parity.rows as {
      forward: number[];
      mirrored: number[];
      score_forward: number;
      score_mirrored: number;
    }[]) {
      expect(arrowScore(head, row.forward)).toBeCloseTo(row.score_forward, 5);
      expect(arrowScore(head, row.mirrored)).toBeCloseTo(row.score_mirrored, 5);
    }
    const card = JSON.parse(await readFile(join(dir, 'out', 'a.card.json'), 'utf8'));
    expect(card.training).toMatchObject({ clips: 24, training_clips: 18, validation_clips: 6 });
    expect(card.metrics.real_val.n).toBe(6);
    expect(card.metrics.real_val.n_irreversible).toBe(2);
    expect(card.metrics.real_val_judged.network.n).toBe(6);
    expect(card.metrics.train_group_cv.n).toBe(18);
    expect(card.training.command).toMatch(/^npm run train:arrow/);
    // The network's own arrow it is compared with is the one `audit scan --arrow-head none` gives each clip (the
    // reused scan's p_forward is the shipped arrow head's), computed from the series, so a scan without a model (stage
    // 8 of npm run train) does as well.
    const own = join(dir, 'own-arrow');
    const s = spawnSync(
      process.execPath,
      [join(ROOT, 'bin', 'audit.js'), 'scan', join(ROOT, 'samples'), '--out', own, '--arrow-head', 'none', '-q'],
      { encoding: 'utf8' },
    );
    expect(s.status, s.stderr).toBe(0);
    const ownArrow = new Map(
      (await readFile(join(own, 'clips.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { id: string; p_forward: number | null })
        .map((r) => [r.id.replace(/\.mp4$/, ''), r.p_forward]),
    );
    const meta = JSON.parse(await readFile(join(dir, 'work', 'data', 'real-arrow', 'meta.json'), 'utf8'));
    expect(meta.clips).toHaveLength(24);
    for (const c of meta.clips as { file: string; network_p_forward: number | null }[]) {
      const sample = SAMPLES[Number(c.file.slice(1, -4)) % SAMPLES.length];
      const want = ownArrow.get(sample);
      if (want === null || want === undefined) expect(c.network_p_forward).toBeNull();
      else expect(c.network_p_forward).toBeCloseTo(want, 5);
    }
  }, 240_000);

  it('refuses real-dev, naming why', () => {
    for (const script of ['train-content.js', 'train-arrow.js']) {
      const r = spawnSync(process.execPath, [join(ROOT, 'scripts', script), '--real-corpus', '/x/real-dev'], {
        encoding: 'utf8',
      });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/real-dev is for evaluation only/);
    }
  });
});
