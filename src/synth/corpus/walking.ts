// Family walking: a side-view figure walks left or right with a planted-foot gait, facing its way (irreversible).

import type { SKRSContext2D } from '@napi-rs/canvas';
import type { Look, Rng } from './randomise.js';
import { colour, objectColour, texturePattern } from './randomise.js';
import { View, drawFloor, drawShape } from './physics.js';
import { begin, finish, fitView, minJerk, renderWindow } from './scene.js';
import type { Family } from './types.js';

/**
 * Body and gait of one walker, in metres, radians and gait cycles. Angles are measured from straight down,
 * positive towards the facing direction; knee flexion bends the shin backwards.
 */
export interface Gait {
  /** +1 walks (and faces) right, -1 left. */
  direction: 1 | -1;
  thigh: number;
  shin: number;
  /** Height of the ankle above the sole, and the foot's length (a quarter behind the ankle). */
  ankle: number;
  foot: number;
  torso: number;
  torsoWidth: number;
  neck: number;
  headR: number;
  /** Forward lean of the torso. */
  lean: number;
  /** Knee flexion at foot contact and toe-off, extra flexion at mid-stance, peak extra flexion in swing. */
  kneeContact: number;
  kneeMid: number;
  kneeSwing: number;
  /**
   * The ankle lands `reach` ahead of the hip and leaves the ground `reach` behind it: a step is 2 * reach and a
   * stride (one gait cycle, a step of each leg) 4 * reach.
   */
  reach: number;
  /** Gait cycles per second. */
  cadence: number;
  arms: boolean;
  upperArm: number;
  forearm: number;
  /** Peak shoulder swing (rad, counter to the leg on the same side) and fixed elbow flexion (forward). */
  armSwing: number;
  elbow: number;
  /** World x of the hip at gait phase 0. */
  x0: number;
}

export type Point = [number, number];

/** Swing progress by which the knee has straightened for contact. */
const KNEE_DONE = 0.85;

/** One leg at an instant, in world metres (y up): ground contact when `stance`. */
export interface LegPose {
  knee: Point;
  ankle: Point;
  heel: Point;
  toe: Point;
  stance: boolean;
  hipAngle: number;
  kneeFlexion: number;
}

/** The whole figure at an instant. */
export interface WalkPose {
  hip: Point;
  shoulder: Point;
  neck: Point;
  head: Point;
  /** Legs 0 and 1 (half a cycle apart); arm k swings counter to leg k. */
  legs: [LegPose, LegPose];
  arms: [{ elbow: Point; hand: Point }, { elbow: Point; hand: Point }];
  /** Index of the leg carrying the body. */
  support: 0 | 1;
}

/** Step (m), stride (m) and forward speed (m/s) of a gait. */
export function gaitStats(g: Gait): { step: number; stride: number; speed: number } {
  return { step: 2 * g.reach, stride: 4 * g.reach, speed: 4 * g.reach * g.cadence };
}

/** Draw a walker: legs 0.4-1 m (a child, an adult or a small robot), strides 1-1.6 leg lengths, 0.6-1.1 cycles/s. */
export function drawGait(rng: Rng): Gait {
  const leg = rng.uniform(0.4, 1);
  const thigh = leg * rng.uniform(0.45, 0.55);
  const shin = leg - thigh;
  const kneeContact = rng.uniform(0.03, 0.12);
  const r0 = equivalentLeg(thigh, shin, kneeContact).r;
  return {
    direction: rng.sign(),
    thigh,
    shin,
    ankle: leg * rng.uniform(0.06, 0.09),
    foot: leg * rng.uniform(0.25, 0.33),
    torso: leg * rng.uniform(0.6, 0.8),
    torsoWidth: leg * rng.uniform(0.2, 0.32),
    neck: leg * rng.uniform(0.04, 0.1),
    headR: leg * rng.uniform(0.13, 0.18),
    lean: rng.uniform(0.04, 0.2),
    kneeContact,
    kneeMid: rng.uniform(0.04, 0.15),
    kneeSwing: rng.uniform(0.8, 1.1),
    reach: r0 * Math.sin(rng.uniform(0.25, 0.4)),
    cadence: rng.uniform(0.6, 1.1),
    arms: rng.chance(0.8),
    upperArm: leg * rng.uniform(0.38, 0.46),
    forearm: leg * rng.uniform(0.35, 0.42),
    armSwing: rng.uniform(0.2, 0.45),
    elbow: rng.uniform(0.15, 0.6),
    x0: 0,
  };
}

