// Family stacking: a gripper picks blocks one at a time and stacks them, or unstacks them side by side (equivariant).

import type { SKRSContext2D } from '@napi-rs/canvas';
import type { Rng } from './randomise.js';
import { colour, objectColour, texturePattern } from './randomise.js';
import { drawFloor, drawShape } from './physics.js';
import { actionTiming, begin, finish, fitView, minJerk, renderWindow } from './scene.js';
import type { Family } from './types.js';

const COUNTERPART = { stack: 'unstack', unstack: 'stack' } as const;
type StackAction = keyof typeof COUNTERPART;

/** One block: half sizes and its centre on the floor (side by side) and on the stack, in metres. */
export interface StackBlock {
  hw: number;
  hh: number;
  floor: readonly [number, number];
  stack: readonly [number, number];
}

/** Gripper pose: x, y of the crossbar's underside (the top of a held block) and `open` 0 (closed on a block) to 1. */
interface Key {
  x: number;
  y: number;
  open: number;
}

/** One minimum-jerk move of the gripper over [u0, u1] of the canonical (stacking) timeline, maybe holding a block. */
interface Segment {
  u0: number;
  u1: number;
  from: Key;
  to: Key;
  /** Index of the block held during the move, or -1. */
  held: number;
  /** Block the fingers close on or are open around (their gap follows its width), or -1. */
  at: number;
}

/**
 * A stacking choreography on a canonical timeline u in 0..1: blocks 1.. go from the floor onto block 0 (the base,
 * at x = 0, never moved) in order. Unstacking is the same plan played from u = 1 to 0.
 */
export interface StackPlan {
  blocks: StackBlock[];
  segments: Segment[];
  /** Canonical u at which each moved block is set down on the stack (index 0, the base: 0). */
  placedAt: number[];
  /** Height of the crossbar underside while travelling: every held block and empty finger clears everything below. */
  altitude: number;
  home: readonly [number, number];
  fingerLen: number;
  /** Finger gap (from the centre line to a finger's inner edge) when open. */
  openGap: number;
}

/** Where everything is at canonical progress u. */
export interface StackPose {
  gripper: { x: number; y: number; gap: number };
  /** Block centres, in plan order. */
  blocks: [number, number][];
  held: number;
}

const DWELL = 0.3;
const FINGER_W = 0.03;
const BAR_H = 0.03;

/** Block half sizes, base first. */
type BlockDims = { hw: number; hh: number }[];

/**
 * Floor x of each block (the base at 0): blocks 1..n-1 all on one side of the base or alternating sides; gaps
 * leave room for open fingers.
 */
function floorPlaces(rng: Rng, dims: BlockDims, moved: number, openGap: number): number[] {
  const split = moved > 1 && rng.chance(0.35);
  const side0 = rng.sign();
  const edge = new Map<number, number>([
    [-1, -dims[0].hw],
    [1, dims[0].hw],
  ]);
  const floorX: number[] = [0];
  for (let k = 1; k < dims.length; k++) {
    const side = split && k % 2 === 0 ? -side0 : side0;
    const gap = openGap + FINGER_W - dims[k].hw + rng.uniform(0.06, 0.16);
    const x = edge.get(side)! + side * (gap + dims[k].hw);
    edge.set(side, x + side * dims[k].hw);
    floorX.push(x);
  }
  return floorX;
}

/**
 * The blocks in stack order (the base, then the pick order: nearest or farthest first) with their floor and stack
 * places, where each moved block sits down (`placed`: its index and the stack top under it) and the stack's height.
 */
function stackBlocks(
  rng: Rng,
  dims: BlockDims,
  floorX: number[],
  moved: number,
): { blocks: StackBlock[]; placed: { idx: number; top: number }[]; top: number } {
  const order = Array.from({ length: moved }, (_, i) => i + 1).sort(
    (a, b) => Math.abs(floorX[a]) - Math.abs(floorX[b]),
  );
  if (rng.chance(0.5)) order.reverse();
  const blocks: StackBlock[] = [{ ...dims[0], floor: [0, dims[0].hh], stack: [0, dims[0].hh] }];
  let top = 2 * dims[0].hh;
  const placed: { idx: number; top: number }[] = [];
  for (const k of order) {
    const d = dims[k];
    // A hand sets blocks down a little off centre.
    const sx = rng.uniform(-0.12, 0.12) * d.hw;
    placed.push({ idx: blocks.length, top });
    blocks.push({ ...d, floor: [floorX[k], d.hh], stack: [sx, top + d.hh] });
    top += 2 * d.hh;
  }
  return { blocks, placed, top };
}

