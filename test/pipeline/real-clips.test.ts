// Real footage: real-dev scans cleanly, reversal mirrors the series, and bad inputs become error rows.

import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CUE_COLUMNS } from '../../src/cues/index.js';
import { mirrorSeries } from '../../src/cues/series.js';
import { readJsonl } from '../../src/io/jsonl-log.js';
import { locateFfmpeg } from '../../src/decode/ffmpeg.js';
import { analyseClip } from '../../src/pipeline/analyse-clip.js';
import type { AnalysisSettings, ClipSuccess } from '../../src/pipeline/task.js';
import { makeBadInputs } from '../fixtures/bad-inputs.js';
import { HAS_REAL_DEV, REAL_DEV } from '../fixtures/clips.js';
import { runCliProcess, tempDir } from '../fixtures/cli.js';

async function rows(path: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const { value } of readJsonl(path)) out.push(value as Record<string, unknown>);
  return out;
}

function correlation(x: number[], y: number[]): number {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let xy = 0;
  let xx = 0;
  let yy = 0;
  for (let i = 0; i < x.length; i++) {
    xy += (x[i] - mx) * (y[i] - my);
    xx += (x[i] - mx) ** 2;
    yy += (y[i] - my) ** 2;
  }
  return xy / Math.sqrt(xx * yy);
}

const SETTINGS: AnalysisSettings = {
  shortSide: 96,
  fps: 24,
  maxSeconds: 10,
  timeoutMs: 60_000,
  flowPreset: 'ultrafast',
  flowDirections: 'canonical',
  reverse: false,
};