/** Hip-to-ankle distance and its angle offset from the thigh for a knee flexion (the leg as one straight strut). */
function equivalentLeg(thigh: number, shin: number, knee: number): { r: number; offset: number } {
  return {
    r: Math.sqrt(thigh * thigh + shin * shin + 2 * thigh * shin * Math.cos(knee)),
    offset: Math.atan2(-shin * Math.sin(knee), thigh + shin * Math.cos(knee)),
  };
}

/**
 * Hip angle and knee flexion of one leg at its own phase (0..1 cycles): stance for [0, 0.5), swing for [0.5, 1).
 * In stance the hip angle is chosen so the ankle's offset from the hip goes linearly from +reach to -reach: the
 * planted foot then fixes the hip's advance at a constant speed. In swing the hip flexes from its toe-off angle back
 * to its contact angle while the knee bends to lift the foot.
 */
export function legAngles(g: Gait, phase: number): { hip: number; knee: number; stance: boolean; u: number } {
  const p = phase - Math.floor(phase);
  if (p < 0.5) {
    const s = p / 0.5;
    const knee = g.kneeContact + g.kneeMid * Math.sin(Math.PI * s);
    const { r, offset } = equivalentLeg(g.thigh, g.shin, knee);
    return { hip: Math.asin((g.reach * (1 - 2 * s)) / r) - offset, knee, stance: true, u: s };
  }
  const u = (p - 0.5) / 0.5;
  const { r, offset } = equivalentLeg(g.thigh, g.shin, g.kneeContact);
  const half = Math.asin(g.reach / r);
  const hip = -half - offset + 2 * half * minJerk(u);
  // Knee flexion peaks early in swing (u ~ 0.3), as in human gait, and the leg is straight again from u = 0.85: a knee
  // still extending at contact would push the foot through the ground while the hip sinks.
  const bend = u < KNEE_DONE ? Math.sin(Math.PI * (u / KNEE_DONE) ** 0.7) : 0;
  const knee = g.kneeContact + g.kneeSwing * bend * bend;
  return { hip, knee, stance: false, u };
}

/** Knee and ankle relative to the hip, facing +x (forward kinematics). */
function legFk(g: Gait, hip: number, knee: number): { knee: Point; ankle: Point } {
  const k: Point = [g.thigh * Math.sin(hip), -g.thigh * Math.cos(hip)];
  const shin = hip - knee;
  return { knee: k, ankle: [k[0] + g.shin * Math.sin(shin), k[1] - g.shin * Math.cos(shin)] };
}

/** The figure at gait phase `phase` (cycles; leg 0 touches down at every integer). */
export function walkPose(g: Gait, phase: number): WalkPose {
  const d = g.direction;
  const angles = [legAngles(g, phase), legAngles(g, phase + 0.5)] as const;
  const fk = angles.map((a) => legFk(g, a.hip, a.knee));
  const support: 0 | 1 = angles[0].stance ? 0 : 1;
  // Canonical frame: facing +x, hip at (4 reach phase, height set by the planted ankle).
  const hx = 4 * g.reach * phase;
  const hy = g.ankle - fk[support].ankle[1];
  const world = (cx: number, cy: number): Point => [g.x0 + d * (hx + cx), hy + cy];
  const legs = angles.map((a, k): LegPose => {
    const { knee, ankle } = fk[k];
    // Foot flat on the ground in stance; in swing it tilts with the shin (toe down after push-off), flat again at contact.
    const tilt = a.stance ? 0 : 0.8 * (a.hip - a.knee) * Math.sin(Math.PI * a.u);
    const sole = (along: number): Point => {
      const c = Math.cos(tilt);
      const s = Math.sin(tilt);
      return world(ankle[0] + along * c + g.ankle * s, ankle[1] + along * s - g.ankle * c);
    };
    return {
      knee: world(knee[0], knee[1]),
      ankle: world(ankle[0], ankle[1]),
      heel: sole(-0.25 * g.foot),
      toe: sole(0.75 * g.foot),
      stance: a.stance,
      hipAngle: a.hip,
      kneeFlexion: a.knee,
    };
  }) as [LegPose, LegPose];
  // A little extra lean as the body passes over the planted foot; the head follows the torso.
  const lean = g.lean + 0.03 * Math.sin(4 * Math.PI * phase);
  const up = (len: number, from: Point, angle: number): Point => [
    from[0] + d * len * Math.sin(angle),
    from[1] + len * Math.cos(angle),
  ];
  const hip = world(0, 0);
  const shoulder = up(g.torso, hip, lean);
  const neck = up(g.neck, shoulder, lean * 0.5);
  const head = up(g.headR, neck, lean * 0.5);
  const { r, offset } = equivalentLeg(g.thigh, g.shin, g.kneeContact);
  const half = Math.asin(g.reach / r);
  const arms = angles.map((a) => {
    // Hip angle normalised to -1 (toe-off) .. 1 (contact); the arm on the same side swings the other way.
    const n = Math.max(-1.2, Math.min(1.2, (a.hip + offset) / half));
    const sh = -g.armSwing * n;
    const elbow: Point = [shoulder[0] + d * g.upperArm * Math.sin(sh), shoulder[1] - g.upperArm * Math.cos(sh)];
    const hand: Point = [
      elbow[0] + d * g.forearm * Math.sin(sh + g.elbow),
      elbow[1] - g.forearm * Math.cos(sh + g.elbow),
    ];
    return { elbow, hand };
  }) as WalkPose['arms'];
  return { hip, shoulder, neck, head, legs, arms, support };
}

