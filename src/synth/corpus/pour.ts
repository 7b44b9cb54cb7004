// Family pouring: grains stream out of a tilted cup, fall and pile up in a bowl (irreversible).

import type { Rng } from './randomise.js';
import { colour, cropStart, objectColour, texturePattern } from './randomise.js';
import { Sim, drawFloor, drawShape } from './physics.js';
import type { Shape, Track } from './physics.js';
import { begin, finish, fitView, renderWindow } from './scene.js';
import type { Family } from './types.js';

/** Physical parameters of one pour. */
export interface PourParams {
  /** Container half width and wall height (m). */
  width: number;
  wall: number;
  /** Spout position (m) relative to the container's centre on the floor. */
  spoutX: number;
  spoutY: number;
  grain: number;
  /** Grains per second, and the frames during which they flow. */
  rate: number;
  startFrame: number;
  stopFrame: number;
  friction: number;
  maxGrains: number;
  /** 'sand' piles up, 'beads' roll and spread. */
  material: 'sand' | 'beads';
}

/** Draw pour parameters for a clip of `frames` frames at `fps`. */
export function pourParams(rng: Rng, fps: number, frames: number): PourParams {
  const width = rng.uniform(0.2, 0.4);
  const material = rng.chance(0.7) ? 'sand' : 'beads';
  const startFrame = rng.int(0, Math.round(fps * 0.5));
  return {
    width,
    wall: width * rng.uniform(0.4, 0.9),
    spoutX: rng.sign() * width * rng.uniform(0, 0.6),
    spoutY: width * rng.uniform(1.5, 3),
    grain: width * rng.uniform(0.025, 0.045),
    rate: rng.uniform(40, 90),
    startFrame,
    stopFrame: startFrame + Math.round(frames * rng.uniform(0.6, 1.1)),
    friction: material === 'sand' ? rng.uniform(0.7, 1) : rng.uniform(0.1, 0.3),
    maxGrains: 260,
    material,
  };
}

/** The container's three walls as (shape, x, y) in metres. */
function containerParts(p: PourParams): { shape: Shape; x: number; y: number }[] {
  const t = p.width * 0.06;
  return [
    { shape: { kind: 'box', hw: p.width + t, hh: t / 2 }, x: 0, y: t / 2 },
    { shape: { kind: 'box', hw: t / 2, hh: p.wall / 2 }, x: -p.width - t / 2, y: p.wall / 2 },
    { shape: { kind: 'box', hw: t / 2, hh: p.wall / 2 }, x: p.width + t / 2, y: p.wall / 2 },
  ];
}

/** Simulate the pour; one track per grain (NaN before it leaves the spout). */
export function simulatePour(p: PourParams, rng: Rng, fps: number, frames: number): Track[] {
  const sim = new Sim(fps);
  try {
    sim.fixed({ kind: 'box', hw: 100, hh: 0.5 }, 0, -0.5, 0, { friction: 0.9 });
    for (const part of containerParts(p)) sim.fixed(part.shape, part.x, part.y, 0, { friction: 0.9, restitution: 0 });
    let emitted = 0;
    return sim.run(frames, (f) => {
      if (f < p.startFrame || f >= p.stopFrame) return;
      const due = Math.min(p.maxGrains, Math.floor(((f - p.startFrame + 1) * p.rate) / fps));
      for (; emitted < due; emitted++) {
        const r = p.grain * rng.uniform(0.8, 1.2);
        sim.dynamic(
          { kind: 'ball', r },
          p.spoutX + rng.uniform(-1, 1) * p.grain,
          p.spoutY + rng.uniform(-1, 1) * p.grain,
          0,
          {
            vx: -Math.sign(p.spoutX || 1) * rng.uniform(0.05, 0.25),
            vy: -rng.uniform(0, 0.3),
            friction: p.friction,
            restitution: 0.05,
            angularDamping: p.material === 'sand' ? 5 : 0.3,
          },
        );
      }
    });
  } finally {
    sim.free();
  }
}

export const pouring: Family = {
  name: 'pouring',
  verdict: 'irreversible',
  description:
    'Grains pour from a tilted cup and pile up in a bowl; reversed they leap out of the pile and fly up into the cup.',
  render(rng, params) {
    const { look, stage, rng: r } = begin(rng, params);
    const total = look.frames + Math.round(look.fps * 1.5);
    const p = pourParams(r.fork('params'), look.fps, look.frames);
    const tracks = simulatePour(p, r.fork('grains'), look.fps, total);
    const start = cropStart(r.fork('crop'), total, look.frames, p.startFrame, p.stopFrame + Math.round(look.fps * 0.5));
    const view = fitView(
      r.fork('view'),
      look,
      [-p.width * 1.4, -p.width * 0.3, p.width * 1.4, p.spoutY + p.width * 0.4],
      0.06,
    );
    const tone = r.fork('tone');
    const hue = tone.uniform(-180, 180);
    const grainColours = Array.from({ length: 8 }, () =>
      colour(look, hue + tone.uniform(-10, 10), tone.uniform(0.4, 0.8), tone.uniform(0.35, 0.7)),
    );
    const bowl = texturePattern(stage.ctx, r.fork('bowl'), objectColour(r.fork('bowlcol'), look), 0.3, 32);
    const cup = texturePattern(stage.ctx, r.fork('cup'), objectColour(r.fork('cupcol'), look), 0.3, 32);
    const floor = texturePattern(stage.ctx, r.fork('floor'), objectColour(r.fork('floorcol'), look), 0.5, 64);
    const parts = containerParts(p);
    const side = Math.sign(p.spoutX || 1);
    const cupShape: Shape = { kind: 'box', hw: p.width * 0.35, hh: p.width * 0.22 };
    const frames = renderWindow(stage, start, (ctx, f) => {
      drawFloor(ctx, view, 0, look.width, look.height, floor);
      // The cup tips while it pours and rights itself when it stops.
      const tip = Math.min(1, Math.max(0, Math.min(f - p.startFrame + 4, p.stopFrame + 4 - f) / 4));
      const tilt = 0.3 + 0.8 * tip;
      drawShape(ctx, view, cupShape, p.spoutX + side * p.width * 0.3, p.spoutY + p.width * 0.1, side * tilt, cup);
      for (let k = 0; k < tracks.length; k++) {
        const t = tracks[k];
        const x = t.x[f];
        if (Number.isNaN(x)) continue;
        ctx.fillStyle = grainColours[k % grainColours.length];
        ctx.beginPath();
        ctx.arc(view.px(x), view.py(t.y[f]), Math.max(0.8, p.grain * view.scale), 0, Math.PI * 2);
        ctx.fill();
      }
      for (const part of parts) drawShape(ctx, view, part.shape, part.x, part.y, 0, bowl);
    });
    return finish(look, frames, { ...p, grains: tracks.length, window_start: start, simulated_frames: total });
  },
};
