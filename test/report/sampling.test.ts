// The report's bounded top-N: which clips it shows must not depend on the order workers finished them in.

import { describe, expect, it } from 'vitest';
import { TopN } from '../../src/report/sampling.js';

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
