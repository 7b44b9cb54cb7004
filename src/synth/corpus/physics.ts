// Rigid-body helpers on Rapier (2D): one world per clip, per-frame pose tracks, and drawing bodies in pixels.

import RAPIER from '@dimforge/rapier2d-compat';
import type { RigidBody, World } from '@dimforge/rapier2d-compat';
import type { CanvasPattern, SKRSContext2D } from '@napi-rs/canvas';
import { SetupError } from '../../errors.js';

let ready = false;

/** Load Rapier's wasm once per process; every render that uses physics needs it (see prepareCorpus). */
export async function initPhysics(): Promise<void> {
  if (ready) return;
  await RAPIER.init();
  ready = true;
}

/** The initialised Rapier module. */
export function rapier(): typeof RAPIER {
  if (!ready)
    throw new SetupError(
      'Rapier is not initialised: await prepareCorpus() (src/synth/corpus/index.ts) before rendering.',
    );
  return RAPIER;
}

/** Body outline in metres, centred on the body origin. */
export type Shape =
  | { kind: 'ball'; r: number }
  | { kind: 'box'; hw: number; hh: number }
  | { kind: 'poly'; pts: readonly number[] };

/** Material and initial motion of a body. */
export interface BodyOptions {
  restitution?: number;
  friction?: number;
  density?: number;
  vx?: number;
  vy?: number;
  spin?: number;
  linearDamping?: number;
  angularDamping?: number;
  /**
   * Rolling resistance of a ball on the floor (y = 0), as a deceleration in m/s^2. Rapier has none, and angular
   * damping alone decays exponentially, so a ball would creep on for ever instead of stopping.
   */
  rollingDecel?: number;
}

/** Poses of one body over the simulated frames: x, y (metres, y up) and angle (rad, counter-clockwise). */
export interface Track {
  x: Float32Array;
  y: Float32Array;
  a: Float32Array;
}

/** A Rapier world stepped several times per video frame; call free() when done (wasm memory). */
export class Sim {
  readonly world: World;
  readonly substeps: number;
  readonly bodies: { body: RigidBody; shape: Shape; alive: boolean }[] = [];
  private readonly rolling: { body: RigidBody; r: number; decel: number }[] = [];

  constructor(fps: number, gravity = -9.81, gx = 0) {
    const R = rapier();
    this.world = new R.World({ x: gx, y: gravity });
    // ~240 Hz physics whatever the frame rate: bounces and contacts resolve the same at 15 and 30 fps.
    this.substeps = Math.ceil(240 / fps);
    this.world.timestep = 1 / (fps * this.substeps);
  }

  private collider(shape: Shape): ReturnType<typeof RAPIER.ColliderDesc.ball> {
    const R = rapier();
    if (shape.kind === 'ball') return R.ColliderDesc.ball(shape.r);
    if (shape.kind === 'box') return R.ColliderDesc.cuboid(shape.hw, shape.hh);
    const desc = R.ColliderDesc.convexHull(Float32Array.from(shape.pts));
    if (!desc) throw new SetupError('degenerate polygon for a physics body');
    return desc;
  }

  /** A static body (floor, slope, wall); not tracked. */
  fixed(shape: Shape, x: number, y: number, angle = 0, opts: BodyOptions = {}): RigidBody {
    const R = rapier();
    const body = this.world.createRigidBody(R.RigidBodyDesc.fixed().setTranslation(x, y).setRotation(angle));
    this.world.createCollider(
      this.collider(shape)
        .setRestitution(opts.restitution ?? 0.3)
        .setFriction(opts.friction ?? 0.6),
      body,
    );
    return body;
  }

  /** A dynamic body, tracked in insertion order. */
  dynamic(shape: Shape, x: number, y: number, angle = 0, opts: BodyOptions = {}): RigidBody {
    const R = rapier();
    const desc = R.RigidBodyDesc.dynamic()
      .setTranslation(x, y)
      .setRotation(angle)
      .setLinvel(opts.vx ?? 0, opts.vy ?? 0)
      .setAngvel(opts.spin ?? 0)
      .setLinearDamping(opts.linearDamping ?? 0)
      .setAngularDamping(opts.angularDamping ?? 0)
      .setCcdEnabled(true);
    const body = this.world.createRigidBody(desc);
    this.world.createCollider(
      this.collider(shape)
        .setRestitution(opts.restitution ?? 0.3)
        .setFriction(opts.friction ?? 0.6)
        .setDensity(opts.density ?? 1)
        // Max: a bouncy ball keeps its bounce on any floor; the ball's own coefficient sets the energy loss.
        .setRestitutionCombineRule(R.CoefficientCombineRule.Max),
      body,
    );
    this.bodies.push({ body, shape, alive: true });
    if (shape.kind === 'ball' && opts.rollingDecel) this.rolling.push({ body, r: shape.r, decel: opts.rollingDecel });
    return body;
  }

