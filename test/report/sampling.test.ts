// The report's bounded top-N: which clips it shows must not depend on the order workers finished them in.

import { describe, expect, it } from 'vitest';
import { Reservoir, TopN } from '../../src/report/sampling.js';

describe('TopN', () => {
  it('keeps the highest scores, ties going to the earlier input row whatever the order of arrival', () => {
    const rows = [
      { id: 'a', row: 2, s: 0.5 },
      { id: 'b', row: 3, s: 0.9 },
      { id: 'c', row: 4, s: 0.5 },
      { id: 'd', row: 5, s: 0.5 },
      { id: 'e', row: 6, s: 0.1 },
    ];
    const orders = [rows, [...rows].reverse(), [rows[3], rows[0], rows[4], rows[2], rows[1]]];
    for (const order of orders) {
      const top = new TopN(3);
      for (const r of order) top.add(r.s, r);
      expect(top.rows().map((r) => r.id)).toEqual(['b', 'a', 'c']);
      expect(top.count).toBe(5);
    }
  });

  it('falls back to the order of arrival for rows without a row number', () => {
    const top = new TopN(2);
    for (const id of ['x', 'y', 'z']) top.add(1, { id });
    expect(top.rows().map((r) => r.id)).toEqual(['x', 'y']);
  });
});

describe('Reservoir', () => {
  it('keeps the same sample of rows whatever order they arrive in, at most `size` of them', () => {
    const rows = Array.from({ length: 5_000 }, (_, i) => ({ row: i + 2, x: i / 10, layer: i % 3 === 0 ? 'a' : 'b' }));
    const shuffled = [...rows].sort((p, q) => ((p.row * 7919) % 5003) - ((q.row * 7919) % 5003));
    const samples = [rows, [...rows].reverse(), shuffled].map((order) => {
      const r = new Reservoir(200);
      for (const { row, x, layer } of order) r.add(x, layer, row);
      expect(r.seen).toBe(5_000);
      return r.values.map((v, i) => `${v}:${r.layers[i]}`);
    });
    expect(samples[0]).toHaveLength(200);
    expect(samples[1]).toEqual(samples[0]);
    expect(samples[2]).toEqual(samples[0]);
  });

  it('is a fair sample: its mean is near the mean of all values, and every part of the stream is drawn', () => {
    const r = new Reservoir(1_000);
    for (let i = 0; i < 100_000; i++) r.add(i, 'x', i + 2);
    const mean = r.values.reduce((a, b) => a + b, 0) / r.values.length;
    expect(Math.abs(mean - 49_999.5)).toBeLessThan(3_000);
    const tenths = new Set(r.values.map((v) => Math.floor(v / 10_000)));
    expect(tenths.size).toBe(10);
  });
});
