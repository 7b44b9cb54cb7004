// The handheld look: real footage's camera and background nuisances, added without disturbing the standard corpus.

import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAMILIES, Rng, prepareCorpus } from '../../src/synth/corpus/index.js';
import { pickLook } from '../../src/synth/corpus/randomise.js';
import type { Look } from '../../src/synth/corpus/randomise.js';

const SMALL = { width: 160, height: 90, fps: 15, seconds: 2 } as const;

const digest = (frames: Uint8Array[]): string => frames.reduce((h, f) => h.update(f), createHash('sha1')).digest('hex');

beforeAll(async () => {
  await prepareCorpus();
});

describe('pickLook handheld', () => {
  it('leaves every draw of the standard look as it was, and adds the handheld nuisances from a stream of its own', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const plain = pickLook(new Rng(seed));
      const hand = pickLook(new Rng(seed), { handheld: true });
      expect(plain.handheld).toBeNull();
      const { handheld, camera, ...rest } = hand;
      const { handheld: _h, camera: plainCamera, ...plainRest } = plain;
      expect(rest).toEqual(plainRest);
      expect({ ...camera, shake: 0 }).toEqual({ ...plainCamera, shake: 0 });
      expect(camera.shake).toBeGreaterThanOrEqual(1.5);
      expect(camera.shake).toBeLessThanOrEqual(5);
      const h = handheld!;
      expect(h.sway.ax).toBeGreaterThan(0);
      expect(h.sway.ax).toBeLessThanOrEqual(0.1 * hand.width);
      expect(h.exposure.a).toBeLessThanOrEqual(0.15);
      expect(h.distractors.length).toBeLessThanOrEqual(5);
      for (const d of h.distractors) expect(d.alpha).toBeGreaterThan(0);
    }
  });

  it('is off in clean renders', () => {
    expect(pickLook(new Rng(3), { handheld: true, clean: true }).handheld).toBeNull();
  });

  it('draws some clips with background things and some without, over many seeds', () => {
    const counts = Array.from(
      { length: 200 },
      (_, s) => pickLook(new Rng(s), { handheld: true }).handheld!.distractors.length,
    );
    expect(counts.filter((n) => n === 0).length).toBeGreaterThan(20);
    expect(counts.filter((n) => n >= 2).length).toBeGreaterThan(50);
  });
});

describe.each(FAMILIES.filter((_, i) => i % 4 === 0).map((f) => [f.name, f] as const))(
  'family %s, handheld',
  (_name, family) => {
    it('renders deterministically, records the look, and differs from the standard render of the same seed', () => {
      const a = family.render(new Rng(11), { ...SMALL, handheld: true });
      const b = family.render(new Rng(11), { ...SMALL, handheld: true });
      const plain = family.render(new Rng(11), SMALL);
      expect(digest(a.frames)).toBe(digest(b.frames));
      expect(digest(a.frames)).not.toBe(digest(plain.frames));
      expect((a.meta.look as Look).handheld).not.toBeNull();
      expect((plain.meta.look as Look).handheld).toBeNull();
    });
  },
);
