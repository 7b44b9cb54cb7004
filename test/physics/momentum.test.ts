// Momentum check: rebounds that lose speed pass, the same bounces reversed (gaining speed) fail; jumps fail.

import { describe, expect, it } from 'vitest';
import { energyGain, jumps, momentum, rebounds } from '../../src/physics/checks/momentum.js';
import { mirrorSignals } from '../../src/physics/signals.js';
import { bodySignals, dropPath, pathOf } from './helpers.js';

const run = (s: ReturnType<typeof bodySignals>) => momentum.run({ signals: s, caption: null, model: null });

describe('momentum check', () => {
  it('passes a ball bouncing lower each time (restitution 0.55)', () => {
    const s = bodySignals(dropPath({ seconds: 4, e: 0.55 }));
    const rs = rebounds(s, 'vy');
    expect(rs.length).toBeGreaterThanOrEqual(2);
    for (const [, , before, after] of rs) expect(after).toBeLessThan(before);
    const r = run(s);
    expect(r.score).toBe(1);
    expect(r.evidence.values.rebounds).toBe(rs.length);
  });

  it('fails the bounces played backwards: each rebound leaves faster than it came in', () => {
    const g = energyGain(mirrorSignals(bodySignals(dropPath({ seconds: 4, e: 0.55 }))));
    expect(g.finding!.kind).toBe('rebound_gains_speed');
    expect(g.finding!.values.mean_speed_ratio).toBeGreaterThan(1.5);
    expect(g.finding!.strength).toBe(1);
    expect(run(mirrorSignals(bodySignals(dropPath({ seconds: 4, e: 0.55 })))).score).toBe(0);
  });

  it('fails a body that teleports across the frame in one pair', () => {
    // Slides right at 0.1 short sides/s and is suddenly 0.8 further on; the flow only ever sees the slide.
    const path = pathOf(1, 24, (t) => (t < 0.5 ? [0.05 + 0.1 * t, 0.5] : [0.9 + 0.1 * (t - 0.5), 0.5]));
    const slide = () => [0.1, 0] as const;
    const js = jumps(bodySignals(path, 24, { flow: slide }));
    expect(js.length).toBe(1);
    expect(js[0].values.grid_cells_jumped).toBe(7);
    expect(run(bodySignals(path, 24, { flow: slide })).score).toBe(0);
    // The same positions with the flow following them (a fast but tracked motion) is no teleport.
    expect(jumps(bodySignals(path))).toEqual([]);
  });

  it('cannot judge a still clip', () => {
    expect(run(bodySignals(pathOf(2, 24, () => [0.5, 0.5]))).score).toBe(2);
  });
});