/** Every point drawn for a pose (for framing). */
function posePoints(g: Gait, p: WalkPose): Point[] {
  const pts: Point[] = [
    p.hip,
    p.shoulder,
    [p.head[0], p.head[1] + g.headR],
    [p.head[0] + g.headR * 1.4, p.head[1]],
    [p.head[0] - g.headR * 1.4, p.head[1]],
  ];
  for (const l of p.legs) pts.push(l.knee, l.heel, l.toe);
  if (g.arms) for (const a of p.arms) pts.push(a.elbow, a.hand);
  return pts;
}

/**
 * Framing: the whole window's path if the figure stays at least 30% of the frame tall; otherwise a figure of that
 * size that walks in or out of the frame (the camera never follows, so the ground does not move).
 */
function walkerView(vr: Rng, look: Look, pts: readonly Point[]): View {
  const xs = pts.map((p) => p[0]);
  const top = Math.max(...pts.map((p) => p[1]));
  const x0 = Math.min(...xs) - 0.1 * top;
  const x1 = Math.max(...xs) + 0.1 * top;
  const box: [number, number, number, number] = [x0, -0.12 * top, x1, top * 1.08];
  const margin = 0.08;
  const fit = Math.min(
    (look.width * (1 - 2 * margin)) / (x1 - x0),
    (look.height * (1 - 2 * margin)) / (box[3] - box[1]),
  );
  const least = (look.height * 0.3) / top;
  if (fit >= least) return fitView(vr, look, box, margin);
  const cx = look.width * (0.5 + vr.uniform(-0.1, 0.1));
  return new View(least, cx - ((x0 + x1) / 2) * least, look.height * vr.uniform(0.75, 0.88));
}

type Paint = ReturnType<typeof texturePattern> | string;

/** The walker's paints: near and far limbs (two shades of one hue), the torso, the skin, and the floor. */
interface WalkerPaints {
  near: string;
  far: string;
  body: Paint;
  skin: string;
  floor: Paint;
}

function walkerPaints(r: Rng, look: Look, ctx: SKRSContext2D): WalkerPaints {
  const hue = r.uniform(90, 270);
  const light = r.pick([r.uniform(0.15, 0.35), r.uniform(0.6, 0.85)]);
  const sat = r.uniform(0.3, 0.9);
  const near = colour(look, hue, sat, light);
  const far = colour(look, hue, sat, light < 0.5 ? light + 0.18 : light - 0.22);
  const body = texturePattern(ctx, r.fork('tex'), objectColour(r.fork('col'), look), 0.35, 16);
  const skin = colour(look, r.uniform(-60, 60) + 180, r.uniform(0.2, 0.6), r.uniform(0.45, 0.8));
  const floor = texturePattern(ctx, r.fork('floor'), objectColour(r.fork('floorcol'), look), 0.5, 64);
  return { near, far, body, skin, floor };
}

