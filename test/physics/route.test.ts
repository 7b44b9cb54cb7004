// Routing: rules reach the checks that can judge them; the rest answer 2 "no motion check applies".

import { describe, expect, it } from 'vitest';
import { routeRule } from '../../src/physics/route.js';

const checks = (rule: string, law: string | null = null) =>
  routeRule(rule, law)
    .map((h) => h.check)
    .sort();

describe('routeRule', () => {
  it('routes by words', () => {
    expect(checks('The rock tumbles down the hillside.')).toEqual(['caption_direction', 'gravity']);
    expect(checks('The ball bounces off the wall and rebounds.')).toEqual(['gravity', 'momentum']);
    expect(checks('The knife slides across the surface of the blocks.')).toEqual(['momentum']);
    expect(checks('Beer is poured into the cup, forming foam.')).toEqual(['caption_direction', 'time_direction']);
    expect(checks('The brick remains intact; no pieces disappear.')).toEqual(['persistence']);
    expect(checks('Leaves move away from the leaf blower.')).toEqual(['caption_direction']);
  });
  it('routes by the law of metadata_rules, and says why', () => {
    expect(routeRule('The pot stays on the counter.', 'Inertia')).toEqual([
      { check: 'momentum', because: 'law "Inertia"' },
    ]);
    expect(checks('The parachute opens.', 'Gravity')).toEqual(['gravity']);
    expect(routeRule('The knife slides.')[0].because).toBe('word "slides"');
  });
  it('routes nothing for rules no motion check can judge', () => {
    expect(routeRule("The pot's shadow is visible (if light source is present).")).toEqual([]);
    expect(routeRule("The clay deforms under the potter's hands.")).toEqual([]);
    expect(routeRule('The paint roller leaves an even coat.')).toEqual([]);
  });
});