describe.skipIf(!HAS_REAL_DEV)(`real clips (need ${REAL_DEV})`, () => {
  it('audit scan of real-dev writes 15 clips and no errors', async () => {
    const out = await tempDir();
    const r = await runCliProcess(['scan', REAL_DEV, '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const clips = await rows(join(out, 'clips.jsonl'));
    expect(clips).toHaveLength(15);
    expect(await rows(join(out, 'errors.jsonl'))).toHaveLength(0);
    for (const c of clips) {
      expect(Number(c.series_pairs)).toBeGreaterThan(10);
      expect(Math.min(Number(c.analysis_width), Number(c.analysis_height))).toBe(96);
    }
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(summary.counts.clips).toBe(15);
    // The shipped model comes with the shipped arrow head: p_forward is its, and the folder says so.
    expect(JSON.parse(await readFile(join(out, 'run.json'), 'utf8')).arrow).toMatch(/^reversal-arrow-v1@/);
    expect(clips.every((c) => c.p_forward === null || Math.abs(Number(c.p_forward) - 0.5) < 0.3)).toBe(true);
  }, 300_000);

  // Analysing the reversed frame order must give the mirrored series, or a flow/fit asymmetry poses as physics.
  it('a reversed re-encode of a real clip gives nearly the mirrored series (decode and codec included)', async () => {
    // Analysed at the source rate: resampling to another rate picks different source frames forwards and
    // backwards (a phase effect of the fps filter, not an arrow of time), which would blur this check.
    const dir = await tempDir();
    const src = join(REAL_DEV, 'inv01_pendulum_swing.mp4');
    const reversed = join(dir, 'reversed.mp4');
    await new Promise<void>((resolve, reject) => {
      execFile(
        locateFfmpeg().ffmpeg,
        ['-v', 'error', '-y', '-i', src, '-vf', 'reverse', '-c:v', 'libx264', '-crf', '18', reversed],
        (err) => (err ? reject(err) : resolve()),
      );
    });
    const settings = { ...SETTINGS, fps: 240 };
    const a = (await analyseClip({ id: 'a', path: src, row: 1, settings })) as ClipSuccess;
    const b = (await analyseClip({ id: 'b', path: reversed, row: 1, settings })) as ClipSuccess;
    expect(b.pairs).toBe(a.pairs);
    const mirrored = mirrorSeries({ frames: a.pairs, columns: a.columns, data: a.series });
    // Measured: correlations 0.94 (res_ay) to 0.997 (cam_tx); the rest is CRF-18 re-encoding noise.
    for (const name of ['energy_residual', 'res_vx', 'res_vy', 'cam_tx', 'cam_zoom', 'res_div', 'res_ay']) {
      const k = CUE_COLUMNS.findIndex((c) => c.name === name);
      const x = Array.from({ length: a.pairs }, (_, t) => mirrored.data[t * a.columns + k]);
      const y = Array.from({ length: a.pairs }, (_, t) => b.series[t * b.columns + k]);
      expect(correlation(x, y), name).toBeGreaterThan(0.85);
    }
  }, 120_000);

  it.each([
    ['inv01_pendulum_swing.mp4', 'canonical'],
    ['irr04_paper_cups_falling.mp4', 'canonical'],
    ['eqv02_sliding_glass_door_opened.mp4', 'canonical'],
    ['irr03_cart_incline_bounce_damped.mp4', 'both'],
  ] as const)(
    'reversal consistency on %s (%s)',
    async (file, flowDirections) => {
      const path = join(REAL_DEV, file);
      const settings = { ...SETTINGS, maxSeconds: 4, flowDirections };
      const fwd = (await analyseClip({ id: file, path, row: 1, settings })) as ClipSuccess;
      const rev = (await analyseClip({
        id: file,
        path,
        row: 1,
        settings: { ...settings, reverse: true },
      })) as ClipSuccess;
      expect(fwd.ok && rev.ok).toBe(true);
      const mirrored = mirrorSeries({ frames: fwd.pairs, columns: fwd.columns, data: fwd.series });
      // Per column: largest deviation relative to the column's own scale.
      for (let k = 0; k < fwd.columns; k++) {
        let scale = 1e-3;
        let worst = 0;
        for (let t = 0; t < fwd.pairs; t++) {
          const i = t * fwd.columns + k;
          scale = Math.max(scale, Math.abs(fwd.series[i]));
          worst = Math.max(worst, Math.abs(rev.series[i] - mirrored.data[i]));
        }
        expect(worst / scale, CUE_COLUMNS[k].name).toBeLessThan(1e-3);
      }
      for (const name of ['onset_decay_asymmetry', 'energy_trend', 'mean_res_vy', 'mean_res_div']) {
        expect(rev.summaries[name], name).toBeCloseTo(-fwd.summaries[name], 3);
      }
      for (const name of ['median_res_ay', 'periodicity', 'fb_asymmetry', 'camera_share']) {
        expect(rev.summaries[name], name).toBeCloseTo(fwd.summaries[name], 3);
      }
    },
    120_000,
  );
});

describe('bad inputs', () => {
  let dir: string;
  let cases: Awaited<ReturnType<typeof makeBadInputs>>;
  beforeAll(async () => {
    dir = await tempDir('audit-bad-');
    await mkdir(join(dir, 'clips'));
    cases = await makeBadInputs(join(dir, 'clips'));
  }, 120_000);

  it('a manifest of bad inputs gives one readable error row each; hard but valid inputs are analysed', async () => {
    const manifest = join(dir, 'manifest.csv');
    const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
    await writeFile(manifest, ['path,expect', ...cases.map((c) => `${quote(c.file)},${c.expect}`)].join('\n'));
    const out = join(dir, 'out');
    const r = await runCliProcess(['scan', manifest, '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(3);
    const errs = await rows(join(out, 'errors.jsonl'));
    const clips = await rows(join(out, 'clips.jsonl'));
    expect(errs.length + clips.length).toBe(cases.length);
    for (const c of cases) {
      const err = errs.find((e) => (e.input as { path: string }).path === c.file);
      if (c.expect === 'error') {
        expect(err, `${c.note}: expected an error row`).toBeDefined();
        if (c.code) expect(err!.code, c.note).toBe(c.code);
        expect(String(err!.message), c.note).toMatch(/\S{3,}/);
      } else {
        expect(err, `${c.note}: ${String(err?.message)}`).toBeUndefined();
      }
    }
  }, 300_000);

  it('a folder of bad inputs: every video file is a clip or an error row, exit code 3', async () => {
    const out = join(dir, 'out-folder');
    const r = await runCliProcess(['scan', join(dir, 'clips'), '--out', out]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/errors by code: .*errors\.jsonl/);
    const errs = await rows(join(out, 'errors.jsonl'));
    const clips = await rows(join(out, 'clips.jsonl'));
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(errs.length + clips.length).toBe(summary.counts.input_rows);
    // Every broken file the folder walk can see (video extension, regular file or dangling link) is an error row.
    const seen = new Set([...errs, ...clips].map((x) => String(x.path)));
    for (const c of cases.filter((c) => seen.has(c.file))) {
      expect(
        errs.some((e) => e.path === c.file),
        c.note,
      ).toBe(c.expect === 'error');
    }
    expect(Object.keys(summary.counts.errors_by_code)).toEqual(
      expect.arrayContaining(['empty', 'not_video', 'corrupt', 'too_short']),
    );
  }, 300_000);
});
