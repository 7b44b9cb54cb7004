// Family smoke_spread: smoke rising from a source or ink spreading in water, growing and fading (irreversible).

import type { Rng } from './randomise.js';
import { colour, cropStart, objectColour, texturePattern } from './randomise.js';
import { begin, finish, renderWindow } from './scene.js';
import type { Family } from './types.js';

/** Parameters of one plume (all lengths in short sides of the frame, times in seconds). */
export interface SmokeParams {
  kind: 'smoke' | 'ink';
  sourceX: number;
  sourceY: number;
  /** Puffs per second while the source emits, and when it does. */
  rate: number;
  emitFrom: number;
  emitSeconds: number;
  rise: number;
  wind: number;
  /** Growth of a puff's radius per second and its lifetime. */
  growth: number;
  life: number;
  turbulence: number;
  dark: boolean;
}

/** Draw plume parameters. Ink is a single burst that spreads out; smoke is a steady stream that rises. */
export function smokeParams(rng: Rng, aspect: number): SmokeParams {
  const kind = rng.chance(0.6) ? 'smoke' : 'ink';
  return {
    kind,
    sourceX: aspect * rng.uniform(0.3, 0.7),
    sourceY: kind === 'smoke' ? rng.uniform(0.75, 0.9) : rng.uniform(0.35, 0.65),
    rate: kind === 'smoke' ? rng.uniform(10, 25) : rng.uniform(40, 80),
    emitFrom: rng.uniform(0, 0.5),
    emitSeconds: kind === 'smoke' ? rng.uniform(2, 6) : rng.uniform(0.3, 0.8),
    rise: kind === 'smoke' ? rng.uniform(0.12, 0.3) : 0,
    wind: rng.uniform(-0.08, 0.08),
    growth: kind === 'smoke' ? rng.uniform(0.04, 0.1) : rng.uniform(0.03, 0.07),
    life: rng.uniform(2, 4),
    turbulence: rng.uniform(0.03, 0.1),
    dark: kind === 'ink' ? true : rng.chance(0.3),
  };
}

interface Puff {
  born: number;
  x: number;
  y: number;
  vx: number;
  vy: number;
  size: number;
  phase: number;
}

/** Positions (short sides) and radii of every puff alive at time t; the same for a given seed and t. */
export function puffsAt(
  p: SmokeParams,
  puffs: readonly Puff[],
  t: number,
): { x: number; y: number; r: number; alpha: number }[] {
  const out: { x: number; y: number; r: number; alpha: number }[] = [];
  for (const q of puffs) {
    const age = t - q.born;
    if (age < 0 || age > p.life) continue;
    // Motion slows as the puff mixes with the air (drag), and a smooth swirl bends it.
    const travel = (1 - Math.exp(-age * 1.2)) / 1.2;
    const swirl = p.turbulence * Math.sin(q.phase + age * 1.7) * age;
    const x = q.x + q.vx * travel + p.wind * age + swirl;
    const y = q.y + q.vy * travel - p.rise * age + p.turbulence * 0.5 * Math.cos(q.phase * 1.3 + age * 1.3) * age;
    const r = q.size + p.growth * age;
    out.push({ x, y, r, alpha: Math.max(0, 1 - age / p.life) ** 1.5 });
  }
  return out;
}

/** Every puff the source emits. */
export function emitPuffs(p: SmokeParams, rng: Rng): Puff[] {
  const n = Math.round(p.rate * p.emitSeconds);
  return Array.from({ length: n }, (_, k) => {
    const a = rng.uniform(0, Math.PI * 2);
    const burst = p.kind === 'ink' ? rng.uniform(0.05, 0.25) : rng.uniform(0, 0.04);
    return {
      born: p.emitFrom + (k / p.rate) * rng.uniform(0.9, 1.1),
      x: p.sourceX,
      y: p.sourceY,
      vx: Math.cos(a) * burst,
      vy: Math.sin(a) * burst,
      size: rng.uniform(0.01, 0.03),
      phase: rng.uniform(0, 6.28),
    };
  });
}

export const smokeSpread: Family = {
  name: 'smoke_spread',
  verdict: 'irreversible',
  description:
    'Smoke rises from a source or a drop of ink spreads through water, growing and fading; reversed diffuse clouds converge into a dense spot.',
  render(rng, params) {
    const { look, stage, rng: r } = begin(rng, params);
    const short = Math.min(look.width, look.height);
    const p = smokeParams(r.fork('params'), look.width / short);
    const puffs = emitPuffs(p, r.fork('puffs'));
    const total = look.frames + Math.round(look.fps * 2);
    const emitStart = Math.round(p.emitFrom * look.fps);
    const start = cropStart(
      r.fork('crop'),
      total,
      look.frames,
      emitStart,
      emitStart + Math.round((p.emitSeconds + p.life * 0.6) * look.fps),
    );
    const shade = p.dark ? colour(look, r.fork('hue').uniform(0, 360), 0.5, 0.12) : colour(look, 0, 0.05, 0.92);
    const sourcePaint = texturePattern(stage.ctx, r.fork('tex'), objectColour(r.fork('col'), look));
    const frames = renderWindow(stage, start, (ctx, f) => {
      const t = f / look.fps;
      if (p.kind === 'smoke') {
        // The smouldering source: a small block the smoke rises from.
        ctx.fillStyle = sourcePaint;
        ctx.fillRect((p.sourceX - 0.04) * short, p.sourceY * short, 0.08 * short, 0.3 * short);
      }
      for (const q of puffsAt(p, puffs, t)) {
        const g = ctx.createRadialGradient(q.x * short, q.y * short, 0, q.x * short, q.y * short, q.r * short);
        g.addColorStop(0, shade);
        g.addColorStop(1, 'rgba(0,0,0,0)');
        ctx.globalAlpha = q.alpha * (p.kind === 'ink' ? 0.35 : 0.25);
        ctx.fillStyle = g;
        ctx.fillRect((q.x - q.r) * short, (q.y - q.r) * short, q.r * 2 * short, q.r * 2 * short);
      }
      ctx.globalAlpha = 1;
    });
    return finish(look, frames, { ...p, puffs: puffs.length, window_start: start, simulated_frames: total });
  },
};
