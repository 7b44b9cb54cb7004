import { describe, expect, it } from 'vitest';
import { StringTable } from '../../src/util/string-table.js';
import { rng as mulberry32 } from '../../src/util/random.js';

/** Random keys drawn to collide in their prefixes, with non-ASCII, empty and very long keys among them. */
function keys(n: number, seed: number): string[] {
  const rand = mulberry32(seed);
  const alphabet = ['a', 'b', '0', '1', '-', 'é', '中', '😀', '/'];
  const out: string[] = ['', 'x'.repeat(70_000), `${'y'.repeat(70_000)}z`];
  for (let i = 0; i < n; i++) {
    const len = Math.floor(rand() * 12);
    let k = i % 3 === 0 ? `id:clip-${String(Math.floor(rand() * n)).padStart(8, '0')}` : '';
    for (let j = 0; j < len; j++) k += alphabet[Math.floor(rand() * alphabet.length)];
    out.push(k);
  }
  return out;
}

describe('StringTable', () => {
  it('agrees with a Map<string, number> on sets, gets, overwrites and misses, across growth and arena chunks', () => {
    const table = new StringTable();
    const ref = new Map<string, number>();
    const all = keys(120_000, 7);
    for (let i = 0; i < all.length; i++) {
      const k = all[i] as string;
      table.set(k, i);
      ref.set(k, i);
    }
    expect(table.size).toBe(ref.size);
    for (const [k, v] of ref) expect(table.get(k)).toBe(v);
    for (const k of keys(20_000, 8)) expect(table.get(k)).toBe(ref.get(k));
    // a key that differs from a stored one in its last byte only, or only in length
    expect(table.has('id:clip-0000000')).toBe(ref.has('id:clip-0000000'));
    expect(table.has(`${'y'.repeat(70_000)}`)).toBe(false);
  });

  it('works as a set: add keeps the first value, has and size, clear forgets everything', () => {
    const t = new StringTable();
    t.set('id:a', 5).add('id:a').add('row:3').add('row:3');
    expect(t.size).toBe(2);
    expect(t.get('id:a')).toBe(5);
    expect(t.get('row:3')).toBe(0);
    expect(t.has('row:4')).toBe(false);
    t.clear();
    expect(t.size).toBe(0);
    expect(t.has('id:a')).toBe(false);
    t.add('id:a');
    expect(t.has('id:a')).toBe(true);
  });

  it('putIfAbsent keeps the first value and returns it, as a Map check-then-set would, for short and long keys', () => {
    const table = new StringTable();
    const ref = new Map<string, number>();
    const all = keys(30_000, 9);
    for (let i = 0; i < all.length; i++) {
      const k = all[i] as string;
      const had = ref.get(k);
      if (had === undefined) ref.set(k, i);
      expect(table.putIfAbsent(k, i)).toBe(had);
    }
    expect(table.size).toBe(ref.size);
    for (const [k, v] of ref) expect(table.get(k)).toBe(v);
  });

  it('refuses values that are not whole numbers from 0 to 2^32-1', () => {
    const t = new StringTable();
    expect(() => t.set('a', -1)).toThrow(RangeError);
    expect(() => t.set('a', 1.5)).toThrow(/whole numbers/);
    expect(() => t.set('a', 2 ** 32)).toThrow(RangeError);
    t.set('a', 2 ** 32 - 1);
    expect(t.get('a')).toBe(2 ** 32 - 1);
  });
});
