// `audit adapt` on a small synthetic corpus: a tiny base model trained here (models/train.py), then fine-tuned on the
// forward clips of new scenes in group folders. Needs /usr/bin/python3 with torch (skipped, saying so, without).

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapt, ClipSample, DEFAULT_MAX_CLIPS, formatAdaptTable, heldOut, judge } from '../../src/adapt/index.js';
import { runCliInProcess } from '../fixtures/cli.js';
import { exportDataset } from '../../src/model/dataset.js';
import { loadModel, predict } from '../../src/model/onnx.js';
import { sceneSeries, torchPython, writeFakeScan, type LabelledSeries } from '../model/helpers.js';

const python = torchPython();
const TRAIN = fileURLToPath(new URL('../../models/train.py', import.meta.url));

/** A scan folder of the forward clips, each in folder g<k> (its group), with a caption column. */
async function corpusScan(dir: string, items: readonly LabelledSeries[], groups: number): Promise<string> {
  const scanOut = join(dir, 'scan');
  await mkdir(join(scanOut, 'series'), { recursive: true });
  const seriesFile = join(scanOut, 'series', 'part-0.f32');
  await writeFile(seriesFile, new Uint8Array(0));
  const rows: string[] = [];
  let offset = 0;
  for (const [i, it] of items.entries()) {
    await appendFile(
      seriesFile,
      new Uint8Array(it.series.data.buffer, it.series.data.byteOffset, it.series.data.byteLength),
    );
    const path = `/corpus/g${i % groups}/${it.id}.mp4`;
    const caption = it.family === 'drop' ? 'a ball falls to the floor' : '';
    rows.push(
      JSON.stringify({
        id: it.id,
        path,
        row: i + 1,
        analysis_fps: 24,
        series_file: 'series/part-0.f32',
        series_offset: offset,
        series_pairs: it.series.frames,
        series_columns: it.series.columns,
        input: { path, caption },
      }),
    );
    offset += it.series.data.byteLength;
  }
  await writeFile(join(scanOut, 'clips.jsonl'), `${rows.join('\n')}\n`);
  await writeFile(join(scanOut, 'summary.json'), JSON.stringify({ status: 'complete' }));
  return scanOut;
}

if (!python)
  console.warn('adapt: skipped (no /usr/bin/python3 with torch; apt-get install python3-torch python3-numpy)');

/** The ids a ClipSample of `max` keeps from `ids`, offered in that order. */
function sampleIds(ids: readonly string[], max: number): Set<string> {
  const sample = new ClipSample<string>(max);
  for (const id of ids) sample.offer(id, id);
  return new Set(sample.values());
}

describe('the held-out rule', () => {
  it('holds a group out or not, the same way every time, at about the share asked', () => {
    const groups = Array.from({ length: 2000 }, (_, i) => `video-${i}`);
    const held = groups.filter((g) => heldOut(g, 0.2)).length / groups.length;
    expect(held).toBeGreaterThan(0.17);
    expect(held).toBeLessThan(0.23);
    expect(groups.map((g) => heldOut(g, 0.2))).toEqual(groups.map((g) => heldOut(g, 0.2)));
  });

  it('samples a corpus larger than --max-clips by clip id: exactly that many, the same whatever the order', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `clip-${i}`);
    const picked = sampleIds(ids, 1000);
    expect(picked.size).toBe(1000);
    expect([...sampleIds([...ids].reverse(), 1000)].sort()).toEqual([...picked].sort());
    // about uniform: as many of the first half of the ids as of the second
    const early = ids.slice(0, 2500).filter((id) => picked.has(id)).length;
    expect(early).toBeGreaterThan(430);
    expect(early).toBeLessThan(570);
    expect(sampleIds(ids.slice(0, 10), 1000)).toEqual(new Set(ids.slice(0, 10)));
    // the heap keeps what sorting every id would: the smallest crc32('adapt-sample:' + id), ties by id
    const sorted = ids
      .map((id) => ({ id, h: crc32(`adapt-sample:${id}`) }))
      .sort((a, b) => a.h - b.h || (a.id < b.id ? -1 : 1));
    for (const max of [1, 7, 1000, 4999])
      expect([...sampleIds(ids, max)].sort()).toEqual(
        sorted
          .slice(0, max)
          .map((e) => e.id)
          .sort(),
      );
    expect(() => new ClipSample(0)).toThrow(RangeError);
  });

  it('--max-clips says its default in the help', async () => {
    const help = await runCliInProcess(['adapt', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(`(default: ${DEFAULT_MAX_CLIPS})`);
  });

  it('keeps an adapted model only when the arrow gains and the verdict does not fall', () => {
    const m = (arrow: number, verdict: number | null) => ({
      clips: 50,
      arrow_accuracy: arrow,
      mean_abs_p_forward_minus_half: 0.1,
      verdict_clips: verdict === null ? 0 : 10,
      verdict_agreement: verdict,
    });
    expect(judge(m(0.5, 0.6), m(0.6, 0.6), 0.01).better).toBe(true);
    expect(judge(m(0.28, null), m(0.29, null), 0.01).better).toBe(true); // exactly one point, in floating point
    expect(judge(m(0.5, null), m(0.505, null), 0.01)).toMatchObject({
      better: false,
      reason: expect.stringMatching(/^not better than the base model: held-out arrow accuracy 50\.0 % -> 50\.5 %/),
    });
    expect(judge(m(0.5, 0.6), m(0.7, 0.55), 0.01)).toMatchObject({
      better: false,
      reason: expect.stringMatching(/verdict agreement fell/),
    });
    // against the base as a scan uses it (its arrow head's accuracy in place of the network's), and said so
    expect(judge(m(0.62, null), m(0.6, null), 0.01, 'the base model with its arrow head h@1')).toMatchObject({
      better: false,
      reason: expect.stringMatching(
        /^not better than the base model with its arrow head h@1: held-out arrow accuracy 62\.0 %/,
      ),
    });
  });
});

