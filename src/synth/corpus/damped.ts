// Family damped_oscillation: a pendulum or a mass on a spring swings with shrinking amplitude (irreversible).

import type { SKRSContext2D } from '@napi-rs/canvas';
import type { Rng } from './randomise.js';
import { colour, objectColour, texturePattern } from './randomise.js';
import { Sim, drawShape, rapier } from './physics.js';
import type { Track, View } from './physics.js';
import { begin, finish, fitView, renderWindow, trackBounds } from './scene.js';
import type { Family } from './types.js';

/** Physical parameters of one oscillator. */
export interface OscillatorParams {
  kind: 'pendulum' | 'spring';
  /** Rod length or spring rest length (m). */
  length: number;
  radius: number;
  /** Starting swing angle (rad, pendulum) or stretch (m, spring). */
  amplitude: number;
  /** Viscous damping rate (1/s); 0 makes the undamped pendulum of the invariant family. */
  damping: number;
  /** Spring natural frequency (Hz). */
  frequency: number;
}

/** Draw oscillator parameters; `damping` is set so the amplitude falls to 15-50% within `seconds`. */
export function oscillatorParams(rng: Rng, seconds: number, damped = true): OscillatorParams {
  const length = rng.uniform(0.3, 1.5);
  const kind = damped && rng.chance(0.4) ? 'spring' : 'pendulum';
  return {
    kind,
    length,
    radius: length * rng.uniform(0.06, 0.14),
    amplitude: kind === 'pendulum' ? rng.sign() * rng.uniform(0.3, 1.1) : length * rng.uniform(0.2, 0.4),
    // Amplitude decays as exp(-c t / 2).
    damping: damped ? (2 * Math.log(1 / rng.uniform(0.15, 0.5))) / seconds : 0,
    frequency: rng.uniform(0.7, 1.8),
  };
}

/** Simulate from release at the extreme; one track (the bob), pivot at the origin. */
export function simulateOscillator(p: OscillatorParams, fps: number, frames: number): Track[] {
  const R = rapier();
  const sim = new Sim(fps);
  try {
    const pivot = sim.world.createRigidBody(R.RigidBodyDesc.fixed());
    // Unit mass so the spring stiffness is omega^2 directly.
    const density = 1 / (Math.PI * p.radius * p.radius);
    if (p.kind === 'pendulum') {
      const bob = sim.dynamic(
        { kind: 'ball', r: p.radius },
        p.length * Math.sin(p.amplitude),
        -p.length * Math.cos(p.amplitude),
        0,
        { density, linearDamping: p.damping },
      );
      sim.world.createImpulseJoint(
        R.JointData.revolute(
          { x: 0, y: 0 },
          { x: -p.length * Math.sin(p.amplitude), y: p.length * Math.cos(p.amplitude) },
        ),
        pivot,
        bob,
        true,
      );
    } else {
      const omega = 2 * Math.PI * p.frequency;
      const sag = 9.81 / (omega * omega);
      const bob = sim.dynamic({ kind: 'ball', r: p.radius }, 0, -(p.length + sag + p.amplitude), 0, { density });
      bob.lockRotations(true, true);
      sim.world.createImpulseJoint(
        R.JointData.spring(p.length, omega * omega, p.damping, { x: 0, y: 0 }, { x: 0, y: 0 }),
        pivot,
        bob,
        true,
      );
    }
    return sim.run(frames);
  } finally {
    sim.free();
  }
}

/** Draw the mount, the rod or coil, and the bob of an oscillator at frame f. */
export function drawOscillator(
  ctx: SKRSContext2D,
  view: View,
  p: OscillatorParams,
  t: Track,
  f: number,
  paint: ReturnType<typeof texturePattern>,
  wire: string,
): void {
  const px = view.px(0);
  const py = view.py(0);
  const bx = view.px(t.x[f]);
  const by = view.py(t.y[f]);
  ctx.fillStyle = wire;
  ctx.fillRect(px - view.scale * 0.15, py - view.scale * 0.04, view.scale * 0.3, view.scale * 0.04);
  ctx.strokeStyle = wire;
  ctx.lineWidth = Math.max(1, view.scale * 0.012);
  ctx.beginPath();
  ctx.moveTo(px, py);
  if (p.kind === 'pendulum') ctx.lineTo(bx, by);
  else {
    const turns = 10;
    const w = p.radius * view.scale * 0.6;
    for (let k = 1; k < turns * 2; k++) ctx.lineTo(px + (k % 2 ? w : -w), py + ((by - py) * k) / (turns * 2));
    ctx.lineTo(bx, by);
  }
  ctx.stroke();
  drawShape(ctx, view, { kind: 'ball', r: p.radius }, t.x[f], t.y[f], t.a[f], paint);
}

/** Shared render of the damped and the undamped oscillator families. */
export function renderOscillator(
  rng: Rng,
  params: Parameters<Family['render']>[1],
  damped: boolean,
): ReturnType<Family['render']> {
  const { look, stage, rng: r } = begin(rng, params);
  const p = oscillatorParams(r.fork('params'), look.frames / look.fps, damped);
  const lead = damped ? 0 : r.int(0, Math.round(look.fps * 2));
  const total = look.frames + lead;
  const tracks = simulateOscillator(p, look.fps, total);
  const b = trackBounds(tracks, 0, total, [[0, 0]]);
  const view = fitView(
    r.fork('view'),
    look,
    [b[0] - p.radius, b[1] - p.radius, b[2] + p.radius, b[3] + p.radius * 0.5],
    0.1,
  );
  const paint = texturePattern(stage.ctx, r.fork('tex'), objectColour(r.fork('col'), look));
  const wire = colour(look, 180, 0.1, r.fork('wire').pick([0.15, 0.85]));
  const frames = renderWindow(stage, lead, (ctx, f) => drawOscillator(ctx, view, p, tracks[0], f, paint, wire));
  return finish(look, frames, { ...p, window_start: lead, simulated_frames: total });
}

export const dampedOscillation: Family = {
  name: 'damped_oscillation',
  verdict: 'irreversible',
  description:
    'A pendulum or a mass on a spring is let go and swings with shrinking amplitude; reversed the swing grows out of nothing.',
  render(rng, params) {
    return renderOscillator(rng, params, true);
  },
};
