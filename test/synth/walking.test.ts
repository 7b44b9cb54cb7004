// The walking family: planted stance feet do not slide; the body advances the way it faces.

import { beforeAll, describe, expect, it } from 'vitest';
import { FAMILIES, Rng, familyByName, prepareCorpus } from '../../src/synth/corpus/index.js';
import { drawGait, gaitStats, walkPose, walking } from '../../src/synth/corpus/walking.js';

beforeAll(async () => {
  await prepareCorpus();
});

describe('walking family', () => {
  it('is registered as irreversible', () => {
    expect(familyByName('walking')).toBe(walking);
    expect(FAMILIES.filter((f) => f.name === 'walking').map((f) => f.verdict)).toEqual(['irreversible']);
  });

  it('records direction, speed and stride, and moves the figure that way', () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 8; seed++) {
      const { meta } = walking.render(new Rng(seed), { width: 32, height: 18, clean: true });
      const dir = meta.direction as string;
      seen.add(dir);
      expect(meta.speed as number).toBeGreaterThan(0);
      expect(meta.stride as number).toBeGreaterThan(0);
      const moved = meta.displacement as number;
      expect(Math.sign(moved)).toBe(dir === 'right' ? 1 : -1);
    }
    expect(seen).toEqual(new Set(['left', 'right']));
  });

  it('keeps the stance foot planted, the swing foot off the ground, and advances the body the way it faces', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const g = drawGait(new Rng(seed));
      const leg = g.thigh + g.shin;
      const { stride } = gaitStats(g);
      const steps = 400;
      // Two gait cycles, sampled finely: every stance of each leg is seen whole at least once.
      const poses = Array.from({ length: 2 * steps + 1 }, (_, i) => walkPose(g, 0.3 + i / steps));
      for (const k of [0, 1] as const) {
        let plant: number | null = null;
        let stances = 0;
        for (const p of poses) {
          const l = p.legs[k];
          if (l.stance) {
            if (plant === null) {
              plant = l.ankle[0];
              stances++;
            }
            expect(Math.abs(l.ankle[0] - plant)).toBeLessThan(1e-6 * leg);
            expect(l.ankle[1]).toBeCloseTo(g.ankle, 9);
            expect(Math.min(l.heel[1], l.toe[1])).toBeCloseTo(0, 9);
          } else {
            plant = null;
            expect(l.ankle[1]).toBeGreaterThan(g.ankle - 1e-6 * leg);
          }
        }
        expect(stances).toBeGreaterThanOrEqual(2);
      }
      // Exactly one foot bears the body at a time, and the body is over the ground at leg height, bobbing a little.
      const hipY = poses.map((p) => p.hip[1]);
      const bob = Math.max(...hipY) - Math.min(...hipY);
      expect(bob).toBeGreaterThan(0.005 * leg);
      expect(bob).toBeLessThan(0.15 * leg);
      // The body advances steadily in the facing direction: a stride per cycle, never backwards.
      const xs = poses.map((p) => p.hip[0]);
      expect((xs[xs.length - 1] - xs[0]) * g.direction).toBeCloseTo(2 * stride, 6);
      for (let i = 1; i < xs.length; i++) expect((xs[i] - xs[i - 1]) * g.direction).toBeGreaterThan(0);
      // The face (head ahead of the torso's axis) and the toes point that way too.
      for (const p of poses.slice(0, 5)) {
        expect((p.head[0] - p.hip[0]) * g.direction).toBeGreaterThan(0);
        for (const l of p.legs) expect((l.toe[0] - l.heel[0]) * g.direction).toBeGreaterThan(0);
      }
    }
  });
});