describe.skipIf(!python)('audit adapt (PyTorch)', () => {
  let dir = '';
  let base = '';
  let scan = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ra-adapt-'));
    // the base: a tiny model trained briefly on two seeds of every scene
    const { scanOut, labels } = await writeFakeScan(join(dir, 'base-data'), sceneSeries(2));
    const data = join(dir, 'base-tensors');
    await exportDataset({ scanOut, labels, out: data, windows: 8 });
    const run = spawnSync(
      python!,
      [
        TRAIN,
        '--data',
        data,
        '--holdout-families',
        'slide,roll,wave',
        '--holdout-seed-frac',
        '0.25',
        '--epochs',
        '3',
        '--width',
        '16',
        '--threads',
        '1',
        '--name',
        'base',
        '--out',
        join(dir, 'base'),
      ],
      { encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    base = join(dir, 'base', 'base.onnx');
    // the user's corpus: ten other seeds of every scene, forwards as filmed, in 20 folders
    const forward = sceneSeries(12).filter((it) => it.direction === 'forward' && it.seed >= 2000);
    scan = await corpusScan(join(dir, 'corpus'), forward, 20);
  }, 300_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('fine-tunes every layer, keeps the model when the held-out groups improve, and writes its card', async () => {
    const out = join(dir, 'models', 'mine');
    const r = await adapt({
      scans: [scan],
      out,
      base,
      captionColumn: 'caption',
      holdout: 0.3,
      epochs: 20,
      lr: 3e-3,
      // the tiny base (width 16, 3 epochs) must move far from its weights: the default anchor (1) holds it back
      anchor: 0,
      quiet: true,
    });
    expect(r.status, r.reason).toBe('adapted');
    expect(r.after!.arrow_accuracy! - r.before!.arrow_accuracy!).toBeGreaterThanOrEqual(0.01);
    expect(r.corpus.groups).toBe(20);
    expect(r.corpus.heldout.groups).toBe(4);
    expect(r.corpus.heldout.clips + r.corpus.train.clips).toBe(110);
    expect(r.corpus.text_verdicts.irreversible).toBeGreaterThan(0);
    const card = JSON.parse(await readFile(join(dir, 'models', 'mine.card.json'), 'utf8'));
    const baseCard = JSON.parse(await readFile(join(dir, 'base', 'base.card.json'), 'utf8'));
    expect(card.training.adapted_from.sha256).toBe(baseCard.sha256);
    expect(card.metrics.heldout_before).toEqual(r.before);
    expect(card.metrics.heldout_after).toEqual(r.after);
    expect(card.adapted_to.clips).toBe(r.corpus.clips);
    expect(card.domain.fit_clips + card.domain.calibration_clips).toBe(r.corpus.clips);
    // the written model runs, reproduces its parity samples and scores in_domain against this corpus
    const model = await loadModel(r.model!, { device: 'cpu' });
    const parity = JSON.parse(await readFile(join(dir, 'models', 'mine.parity.json'), 'utf8'));
    const dec = (b: string) => {
      const x = Buffer.from(b, 'base64');
      return new Float32Array(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength));
    };
    const preds = await predict(
      model,
      parity.samples.map((s: { x: string; mask: string }) => ({ x: dec(s.x), mask: dec(s.mask) })),
    );
    preds.forEach((p, i) => {
      expect(Math.abs(p.p_forward - parity.samples[i].p_forward)).toBeLessThan(1e-4);
    });
    expect(preds[0].in_domain).toBeGreaterThan(0);
    expect((await readdir(join(dir, 'models'))).sort()).toEqual(['mine.card.json', 'mine.onnx', 'mine.parity.json']);
  }, 300_000);

  it('beside the shipped model, judges against the base as a scan uses it (the shipped arrow head)', async () => {
    // no --base: the shipped model, whose scans take p_forward from the shipped arrow head. A learning rate of ~0
    // leaves the network as it was: it is kept only where its own arrow beats the head's on the held-out groups.
    const out = join(dir, 'shipped', 'same');
    const r = await adapt({ scans: [scan], out, holdout: 0.3, epochs: 1, lr: 1e-12, quiet: true });
    expect(r.baseArrowHead).toMatchObject({
      head: expect.stringMatching(/^reversal-arrow-v1@/),
      clips: r.before!.clips,
    });
    const pct = (x: number | null) => `${(100 * x!).toFixed(1)} %`;
    expect(r.reason).toMatch(
      /^(not )?better than the base model with its arrow head reversal-arrow-v1@\S+ \(as audit scan uses it\): /,
    );
    expect(r.reason).toContain(
      `held-out arrow accuracy ${pct(r.baseArrowHead!.arrow_accuracy)} -> ${pct(r.after!.arrow_accuracy)}`,
    );
    expect(r.status).toBe(r.after!.arrow_accuracy! - r.baseArrowHead!.arrow_accuracy! >= 0.01 ? 'adapted' : 'refused');
    expect(formatAdaptTable(r)).toMatch(/arrow accuracy, base with reversal-arrow-v1@\S+ \(audit scan's\)/);
    if (r.status === 'adapted') {
      const card = JSON.parse(await readFile(`${out}.card.json`, 'utf8'));
      expect(card.metrics.heldout_before_arrow_head).toEqual(r.baseArrowHead);
    } else expect(existsSync(join(dir, 'shipped'))).toBe(false);
  }, 300_000);

  it('refuses a model that is not better, writing nothing (exit 1 from the CLI)', async () => {
    const outDir = join(dir, 'refused');
    const r = await runCliInProcess([
      'adapt',
      scan,
      '--out',
      join(outDir, 'same'),
      '--base',
      base,
      '--holdout',
      '0.3',
      '--epochs',
      '1',
      '--lr',
      '1e-12',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused, the base model is kept: not better than the base model/);
    // what it does, as it goes: each phase on its own line, the training steps on one line with an ETA
    const said = r.stderr.split(/[\r\n]+/).filter((l) => l.startsWith('adapt: '));
    expect(said.slice(0, 3)).toEqual([
      expect.stringMatching(/^adapt: 110 clips in 20 groups/),
      'adapt: writing the tensors of 110 clips',
      expect.stringMatching(/^adapt: measuring the base model on \d+ held-out clips$/),
    ]);
    expect(said).toContainEqual(expect.stringMatching(/^adapt: training \d+\/\d+ steps, ETA \d+ s/));
    expect(said.filter((l) => /^adapt: network \d of \d/.test(l)).length).toBeGreaterThan(0);
    expect(said).toContain('adapt: measuring the adapted model on the held-out clips');
    expect(r.stderr).toMatch(/--anchor 0 lets the weights move further/);
    // not even the output folder the run made for its work folder is left behind
    expect(existsSync(outDir)).toBe(false);
  }, 300_000);

  it('--max-clips: a larger corpus is sampled, held-out clips included, and the same clips every run', async () => {
    const run = () =>
      adapt({
        scans: [scan],
        out: join(dir, 'sampled', 'm'),
        base,
        holdout: 0.3,
        maxClips: 80,
        minHeldoutClips: 10,
        epochs: 1,
        lr: 1e-12,
        quiet: true,
      });
    const r = await run();
    expect(r.corpus).toMatchObject({ clips: 80, scanned_clips: 110, max_clips: 80 });
    expect(r.corpus.train.clips + r.corpus.heldout.clips).toBe(80);
    // both models were measured on the sampled held-out clips only
    expect(r.before!.clips).toBe(r.corpus.heldout.clips);
    expect(r.after!.clips).toBe(r.corpus.heldout.clips);
    expect((await run()).corpus).toEqual(r.corpus);
    // too few clips left for the share asked: the refusal names the sample and how to use more
    await expect(
      adapt({ scans: [scan], out: join(dir, 'sampled', 'm'), base, maxClips: 30, quiet: true }),
    ).rejects.toThrow(/30 of 110 clips \(a sample, --max-clips 30\)[\s\S]*--max-clips to use more/);
  }, 300_000);

  it('--anchor holds the weights near the base model (L2-SP), and is said in the card', async () => {
    const run = (anchor: number, name: string) =>
      adapt({
        scans: [scan],
        out: join(dir, 'anchored', name),
        base,
        holdout: 0.3,
        epochs: 4,
        lr: 3e-3,
        anchor,
        minGain: -1,
        quiet: true,
      });
    const free = await run(0, 'free');
    const held = await run(1e4, 'held');
    expect(free.status, free.reason).toBe('adapted');
    expect(held.status, held.reason).toBe('adapted');
    const card = JSON.parse(await readFile(join(dir, 'anchored', 'held.card.json'), 'utf8'));
    expect(card.training.adapt.anchor).toBe(1e4);
    const moved = (r: typeof free) =>
      Math.abs(r.after!.mean_abs_p_forward_minus_half! - r.before!.mean_abs_p_forward_minus_half!);
    expect(moved(held)).toBeLessThan(moved(free) / 4);
    expect((await runCliInProcess(['adapt', scan, '--out', join(dir, 'x', 'y'), '--anchor', '-1'])).code).toBe(2);
  }, 300_000);

  it('a signal nobody handles (a second Ctrl-C) still removes the work folder before the process dies', async () => {
    // withInterrupt's handler is gone after the first Ctrl-C: the second one meets adapt alone, as here
    const out = join(dir, 'killed', 'm');
    const work = join(dir, 'killed', '.m.adapt');
    const lib = fileURLToPath(new URL('../../dist/adapt/index.js', import.meta.url));
    const code = `const { adapt } = await import(${JSON.stringify(lib)});
      await adapt({ scans: [process.env.SCAN], out: process.env.OUT, base: process.env.BASE, holdout: 0.3, epochs: 500, quiet: true });`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      env: { ...process.env, SCAN: scan, OUT: out, BASE: base },
      stdio: 'ignore',
    });
    const done = new Promise<NodeJS.Signals | null>((ok) => child.on('close', (_code, signal) => ok(signal)));
    const until = Date.now() + 60_000;
    // models/adapt.py is training once the tensors are written (columns.json is the export's last file)
    while (!existsSync(join(work, 'data-0', 'columns.json')) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(work)).toBe(true);
    child.kill('SIGINT');
    expect(await done).toBe('SIGINT');
    expect(existsSync(work)).toBe(false);
    // nor the output folder the run made for it: nothing is written, not even a new empty folder
    expect(existsSync(join(dir, 'killed'))).toBe(false);
  }, 120_000);

  it('refuses a corpus too small to hold out, and says what python it needs', async () => {
    const small = await corpusScan(
      join(dir, 'small'),
      sceneSeries(1).filter((it) => it.direction === 'forward'),
      3,
    );
    await expect(adapt({ scans: [small], out: join(dir, 'x', 'y'), base, quiet: true })).rejects.toThrow(
      /too small to hold out a meaningful share: .* in 3 groups/,
    );
    // an interrupted scan, or a clips.jsonl with a broken line, is not read as if it were whole
    await writeFile(join(small, 'summary.json'), JSON.stringify({ status: 'interrupted' }));
    await expect(adapt({ scans: [small], out: join(dir, 'x', 'y'), base, quiet: true })).rejects.toThrow(
      /is interrupted: run the same scan command again to finish it/,
    );
    await writeFile(join(small, 'summary.json'), JSON.stringify({ status: 'complete' }));
    await appendFile(join(small, 'clips.jsonl'), '{"id": "torn\n{"id": "after"}\n');
    await expect(adapt({ scans: [small], out: join(dir, 'x', 'y'), base, quiet: true })).rejects.toThrow(
      /clips\.jsonl line \d+ is not JSON/,
    );
    await expect(
      adapt({ scans: [scan], out: join(dir, 'x', 'y'), base, python: '/nonexistent/python3', quiet: true }),
    ).rejects.toThrow(/apt-get install python3-torch python3-numpy/);
    await expect(adapt({ scans: [scan], out: base, base, quiet: true })).rejects.toThrow(
      /would overwrite the base model/,
    );
    // a summary.json that does not parse, a misspelt text or group column, a base model without its card, an output
    // name taken by a folder: each refused before anything is built, naming what is wrong
    const torn = join(dir, 'torn-summary');
    await cp(scan, torn, { recursive: true });
    await writeFile(join(torn, 'summary.json'), '{"status":"comp');
    await expect(adapt({ scans: [torn], out: join(dir, 'x', 'y'), base, quiet: true })).rejects.toThrow(
      new RegExp(`Expected JSON in ${join(torn, 'summary.json')} but it does not parse`),
    );
    await expect(
      adapt({ scans: [scan], out: join(dir, 'x', 'y'), base, labelColumn: 'nosuch', quiet: true }),
    ).rejects.toThrow(/column named "nosuch" for --label-column .* none of the \d+ clip rows has it/);
    await expect(
      adapt({ scans: [scan], out: join(dir, 'x', 'y'), base, groupColumn: 'nosuch', quiet: true }),
    ).rejects.toThrow(/Expected a column named "nosuch" for --group-column/);
    const cardless = join(dir, 'cardless.onnx');
    await cp(base, cardless);
    await expect(adapt({ scans: [scan], out: join(dir, 'x', 'y'), base: cardless, quiet: true })).rejects.toThrow(
      /Expected the card of the base model beside it, .*cardless\.card\.json, but there is none/,
    );
    await mkdir(join(dir, 'taken', 'y.card.json'), { recursive: true });
    await expect(adapt({ scans: [scan], out: join(dir, 'taken', 'y'), base, quiet: true })).rejects.toThrow(
      /y\.card\.json exists and is not a file/,
    );
    // a Ctrl-C while the tensors are written stops there, not after the whole export, and leaves nothing
    await expect(
      adapt({
        scans: [scan],
        out: join(dir, 'stopped', 'y'),
        base,
        holdout: 0.3,
        quiet: true,
        signal: AbortSignal.abort(),
      }),
    ).rejects.toThrow(/Interrupted while writing the tensors; nothing was written/);
    expect(existsSync(join(dir, 'stopped'))).toBe(false);
    // and a Ctrl-C while a large corpus's clip rows are read stops the read, before any folder is made
    const large = join(dir, 'large-scan');
    await mkdir(large, { recursive: true });
    await writeFile(join(large, 'summary.json'), JSON.stringify({ status: 'complete' }));
    const still = Array.from({ length: 5000 }, (_, i) =>
      JSON.stringify({ id: `s${i}`, doubt: ['still: nothing moves'] }),
    );
    await writeFile(join(large, 'clips.jsonl'), `${still.join('\n')}\n`);
    await expect(
      adapt({ scans: [large], out: join(dir, 'stopped', 'y'), base, quiet: true, signal: AbortSignal.abort() }),
    ).rejects.toThrow(/Interrupted while reading .*clips\.jsonl \(line 4096\); nothing was written/);
    expect(existsSync(join(dir, 'stopped'))).toBe(false);
    // the same clip ids in two scans would mix clips up in the tensors: refused, naming both scans
    await expect(adapt({ scans: [scan, scan], out: join(dir, 'x', 'y'), base, quiet: true })).rejects.toThrow(
      /is in two scans .*distinct ids/,
    );
    expect((await runCliInProcess(['adapt', scan, '--out', join(dir, 'x', 'y'), '--verdict-weight', 'abc'])).code).toBe(
      2,
    );
  });
});
