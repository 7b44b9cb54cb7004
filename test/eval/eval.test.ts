// `audit eval`: the metric functions on hand-computed examples, and the command end to end on rendered clips with the tiny model.

import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETECTOR_ID } from '../../src/content/detector.js';
import { encodeFrames } from '../../src/decode/encode.js';
import {
  accuracy,
  arrowAccuracy,
  classScores,
  confusionMatrix,
  expectedCalibrationError,
  macroF1,
  meanAbsFromHalf,
} from '../../src/model/metrics.js';
import {
  arrowTemperature,
  evalInterruptMessage,
  type EvalReport,
  verdictTemperature,
  writeEvalFiles,
} from '../../src/eval/index.js';
import { DEFAULT_CONTENT_HEAD, loadContentHead, mixVerdict } from '../../src/model/content-head.js';
import { renderScene, type SceneName } from '../../src/synth/scenes.js';
import { runCliInProcess, runCliProcess, tempDir } from '../fixtures/cli.js';

const MODEL = fileURLToPath(new URL('../fixtures/model/tiny.onnx', import.meta.url));

describe('eval metrics', () => {
  it('confusion matrix, per-class scores, macro-F1 and accuracy', () => {
    const m = confusionMatrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0], 3);
    expect(m).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [1, 0, 2],
    ]);
    const s = classScores(m);
    expect(s[0]).toMatchObject({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2, predicted: 2 });
    expect(s[1].precision).toBe(0.5);
    expect(s[1].recall).toBe(1);
    expect(s[1].f1).toBeCloseTo(2 / 3, 12);
    expect(s[2].precision).toBe(1);
    expect(s[2].recall).toBeCloseTo(2 / 3, 12);
    expect(s[2].f1).toBeCloseTo(0.8, 12);
    expect(macroF1(s)).toBeCloseTo((0.5 + 2 / 3 + 0.8) / 3, 12);
    expect(accuracy(m)).toBeCloseTo(4 / 6, 12);
    expect(() => confusionMatrix([0, 3], [0, 0], 3)).toThrow(/class index 0..2 for truth\[1\]/);
  });

  it('a class absent from truth and predictions is left out of macro-F1; one only predicted scores 0', () => {
    const absent = classScores(confusionMatrix([0, 0, 1], [0, 1, 1], 3));
    expect(absent[2]).toEqual({ precision: null, recall: null, f1: null, support: 0, predicted: 0 });
    expect(absent[0].f1).toBeCloseTo(2 / 3, 12); // P 1, R 1/2
    expect(absent[1].f1).toBeCloseTo(2 / 3, 12); // P 1/2, R 1
    expect(macroF1(absent)).toBeCloseTo(2 / 3, 12); // not (2/3 + 2/3 + 0) / 3
    const onlyPredicted = classScores(confusionMatrix([0, 0], [0, 1], 2));
    expect(onlyPredicted[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0, predicted: 1 });
    expect(macroF1(onlyPredicted)).toBeCloseTo(1 / 3, 12); // (2/3 + 0) / 2
    expect(Number.isNaN(macroF1(classScores(confusionMatrix([], [], 3))))).toBe(true);
  });

  it('reads the verdict temperature from a model card (null when the card has none or a bad one)', () => {
    expect(verdictTemperature({ calibration: { verdict_temperature: 2.5 } })).toBe(2.5);
    expect(verdictTemperature({ calibration: { verdict_temperature: 'hot' } })).toBeNull();
    expect(arrowTemperature({ calibration: { verdict_temperature: 2.5, arrow_temperature: 3 } })).toBe(3);
    expect(arrowTemperature({ calibration: { verdict_temperature: 2.5 } })).toBeNull();
    expect(verdictTemperature({})).toBeNull();
    expect(verdictTemperature(null)).toBeNull();
  });

  it('expected calibration error over 10 bins', () => {
    // bin 9: 0.95, 0.95 with 1 of 2 right -> |0.5 - 0.95| x 2/5 = 0.18
    // bin 5: 0.55 right -> |1 - 0.55| x 1/5 = 0.09;  bin 6: 0.65, 0.65 right -> |1 - 0.65| x 2/5 = 0.14
    const r = expectedCalibrationError([0.95, 0.95, 0.55, 0.65, 0.65], [true, false, true, true, true]);
    expect(r.ece).toBeCloseTo(0.41, 12);
    expect(r.bins.map((b) => b.n)).toEqual([0, 0, 0, 0, 0, 1, 2, 0, 0, 2]);
    expect(r.bins[9]).toMatchObject({ lo: 0.9, hi: 1, accuracy: 0.5 });
    expect(r.bins[0]).toMatchObject({ n: 0, confidence: null, accuracy: null });
    // A confidence of exactly 1 falls in the last bin; perfectly calibrated rows give 0.
    expect(expectedCalibrationError([1, 1], [true, true]).ece).toBe(0);
    expect(() => expectedCalibrationError([1.5], [true])).toThrow(/probability/);
  });

  it('arrow-of-time accuracy counts each clip forwards and reversed; direction flips the truth', () => {
    expect(arrowAccuracy([{ pForward: 0.8, pMirrored: 0.2, forward: true }])).toBe(1);
    expect(arrowAccuracy([{ pForward: 0.4, pMirrored: 0.6, forward: true }])).toBe(0);
    // Already reversed in the corpus: its mirror is the forwards version.
    expect(arrowAccuracy([{ pForward: 0.3, pMirrored: 0.7, forward: false }])).toBe(1);
    // Undecided (exactly 0.5) is wrong; a model that is not antisymmetric can get one half right.
    expect(arrowAccuracy([{ pForward: 0.5, pMirrored: 0.5, forward: true }])).toBe(0);
    expect(arrowAccuracy([{ pForward: 0.7, pMirrored: 0.6, forward: true }])).toBe(0.5);
    expect(meanAbsFromHalf([0.9, 0.3])).toBeCloseTo(0.3, 12);
  });
});