  /** Take a tracked body out of the world (e.g. a plate replaced by its fragments); its track is NaN from then on. */
  remove(body: RigidBody): void {
    const entry = this.bodies.find((b) => b.body === body);
    if (entry) entry.alive = false;
    this.world.removeRigidBody(body);
  }

  /**
   * Step `frames` video frames, recording every tracked body after each; `before(f)` may act on the world first
   * (release a body, add or remove bodies). A body's track is NaN while it does not exist.
   */
  run(frames: number, before?: (frame: number) => void): Track[] {
    const tracks: Track[] = [];
    const track = (): Track => ({
      x: new Float32Array(frames).fill(NaN),
      y: new Float32Array(frames).fill(NaN),
      a: new Float32Array(frames).fill(NaN),
    });
    for (let f = 0; f < frames; f++) {
      before?.(f);
      if (f > 0) {
        for (let s = 0; s < this.substeps; s++) {
          this.world.step();
          this.roll();
        }
      }
      this.bodies.forEach(({ body, alive }, k) => {
        tracks[k] ??= track();
        const t = tracks[k];
        if (!alive) return;
        const p = body.translation();
        t.x[f] = p.x;
        t.y[f] = p.y;
        t.a[f] = body.rotation();
      });
    }
    return tracks;
  }

  /** Constant rolling resistance for balls resting on the floor: slow the roll, keep it rolling without slip. */
  private roll(): void {
    const dt = this.world.timestep;
    for (const { body, r, decel } of this.rolling) {
      if (body.translation().y - r > 0.004) continue;
      const v = body.linvel();
      if (Math.abs(v.y) > 0.1) continue;
      const speed = Math.max(0, Math.abs(v.x) - decel * dt);
      const dir = Math.sign(v.x);
      body.setLinvel({ x: dir * speed, y: v.y }, true);
      body.setAngvel((-dir * speed) / r, true);
    }
  }

  free(): void {
    this.world.free();
  }
}

/** Metres (y up) to frame pixels (y down). */
export class View {
  constructor(
    readonly scale: number,
    readonly ox: number,
    readonly oy: number,
  ) {}
  px(x: number): number {
    return this.ox + x * this.scale;
  }
  py(y: number): number {
    return this.oy - y * this.scale;
  }
}

/** Draw a body at pose (x, y, angle) in world units; the paint (a pattern) turns with the body, so its spin is visible. */
export function drawShape(
  ctx: SKRSContext2D,
  view: View,
  shape: Shape,
  x: number,
  y: number,
  angle: number,
  paint: string | CanvasPattern,
  outline = 'rgba(0,0,0,0.5)',
): void {
  const s = view.scale;
  ctx.save();
  ctx.translate(view.px(x), view.py(y));
  ctx.rotate(-angle);
  ctx.beginPath();
  if (shape.kind === 'ball') ctx.arc(0, 0, shape.r * s, 0, Math.PI * 2);
  else if (shape.kind === 'box') ctx.rect(-shape.hw * s, -shape.hh * s, 2 * shape.hw * s, 2 * shape.hh * s);
  else {
    for (let i = 0; i < shape.pts.length; i += 2) {
      if (i === 0) ctx.moveTo(shape.pts[i] * s, -shape.pts[i + 1] * s);
      else ctx.lineTo(shape.pts[i] * s, -shape.pts[i + 1] * s);
    }
    ctx.closePath();
  }
  ctx.fillStyle = paint;
  ctx.fill();
  ctx.lineWidth = Math.max(0.6, s * 0.01);
  ctx.strokeStyle = outline;
  ctx.stroke();
  ctx.restore();
}

/** A floor band from world height `top` down past the frame, wide enough for camera drift. */
export function drawFloor(
  ctx: SKRSContext2D,
  view: View,
  top: number,
  width: number,
  height: number,
  paint: string | CanvasPattern,
): void {
  const y = view.py(top);
  ctx.fillStyle = paint;
  ctx.fillRect(-width, y, width * 3, height * 2);
  ctx.strokeStyle = 'rgba(0,0,0,0.4)';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(-width, y);
  ctx.lineTo(width * 2, y);
  ctx.stroke();
}

/** Index of the first frame from which every track stays within `eps` metres of its final pose. */
export function restFrame(tracks: readonly Track[], eps = 0.003): number {
  let rest = 0;
  for (const t of tracks) {
    const n = t.x.length;
    if (Number.isNaN(t.x[n - 1])) continue;
    const fx = t.x[n - 1];
    const fy = t.y[n - 1];
    let f = n - 1;
    while (f > 0 && Math.hypot(t.x[f - 1] - fx, t.y[f - 1] - fy) < eps) f--;
    rest = Math.max(rest, f);
  }
  return rest;
}

/** Radius of the circle around a shape's origin that contains it, in metres. */
export function shapeRadius(shape: Shape): number {
  if (shape.kind === 'ball') return shape.r;
  if (shape.kind === 'box') return Math.hypot(shape.hw, shape.hh);
  let r = 0;
  for (let i = 0; i < shape.pts.length; i += 2) r = Math.max(r, Math.hypot(shape.pts[i], shape.pts[i + 1]));
  return r;
}
