// The shared small helpers against known values: FNV-1a test vectors, mulberry32 streams, the median.

import { describe, expect, it } from 'vitest';
import { fnv1a, fnv1aStep, FNV_BASIS, mix32 } from '../../src/util/hash.js';
import { rng } from '../../src/util/random.js';
import { median } from '../../src/util/stats.js';
import { hashSeed, Rng } from '../../src/synth/corpus/randomise.js';
import { idHash } from '../../src/decide/scan-results.js';

describe('mix32', () => {
  it("is murmur3's 32-bit finaliser (published values)", () => {
    expect(mix32(0)).toBe(0);
    expect(mix32(1)).toBe(0x514e28b7);
    expect(mix32(0xffffffff)).toBe(0x81f16f39);
  });
});

describe('fnv1a', () => {
  it('gives the published 32-bit FNV-1a test vectors', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
    expect([...'foobar'].reduce((h, c) => fnv1aStep(h, c.charCodeAt(0)), FNV_BASIS)).toBe(0xbf9cf968);
  });

  it('is the hash the scan ids and the synthetic sub-seeds have always used', () => {
    expect(idHash('foobar')).toBe(0xbf9cf968);
    // the sub-seed: FNV-1a with the seed in the basis, then a final mix, computed here the long way
    let h = (0x811c9dc5 ^ 7) >>> 0;
    for (const c of 'scene') h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    h ^= h >>> 16;
    expect(hashSeed(7, 'scene')).toBe(Math.imul(h, 0x45d9f3b) >>> 0);
  });
});

describe('mulberry32', () => {
  it('the synthetic scenes and the report draw the same stream from the same seed', () => {
    const a = rng(42);
    const b = new Rng(42);
    for (let i = 0; i < 100; i++) expect(b.next()).toBe(a());
    const c = rng(42);
    const first = c();
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(1);
    expect(rng(43)()).not.toBe(first);
  });
});

describe('median', () => {
  it('is the middle value, the mean of the middle two, or null for none', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median(Float64Array.of(4, 1, 3, 2))).toBe(2.5);
    expect(median([])).toBeNull();
  });
});