/**
 * The gripper's moves from home, over every placed block (down, grip, up, across, down, release, up) and back home,
 * timed on the canonical timeline, and the u at which each block is set down (the base: 0).
 */
function choreograph(
  blocks: StackBlock[],
  placed: { idx: number }[],
  altitude: number,
  home: readonly [number, number],
): { segments: Segment[]; placedAt: number[] } {
  // Keyframes; weights are time in arbitrary units, longer for longer moves.
  const raw: Omit<Segment, 'u0' | 'u1'>[] = [];
  const weights: number[] = [];
  let cur: Key = { x: home[0], y: home[1], open: 1 };
  const move = (to: Key, held: number, at: number, w?: number): void => {
    raw.push({ from: cur, to, held, at });
    weights.push(w ?? 0.35 + 2.2 * Math.hypot(to.x - cur.x, to.y - cur.y));
    cur = to;
  };
  const placeSeg: number[] = [];
  for (const { idx } of placed) {
    const b = blocks[idx];
    const top0 = b.floor[1] + b.hh;
    const top1 = b.stack[1] + b.hh;
    move({ x: b.floor[0], y: altitude, open: 1 }, -1, idx);
    move({ x: b.floor[0], y: top0, open: 1 }, -1, idx);
    move({ x: b.floor[0], y: top0, open: 0 }, -1, idx, DWELL);
    move({ x: b.floor[0], y: altitude, open: 0 }, idx, idx);
    move({ x: b.stack[0], y: altitude, open: 0 }, idx, idx);
    move({ x: b.stack[0], y: top1, open: 0 }, idx, idx);
    placeSeg.push(raw.length - 1);
    move({ x: b.stack[0], y: top1, open: 1 }, -1, idx, DWELL);
    move({ x: b.stack[0], y: altitude, open: 1 }, -1, idx);
  }
  move({ x: home[0], y: home[1], open: 1 }, -1, -1);
  // The approach from home and the return take a good share of the time, so the crop keeps the first and last states.
  const inner = weights.reduce((a, w) => a + w, 0) - weights[0] - weights[weights.length - 1];
  weights[0] = Math.max(weights[0], 0.25 * inner);
  weights[weights.length - 1] = Math.max(weights[weights.length - 1], 0.25 * inner);
  const total = weights.reduce((a, w) => a + w, 0);
  let acc = 0;
  const segments: Segment[] = raw.map((s, i) => {
    const u0 = acc / total;
    acc += weights[i];
    return { ...s, u0, u1: i === raw.length - 1 ? 1 : acc / total };
  });
  const placedAt = [0, ...placeSeg.map((i) => segments[i].u1)];
  return { segments, placedAt };
}

/** Draw a stacking plan: `moved` blocks (1-3) on the floor to one or both sides of a base block. */
export function planStacking(rng: Rng, moved: number): StackPlan {
  const size = rng.uniform(0.05, 0.085);
  const n = moved + 1;
  const dims: BlockDims = Array.from({ length: n }, () => ({
    hw: size * rng.uniform(0.75, 1.15),
    hh: size * rng.uniform(0.5, 0.95),
  }));
  const hwMax = Math.max(...dims.map((d) => d.hw));
  const hhMin = Math.min(...dims.map((d) => d.hh));
  const openGap = hwMax + rng.uniform(0.025, 0.045);
  const fingerLen = BAR_H + 1.4 * hhMin;
  const floorX = floorPlaces(rng, dims, moved, openGap);
  const { blocks, placed, top } = stackBlocks(rng, dims, floorX, moved);
  const hhMax = Math.max(...dims.map((d) => d.hh));
  const altitude = top + rng.uniform(0.04, 0.12) + 2 * hhMax;
  const xs = blocks.map((b) => b.floor[0]);
  const home: [number, number] = [rng.uniform(Math.min(...xs), Math.max(...xs)), altitude + rng.uniform(0, 0.15)];
  const { segments, placedAt } = choreograph(blocks, placed, altitude, home);
  return { blocks, segments, placedAt, altitude, home, fingerLen, openGap };
}

