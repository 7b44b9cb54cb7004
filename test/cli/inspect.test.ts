// `audit inspect`: one clip through scan's analysis and model, explained in text or JSON, with a PNG.

import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { FB_ASYMMETRY, SUMMARIES } from '../../src/cues/summaries.js';
import { contactSheetLayout } from '../../src/report/contact-sheet.js';
import { explainClip } from '../../src/report/reasoning.js';
import { tempDir } from '../fixtures/cli.js';

const root = new URL('../../', import.meta.url).pathname;
const DROP = join(root, 'samples/drop.mp4');
const TINY = join(root, 'test/fixtures/model/tiny.onnx');

/** runCli in this process with stdout and stderr captured. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    stdout += String(s);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    stderr += String(s);
    return true;
  });
  try {
    const code = await runCli(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

let dir: string;
beforeEach(async () => {
  dir = await tempDir('audit-inspect-');
});
afterEach(() => vi.restoreAllMocks());

describe('audit inspect', () => {
  it('--json --png: one JSON object with summaries, verdict, reasoning, and the picture', async () => {
    const png = join(dir, 'drop.png');
    const r = await cli(['inspect', DROP, '--model', TINY, '--device', 'cpu', '--json', '--png', png]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    // biome-ignore lint/suspicious/noExplicitAny: JSON read back from stdout, whose shape the expectations below check
    const j = JSON.parse(lines[0]) as Record<string, any>;
    expect(j.path).toBe(DROP);
    // The sample is 3 s of 320x180 at 24 fps: analysed whole at 170x96.
    expect(j.analysis).toMatchObject({
      width: 170,
      height: 96,
      fps: 24,
      window_start_s: 0,
      window_end_s: 3,
      frames: 72,
      pairs: 71,
    });
    expect(Object.keys(j.summaries).sort()).toEqual([...SUMMARIES.map((s) => s.name), FB_ASYMMETRY.name].sort());
    // The ball falls and comes to rest: downward acceleration, decaying energy (the scene's ground truth).
    expect(j.summaries.median_res_ay).toBeGreaterThan(0.5);
    expect(j.summaries.energy_trend).toBeLessThan(-0.5);
    const p = j.prediction;
    expect(['invariant', 'equivariant', 'irreversible']).toContain(p.verdict);
    expect(p.p_invariant + p.p_equivariant + p.p_irreversible).toBeCloseTo(1, 4);
    expect(p.p_forward).toBeGreaterThanOrEqual(0);
    expect(p.p_forward).toBeLessThanOrEqual(1);
    expect(j.model).toMatchObject({ path: TINY, provider: 'cpu' });
    expect(j.reasoning.join('\n')).toMatch(/vertical acceleration .*\+0\.\d\d short sides\/s², downward/);
    expect(j.reasoning.join('\n')).toMatch(/dies down/);
    expect(j.reasoning.join('\n')).toContain(`Model: ${p.verdict}`);
    // The picture: the 960 px contact sheet above 440 px of cue curves.
    const meta = await sharp(png).metadata();
    const sheetH = contactSheetLayout(960, 6, 320 / 180).height;
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 960, sheetH + 440]);
    expect(j.png).toEqual({ file: png, width: 960, height: sheetH + 440 });
    // The curves part is the white-backed SVG; the sheet part is dark.
    const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const meanRed = (y0: number, y1: number): number => {
      let s = 0;
      for (let y = y0; y < y1; y++) for (let x = 0; x < 960; x++) s += data[(y * 960 + x) * 3];
      return s / ((y1 - y0) * 960);
    };
    expect(meanRed(sheetH, sheetH + 440)).toBeGreaterThan(200);
    expect(meanRed(0, sheetH)).toBeLessThan(140);
  });

  it('prints readable text without a model', async () => {
    const r = await cli(['inspect', join(root, 'samples/pan.mp4'), '--model', 'none']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^clip {7}.*pan\.mp4$/m);
    expect(r.stdout).toContain('verdict    none (no model)');
    expect(r.stdout).toMatch(/^ {2}camera_share +0\.9\d+ +fraction$/m);
    // A pan is camera motion only: the reasoning says there is no object motion and the camera explains the flow.
    expect(r.stdout).toMatch(/Almost no object motion/);
    expect(r.stdout).toMatch(/camera fit .* accounts for it/);
    expect(r.stdout).not.toContain('vertical acceleration');
  });

  it('a missing clip: a clear error naming it and exit code 1', async () => {
    const missing = join(dir, 'no-such-clip.mp4');
    const r = await cli(['inspect', missing, '--model', 'none']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^audit: Clip .*no-such-clip\.mp4 does not exist/);
  });

  it('usage errors exit 2 before any analysis', async () => {
    const bad = await cli(['inspect', DROP, '--model', 'none', '--png', join(dir, 'x.gif')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/\.png, \.jpg or \.jpeg .*x\.gif/);
    expect((await cli(['inspect'])).code).toBe(2);
    expect((await cli(['inspect', DROP, '--fps', '0'])).code).toBe(2);
    const help = await cli(['inspect', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('audit inspect samples/drop.mp4 --png drop.png');
  });
});

describe('explainClip', () => {
  const base = {
    mean_energy_total: 0.1,
    mean_energy_residual: 0.05,
    peak_energy_residual: 0.2,
    mean_moving_frac: 0.1,
    camera_share: 0.2,
    fb_asymmetry: 0.3,
  };
  it('reads the sign of each cue and stays quiet below the thresholds', () => {
    const up = explainClip(
      {
        ...base,
        median_res_ay: -0.9,
        mean_res_vy: -0.3,
        energy_trend: 0.8,
        onset_decay_asymmetry: 0.4,
        mean_res_div: -0.6,
        periodicity: 0.1,
      },
      null,
    ).join('\n');
    expect(up).toMatch(/−0\.90 short sides\/s², upward/);
    expect(up).toMatch(/goes up on average/);
    expect(up).toMatch(/builds up/);
    expect(up).toMatch(/converges/);
    expect(up).not.toMatch(/periodic/);
    const level = explainClip(
      {
        ...base,
        median_res_ay: 0.1,
        mean_res_vy: 0.02,
        energy_trend: 0.1,
        onset_decay_asymmetry: 0,
        mean_res_div: 0.05,
        periodicity: 0.9,
        period_s: 1.2,
      },
      null,
    ).join('\n');
    expect(level).toMatch(/No steady vertical acceleration/);
    expect(level).not.toMatch(/on average \(/);
    expect(level).toMatch(/stays about level/);
    expect(level).toMatch(/Strongly periodic .*period 1\.20 s/);
  });
  it('flags a clip the model reads as reversed', () => {
    const text = explainClip(
      { ...base },
      {
        verdict: 'irreversible',
        p_invariant: 0.1,
        p_equivariant: 0.1,
        p_irreversible: 0.8,
        p_forward: 0.04,
        confidence: 0.8,
      },
    ).join('\n');
    expect(text).toMatch(/p_forward 0\.04: reads as playing backwards/);
    expect(text).toMatch(/probably already reversed in the corpus/);
  });
});
