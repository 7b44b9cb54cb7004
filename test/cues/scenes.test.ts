// Each cue pinned on a synthetic clip whose answer is known (frames rendered in memory, no codec).

import { describe, expect, it } from 'vitest';
import { cueColumnIndex, CUE_COLUMNS } from '../../src/cues/index.js';
import { mirrorSeries, SeriesAnalyser, type CueSeries } from '../../src/cues/series.js';
import { summarise } from '../../src/cues/summaries.js';
import type { GrayImage } from '../../src/flow/types.js';
import { renderScene, type SceneName } from '../../src/synth/scenes.js';

const W = 160;
const H = 96;
const FPS = 24;
const analyser = new SeriesAnalyser({ flowPreset: 'ultrafast' });

function frames(scene: SceneName, seconds: number, seed = 3): GrayImage[] {
  return renderScene(scene, { width: W, height: H, fps: FPS, seconds, seed }).map((f) => ({
    width: W,
    height: H,
    data: Float32Array.from(f),
  }));
}

function col(s: CueSeries, name: string): number[] {
  const k = cueColumnIndex(name);
  return Array.from({ length: s.frames }, (_, t) => s.data[t * s.columns + k]);
}

const median = (x: number[]): number => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)];
const mean = (x: number[]): number => x.reduce((a, b) => a + b, 0) / x.length;

const cache = new Map<SceneName, { series: CueSeries; summary: Record<string, number> }>();
function run(scene: SceneName, seconds = 3) {
  let r = cache.get(scene);
  if (!r) {
    const series = analyser.analyse(frames(scene, seconds), FPS);
    r = { series, summary: summarise(series, FPS) };
    cache.set(scene, r);
  }
  return r;
}

describe('cues on synthetic scenes', () => {
  it('drop: the ball accelerates downwards while it falls (gravity cue)', () => {
    // Ball falls from rest with g = 3 short sides/s^2 and first hits the floor after ~0.58 s (14 pairs).
    const { series, summary } = run('drop');
    expect(summary.median_res_ay).toBeGreaterThan(0.8);
    const vy = col(series, 'res_vy');
    const ay = col(series, 'res_ay');
    const fall = ay.slice(2, 11);
    expect(median(fall)).toBeGreaterThan(0.8);
    expect(median(fall)).toBeLessThan(4.5);
    expect(vy[10]).toBeGreaterThan(vy[3]); // falling faster and faster (+ = down)
  });

  it('pan: camera motion is measured and leaves almost no object motion', () => {
    // Content moves left at 0.35 short sides/s * 1.5 texture scale... image content moves at -0.35 short sides/s.
    const { series, summary } = run('pan');
    expect(median(col(series, 'cam_tx'))).toBeCloseTo(-0.35, 1);
    expect(Math.abs(median(col(series, 'cam_ty')))).toBeLessThan(0.03);
    expect(summary.camera_share).toBeGreaterThan(0.8);
    expect(summary.mean_moving_frac).toBeLessThan(0.05);
  });

  it('roll: a camera roll is measured as clockwise rotation and not as object motion', () => {
    const { series, summary } = run('roll');
    expect(median(col(series, 'cam_rot'))).toBeCloseTo(0.2, 1);
    expect(summary.camera_share).toBeGreaterThan(0.8);
  });

  it('spin: a wheel turning clockwise in place has positive curl and no net displacement', () => {
    const { series, summary } = run('spin');
    // A rigid turn at 1.5 rad/s has curl 3 rad/s; coarse flow at the wheel's rim and the averaging over
    // moving pixels leave about 0.56 (measured), so the pin is the sign and a clear margin above noise.
    expect(median(col(series, 'res_curl'))).toBeGreaterThan(0.3);
    expect(Math.abs(median(col(series, 'res_div')))).toBeLessThan(0.5);
    expect(summary.mean_energy_residual).toBeGreaterThan(0.05);
    expect(Math.abs(median(col(series, 'res_cx')) - 0.5)).toBeLessThan(0.1);
  });

  it("drop: the grid sees the fall in the ball's column, and the centroid moves down", () => {
    const { series } = run('drop');
    const t = 10; // mid-fall
    const row = Array.from({ length: 8 }, (_, c) =>
      Array.from({ length: 8 }, (_, r) => series.data[t * series.columns + cueColumnIndex(`grid_v_${r}_${c}`)]),
    );
    const colSum = row.map((cells) => cells.reduce((a, b) => a + Math.max(0, b), 0));
    const best = colSum.indexOf(Math.max(...colSum));
    expect([3, 4]).toContain(best); // the ball falls through the middle columns
    const cy = col(series, 'res_cy');
    expect(cy[12]).toBeGreaterThan(cy[4]);
  });

  it('intensity: a still scene barely changes; spreading ink changes the picture', () => {
    expect(mean(col(run('still', 2).series, 'intensity_change'))).toBeLessThan(
      mean(col(run('spread').series, 'intensity_change')),
    );
  });

  it('shake: a hand-held jitter is camera motion, not object motion', () => {
    const { summary } = run('shake');
    expect(summary.camera_share).toBeGreaterThan(0.8);
    expect(summary.mean_moving_frac).toBeLessThan(0.05);
  });

  it('wave: a 4 Hz beat is periodic at 24 fps, and aliased away at 10 fps', () => {
    const { summary } = run('wave', 3);
    expect(summary.periodicity).toBeGreaterThan(0.6);
    expect(Math.abs(summary.period_s - 0.25)).toBeLessThan(0.05);
    // The reason the analysis rate defaults to 24 fps: at 10 fps the same motion loses its rhythm.
    const at10 = renderScene('wave', { width: W, height: H, fps: 10, seconds: 3, seed: 3 }).map((f) => ({
      width: W,
      height: H,
      data: Float32Array.from(f),
    }));
    const slow = summarise(new SeriesAnalyser({ flowPreset: 'ultrafast' }).analyse(at10, 10), 10);
    expect(Math.abs(slow.period_s - 0.25) < 0.05 && slow.periodicity > 0.6).toBe(false);
  });

  it('refuses a scene name it does not know, instead of rendering a still scene', () => {
    expect(() => renderScene('nope' as SceneName, { width: W, height: H, fps: FPS, seconds: 1, seed: 1 })).toThrow(
      /Expected a scene \(drop, .*\) for renderScene but received "nope"/,
    );
  });

  it('zoom: the camera zoom rate is measured with the right sign', () => {
    const { series, summary } = run('zoom');
    expect(median(col(series, 'cam_zoom'))).toBeCloseTo(0.12, 1);
    expect(summary.camera_share).toBeGreaterThan(0.7);
  });

  it('swing: a periodic swing is periodic, with its period', () => {
    const { summary } = run('swing', 4);
    expect(summary.periodicity).toBeGreaterThan(0.6);
    // Velocity repeats every 1.2 s; energy every 0.6 s. Either is a right answer.
    expect([0.6, 1.2].some((p) => Math.abs(summary.period_s - p) < 0.15)).toBe(true);
    expect(summary.straightness).toBeLessThan(0.3);
  });

  it('slide: motion dies down, in a straight line to the right', () => {
    const { series, summary } = run('slide');
    expect(mean(col(series, 'res_vx').slice(0, 10))).toBeGreaterThan(0.3);
    expect(summary.energy_trend).toBeLessThan(-0.3);
    expect(summary.onset_decay_asymmetry).toBeLessThan(-0.2);
    expect(summary.straightness).toBeGreaterThan(0.85);
    expect(summary.periodicity).toBeLessThan(0.5);
  });

  it('spread: spreading ink shows positive divergence and the picture loses detail or gains variety', () => {
    const { summary } = run('spread');
    expect(summary.mean_res_div).toBeGreaterThan(0);
  });

  it('still: nothing moves', () => {
    const { summary } = run('still', 2);
    expect(summary.mean_energy_residual).toBeLessThan(0.02);
    expect(summary.mean_moving_frac).toBeLessThan(0.01);
    expect(summary.fb_asymmetry).toBeLessThan(0.2);
    expect(summary.camera_share).toBe(0);
    expect(summary.periodicity).toBe(0);
  });

  it('directed, decaying motion is more time-asymmetric than a periodic swing', () => {
    expect(run('slide').summary.fb_asymmetry).toBeGreaterThan(run('swing', 4).summary.fb_asymmetry + 0.1);
  });
});