describe('eval files and messages', () => {
  it('writes eval-predictions.jsonl and eval.json atomically: a failed write leaves the earlier files whole', async () => {
    const dir = await tempDir('audit-eval-files-');
    await writeFile(join(dir, 'eval.json'), 'OLD\n');
    await writeFile(join(dir, 'eval-predictions.jsonl'), 'old\n');
    const report = { n: 1 } as unknown as EvalReport;
    const broken = {
      toString(): string {
        throw new Error('cannot write this line');
      },
    } as unknown as string;
    await expect(writeEvalFiles(dir, report, ['{"row":2}', broken])).rejects.toThrow(/cannot write this line/);
    expect(await readFile(join(dir, 'eval-predictions.jsonl'), 'utf8')).toBe('old\n');
    expect(await readFile(join(dir, 'eval.json'), 'utf8')).toBe('OLD\n');
    expect((await readdir(dir)).sort()).toEqual(['eval-predictions.jsonl', 'eval.json']);
    await writeEvalFiles(dir, report, ['{"row":2}', '{"row":3}']);
    expect(await readFile(join(dir, 'eval-predictions.jsonl'), 'utf8')).toBe('{"row":2}\n{"row":3}\n');
    expect(JSON.parse(await readFile(join(dir, 'eval.json'), 'utf8'))).toEqual({ n: 1 });
  });

  it('the Ctrl-C message says a rerun resumes only when the scan is kept in --out', () => {
    const kept = evalInterruptMessage('out/dev');
    expect(kept).toMatch(/run the same command again \(same --out out\/dev\) to resume/);
    const temporary = evalInterruptMessage(undefined);
    expect(temporary).toMatch(/a rerun starts over/);
    expect(temporary).toMatch(/give --out DIR/);
    expect(temporary).not.toMatch(/to resume the scan/);
  });
});

