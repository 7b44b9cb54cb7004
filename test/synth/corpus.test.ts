// Every corpus family renders deterministic, moving frames, and the registry covers all three verdicts.

import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAMILIES, Rng, prepareCorpus } from '../../src/synth/corpus/index.js';

const SMALL = { width: 160, height: 90, fps: 15, seconds: 2 } as const;

function digest(frames: Uint8Array[]): string {
  const h = createHash('sha1');
  for (const f of frames) h.update(f);
  return h.digest('hex');
}

/** Largest mean absolute difference (8-bit levels) between the first frame and any later one. */
function maxChange(frames: Uint8Array[]): number {
  let best = 0;
  for (let i = 1; i < frames.length; i++) {
    let s = 0;
    for (let p = 0; p < frames[0].length; p += 4)
      s += Math.abs(frames[i][p] - frames[0][p]) + Math.abs(frames[i][p + 1] - frames[0][p + 1]);
    best = Math.max(best, s / (frames[0].length / 2));
  }
  return best;
}

beforeAll(async () => {
  await prepareCorpus();
});

describe('corpus registry', () => {
  it('has unique names, valid verdicts and at least 3 families per verdict', () => {
    expect(Object.isFrozen(FAMILIES)).toBe(true);
    expect(new Set(FAMILIES.map((f) => f.name)).size).toBe(FAMILIES.length);
    for (const v of ['invariant', 'equivariant', 'irreversible'] as const) {
      expect(FAMILIES.filter((f) => f.verdict === v).length).toBeGreaterThanOrEqual(3);
    }
    for (const f of FAMILIES) {
      expect(['invariant', 'equivariant', 'irreversible']).toContain(f.verdict);
      expect(f.description.length).toBeGreaterThan(20);
    }
  });
});

describe.each(FAMILIES.map((f) => [f.name, f] as const))('family %s', (_name, family) => {
  it('renders the same frames for the same seed, and something moves', () => {
    const a = family.render(new Rng(7), SMALL);
    const b = family.render(new Rng(7), SMALL);
    expect(a.frames.length).toBe(30);
    expect(a.frames[0].length).toBe(160 * 90 * 4);
    expect([a.width, a.height, a.fps]).toEqual([160, 90, 15]);
    expect(digest(a.frames)).toBe(digest(b.frames));
    expect(maxChange(a.frames)).toBeGreaterThan(0.5);
    if (family.verdict === 'equivariant') {
      expect(typeof a.meta.action).toBe('string');
      expect(typeof a.meta.reversed_action).toBe('string');
      expect(a.meta.action).not.toBe(a.meta.reversed_action);
    }
    const c = family.render(new Rng(8), SMALL);
    expect(digest(c.frames)).not.toBe(digest(a.frames));
  });
});