describe('reversal consistency (synthetic)', () => {
  it.each(['canonical', 'both'] as const)(
    'analysing the reversed frame order gives the mirrored series (%s)',
    (directions) => {
      const f = frames('drop', 1.5, 11);
      const an = new SeriesAnalyser({ flowPreset: 'ultrafast', directions });
      const fwd = an.analyse(f, FPS);
      const rev = an.analyse(f, FPS, { reverse: true });
      const mirrored = mirrorSeries(fwd);
      let worst = 0;
      let worstName = '';
      for (let k = 0; k < fwd.columns; k++) {
        for (let t = 0; t < fwd.frames; t++) {
          const d = Math.abs(rev.data[t * fwd.columns + k] - mirrored.data[t * fwd.columns + k]);
          if (d > worst) {
            worst = d;
            worstName = CUE_COLUMNS[k].name;
          }
        }
      }
      expect(worst, `worst column ${worstName}`).toBeLessThan(1e-4);
      const a = summarise(fwd, FPS);
      const b = summarise(rev, FPS);
      expect(b.onset_decay_asymmetry).toBeCloseTo(-a.onset_decay_asymmetry, 4);
      expect(b.median_res_ay).toBeCloseTo(a.median_res_ay, 4);
      expect(b.fb_asymmetry).toBeCloseTo(a.fb_asymmetry, 4);
    },
  );
});

describe('canonical flow order', () => {
  it('depends only on the two frames, not on which comes first in time', async () => {
    const { canonicalFirst } = await import('../../src/cues/series.js');
    const f = frames('slide', 1, 5);
    let forward = 0;
    for (let t = 0; t + 1 < f.length; t++) {
      expect(canonicalFirst(f[t], f[t + 1])).toBe(!canonicalFirst(f[t + 1], f[t]));
      if (canonicalFirst(f[t], f[t + 1])) forward++;
    }
    // The hash is unrelated to the motion: both orders occur.
    expect(forward).toBeGreaterThan(2);
    expect(forward).toBeLessThan(f.length - 3);
    expect(canonicalFirst(f[0], f[0])).toBe(true);
  });
});
