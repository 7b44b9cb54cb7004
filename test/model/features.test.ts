// The model's input contract: fixed window, centring, symmetric padding with a mask, exact mirror property.

import { describe, expect, it } from 'vitest';
import { CUE_COLUMNS } from '../../src/cues/index.js';
import { mirrorSeries, SeriesAnalyser } from '../../src/cues/series.js';
import { ModelError } from '../../src/errors.js';
import {
  clipWindows,
  inputMask,
  MAX_WINDOWS,
  MODEL_F,
  MODEL_T,
  mirrorInput,
  mirrorMask,
  ODD_MASK,
  seriesToInput,
  seriesToModelInput,
} from '../../src/model/features.js';
import { renderScene } from '../../src/synth/scenes.js';
import { randomSeries } from './helpers.js';

const F = MODEL_F;
const row = (x: Float32Array, i: number): number[] => Array.from(x.subarray(i * F, (i + 1) * F));
const same = (a: Float32Array, b: Float32Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

describe('seriesToInput / inputMask', () => {
  it('ODD_MASK marks exactly the odd-parity columns', () => {
    expect(ODD_MASK.length).toBe(CUE_COLUMNS.length);
    CUE_COLUMNS.forEach((c, k) => {
      expect(ODD_MASK[k]).toBe(c.parity === 'odd' ? 1 : 0);
    });
    expect(ODD_MASK.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('a series of exactly T rows passes unchanged, fully measured', () => {
    const s = randomSeries(MODEL_T, 1);
    expect(same(seriesToInput(s), s.data)).toBe(true);
    expect(inputMask(MODEL_T).every((v) => v === 1)).toBe(true);
  });

  it('a longer series is cropped to its middle (even excess: rows 18..81 of 100)', () => {
    const s = randomSeries(100, 2);
    const x = seriesToInput(s);
    expect(x.length).toBe(MODEL_T * F);
    expect(row(x, 0)).toEqual(Array.from(s.data.subarray(18 * F, 19 * F)));
    expect(row(x, 63)).toEqual(Array.from(s.data.subarray(81 * F, 82 * F)));
    expect(inputMask(100).every((v) => v === 1)).toBe(true);
  });

  it('odd excess: each row is the mean of the two rows around the exact centre (a half-row shift)', () => {
    const s = randomSeries(101, 3); // centre offset 18.5
    const x = seriesToInput(s);
    for (const k of [0, 5, F - 1]) expect(x[k]).toBe(Math.fround(0.5 * (s.data[18 * F + k] + s.data[19 * F + k])));
  });

  it('a shorter series is padded equally on both sides; the mask tells padding from stillness', () => {
    const s = randomSeries(40, 4); // 24 rows of padding: 12 before, 12 after
    const x = seriesToInput(s);
    const mask = inputMask(40);
    expect(row(x, 11).every((v) => v === 0)).toBe(true);
    expect(row(x, 12)).toEqual(Array.from(s.data.subarray(0, F)));
    expect(row(x, 51)).toEqual(Array.from(s.data.subarray(39 * F, 40 * F)));
    expect(row(x, 52).every((v) => v === 0)).toBe(true);
    expect(Array.from(mask.subarray(10, 14))).toEqual([0, 0, 1, 1]);
    expect(Array.from(mask.subarray(50, 54))).toEqual([1, 1, 0, 0]);
    expect(mask.reduce((a, b) => a + b, 0)).toBe(40);
    // Odd padding (41 rows, 23 to add): the edge rows are half measured.
    const m41 = inputMask(41);
    expect(m41.reduce((a, b) => a + b, 0)).toBe(41);
    expect(m41[11]).toBe(0.5);
    expect(m41[52]).toBe(0.5);
    expect(same(m41, mirrorMask(m41))).toBe(true);
  });

  it('mirror property: the input of the mirrored series is the mirrored input, for every length', () => {
    for (const frames of [1, 2, 17, 40, 41, 63, 64, 65, 66, 100, 101, 240]) {
      const s = randomSeries(frames, frames);
      const a = seriesToInput(mirrorSeries(s));
      const b = mirrorInput(seriesToInput(s));
      expect(same(a, b), `frames ${frames}`).toBe(true);
      expect(same(inputMask(frames), mirrorMask(inputMask(frames)))).toBe(true);
    }
  });

  it('mirror property on a real cue series (a dropped ball analysed, and analysed reversed)', () => {
    const frames = renderScene('drop', { width: 96, height: 64, fps: 24, seconds: 3.5, seed: 5 }).map((f) => ({
      width: 96,
      height: 64,
      data: Float32Array.from(f),
    }));
    const analyser = new SeriesAnalyser({ flowPreset: 'ultrafast' });
    const forward = analyser.analyse(frames, 24);
    const backward = analyser.analyse(frames, 24, { reverse: true });
    expect(forward.frames).toBe(83); // odd excess over T: the half-row window
    expect(same(seriesToInput(backward), mirrorInput(seriesToInput(forward)))).toBe(true);
  });

  it('non-finite values become 0; a series of other columns or a bad T is refused', () => {
    const s = randomSeries(64, 6);
    s.data[5] = Number.NaN;
    s.data[6] = Number.POSITIVE_INFINITY;
    const x = seriesToInput(s);
    expect([x[5], x[6]]).toEqual([0, 0]);
    expect(() => seriesToInput({ frames: 2, columns: 3, data: new Float32Array(6) })).toThrow(ModelError);
    expect(() => seriesToInput(s, 0)).toThrow(/positive integer/);
  });
});

describe('clipWindows', () => {
  it('one centred window up to T rows; beyond, ceil(frames / T) windows from the first row to the last', () => {
    for (const frames of [1, 40, 64]) {
      const w = clipWindows(randomSeries(frames, frames));
      expect(w).toHaveLength(1);
      expect(same(w[0].x, seriesToModelInput(randomSeries(frames, frames)).x)).toBe(true);
    }
    const s = randomSeries(200, 3); // 4 windows: starts 0, 45, 91, 136
    const w = clipWindows(s);
    expect(w).toHaveLength(4);
    const row = (t: number) => s.data.subarray(t * MODEL_F, (t + 1) * MODEL_F);
    expect(same(w[0].x.subarray(0, MODEL_F), row(0))).toBe(true);
    expect(same(w[1].x.subarray(0, MODEL_F), row(45))).toBe(true);
    expect(same(w[2].x.subarray(0, MODEL_F), row(91))).toBe(true);
    expect(same(w[3].x.subarray((MODEL_T - 1) * MODEL_F), row(199))).toBe(true); // the last row is seen
    w.forEach((x) => {
      expect(x.mask.every((v) => v === 1)).toBe(true);
    });
    expect(clipWindows(randomSeries(10_000, 1))).toHaveLength(MAX_WINDOWS);
    expect(clipWindows(randomSeries(200, 3), MODEL_T, 2)).toHaveLength(2);
    expect(() => clipWindows(s, MODEL_T, 0)).toThrow(ModelError);
  });

  it('mirror property: the windows of the mirrored series are the mirrored windows, in reverse order', () => {
    for (const frames of [65, 100, 129, 150, 191, 192, 193, 240, 1001]) {
      const s = randomSeries(frames, frames);
      const a = clipWindows(mirrorSeries(s));
      const b = clipWindows(s).reverse();
      expect(a.length, `frames ${frames}`).toBe(b.length);
      a.forEach((w, k) => {
        expect(same(w.x, mirrorInput(b[k].x)), `frames ${frames} window ${k}`).toBe(true);
        expect(same(w.mask, mirrorMask(b[k].mask))).toBe(true);
      });
    }
  });
});
