// Check: caption direction. The motion must not contradict a direction the caption (or rule) states.

import { STATED_DIRECTIONS, type StatedDirection, statedPattern } from '../../labels/motion-words.js';
import { checkResult, movingMask, ramp } from '../motion.js';
import type { ClipSignals } from '../signals.js';
import type { Finding, PhysicsCheck } from '../types.js';

/** Directions a text can state, and what each predicts for the moving mass. */
export type Direction = StatedDirection;

/** Which signal shows a direction and with which sign: down is +vy, toward the camera is spreading (+div). */
const PREDICTS: Readonly<Record<Direction, { signal: 'vx' | 'vy' | 'div'; sign: 1 | -1; words: string }>> =
  Object.freeze({
    down: { signal: 'vy', sign: 1, words: 'downwards' },
    up: { signal: 'vy', sign: -1, words: 'upwards' },
    right: { signal: 'vx', sign: 1, words: 'to the right' },
    left: { signal: 'vx', sign: -1, words: 'to the left' },
    toward_camera: { signal: 'div', sign: 1, words: 'towards the camera (growing)' },
    away_from_camera: { signal: 'div', sign: -1, words: 'away from the camera (shrinking)' },
    outward: { signal: 'div', sign: 1, words: 'outwards (spreading)' },
    inward: { signal: 'div', sign: -1, words: 'inwards (converging)' },
  });

/**
 * Direction phrases, from the motion-word table (MOTION_WORDS in labels/motion-words.ts, column `states`): one
 * pattern per direction, tried in {@link STATED_DIRECTIONS} order; the first direction to read a stretch of text keeps
 * it ("away from the camera" before "away from"). Patterns are matched on lower-case text at word boundaries.
 */
export const DIRECTION_PHRASES: readonly { direction: Direction; pattern: string }[] = Object.freeze(
  STATED_DIRECTIONS.map((direction) => ({ direction, pattern: statedPattern(direction) })),
);

