// Synthetic renders with planted physics violations and their correct twins (the artefact benchmark's known answers).

import { access, appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeFrames } from '../decode/encode.js';
import { UsageError, expected } from '../errors.js';
import { type View, drawFloor, drawShape } from '../synth/corpus/physics.js';
import type { Shape } from '../synth/corpus/physics.js';
import { Rng, hashSeed, objectColour, texturePattern } from '../synth/corpus/randomise.js';
import { begin, finish, fitView, renderWindow } from '../synth/corpus/scene.js';
import type { RenderParams, RenderResult } from '../synth/corpus/types.js';

const G = 9.81;

/** One planted scene: what it shows, whether it breaks physics, and how to render it. */
export interface PlantedScene {
  readonly name: string;
  /** The pair it belongs to: a violation and its correct twins share a setting. */
  readonly setting: 'slope' | 'floor' | 'midair';
  readonly violation: boolean;
  readonly description: string;
  render(rng: Rng, params?: RenderParams): RenderResult;
}

/** A pose of the drawn body per frame (metres, y up; angle counter-clockwise). */
interface Pose {
  x: number;
  y: number;
  a: number;
}

/** Everything drawn in one planted clip: the body track and the static set (floor, ramp). */
interface Setup {
  shape: Shape;
  poses: Pose[];
  ramp: number[] | null;
  /** World box the view must show. */
  box: [number, number, number, number];
  meta: Record<string, unknown>;
}

function draw(
  rng: Rng,
  params: RenderParams | undefined,
  make: (r: Rng, fps: number, frames: number) => Setup,
): RenderResult {
  const { look, stage, rng: r } = begin(rng, params);
  const s = make(r.fork('motion'), look.fps, look.frames);
  const view: View = fitView(r.fork('view'), look, s.box, 0.08);
  const paint = texturePattern(stage.ctx, r.fork('tex'), objectColour(r.fork('col'), look));
  const floor = texturePattern(stage.ctx, r.fork('floor'), objectColour(r.fork('floorcol'), look), 0.5, 64);
  const rampPaint = texturePattern(stage.ctx, r.fork('ramp'), objectColour(r.fork('rampcol'), look), 0.5, 64);
  const frames = renderWindow(stage, 0, (ctx, f) => {
    drawFloor(ctx, view, 0, look.width, look.height, floor);
    if (s.ramp) drawShape(ctx, view, { kind: 'poly', pts: s.ramp }, 0, 0, 0, rampPaint);
    const p = s.poses[Math.min(f, s.poses.length - 1)];
    drawShape(ctx, view, s.shape, p.x, p.y, p.a, paint);
  });
  return finish(look, frames, s.meta);
}

/** Ramp with its foot at the origin rising towards -dir (as in the roll_slope family). */
function ramp(angle: number, length: number, dir: 1 | -1): number[] {
  return [0, 0, -dir * Math.cos(angle) * length, 0, -dir * Math.cos(angle) * length, Math.sin(angle) * length];
}

/**
 * A ball on a ramp. `up`: it rests near the foot, then rolls *up* the slope speeding up (the violation:
 * gravity pulls it down the slope). Otherwise it rests near the top, then rolls down speeding up at
 * 5/7 g sin(angle) (a rolling ball) and on along the floor, slowing by rolling resistance.
 */
