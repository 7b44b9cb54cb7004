// The stacking family: stacking raises the stack and unstacking lowers it; kinematics stay plausible.

import { beforeAll, describe, expect, it } from 'vitest';
import { FAMILIES, Rng, familyByName, prepareCorpus } from '../../src/synth/corpus/index.js';
import { planStacking, stackHeight, stackingPose, stacking } from '../../src/synth/corpus/stacking.js';

beforeAll(async () => {
  await prepareCorpus();
});

describe('stacking family', () => {
  it('is registered as equivariant', () => {
    expect(familyByName('stacking')).toBe(stacking);
    expect(FAMILIES.filter((f) => f.name === 'stacking').map((f) => f.verdict)).toEqual(['equivariant']);
  });

  it('stacking ends with a higher stack than it starts, unstacking with a lower one', () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 24; seed++) {
      // Tiny frames: only the meta matters here, and every drawn length and crop is exercised.
      const { meta } = stacking.render(new Rng(seed), { width: 32, height: 18, clean: true });
      const action = meta.action as string;
      seen.add(action);
      expect(meta.reversed_action).toBe(action === 'stack' ? 'unstack' : 'stack');
      const h0 = meta.stack_height_start as number;
      const h1 = meta.stack_height_end as number;
      if (action === 'stack') expect(h1).toBeGreaterThan(h0 + 0.01);
      else expect(h1).toBeLessThan(h0 - 0.01);
    }
    expect(seen).toEqual(new Set(['stack', 'unstack']));
  });

  it('moves smoothly: held blocks ride in the fingers, resting blocks stay put, nothing overlaps', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const plan = planStacking(new Rng(seed), 1 + (seed % 3));
      const n = plan.blocks.length;
      expect(stackHeight(plan, stackingPose(plan, 1))).toBeGreaterThan(stackHeight(plan, stackingPose(plan, 0)) + 0.01);
      // All blocks on the floor at u = 0, all on the stack at u = 1.
      stackingPose(plan, 0).blocks.forEach(([, y], k) => {
        expect(y).toBeCloseTo(plan.blocks[k].hh, 6);
      });
      expect(stackHeight(plan, stackingPose(plan, 1))).toBeCloseTo(
        plan.blocks.reduce((a, b) => a + 2 * b.hh, 0),
        5,
      );
      const steps = 2000;
      let prev = stackingPose(plan, 0);
      let maxStep = 0;
      for (let i = 1; i <= steps; i++) {
        const pose = stackingPose(plan, i / steps);
        const g = pose.gripper;
        maxStep = Math.max(
          maxStep,
          Math.hypot(g.x - prev.gripper.x, g.y - prev.gripper.y),
          Math.abs(g.gap - prev.gripper.gap),
        );
        pose.blocks.forEach(([x, y], k) => {
          const b = plan.blocks[k];
          if (k === pose.held) {
            expect(x).toBeCloseTo(g.x, 9);
            expect(y + b.hh).toBeCloseTo(g.y, 9);
          } else if (k !== prev.held) {
            // A block not held now or just before is at rest: it does not move between samples.
            expect(x).toBe(prev.blocks[k][0]);
            expect(y).toBe(prev.blocks[k][1]);
          }
          expect(y - b.hh).toBeGreaterThan(-1e-9);
          for (let j = k + 1; j < n; j++) {
            const o = plan.blocks[j];
            const [ox, oy] = pose.blocks[j];
            const overlap = Math.abs(x - ox) < b.hw + o.hw - 1e-6 && Math.abs(y - oy) < b.hh + o.hh - 1e-6;
            expect(overlap).toBe(false);
          }
        });
        prev = pose;
      }
      // No jumps (blocks are 5-20 cm): the gripper path and finger gap are continuous.
      expect(maxStep).toBeLessThan(0.03);
      // Smooth start and stop: at rest at both ends of the timeline.
      const a = stackingPose(plan, 0).gripper;
      const b = stackingPose(plan, 1e-4).gripper;
      expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeLessThan(1e-6);
    }
  });
});
