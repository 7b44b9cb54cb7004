// Physical sanity of the rigid-body families: dissipation where the verdict says irreversible, conservation where invariant.

import { beforeAll, describe, expect, it } from 'vitest';
import { prepareCorpus, Rng } from '../../src/synth/corpus/index.js';
import { dropParams, simulateDrop } from '../../src/synth/corpus/drop.js';
import { simulateSlide, slideParams } from '../../src/synth/corpus/slide.js';
import { simulateThrow, throwParams } from '../../src/synth/corpus/throw.js';
import { simulateSlope, slopeParams } from '../../src/synth/corpus/slope.js';
import { dominoParams, simulateDominoes } from '../../src/synth/corpus/dominoes.js';
import { oscillatorParams, simulateOscillator } from '../../src/synth/corpus/damped.js';
import { puckParams, simulatePucks } from '../../src/synth/corpus/pucks.js';
import { shatterParams, simulateShatter } from '../../src/synth/corpus/shatter.js';
import { restFrame } from '../../src/synth/corpus/physics.js';
import type { Track } from '../../src/synth/corpus/physics.js';

const FPS = 24;
const SEEDS = [1, 2, 3, 4, 5];

/** Heights of the local maxima of y after the first descent. */
function peaks(y: Float32Array): number[] {
  const out: number[] = [];
  for (let i = 1; i < y.length - 1; i++) if (y[i] > y[i - 1] + 1e-4 && y[i] >= y[i + 1]) out.push(y[i]);
  return out;
}

function speeds(t: Track): number[] {
  return Array.from({ length: t.x.length - 1 }, (_, i) => Math.hypot(t.x[i + 1] - t.x[i], t.y[i + 1] - t.y[i]) * FPS);
}

beforeAll(async () => {
  await prepareCorpus();
});

describe('rigid-body families', () => {
  it('drop: ends lower than it started, each bounce lower than the last, then rests', () => {
    for (const seed of SEEDS) {
      const p = dropParams(new Rng(seed));
      const tracks = simulateDrop(p, FPS, FPS * 6);
      tracks.forEach((t) => {
        expect(t.y[t.y.length - 1]).toBeLessThan(t.y[0] - 0.2);
        const h = peaks(t.y).filter((v) => v > t.y[t.y.length - 1] + 0.01);
        for (let k = 1; k < h.length; k++) expect(h[k]).toBeLessThan(h[k - 1] + 1e-3);
      });
      expect(restFrame(tracks)).toBeLessThan(FPS * 6 - 2);
    }
  });

  it('slide: speed never increases and reaches zero', () => {
    for (const seed of SEEDS) {
      const v = speeds(simulateSlide(slideParams(new Rng(seed)), FPS, FPS * 4)[0]);
      for (let i = 2; i < v.length; i++) expect(v[i]).toBeLessThanOrEqual(v[i - 1] + 0.02);
      expect(v[1]).toBeGreaterThan(0.5);
      expect(v[v.length - 1]).toBeLessThan(0.01);
    }
  });

  it('throw and roll: the object comes to rest on the floor', () => {
    for (const seed of SEEDS) {
      const p = throwParams(new Rng(seed));
      const t = simulateThrow(p, FPS, FPS * 6);
      expect(restFrame(t)).toBeLessThan(FPS * 6 - 2);
      expect(t[0].y[t[0].y.length - 1]).toBeLessThan(p.y0);
      const s = slopeParams(new Rng(seed));
      const r = simulateSlope(s, FPS, FPS * 8);
      expect(restFrame(r)).toBeLessThan(FPS * 8 - 2);
      // It rolled down: it ends lower than it started and past the foot of the ramp.
      expect(r[0].y[r[0].y.length - 1]).toBeLessThan(r[0].y[0] - 0.05);
      expect(Math.sign(r[0].x[r[0].x.length - 1])).toBe(s.dir);
    }
  });

  it('dominoes: every piece falls', () => {
    for (const seed of SEEDS) {
      const tracks = simulateDominoes(dominoParams(new Rng(seed)), FPS, FPS * 5);
      for (const t of tracks) expect(Math.abs(t.a[t.a.length - 1])).toBeGreaterThan(0.6);
    }
  });

  it('shatter: the body breaks into pieces that end at rest', () => {
    for (const seed of SEEDS) {
      const { tracks, impactFrame } = simulateShatter(shatterParams(new Rng(seed)), new Rng(seed + 100), FPS, FPS * 5);
      expect(impactFrame).toBeGreaterThan(0);
      expect(tracks.length).toBeGreaterThan(4);
      expect(Number.isNaN(tracks[0].x[tracks[0].x.length - 1])).toBe(true);
    }
  });

  it('oscillators: damped swings shrink, the undamped pendulum keeps its amplitude', () => {
    for (const seed of SEEDS) {
      const damped = oscillatorParams(new Rng(seed), 3, true);
      const d = simulateOscillator(damped, FPS, FPS * 3)[0];
      const sw = (t: Track, from: number, to: number): number => {
        let lo = Infinity;
        let hi = -Infinity;
        const c = damped.kind === 'pendulum' ? t.x : t.y;
        for (let i = from; i < to; i++) {
          lo = Math.min(lo, c[i]);
          hi = Math.max(hi, c[i]);
        }
        return hi - lo;
      };
      expect(sw(d, FPS * 2, FPS * 3)).toBeLessThan(sw(d, 0, FPS) * 0.8);
      const free = oscillatorParams(new Rng(seed), 3, false);
      const u = simulateOscillator(free, FPS, FPS * 6)[0];
      const early = Math.max(...u.x.subarray(0, FPS * 2));
      const late = Math.max(...u.x.subarray(FPS * 4));
      expect(Math.abs(late - early)).toBeLessThan(0.05 * Math.abs(early) + 1e-3);
    }
  });

  it('pucks: kinetic energy is conserved', () => {
    for (const seed of SEEDS) {
      const p = puckParams(new Rng(seed), 16 / 9);
      const tracks = simulatePucks(p, FPS, FPS * 5);
      const energy = (i: number): number =>
        tracks.reduce(
          (s, t, k) => s + p.pucks[k].r ** 2 * ((t.x[i + 1] - t.x[i]) ** 2 + (t.y[i + 1] - t.y[i]) ** 2),
          0,
        );
      // Frame differences blur collisions; compare averages over a second at the start and at the end.
      const avg = (from: number): number =>
        Array.from({ length: FPS }, (_, i) => energy(from + i)).reduce((a, b) => a + b) / FPS;
      expect(Math.abs(avg(FPS * 4 - 2) - avg(0))).toBeLessThan(avg(0) * 0.1);
    }
  });
});