function slopeSetup(up: boolean) {
  return (r: Rng, fps: number, frames: number): Setup => {
    const angle = r.uniform(20, 35) * (Math.PI / 180);
    const length = r.uniform(0.8, 1.6);
    const dir = r.sign();
    const radius = length * r.uniform(0.06, 0.1);
    const rest = Math.round(fps * r.uniform(0.3, 0.7));
    const a = (5 / 7) * G * Math.sin(angle) * (up ? r.uniform(0.6, 1) : 1);
    const decel = r.uniform(0.5, 1.5);
    const poses: Pose[] = [];
    // Distance along the slope from its foot (s > 0 up the slope), then along the floor (s < 0).
    const s0 = up ? length * 0.1 : length * 0.9;
    let travelled = 0;
    for (let f = 0; f < frames; f++) {
      const t = Math.max(0, (f - rest) / fps);
      let s: number;
      if (up) s = Math.min(length * 0.97, s0 + 0.5 * a * t * t);
      else {
        const toFoot = Math.sqrt((2 * s0) / a);
        if (t <= toFoot) s = s0 - 0.5 * a * t * t;
        else {
          const v = a * toFoot;
          const tt = Math.min(t - toFoot, v / decel);
          s = -(v * tt - 0.5 * decel * tt * tt);
        }
      }
      const onSlope = s > 0;
      const along = onSlope ? s : 0;
      // The ball centre sits one radius off the surface along its normal.
      const x = onSlope ? -dir * Math.cos(angle) * along + dir * Math.sin(angle) * radius : -dir * s;
      const y = onSlope ? Math.sin(angle) * along + Math.cos(angle) * radius : radius;
      if (f > 0) travelled += Math.hypot(x - poses[f - 1].x, y - poses[f - 1].y);
      poses.push({ x, y, a: (dir * travelled) / radius });
    }
    const pts = ramp(angle, length, dir);
    const xs = poses.map((p) => p.x).concat([pts[2], 0]);
    const box: [number, number, number, number] = [
      Math.min(...xs) - radius * 2,
      -radius * 2,
      Math.max(...xs) + radius * 2,
      Math.max(pts[5], ...poses.map((p) => p.y)) + radius * 2,
    ];
    return {
      shape: { kind: 'ball', r: radius },
      poses,
      ramp: pts,
      box,
      meta: { angle, length, dir, radius, rest_frames: rest, accel_along_slope: up ? a : -a },
    };
  };
}

/**
 * A ball and the floor. `launch`: it lies still, then leaves the floor upwards at once with no cause and
 * flies on a ballistic arc (the violation: nothing at rest leaps up by itself). `drop`: it is let go in the
 * air, falls, bounces lower each time and comes to rest. `rest`: it lies still throughout.
 */
function floorSetup(kind: 'launch' | 'drop' | 'rest') {
  return (r: Rng, fps: number, frames: number): Setup => {
    const height = r.uniform(0.5, 1.2);
    // Sized to the view, so that the ball is several flow-grid cells across at the analysis size.
    const radius = height * r.uniform(0.1, 0.14);
    const restitution = r.uniform(0.35, 0.6);
    const rest = Math.round(fps * r.uniform(0.3, 0.7));
    const x0 = r.uniform(-0.2, 0.2);
    const poses: Pose[] = [];
    // Vertical motion of a bouncing ball starting at height h0 with upward speed v0 at time 0.
    const bounce = (t: number, h0: number, v0: number): number => {
      let y = h0;
      let v = v0;
      let left = t;
      for (let k = 0; k < 20; k++) {
        const land = (v + Math.sqrt(v * v + 2 * G * y)) / G;
        if (left < land) return y + v * left - 0.5 * G * left * left;
        left -= land;
        y = 0;
        v = restitution * (G * land - v);
        if (v < 0.15) return 0;
      }
      return 0;
    };
    const v0 = Math.sqrt(2 * G * height);
    for (let f = 0; f < frames; f++) {
      const t = Math.max(0, (f - rest) / fps);
      const h = kind === 'rest' ? 0 : kind === 'launch' ? bounce(t, 0, v0) : bounce(t, height, 0);
      poses.push({ x: x0, y: h + radius, a: 0 });
    }
    const box: [number, number, number, number] = [
      x0 - height * 0.6,
      -radius * 2,
      x0 + height * 0.6,
      height + radius * 3,
    ];
    return {
      shape: { kind: 'ball', r: radius },
      poses,
      ramp: null,
      box,
      meta: { radius, height, restitution, rest_frames: rest, kind },
    };
  };
}