/** Draws one pose: far arm and leg (in the far shade), torso, neck, head and face, then near leg and arm. */
function drawWalker(ctx: SKRSContext2D, view: View, g: Gait, p: WalkPose, paints: WalkerPaints, limbW: number): void {
  const line = (paint: string, width: number, ...path: Point[]): void => {
    ctx.strokeStyle = paint;
    ctx.lineWidth = width;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    path.forEach(([x, y], i) => {
      if (i === 0) ctx.moveTo(view.px(x), view.py(y));
      else ctx.lineTo(view.px(x), view.py(y));
    });
    ctx.stroke();
  };
  const leg = (l: LegPose, paint: string): void => {
    line(paint, limbW, p.hip, l.knee, l.ankle);
    ctx.fillStyle = paint;
    ctx.beginPath();
    ctx.moveTo(view.px(l.ankle[0]), view.py(l.ankle[1]));
    ctx.lineTo(view.px(l.heel[0]), view.py(l.heel[1]));
    ctx.lineTo(view.px(l.toe[0]), view.py(l.toe[1]));
    ctx.closePath();
    ctx.fill();
    line(paint, limbW * 0.6, l.heel, l.toe);
  };
  const arm = (k: 0 | 1, paint: string): void => {
    if (g.arms) line(paint, limbW * 0.8, p.shoulder, p.arms[k].elbow, p.arms[k].hand);
  };
  // Leg and arm 1 are on the far side: drawn first and in the other shade.
  arm(1, paints.far);
  leg(p.legs[1], paints.far);
  const tx = (p.hip[0] + p.shoulder[0]) / 2;
  const ty = (p.hip[1] + p.shoulder[1]) / 2;
  const tilt = Math.atan2(p.shoulder[1] - p.hip[1], p.shoulder[0] - p.hip[0]) - Math.PI / 2;
  drawShape(
    ctx,
    view,
    { kind: 'box', hw: g.torsoWidth / 2, hh: g.torso / 2 + limbW / view.scale / 2 },
    tx,
    ty,
    tilt,
    paints.body,
    'rgba(0,0,0,0.7)',
  );
  line(paints.skin, limbW * 0.7, p.shoulder, p.neck);
  drawShape(ctx, view, { kind: 'ball', r: g.headR }, p.head[0], p.head[1], 0, paints.skin, 'rgba(0,0,0,0.7)');
  drawFace(ctx, view, g, p.head, paints.skin);
  leg(p.legs[0], paints.near);
  arm(0, paints.near);
}

/** A nose and an eye on the facing side of the head, so which way the figure looks is plain. */
function drawFace(ctx: SKRSContext2D, view: View, g: Gait, head: Point, skin: string): void {
  const d = g.direction;
  const s = view.scale;
  const [hx, hy] = [view.px(head[0]), view.py(head[1])];
  ctx.fillStyle = skin;
  ctx.strokeStyle = 'rgba(0,0,0,0.7)';
  ctx.lineWidth = Math.max(0.6, s * 0.01);
  ctx.beginPath();
  ctx.moveTo(hx + d * g.headR * 0.85 * s, hy - g.headR * 0.25 * s);
  ctx.lineTo(hx + d * g.headR * 1.4 * s, hy + g.headR * 0.15 * s);
  ctx.lineTo(hx + d * g.headR * 0.85 * s, hy + g.headR * 0.3 * s);
  ctx.closePath();
  ctx.fill();
  ctx.stroke();
  ctx.fillStyle = '#111';
  ctx.beginPath();
  ctx.arc(hx + d * g.headR * 0.5 * s, hy - g.headR * 0.3 * s, Math.max(0.7, g.headR * 0.15 * s), 0, Math.PI * 2);
  ctx.fill();
}

export const walking: Family = {
  name: 'walking',
  verdict: 'irreversible',
  description:
    'A side-view figure walks forward with planted stance feet, a swinging leg and a slight bob, facing its way; reversed it walks backwards, feet first behind it.',
  render(rng, params) {
    const { look, stage, rng: r } = begin(rng, params);
    const g = drawGait(r.fork('gait'));
    const startPhase = r.uniform(0, 1);
    const phase = (f: number): number => startPhase + (g.cadence * f) / look.fps;
    const { step, stride, speed } = gaitStats(g);
    const pts = Array.from({ length: look.frames }, (_, f) => posePoints(g, walkPose(g, phase(f)))).flat();
    const view = walkerView(r.fork('view'), look, pts);
    const paints = walkerPaints(r, look, stage.ctx);
    const limbW = Math.max(1.5, 0.09 * (g.thigh + g.shin) * view.scale);
    const frames = renderWindow(stage, 0, (ctx: SKRSContext2D, f) => {
      drawFloor(ctx, view, 0, look.width, look.height, paints.floor);
      drawWalker(ctx, view, g, walkPose(g, phase(f)), paints, limbW);
    });
    const first = walkPose(g, phase(0));
    const last = walkPose(g, phase(look.frames - 1));
    return finish(look, frames, {
      direction: g.direction > 0 ? 'right' : 'left',
      speed,
      stride,
      step,
      cadence: g.cadence,
      leg_length: g.thigh + g.shin,
      lean: g.lean,
      arms: g.arms,
      start_phase: startPhase,
      displacement: last.hip[0] - first.hip[0],
    });
  },
};