describe('audit eval (CLI, tiny model)', () => {
  let dir = '';
  let manifest = '';
  const clips: [string, SceneName, string, string][] = [
    ['drop', 'drop', 'irreversible', 'forward'],
    ['drop_rev', 'drop', 'irreversible', 'backward'],
    ['pan', 'pan', 'equivariant', ''],
    ['swing', 'swing', ' Invariant', ''], // case and spaces are forgiven
    ['spin', 'spin', 'maybe', ''], // not a verdict: an error row
  ];
  beforeAll(async () => {
    dir = await tempDir('audit-eval-');
    for (const [id, scene, , direction] of clips) {
      const frames = renderScene(scene, { width: 96, height: 64, fps: 24, seconds: 2, seed: 3 });
      if (direction === 'backward') frames.reverse();
      await encodeFrames(frames, {
        width: 96,
        height: 64,
        fps: 24,
        crf: 18,
        path: join(dir, `${id}.mp4`),
        pixelFormat: 'gray',
      });
    }
    manifest = join(dir, 'manifest.csv');
    await writeFile(
      manifest,
      ['id,path,label,direction', ...clips.map(([id, , label, d]) => `${id},${id}.mp4,${label},${d}`)].join('\n') +
        '\n',
    );
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('scores clips, reports bad labels as error rows, writes predictions, resumes', async () => {
    const out = join(dir, 'out');
    const args = ['eval', manifest, '--model', MODEL, '--device', 'cpu', '--workers', '1', '--out', out, '-q'];
    const r = await runCliProcess([...args, '--json']);
    expect(r.code, r.stderr).toBe(3);
    const rep = JSON.parse(r.stdout);
    expect(rep.n).toBe(4);
    expect(rep.errors).toEqual([expect.objectContaining({ row: 6, id: 'spin', code: 'bad_label', stage: 'label' })]);
    expect(rep.errors[0].message).toMatch(
      /invariant\|equivariant\|irreversible for column "label" of row 6 \(spin\) of .*manifest\.csv but received "maybe"/,
    );
    expect(rep.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(4);
    expect(rep.confusion.map((row: number[]) => row.reduce((a, b) => a + b, 0))).toEqual([1, 1, 2]);
    expect(Object.keys(rep.per_class)).toEqual(['invariant', 'equivariant', 'irreversible']);
    for (const k of ['macro_f1', 'accuracy', 'aot_accuracy', 'ece']) expect(rep[k], k).toBeGreaterThanOrEqual(0);
    for (const k of ['aot_accuracy_by_class', 'mean_abs_p_forward_minus_half_by_class'])
      expect(Object.keys(rep[k])).toEqual(Object.keys(rep.per_class));

    // The mirrored series is exactly the reversed clip's: the antisymmetric model gives 1 - p_forward.
    const preds = (await readFile(join(out, 'eval-predictions.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(preds.map((p) => p.id)).toEqual(['drop', 'drop_rev', 'pan', 'swing']);
    for (const p of preds) expect(Math.abs(p.p_forward_mirrored - (1 - p.p_forward))).toBeLessThan(1e-5);
    expect(preds[1].direction).toBe('backward');
    // Recompute the arrow accuracy from the rows: each clip twice, backward clips swapped.
    const right = preds.reduce((a, p) => {
      const [f, b] =
        p.direction === 'forward' ? [p.p_forward, p.p_forward_mirrored] : [p.p_forward_mirrored, p.p_forward];
      return a + (f > 0.5 ? 1 : 0) + (b < 0.5 ? 1 : 0);
    }, 0);
    expect(rep.aot_accuracy).toBeCloseTo(right / 8, 12);
    expect(JSON.parse(await readFile(join(out, 'eval.json'), 'utf8')).n).toBe(4);

    // Same --out again: the scan resumes (nothing re-analysed), and the table is printed.
    const again = await runCliProcess(args);
    expect(again.code).toBe(3);
    expect(again.stdout).toMatch(/confusion \(rows true, columns predicted\)/);
    expect(again.stdout).toMatch(/macro-F1/);
    // The tiny fixture's card has no calibration: the header says so, and the JSON carries null. A model other than the
    // shipped one keeps its own arrow: no arrow head.
    expect(again.stdout).toMatch(/^model tiny@[^ ]+ \(cpu; verdicts uncalibrated\)/);
    expect(rep.model).toMatchObject({
      name: 'tiny',
      verdict_temperature: null,
      arrow_temperature: null,
      arrow_head: null,
    });
    expect(again.stdout).toMatch(/row 6 spin: bad_label/);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(summary.counts.resumed).toBe(5);
  }, 120_000);

  it('a rerun into the same --out scores the labels the manifest holds now, without scanning again', async () => {
    // In process (the sources, not dist/): the scan of the first run is kept in `out` and resumed by the others.
    const typo = join(dir, 'typo.csv');
    type Relabel = (id: string, label: string) => string;
    // The manifest with its labels rewritten, and optionally a second label column "verdict".
    const lines = (label: Relabel, verdict?: Relabel) => [
      `id,path,label,direction${verdict ? ',verdict' : ''}`,
      ...clips.map(([id, , l, d]) => `${id},${id}.mp4,${label(id, l)},${d}${verdict ? `,${verdict(id, l)}` : ''}`),
    ];
    const misspelt = (id: string, l: string) => (id === 'drop' ? 'irreversable' : id === 'spin' ? 'invariant' : l);
    await writeFile(typo, `${lines(misspelt).join('\n')}\n`);
    const out = join(dir, 'out-relabel');
    const args = ['eval', typo, '--model', MODEL, '--device', 'cpu', '--workers', '1', '--out', out, '-q', '--json'];
    const first = await runCliInProcess(args);
    expect(first.code, first.stderr).toBe(3);
    expect(JSON.parse(first.stdout).errors).toEqual([
      expect.objectContaining({ row: 2, id: 'drop', code: 'bad_label', path: expect.stringMatching(/drop\.mp4$/) }),
    ]);
    expect(JSON.parse(first.stdout).errors[0].message).toMatch(
      /row 2 \(drop\) of .*typo\.csv but received "irreversable"/,
    );

    // The typo fixed: every row scores, and no clip is analysed again.
    const fixed = (id: string, l: string) => (id === 'spin' ? 'invariant' : l);
    await writeFile(typo, `${lines(fixed).join('\n')}\n`);
    const second = await runCliInProcess(args);
    expect(second.code, second.stderr).toBe(0);
    const rep = JSON.parse(second.stdout);
    expect(rep.n).toBe(5);
    expect(rep.errors).toEqual([]);
    expect(rep.confusion.map((row: number[]) => row.reduce((a, b) => a + b, 0))).toEqual([2, 1, 2]);
    expect(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')).counts.resumed).toBe(5);
    const preds = (await readFile(join(out, 'eval-predictions.jsonl'), 'utf8')).trim().split('\n');
    expect(JSON.parse(preds[0])).toMatchObject({ id: 'drop', label: 'irreversible', direction: 'forward' });

    // A new column named by --label-column: its labels are scored, again without a new scan.
    const other = (id: string, l: string) => (id === 'pan' ? 'irreversible' : fixed(id, l));
    await writeFile(typo, `${lines(fixed, other).join('\n')}\n`);
    const third = await runCliInProcess([...args, '--label-column', 'verdict']);
    expect(third.code, third.stderr).toBe(0);
    const byColumn = JSON.parse(third.stdout);
    expect(byColumn.n).toBe(5);
    expect(byColumn.confusion.map((row: number[]) => row.reduce((a, b) => a + b, 0))).toEqual([2, 0, 3]);
    expect(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')).counts.resumed).toBe(5);
  }, 120_000);

  it('--content scores the verdict averaged with the content head, the arrow unchanged', async () => {
    const plain = join(dir, 'out-plain');
    const base = ['eval', manifest, '--model', MODEL, '--device', 'cpu', '--workers', '1', '-q', '--json'];
    const without = JSON.parse((await runCliProcess([...base, '--out', plain])).stdout);
    const out = join(dir, 'out-content');
    const r = await runCliProcess([...base, '--out', out, '--content']);
    expect(r.code, r.stderr).toBe(3);
    const rep = JSON.parse(r.stdout);
    expect(rep.model.content_head).toMatchObject({ name: 'reversal-content-v1' });
    expect(without.model.content_head).toBeNull();
    expect(rep.n).toBe(4);
    expect(rep.aot_accuracy).toBe(without.aot_accuracy); // the head judges the verdict only
    const head = await loadContentHead(fileURLToPath(DEFAULT_CONTENT_HEAD), DETECTOR_ID);
    const plainPreds = (await readFile(join(plain, 'eval-predictions.jsonl'), 'utf8')).trim().split('\n');
    const preds = (await readFile(join(out, 'eval-predictions.jsonl'), 'utf8')).trim().split('\n');
    preds.forEach((line, i) => {
      const p = JSON.parse(line);
      const q = JSON.parse(plainPreds[i]);
      const network = [q.p_invariant, q.p_equivariant, q.p_irreversible];
      const mixed = mixVerdict(head, network, p.p_content_head);
      expect(p.p_invariant).toBeCloseTo(mixed[0], 9);
      expect(p.p_irreversible).toBeCloseTo(mixed[2], 9);
      expect(p.verdict).toBe(['invariant', 'equivariant', 'irreversible'][mixed.indexOf(Math.max(...mixed))]);
    });
    const bad = await runCliProcess([...base, '--content-head', 'none']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/needs --content/);
  }, 120_000);

  it('into its temporary folder on a full disk: exit 1, names the file, and says a rerun starts over (not resumes)', async (ctx) => {
    // A full disk needs a small file system of its own: a tmpfs, which only root can mount.
    const tiny = join(dir, 'tiny');
    await mkdir(tiny, { recursive: true });
    if (process.getuid?.() !== 0 || spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=12k', 'tmpfs', tiny]).status !== 0)
      return ctx.skip();
    try {
      const r = await runCliProcess(['eval', manifest, '--model', MODEL, '--device', 'cpu', '--workers', '1', '-q'], {
        TMPDIR: tiny,
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/Cannot \w+ .*audit-eval-.*: no space left on device \(ENOSPC\)/);
      expect(r.stderr).toContain('a rerun starts over; give --out DIR to keep the scan so that a rerun resumes.');
      expect(r.stderr).not.toContain('Run the same command again to resume');
    } finally {
      spawnSync('umount', [tiny]);
    }
  });

  it('refuses a manifest without the label column before scanning', async () => {
    const bare = join(dir, 'bare.csv');
    await writeFile(bare, 'path\ndrop.mp4\n');
    const r = await runCliProcess(['eval', bare, '--model', MODEL, '--device', 'cpu', '-q']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/"label" column/);
    expect(r.stderr).toMatch(/--label-column/);
  });
});
