// Persistence check: a one-pair jump of the picture with a moving region appearing fails; smooth change passes.

import { describe, expect, it } from 'vitest';
import { persistence, pops } from '../../src/physics/checks/persistence.js';
import { makeSignals } from '../../src/physics/signals.js';

describe('persistence check', () => {
  it('fails when a moving region appears at once with a jump of the picture', () => {
    const intensity = Array(48).fill(0.03);
    intensity[20] = 0.4;
    const moving = Array.from({ length: 48 }, (_, t) => (t > 20 ? 0.05 : 0));
    const s = makeSignals({ intensity, movingFrac: moving });
    const found = pops(s);
    expect(found.map((f) => f.kind)).toEqual(['region_appears']);
    const r = persistence.run({ signals: s, caption: null, model: null });
    expect(r.score).toBe(0);
    expect(r.evidence.frames).toEqual([20, 21]);
  });

  it('caps a jump of the whole picture with no moving region (a cut or a flash) below certainty', () => {
    const intensity = Array(48).fill(0.03);
    intensity[30] = 0.6;
    const [f] = pops(makeSignals({ intensity }));
    expect(f.kind).toBe('picture_jumps');
    expect(f.strength).toBeLessThan(1);
  });

  it('passes a picture that changes smoothly, even a lot', () => {
    const intensity = Array.from({ length: 48 }, (_, t) => 0.1 + 0.1 * Math.sin(t / 5));
    expect(persistence.run({ signals: makeSignals({ intensity }), caption: null, model: null }).score).toBe(1);
  });
});