/**
 * A body let go in mid-air. `slows`: it falls speeding up, then slows down in mid-air to a hover with
 * nothing holding it (the violation). Otherwise it falls speeding up all the way and lands on the floor.
 */
function midairSetup(slows: boolean) {
  return (r: Rng, fps: number, frames: number): Setup => {
    const box = r.chance(0.5);
    const height = r.uniform(1.2, 2.2);
    const rest = Math.round(fps * r.uniform(0.2, 0.5));
    // The slowing body: free fall for t1, then a gentle constant upward acceleration (a quarter to a half
    // of g, as if it were braked by nothing) until it hovers.
    const t1 = r.uniform(0.25, 0.4);
    const decel = G * r.uniform(0.25, 0.5);
    const vMax = G * t1;
    const tStop = t1 + vMax / decel;
    const drop1 = 0.5 * G * t1 * t1;
    const dropStop = drop1 + (vMax * vMax) / (2 * decel);
    const top = slows ? dropStop + r.uniform(0.3, 0.8) : height;
    // Sized to the view, so that the body is several flow-grid cells across at the analysis size.
    const size = top * r.uniform(0.1, 0.14);
    const shape: Shape = box ? { kind: 'box', hw: size, hh: size * r.uniform(0.6, 1) } : { kind: 'ball', r: size };
    const floor = shape.kind === 'ball' ? shape.r : shape.hh;
    const x0 = r.uniform(-0.2, 0.2);
    const spin = r.uniform(-2, 2);
    const poses: Pose[] = [];
    for (let f = 0; f < frames; f++) {
      const t = Math.max(0, (f - rest) / fps);
      let fall: number;
      if (!slows) fall = 0.5 * G * t * t;
      else if (t <= t1) fall = 0.5 * G * t * t;
      else if (t <= tStop) fall = drop1 + vMax * (t - t1) - 0.5 * decel * (t - t1) ** 2;
      else fall = dropStop;
      const y = Math.max(floor, top + floor - fall);
      poses.push({ x: x0, y, a: spin * Math.min(t, slows ? tStop : Math.sqrt((2 * top) / G)) });
    }
    const boxOut: [number, number, number, number] = [x0 - top * 0.5, -floor * 2, x0 + top * 0.5, top + floor * 3];
    return {
      shape,
      poses,
      ramp: null,
      box: boxOut,
      meta: { height: top, rest_frames: rest, free_fall_s: slows ? t1 : null, decel: slows ? decel : null },
    };
  };
}

/** Every planted scene: three violations and their correct twins, frozen. */
export const PLANTED_SCENES: readonly PlantedScene[] = Object.freeze([
  {
    name: 'slope_accelerates_up',
    setting: 'slope',
    violation: true,
    description: 'A ball at rest near the foot of a ramp rolls up it, speeding up.',
    render: (rng, p) => draw(rng, p, slopeSetup(true)),
  },
  {
    name: 'slope_rolls_down',
    setting: 'slope',
    violation: false,
    description: 'A ball at rest near the top of a ramp rolls down it, speeding up, then slows on the floor.',
    render: (rng, p) => draw(rng, p, slopeSetup(false)),
  },
  {
    name: 'floor_launch_from_rest',
    setting: 'floor',
    violation: true,
    description: 'A ball lying on the floor leaps up by itself, flies up and falls back.',
    render: (rng, p) => draw(rng, p, floorSetup('launch')),
  },
  {
    name: 'floor_drop',
    setting: 'floor',
    violation: false,
    description: 'A ball let go in the air falls, bounces lower each time and comes to rest.',
    render: (rng, p) => draw(rng, p, floorSetup('drop')),
  },
  {
    name: 'floor_rest',
    setting: 'floor',
    violation: false,
    description: 'A ball lies still on the floor.',
    render: (rng, p) => draw(rng, p, floorSetup('rest')),
  },
  {
    name: 'fall_slows_midair',
    setting: 'midair',
    violation: true,
    description: 'A body let go in the air falls, then slows down and hovers with nothing holding it.',
    render: (rng, p) => draw(rng, p, midairSetup(true)),
  },
  {
    name: 'fall_accelerates',
    setting: 'midair',
    violation: false,
    description: 'A body let go in the air falls faster and faster and lands on the floor.',
    render: (rng, p) => draw(rng, p, midairSetup(false)),
  },
] satisfies PlantedScene[]);

