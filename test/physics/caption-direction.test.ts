// Caption-direction check: stated directions are parsed (negations left out) and compared with the motion.

import { describe, expect, it } from 'vitest';
import { captionDirection, statedDirections } from '../../src/physics/checks/caption-direction.js';
import { mirrorSignals } from '../../src/physics/signals.js';
import { bodySignals, pathOf } from './helpers.js';

const fall = () => bodySignals(pathOf(1.5, 24, (t) => [0.5, 0.1 + 0.3 * t * t]));

describe('statedDirections', () => {
  it('finds the directions the VideoPhy-2 examples state', () => {
    expect(statedDirections('A small rock tumbles down a steep, rocky hillside').map((d) => d.direction)).toEqual([
      'down',
    ]);
    expect(statedDirections('Smoke rises from the chimney').map((d) => d.direction)).toEqual(['up']);
    expect(statedDirections('Leaves are blown away from the leaf blower').map((d) => d.direction)).toEqual(['outward']);
    expect(statedDirections('A car drives from left to right').map((d) => d.direction)).toEqual(['right']);
    expect(statedDirections('A dog runs towards the camera').map((d) => d.direction)).toEqual(['toward_camera']);
    expect(statedDirections('The cup falls and the water splashes, spreading out').map((d) => d.direction)).toEqual([
      'down',
      'outward',
    ]);
  });
  it('leaves out negated directions and texts without any', () => {
    expect(statedDirections('The pot nearly slides down but remains in place')).toEqual([]);
    expect(statedDirections('The vase does not fall')).toEqual([]);
    expect(statedDirections('A man reads a book')).toEqual([]);
    expect(statedDirections(null)).toEqual([]);
  });
});

describe('caption-direction check', () => {
  const run = (s: ReturnType<typeof fall>, text: string | null) =>
    captionDirection.run({ signals: s, caption: null, model: null }, text);
  it('passes a falling body whose caption says it falls', () => {
    expect(run(fall(), 'The apple falls from the tree').score).toBe(1);
  });
  it('fails a body moving up when the caption says it tumbles down (a reversal artefact)', () => {
    const r = run(mirrorSignals(fall()), 'A rock tumbles down the hill');
    expect(r.score).toBe(0);
    expect(r.reversal_strength).toBeGreaterThanOrEqual(0.5);
    expect(r.evidence.explanation).toMatch(/tumbles down/);
  });
  it('fails a falling body whose caption says it rises', () => {
    expect(run(fall(), 'A balloon rises into the sky').score).toBe(0);
  });
  it('cannot judge without a stated direction or without motion', () => {
    expect(run(fall(), 'A red apple').score).toBe(2);
    expect(run(bodySignals(pathOf(1, 24, () => [0.5, 0.5])), 'The apple falls').score).toBe(2);
  });
});