/** Poses at canonical progress u (0: blocks side by side, 1: stacked); blocks at rest do not move. */
export function stackingPose(plan: StackPlan, u: number): StackPose {
  const t = Math.min(1, Math.max(0, u));
  const seg = plan.segments.find((s) => t <= s.u1) ?? plan.segments[plan.segments.length - 1];
  const s = minJerk((t - seg.u0) / Math.max(1e-9, seg.u1 - seg.u0));
  const x = seg.from.x + (seg.to.x - seg.from.x) * s;
  const y = seg.from.y + (seg.to.y - seg.from.y) * s;
  const open = seg.from.open + (seg.to.open - seg.from.open) * s;
  const hw = seg.at >= 0 ? plan.blocks[seg.at].hw : plan.openGap;
  const gap = hw + 0.002 + (plan.openGap - hw - 0.002) * open;
  const blocks = plan.blocks.map((b, k): [number, number] => {
    if (k === seg.held) return [x, y - b.hh];
    const p = t >= plan.placedAt[k] ? b.stack : b.floor;
    return [p[0], p[1]];
  });
  return { gripper: { x, y, gap }, blocks, held: seg.held };
}

/** Top of the stack on the base (metres): the highest resting block standing over the base, the held one left out. */
export function stackHeight(plan: StackPlan, pose: StackPose): number {
  const base = plan.blocks[0];
  let top = 0;
  pose.blocks.forEach(([bx, by], k) => {
    if (k === pose.held || Math.abs(bx) > base.hw) return;
    top = Math.max(top, by + plan.blocks[k].hh);
  });
  return top;
}

export const stacking: Family = {
  name: 'stacking',
  verdict: 'equivariant',
  description:
    'A gripper picks blocks one at a time and stacks them, or unstacks them side by side, with smooth moves; reversed, stacking is unstacking.',
  render(rng, params) {
    const { look, stage, rng: r } = begin(rng, params);
    const action = r.pick(Object.keys(COUNTERPART) as StackAction[]);
    const timing = actionTiming(r.fork('timing'), look.frames);
    // About a second per pick-and-place at most 3: short actions move one block.
    const most = Math.max(1, Math.min(3, Math.floor(timing.length / look.fps / 0.9)));
    const moved = r.int(Math.ceil(most / 2), most);
    const plan = planStacking(r.fork('plan'), moved);
    const reversed = action === 'unstack';
    const progress = (f: number): number => {
      const u = Math.min(1, Math.max(0, (f - timing.start) / timing.length));
      return reversed ? 1 - u : u;
    };
    const xs = plan.blocks.map((b) => b.floor[0]);
    const reach = plan.openGap + FINGER_W;
    const box: [number, number, number, number] = [
      Math.min(...xs, plan.home[0]) - reach,
      -0.06,
      Math.max(...xs, plan.home[0]) + reach,
      Math.max(plan.altitude, plan.home[1]) + BAR_H + 0.08,
    ];
    const view = fitView(r.fork('view'), look, box, 0.08);
    const paints = plan.blocks.map((_, k) =>
      texturePattern(stage.ctx, r.fork(`tex${k}`), objectColour(r.fork(`col${k}`), look), 0.3, 16),
    );
    const metal = colour(look, 200, 0.1, r.pick([0.3, 0.7]));
    const floor = texturePattern(stage.ctx, r.fork('floor'), objectColour(r.fork('floorcol'), look), 0.5, 64);
    const frames = renderWindow(stage, 0, (ctx: SKRSContext2D, f) => {
      drawFloor(ctx, view, 0, look.width, look.height, floor);
      const pose = stackingPose(plan, progress(f));
      pose.blocks.forEach(([bx, by], k) => {
        const b = plan.blocks[k];
        drawShape(ctx, view, { kind: 'box', hw: b.hw, hh: b.hh }, bx, by, 0, paints[k], 'rgba(0,0,0,0.75)');
      });
      // Gripper like the carry family's: an arm from above, a crossbar, two fingers at the block's sides.
      const { x, y, gap } = pose.gripper;
      const s = view.scale;
      ctx.fillStyle = metal;
      ctx.fillRect(view.px(x - 0.02), view.py(y + 20), 0.04 * s, (20 - BAR_H) * s);
      ctx.fillRect(view.px(x - reach), view.py(y + BAR_H), 2 * reach * s, BAR_H * s);
      for (const side of [-1, 1])
        ctx.fillRect(
          view.px(x + side * (gap + FINGER_W / 2) - FINGER_W / 2),
          view.py(y + BAR_H),
          FINGER_W * s,
          plan.fingerLen * s,
        );
    });
    const first = stackingPose(plan, progress(0));
    const last = stackingPose(plan, progress(look.frames - 1));
    return finish(look, frames, {
      action,
      reversed_action: COUNTERPART[action],
      blocks: plan.blocks.length,
      moved,
      timing,
      stack_height_start: stackHeight(plan, first),
      stack_height_end: stackHeight(plan, last),
    });
  },
};
