// Clips too poor to judge: tiny, blank and still clips get no verdict and a doubt reason, and decisions treat them
// as unsure; a usable clip keeps its verdict and gets an in_domain score from the shipped model's reference.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { BLANK_SPREAD, degenerateReasons, frameSpread, isDegenerateDoubt } from '../../src/cues/degenerate.js';
import { scan } from '../../src/pipeline/scan.js';
import { sceneClip } from '../fixtures/clips.js';
import { tempDir } from '../io/tmp.js';

const run = promisify(execFile);
const MOVING = { mean_energy_total: 0.05, peak_energy_residual: 0.08 };
const gray = (w: number, h: number, f: (i: number) => number) => Uint8Array.from({ length: w * h }, (_, i) => f(i));

describe('degenerateReasons', () => {
  it('passes a usable clip', () => {
    const frames = [gray(96, 54, (i) => (i * 37) % 251), gray(96, 54, (i) => (i * 41) % 251)];
    expect(degenerateReasons({ sourceWidth: 320, sourceHeight: 180, frames, summaries: MOVING })).toEqual([]);
  });

  it('names a source under 16 px on a side', () => {
    const frames = [gray(96, 96, (i) => i % 256)];
    expect(degenerateReasons({ sourceWidth: 1, sourceHeight: 1, frames, summaries: MOVING })).toEqual([
      'tiny: 1x1 px, under 16 on a side',
    ]);
    expect(degenerateReasons({ sourceWidth: 320, sourceHeight: 15, frames, summaries: MOVING })[0]).toMatch(
      /^tiny: 320x15/,
    );
    expect(degenerateReasons({ sourceWidth: 16, sourceHeight: 16, frames, summaries: MOVING })).toEqual([]);
  });

  it('calls nearly uniform frames blank, by the largest per-frame pixel spread', () => {
    const flat = gray(64, 36, () => 128);
    expect(frameSpread([flat])).toBe(0);
    // alternating 127/129: standard deviation 1 gray level
    const faint = gray(64, 36, (i) => (i % 2 ? 127 : 129));
    expect(frameSpread([faint])).toBeCloseTo(1, 9);
    expect(
      degenerateReasons({ sourceWidth: 320, sourceHeight: 180, frames: [flat, faint], summaries: MOVING })[0],
    ).toMatch(/^blank: .*spread 1\.00 < 2/);
    const textured = gray(64, 36, (i) => (i % 2 ? 120 : 136));
    expect(frameSpread([textured])).toBeGreaterThan(BLANK_SPREAD);
  });

  it('calls a clip still when neither objects nor the frame move', () => {
    const frames = [gray(64, 36, (i) => (i * 7) % 200)];
    const still = degenerateReasons({
      sourceWidth: 320,
      sourceHeight: 180,
      frames,
      summaries: { mean_energy_total: 0.011, peak_energy_residual: 0 },
    });
    expect(still).toHaveLength(1);
    expect(still[0]).toMatch(/^still: nothing moves/);
    // a camera pan over a still scene moves the whole frame: not still
    expect(
      degenerateReasons({
        sourceWidth: 320,
        sourceHeight: 180,
        frames,
        summaries: { mean_energy_total: 0.35, peak_energy_residual: 0.0005 },
      }),
    ).toEqual([]);
    // a small object moving on a still background: not still
    expect(
      degenerateReasons({
        sourceWidth: 320,
        sourceHeight: 180,
        frames,
        summaries: { mean_energy_total: 0.015, peak_energy_residual: 0.05 },
      }),
    ).toEqual([]);
  });
});

describe('scan with the shipped model', () => {
  let media: string;
  beforeAll(async () => {
    media = await tempDir();
    const ff = (args: string[], name: string) =>
      run('ffmpeg', ['-v', 'error', '-y', ...args, '-pix_fmt', 'yuv420p', join(media, name)]);
    await ff(['-f', 'lavfi', '-i', 'testsrc2=s=8x8:r=24:d=2', '-c:v', 'libx264'], 'tiny.mp4');
    await ff(['-f', 'lavfi', '-i', 'color=c=gray:s=160x90:r=24:d=2', '-c:v', 'libx264'], 'blank.mp4');
    await ff(
      [
        '-f',
        'lavfi',
        '-i',
        'testsrc2=s=160x90:r=24:d=2',
        '-vf',
        'trim=end_frame=1,loop=loop=47:size=1:start=0',
        '-c:v',
        'libx264',
      ],
      'still.mp4',
    );
    await sceneClip('drop', join(media, 'drop.mp4'), { seconds: 2 });
  });

  it('gives degenerate clips no verdict and a doubt reason, excluded as unsure under balanced', async () => {
    const out = join(await tempDir(), 'out');
    const summary = await scan({ input: media, out, workers: 2, quiet: true, report: false });
    expect(summary.counts.clips).toBe(4);
    const rows = (await readFile(join(out, 'clips.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const byId = Object.fromEntries(rows.map((r) => [r.id as string, r]));
    for (const [id, kind] of [
      ['tiny.mp4', 'tiny'],
      ['blank.mp4', 'blank'],
      ['still.mp4', 'still'],
    ] as const) {
      const r = byId[id];
      expect(r.verdict, id).toBeNull();
      expect(r.confidence, id).toBeNull();
      expect((r.doubt as string[])[0], id).toMatch(new RegExp(`^${kind}: `));
    }
    const drop = byId['drop.mp4'];
    expect(typeof drop.verdict).toBe('string');
    expect(drop.in_domain).toBeGreaterThan(0);
    expect(drop.in_domain).toBeLessThanOrEqual(1);
    expect(Array.isArray(drop.doubt)).toBe(true);

    const decisions = (await readFile(join(out, 'decisions.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const tiny = decisions.find((d) => d.id === 'tiny.mp4')!;
    expect(tiny.decision).toBe('exclude');
    expect(tiny.rule).toBe('doubtful-pixels');
    expect(tiny.reason).toMatch(/^unsure: pixels only, and tiny: 8x8 px/);
    const json = JSON.parse(await readFile(join(out, 'decisions.json'), 'utf8')) as {
      evidence: { pixel_only: number; doubtful: number; doubt: Record<string, number> };
    };
    expect(json.evidence.doubtful).toBeGreaterThanOrEqual(3);
    expect(json.evidence.doubt).toMatchObject({ tiny: 1, blank: 1, still: 1 });
    expect(json.evidence.pixel_only).toBe(4 - json.evidence.doubtful);
    const s = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { decisions: { evidence: unknown } };
    expect(s.decisions.evidence).toEqual(json.evidence);
  });
});

describe('isDegenerateDoubt', () => {
  it('reads every reason degenerateReasons gives from a row doubt, and nothing else', () => {
    const frames = [gray(64, 36, () => 128)];
    const still = { mean_energy_total: 0.01, peak_energy_residual: 0 };
    const reasons = [
      ...degenerateReasons({ sourceWidth: 1, sourceHeight: 1, frames, summaries: MOVING }),
      ...degenerateReasons({
        sourceWidth: 320,
        sourceHeight: 180,
        frames: [gray(64, 36, (i) => i % 200)],
        summaries: still,
      }),
    ];
    expect(reasons.map((r) => r.split(':')[0])).toEqual(['tiny', 'blank', 'still']);
    for (const r of reasons) expect(isDegenerateDoubt([r])).toBe(true);
    expect(isDegenerateDoubt(["out of domain: unlike the model's training footage (in_domain 0.0044 < 0.01)"])).toBe(
      false,
    );
    expect(isDegenerateDoubt([])).toBe(false);
    expect(isDegenerateDoubt(null)).toBe(false);
  });
});
