// Signals: named columns from a series, and the time mirror that the scan's --reverse produces.

import { describe, expect, it } from 'vitest';
import { CUE_COLUMNS } from '../../src/cues/index.js';
import { mirrorSignals, signalsFromSeries } from '../../src/physics/signals.js';

const names = CUE_COLUMNS.map((c) => c.name);

function series(frames: number) {
  const data = new Float32Array(frames * names.length);
  for (let t = 0; t < frames; t++) for (let k = 0; k < names.length; k++) data[t * names.length + k] = t + k / 1000;
  return { frames, columns: names.length, data };
}

describe('signals', () => {
  it('reads the columns the checks need by name', () => {
    const s = signalsFromSeries(series(5), names, { fps: 24, startS: 2, sourceFps: 30 });
    const k = names.indexOf('res_vy');
    expect(s.vy[3]).toBeCloseTo(3 + k / 1000, 5);
    expect(s.gridV[9][2]).toBeCloseTo(2 + names.indexOf('grid_v_1_1') / 1000, 5);
    expect(s).toMatchObject({ pairs: 5, fps: 24, startS: 2, sourceFps: 30 });
  });

  it('names the missing column of a series from another cue table', () => {
    const other = names.map((n) => (n === 'res_ay' ? 'something_else' : n));
    expect(() => signalsFromSeries(series(3), other, { fps: 24 })).toThrow(/column named "res_ay"/);
    expect(() => signalsFromSeries(series(3), names.slice(1), { fps: 24 })).toThrow(/column names/);
  });

  it('mirrors like a reversed clip: order reversed, velocities negated, accelerations kept', () => {
    const s = signalsFromSeries(series(4), names, { fps: 24 });
    const m = mirrorSignals(s);
    expect(m.vy[0]).toBe(-s.vy[3]);
    expect(m.ay[0]).toBe(s.ay[3]);
    expect(m.energy[1]).toBe(s.energy[2]);
    expect(m.gridU[5][0]).toBe(-s.gridU[5][3]);
    expect(Array.from(mirrorSignals(m).vx)).toEqual(Array.from(s.vx));
  });
});