/** One rendered planted clip (a manifest.jsonl row). */
export interface PlantedClip {
  id: string;
  path: string;
  scene: string;
  setting: PlantedScene['setting'];
  violation: boolean;
  seed: number;
}

/** Options of {@link renderPlanted}. */
export interface PlantedOptions {
  /** Output folder: <id>.mp4 files and manifest.jsonl (resumes: files already listed are kept). */
  out: string;
  /** Clips per violation scene; each setting's correct twins together get as many (default 10). */
  perScene?: number;
  seed?: number;
  /**
   * Look parameters. Default `{ clean: true }`: size, rate, length, colours, textures and backgrounds are drawn
   * per clip, but without camera shake or drift, sensor noise, blur, lighting drift or overlays, so the benchmark
   * measures the checks rather than optical-flow robustness; `{}` adds those nuisances as the corpus draws them.
   */
  params?: Omit<RenderParams, 'backgrounds'>;
}

/**
 * Renders `perScene` clips of every violation and as many correct twins per setting (a setting with two twin
 * scenes alternates them), encodes them as H.264 mp4 (CRF 20-30) and writes manifest.jsonl
 * (`path,id,scene,setting,violation,seed`). Deterministic for a seed.
 * @example
 * const clips = await renderPlanted({ out: 'out/planted', perScene: 10, seed: 1 });
 */
export async function renderPlanted(options: PlantedOptions): Promise<PlantedClip[]> {
  const perScene = options.perScene ?? 10;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(perScene) || perScene < 1)
    throw new UsageError(expected('a positive integer', 'perScene', perScene));
  await mkdir(options.out, { recursive: true });
  const manifest = join(options.out, 'manifest.jsonl');
  const done = new Map<string, PlantedClip>();
  try {
    for (const line of (await readFile(manifest, 'utf8')).split('\n'))
      if (line.trim()) done.set((JSON.parse(line) as PlantedClip).id, JSON.parse(line) as PlantedClip);
  } catch {
    // No manifest yet.
  }
  const clips: PlantedClip[] = [];
  for (const setting of ['slope', 'floor', 'midair'] as const) {
    const bad = PLANTED_SCENES.filter((s) => s.setting === setting && s.violation);
    const good = PLANTED_SCENES.filter((s) => s.setting === setting && !s.violation);
    const jobs: PlantedScene[] = [];
    for (const s of bad) for (let i = 0; i < perScene; i++) jobs.push(s);
    for (let i = 0; i < perScene * bad.length; i++) jobs.push(good[i % good.length]);
    const counters = new Map<string, number>();
    for (const scene of jobs) {
      const i = counters.get(scene.name) ?? 0;
      counters.set(scene.name, i + 1);
      const id = `${scene.name}_s${seed}_${String(i).padStart(3, '0')}`;
      const path = join(options.out, `${id}.mp4`);
      const known = done.get(id);
      if (
        known &&
        (await access(path).then(
          () => true,
          () => false,
        ))
      ) {
        clips.push(known);
        continue;
      }
      const clipSeed = hashSeed(seed, `planted:${scene.name}:${i}`);
      const rng = new Rng(clipSeed);
      const result = scene.render(rng.fork('render'), options.params ?? { clean: true });
      await encodeFrames(result.frames, {
        width: result.width,
        height: result.height,
        fps: result.fps,
        crf: rng.fork('crf').int(20, 30),
        pixelFormat: 'rgba',
        path,
      });
      const row: PlantedClip = { id, path, scene: scene.name, setting, violation: scene.violation, seed: clipSeed };
      await appendFile(manifest, `${JSON.stringify(row)}\n`);
      clips.push(row);
    }
  }
  return clips;
}