/** Words that undo a direction said right after them ("does not fall", "without falling", "nearly slides off"). */
const NEGATION =
  /(?:\b(?:not|never|no|without|nearly|almost|prevent(?:s|ed|ing)?|avoid(?:s|ed|ing)?|before|about to|instead of|rather than)|n't|\b(?:keep|stop)(?:s|ped|ping)?\s+(?:\w+\s+){0,2}from)\s+(?:\w+\s+){0,2}$/;

const COMPILED = DIRECTION_PHRASES.map((p) => ({
  direction: p.direction,
  re: new RegExp(`\\b(?:${p.pattern})\\b`, 'g'),
}));

/** The directions `text` states, each with the phrase that says it (negated phrases left out), in text order. */
export function statedDirections(text: string | null | undefined): { direction: Direction; phrase: string }[] {
  if (!text) return [];
  const lower = text.toLowerCase();
  const taken: [number, number][] = [];
  const found: { direction: Direction; phrase: string; at: number }[] = [];
  for (const { direction, re } of COMPILED) {
    re.lastIndex = 0;
    for (let m = re.exec(lower); m; m = re.exec(lower)) {
      const a = m.index;
      const b = a + m[0].length;
      if (taken.some(([x, y]) => a < y && b > x)) continue;
      taken.push([a, b]);
      if (NEGATION.test(lower.slice(Math.max(0, a - 40), a))) continue;
      found.push({ direction, phrase: m[0], at: a });
    }
  }
  const seen = new Set<Direction>();
  return found
    .sort((x, y) => x.at - y.at)
    .filter((f) => {
      if (seen.has(f.direction)) return false;
      seen.add(f.direction);
      return true;
    })
    .map(({ direction, phrase }) => ({ direction, phrase }));
}

/** Thresholds: how much of the motion must go the stated way (or against it), and how fast on average. */
export const CAPTION_DIRECTION = Object.freeze({
  /** Share of the (energy-weighted) motion going the stated way for "followed". */
  agree: 0.6,
  /** Share going against it: the strength ramps from lo to hi. */
  againstLo: 0.55,
  againstHi: 0.8,
  /** Per-pair component below this does not count either way (velocity in short sides/s; divergence in 1/s). */
  minComponent: { vx: 0.05, vy: 0.05, div: 0.1 } as Record<'vx' | 'vy' | 'div', number>,
  /** Energy-weighted mean component needed for any answer (same units), ramped to 3x for the strength. */
  minMean: { vx: 0.04, vy: 0.04, div: 0.08 } as Record<'vx' | 'vy' | 'div', number>,
  /** Moving pairs needed to judge. */
  minMovingSeconds: 0.3,
});

interface Measured {
  mean: number;
  agree: number;
  against: number;
}

function measure(s: ClipSignals, moving: Uint8Array, signal: 'vx' | 'vy' | 'div', sign: 1 | -1): Measured {
  const x = s[signal];
  const floor = CAPTION_DIRECTION.minComponent[signal];
  let w = 0;
  let acc = 0;
  let pro = 0;
  let con = 0;
  for (let t = 0; t < s.pairs; t++) {
    if (!moving[t]) continue;
    const e = s.energy[t];
    w += e;
    acc += e * x[t] * sign;
    if (x[t] * sign >= floor) pro += e;
    else if (x[t] * sign <= -floor) con += e;
  }
  const decided = pro + con;
  return {
    mean: w > 0 ? acc / w : 0,
    agree: decided > 0 ? pro / decided : 0,
    against: decided > 0 ? con / decided : 0,
  };
}

export const captionDirection: PhysicsCheck = Object.freeze<PhysicsCheck>({
  name: 'caption_direction',
  description:
    'Motion against a direction the caption or rule states ("tumbles down", "rises", "left to right", "towards the camera", "blown away from") is a reversal artefact.',
  run(ctx, text) {
    const s = ctx.signals;
    const source = text ?? ctx.caption;
    const stated = statedDirections(source);
    if (stated.length === 0) {
      return checkResult('caption_direction', s, [], false, {
        values: { text: source ?? null },
        explanation: source
          ? 'the text states no direction of motion'
          : 'no caption or rule text to compare the motion with',
      });
    }
    const moving = movingMask(s);
    const movingPairs = moving.reduce((a, b) => a + b, 0);
    if (movingPairs < Math.max(3, CAPTION_DIRECTION.minMovingSeconds * s.fps)) {
      return checkResult('caption_direction', s, [], false, {
        values: { stated: stated.map((d) => d.phrase).join(', '), moving_s: movingPairs / s.fps },
        explanation: 'too little object motion to compare with the stated direction',
      });
    }
    const findings: Finding[] = [];
    const followed: string[] = [];
    const whole: [number, number] = [0, Math.max(0, s.pairs - 1)];
    for (const d of stated) {
      const p = PREDICTS[d.direction];
      const m = measure(s, moving, p.signal, p.sign);
      const enough = Math.abs(m.mean) >= CAPTION_DIRECTION.minMean[p.signal];
      if (enough && m.mean > 0 && m.agree >= CAPTION_DIRECTION.agree) followed.push(`"${d.phrase}"`);
      if (enough && m.mean < 0) {
        findings.push({
          kind: 'against_stated_direction',
          strength:
            ramp(m.against, CAPTION_DIRECTION.againstLo, CAPTION_DIRECTION.againstHi) *
            ramp(-m.mean, 0, 3 * CAPTION_DIRECTION.minMean[p.signal]),
          reversal: true,
          pairs: whole,
          values: { mean_component: m.mean, share_against: m.against, share_with: m.agree },
          explanation: `the text says "${d.phrase}" but ${(m.against * 100).toFixed(0)}% of the object motion goes the other way (${p.signal} mean ${(m.mean * p.sign).toFixed(3)}; expected ${p.words})`,
        });
      }
    }
    const judged = followed.length > 0 || findings.some((f) => f.strength >= 0.5);
    return checkResult('caption_direction', s, findings, judged, {
      values: { stated: stated.map((d) => d.phrase).join(', ') },
      pairs: whole,
      explanation: followed.length
        ? `the object motion goes the way the text says (${followed.join(', ')})`
        : `the object motion neither follows nor clearly contradicts ${stated.map((d) => `"${d.phrase}"`).join(', ')}`,
    });
  },
});
