// Randomised look of synthetic clips (size, rate, textures, noise, camera, overlays) so a model cannot key on artefacts.

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import type { Canvas, CanvasPattern, SKRSContext2D } from '@napi-rs/canvas';
import { decodeClip } from '../../decode/frames.js';
import { valueNoise } from '../texture.js';
import type { RenderParams } from './types.js';
import { fnv1a } from '../../util/hash.js';
import { rng } from '../../util/random.js';

/** FNV-1a over a string, mixed with a seed: stable sub-seeds by name. */
export function hashSeed(seed: number, label: string): number {
  let h = fnv1a(label, seed);
  h ^= h >>> 16;
  return Math.imul(h, 0x45d9f3b) >>> 0;
}

/** Seeded PRNG (mulberry32). `fork(label)` gives an independent stream that depends only on the seed and label, so adding draws in one part of a scene never shifts another. */
export class Rng {
  readonly seed: number;
  readonly next: () => number;
  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.next = rng(this.seed);
  }
  uniform(a: number, b: number): number {
    return a + (b - a) * this.next();
  }
  /** Integer in [a, b], both included. */
  int(a: number, b: number): number {
    return a + Math.floor(this.next() * (b - a + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  sign(): 1 | -1 {
    return this.next() < 0.5 ? -1 : 1;
  }
  normal(): number {
    const u = Math.max(1e-12, this.next());
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  fork(label: string): Rng {
    return new Rng(hashSeed(this.seed, label));
  }
}

/** One gray frame of real footage, used as a background. */
export interface RealBackground {
  name: string;
  width: number;
  height: number;
  gray: Uint8Array;
}

/** The nuisance look of one clip; recorded in the label row so any artefact can be traced. */
export interface Look {
  width: number;
  height: number;
  fps: number;
  /** Frames of the rendered clip. */
  frames: number;
  background: { kind: 'noise' | 'gradient' | 'clutter' | 'real'; source?: string };
  hue: number;
  gray: boolean;
  /** Sensor noise, standard deviation in 8-bit levels. */
  noise: number;
  /** Gaussian blur radius in px (focus, not motion). */
  blur: number;
  /** Brightness gain at the start and its relative change over the clip. */
  light: { gain: number; drift: number };
  /** Camera drift over the whole clip (px, relative zoom) and hand-shake amplitude (px). */
  camera: { panX: number; panY: number; zoom: number; shake: number };
  overlays: { text: string | null; logo: boolean; border: 'none' | 'letterbox' | 'pillarbox' };
  /** Handheld-camera nuisances at the size real footage shows them (see {@link pickHandheld}); null when off. */
  handheld: Handheld | null;
}

/**
 * What a handheld camera in a busy place adds to a clip, every part time-symmetric in distribution so that no
 * verdict changes: a slow sinusoidal sway of the camera (px amplitude, Hz), auto-exposure breathing (relative
 * gain), and background things oscillating in place (leaves, people shifting, screens): soft blobs drawn
 * behind the scene, in world coordinates.
 */
export interface Handheld {
  sway: { ax: number; ay: number; f: number; p: number };
  exposure: { a: number; f: number; p: number };
  distractors: {
    x: number;
    y: number;
    rx: number;
    ry: number;
    ax: number;
    ay: number;
    f: number;
    p: number;
    hue: number;
    light: number;
    alpha: number;
  }[];
}

const SIZES: readonly (readonly [number, number])[] = [
  [160, 90],
  [192, 108],
  [224, 126],
  [256, 144],
  [288, 162],
  [320, 180],
  [160, 120],
  [240, 180],
];
const CAPTIONS = ['CAM 2', 'REC', 'demo', 'lab 4', 'take 3', 'TEST', 'HD', 'clip', 'preview', 'sample'];

/** Draw the look of a clip; `params` fixes size, rate or length, and `clean` turns every nuisance off. */
export function pickLook(rng: Rng, params: RenderParams = {}, backgrounds: readonly RealBackground[] = []): Look {
  const [w, h] = rng.pick(SIZES);
  const fps = params.fps ?? (rng.chance(0.6) ? rng.pick([15, 20, 24, 25, 30]) : rng.int(15, 30));
  const seconds = params.seconds ?? rng.uniform(2, 5);
  const clean = params.clean === true;
  const bgKind =
    backgrounds.length > 0 && rng.chance(0.25) ? 'real' : rng.pick(['noise', 'gradient', 'clutter'] as const);
  const look: Look = {
    width: params.width ?? w,
    height: params.height ?? h,
    fps,
    frames: Math.max(8, Math.round(seconds * fps)),
    background: bgKind === 'real' ? { kind: 'real', source: rng.pick(backgrounds).name } : { kind: bgKind },
    hue: rng.uniform(0, 360),
    gray: rng.chance(0.15),
    noise: clean ? 0 : rng.chance(0.3) ? 0 : rng.uniform(0.5, 6),
    blur: clean || rng.chance(0.5) ? 0 : rng.uniform(0.3, 1.2),
    light: { gain: clean ? 1 : rng.uniform(0.8, 1.15), drift: clean || rng.chance(0.5) ? 0 : rng.uniform(-0.15, 0.15) },
    camera: { panX: 0, panY: 0, zoom: 0, shake: 0 },
    overlays: { text: null, logo: false, border: 'none' },
    handheld: null,
  };
  if (!clean) {
    // Small drift only: a big pan or zoom would itself be an equivariant action (the zoom family shows that one).
    if (rng.chance(0.4)) look.camera.panX = rng.uniform(-0.08, 0.08) * look.width;
    if (rng.chance(0.25)) look.camera.panY = rng.uniform(-0.05, 0.05) * look.height;
    if (rng.chance(0.25)) look.camera.zoom = rng.uniform(-0.05, 0.05);
    if (rng.chance(0.35)) look.camera.shake = rng.uniform(0.3, 2);
    look.overlays = {
      text: rng.chance(0.25) ? rng.pick(CAPTIONS) : null,
      logo: rng.chance(0.2),
      border: rng.chance(0.15) ? rng.pick(['letterbox', 'pillarbox'] as const) : 'none',
    };
    // From a stream of its own, so that a corpus without it renders exactly as before.
    if (params.handheld === true) pickHandheld(rng.fork('handheld'), look);
  }
  return look;
}

/**
 * Turn `look` into a handheld one. Measured on real-unlabeled/ against the synthetic corpus (cue tensors, centred
 * windows): camera speed 0.047 / 0.36 short sides/s (median / 90th percentile) against 0.025 / 0.11, frame-to-frame
 * intensity change 0.24 / 0.98 against 0.07 / 0.29. Shake of 1.5-5 px at hand-tremor rates plus a sway of up to
 * a tenth of the frame bring the camera to the real range; exposure breathing and background motion the rest.
 */
export function pickHandheld(rng: Rng, look: Look): void {
  const h = look.height;
  look.camera.shake = rng.uniform(1.5, 5);
  look.handheld = {
    sway: {
      ax: rng.uniform(0.01, 0.1) * look.width,
      ay: rng.uniform(0, 0.06) * h,
      f: rng.uniform(0.1, 0.5),
      p: rng.uniform(0, 2 * Math.PI),
    },
    exposure: rng.chance(0.6)
      ? { a: rng.uniform(0.03, 0.15), f: rng.uniform(0.2, 1), p: rng.uniform(0, 2 * Math.PI) }
      : { a: 0, f: 0, p: 0 },
    distractors: Array.from({ length: rng.chance(0.75) ? rng.int(1, 5) : 0 }, () => ({
      x: rng.uniform(-0.3, 1.3) * look.width,
      y: rng.uniform(-0.3, 1.3) * h,
      rx: rng.uniform(0.03, 0.15) * h,
      ry: rng.uniform(0.03, 0.15) * h,
      ax: rng.uniform(0, 0.12) * h,
      ay: rng.uniform(0, 0.08) * h,
      f: rng.uniform(0.3, 2.5),
      p: rng.uniform(0, 2 * Math.PI),
      hue: rng.uniform(0, 360),
      light: rng.uniform(0.2, 0.8),
      alpha: rng.uniform(0.25, 0.8),
    })),
  };
}

/** A colour of the clip's palette: hue offset from the clip hue, saturation and lightness in 0..1. */
export function colour(look: Look, hueOffset: number, sat: number, light: number, alpha = 1): string {
  const s = look.gray ? 0 : sat;
  return `hsla(${(((look.hue + hueOffset) % 360) + 360) % 360}, ${Math.round(s * 100)}%, ${Math.round(light * 100)}%, ${alpha})`;
}

/** A random saturated colour for an object, distinct enough from the background. */
export function objectColour(rng: Rng, look: Look): string {
  return colour(
    look,
    rng.uniform(90, 270),
    rng.uniform(0.4, 0.9),
    rng.pick([rng.uniform(0.15, 0.35), rng.uniform(0.6, 0.85)]),
  );
}

/** A small tileable texture (value noise between two shades of `base`), used as a fill pattern so objects carry trackable detail. */
export function texturePattern(ctx: SKRSContext2D, rng: Rng, base: string, contrast = 0.35, size = 32): CanvasPattern {
  const tile = createCanvas(size, size);
  const t = tile.getContext('2d');
  t.fillStyle = base;
  t.fillRect(0, 0, size, size);
  const noise = valueNoise(size, rng.int(1, 1 << 30), 3, rng.pick([2, 4]));
  const img = t.getImageData(0, 0, size, size);
  const d = img.data;
  for (let i = 0; i < noise.length; i++) {
    const f = 1 + contrast * (noise[i] - 0.5) * 2;
    d[i * 4] = Math.min(255, d[i * 4] * f);
    d[i * 4 + 1] = Math.min(255, d[i * 4 + 1] * f);
    d[i * 4 + 2] = Math.min(255, d[i * 4 + 2] * f);
  }
  t.putImageData(img, 0, 0);
  if (rng.chance(0.4)) {
    // Stripes or spots: rotation of round bodies must be visible to optical flow.
    t.fillStyle = 'rgba(0,0,0,0.35)';
    if (rng.chance(0.5)) t.fillRect(0, 0, size, size / 4);
    else for (let k = 0; k < 3; k++) t.fillRect(rng.uniform(0, size - 6), rng.uniform(0, size - 6), 6, 6);
  }
  return ctx.createPattern(tile, 'repeat')!;
}

function paintBackground(rng: Rng, look: Look, bw: number, bh: number, backgrounds: readonly RealBackground[]): Canvas {
  const canvas = createCanvas(bw, bh);
  const ctx = canvas.getContext('2d');
  const kind = look.background.kind;
  if (kind === 'real') {
    const real = backgrounds.find((b) => b.name === look.background.source)!;
    const src = createCanvas(real.width, real.height);
    const sctx = src.getContext('2d');
    const img = sctx.createImageData(real.width, real.height);
    for (let i = 0; i < real.gray.length; i++) {
      const v = real.gray[i];
      img.data[i * 4] = v;
      img.data[i * 4 + 1] = v;
      img.data[i * 4 + 2] = v;
      img.data[i * 4 + 3] = 255;
    }
    sctx.putImageData(img, 0, 0);
    ctx.drawImage(src, 0, 0, bw, bh);
    // Tint and lower the contrast so foreground objects stay the salient motion.
    ctx.fillStyle = colour(look, 0, 0.4, 0.5, 0.35);
    ctx.fillRect(0, 0, bw, bh);
    return canvas;
  }
  const grad = ctx.createLinearGradient(0, 0, rng.uniform(0, bw), bh);
  grad.addColorStop(0, colour(look, 0, rng.uniform(0.1, 0.5), rng.uniform(0.3, 0.7)));
  grad.addColorStop(1, colour(look, rng.uniform(-40, 40), rng.uniform(0.1, 0.5), rng.uniform(0.3, 0.7)));
  ctx.fillStyle = grad;
  ctx.fillRect(0, 0, bw, bh);
  if (kind !== 'gradient' || rng.chance(0.5)) {
    ctx.globalAlpha = kind === 'noise' ? 0.8 : 0.4;
    ctx.fillStyle = texturePattern(ctx, rng.fork('bgtex'), colour(look, 20, 0.3, 0.5), 0.6, 64);
    ctx.save();
    ctx.scale(rng.uniform(1, 3), rng.uniform(1, 3));
    ctx.fillRect(0, 0, bw, bh);
    ctx.restore();
    ctx.globalAlpha = 1;
  }
  if (kind === 'clutter') {
    const n = rng.int(10, 40);
    for (let i = 0; i < n; i++) {
      ctx.fillStyle = colour(
        look,
        rng.uniform(-180, 180),
        rng.uniform(0, 0.6),
        rng.uniform(0.2, 0.8),
        rng.uniform(0.3, 0.9),
      );
      const x = rng.uniform(0, bw);
      const y = rng.uniform(0, bh);
      const s = rng.uniform(4, Math.min(bw, bh) / 6);
      if (rng.chance(0.5)) ctx.fillRect(x, y, s, s * rng.uniform(0.3, 2));
      else {
        ctx.beginPath();
        ctx.arc(x, y, s / 2, 0, Math.PI * 2);
        ctx.fill();
      }
    }
  }
  return canvas;
}

/** Extra camera for one frame: families whose action is the camera (zoom, approach) pass it. */
export interface CameraOverride {
  zoom?: number;
  panX?: number;
  panY?: number;
}

/** Composes frames: camera(background + scene), focus blur, static overlays, lighting drift, sensor noise. */
export class Stage {
  readonly look: Look;
  readonly width: number;
  readonly height: number;
  private readonly scene: Canvas;
  private readonly sctx: SKRSContext2D;
  private readonly out: Canvas;
  private readonly octx: SKRSContext2D;
  private readonly bg: Canvas;
  private readonly noiseTable: Int8Array;
  private readonly shake: Float32Array;
  private readonly rng: Rng;
  private readonly logoColour: string;
  private readonly logoCorner: number;
  /** Fill colour of each handheld background thing, made once per clip. */
  private readonly distractorFill: string[];

  constructor(look: Look, rng: Rng, backgrounds: readonly RealBackground[] = []) {
    this.look = look;
    this.width = look.width;
    this.height = look.height;
    this.rng = rng;
    this.scene = createCanvas(look.width, look.height);
    this.sctx = this.scene.getContext('2d');
    this.out = createCanvas(look.width, look.height);
    this.octx = this.out.getContext('2d');
    // Twice the frame: camera drift, shake and zoom-out never show an edge.
    this.bg = paintBackground(rng.fork('bg'), look, look.width * 2, look.height * 2, backgrounds);
    const nr = rng.fork('noise');
    this.noiseTable = Int8Array.from({ length: 1 << 16 }, () =>
      Math.max(-127, Math.min(127, Math.round(nr.normal() * look.noise))),
    );
    // Smooth random shake: summed sinusoids at hand-tremor rates, the same forwards and backwards in distribution.
    const sr = rng.fork('shake');
    this.shake = new Float32Array(look.frames * 2);
    const comps = Array.from({ length: 6 }, () => ({
      f: sr.uniform(1, 6),
      p: sr.uniform(0, 6.28),
      a: sr.uniform(0.3, 1),
    }));
    for (let i = 0; i < look.frames; i++) {
      const t = i / look.fps;
      let x = 0;
      let y = 0;
      comps.forEach((c, k) => {
        const v = c.a * Math.sin(2 * Math.PI * c.f * t + c.p);
        if (k % 2 === 0) x += v;
        else y += v;
      });
      this.shake[i * 2] = (x / 2) * look.camera.shake;
      this.shake[i * 2 + 1] = (y / 2) * look.camera.shake;
    }
    this.logoColour = colour(look, rng.uniform(0, 360), 0.7, 0.5, 0.8);
    this.logoCorner = rng.int(0, 3);
    this.distractorFill = (look.handheld?.distractors ?? []).map((d) => colour(look, d.hue, 0.5, d.light, d.alpha));
  }

  /** The scene context, for families that prepare patterns before drawing. */
  get ctx(): SKRSContext2D {
    return this.sctx;
  }

  /** Render frame `i` (0-based, of look.frames) with `draw` painting the scene in frame pixel coordinates. */
  frame(i: number, draw: (ctx: SKRSContext2D) => void, cam: CameraOverride = {}): Uint8Array {
    const { width: w, height: h, look } = this;
    const u = look.frames > 1 ? i / (look.frames - 1) : 0;
    const ctx = this.sctx;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    const zoom = (1 + look.camera.zoom * u) * (cam.zoom ?? 1);
    const hh = look.handheld;
    const time = i / look.fps;
    const wave = (a: number, f: number, p: number): number => a * Math.sin(2 * Math.PI * f * time + p);
    const tx =
      look.camera.panX * (u - 0.5) +
      this.shake[i * 2] +
      (cam.panX ?? 0) +
      (hh ? wave(hh.sway.ax, hh.sway.f, hh.sway.p) : 0);
    const ty =
      look.camera.panY * (u - 0.5) +
      this.shake[i * 2 + 1] +
      (cam.panY ?? 0) +
      (hh ? wave(hh.sway.ay, hh.sway.f * 0.8, hh.sway.p + 1) : 0);
    ctx.translate(w / 2 + tx, h / 2 + ty);
    ctx.scale(zoom, zoom);
    ctx.translate(-w / 2, -h / 2);
    ctx.drawImage(this.bg, -w / 2, -h / 2);
    for (const [k, d] of (hh?.distractors ?? []).entries()) {
      ctx.fillStyle = this.distractorFill[k];
      ctx.beginPath();
      ctx.ellipse(d.x + wave(d.ax, d.f, d.p), d.y + wave(d.ay, d.f, d.p + 1.3), d.rx, d.ry, 0, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.save();
    draw(ctx);
    ctx.restore();
    const o = this.octx;
    o.setTransform(1, 0, 0, 1, 0, 0);
    o.filter = look.blur > 0 ? `blur(${look.blur.toFixed(2)}px)` : 'none';
    o.drawImage(this.scene, 0, 0);
    o.filter = 'none';
    this.overlays(o);
    const data = o.getImageData(0, 0, w, h).data;
    const gain =
      look.light.gain *
      (1 + look.light.drift * (u - 0.5)) *
      (hh ? 1 + wave(hh.exposure.a, hh.exposure.f, hh.exposure.p) : 1);
    const px = new Uint8Array(data.length);
    const table = this.noiseTable;
    let k = (Math.imul(i + 1, 0x9e3779b1) ^ this.rng.seed) & 0xffff;
    for (let p = 0; p < data.length; p += 4) {
      for (let c = 0; c < 3; c++) {
        const v = data[p + c] * gain + table[k];
        k = (k + 1) & 0xffff;
        px[p + c] = Math.min(255, Math.max(0, v));
      }
      px[p + 3] = 255;
    }
    return px;
  }

  private overlays(o: SKRSContext2D): void {
    const { width: w, height: h, look } = this;
    const ov = look.overlays;
    if (ov.border === 'letterbox') {
      o.fillStyle = '#000';
      o.fillRect(0, 0, w, Math.round(h * 0.1));
      o.fillRect(0, h - Math.round(h * 0.1), w, Math.round(h * 0.1));
    } else if (ov.border === 'pillarbox') {
      o.fillStyle = '#000';
      o.fillRect(0, 0, Math.round(w * 0.1), h);
      o.fillRect(w - Math.round(w * 0.1), 0, Math.round(w * 0.1), h);
    }
    if (ov.text) {
      o.font = `${Math.round(h / 10)}px DejaVu Sans`;
      o.fillStyle = 'rgba(255,255,255,0.85)';
      o.fillText(ov.text, w * 0.12, h * 0.85);
    }
    if (ov.logo) {
      const s = Math.round(h / 9);
      o.fillStyle = this.logoColour;
      o.fillRect(
        this.logoCorner & 1 ? w - s * 2 - 4 : 4 + w * 0.1,
        this.logoCorner & 2 ? h - s - 4 - h * 0.1 : 4 + h * 0.1,
        s * 2,
        s,
      );
    }
  }
}

/**
 * Start frame of a `want`-frame window in a `total`-frame simulation whose interesting motion spans [a, b):
 * the window may start mid-motion or stop before rest, but always keeps a good part of the active span.
 */
export function cropStart(rng: Rng, total: number, want: number, a: number, b: number): number {
  const maxStart = Math.max(0, total - want);
  const keep = Math.min(want, Math.ceil(Math.max(1, b - a) * 0.6));
  const lo = Math.min(maxStart, Math.max(0, a + keep - want));
  const hi = Math.max(lo, Math.min(maxStart, b - keep));
  return Math.round(rng.uniform(lo, hi));
}

/** Load one gray frame from each of up to `count` clips in `dir` (sorted, so the choice is deterministic); [] when absent. */
export async function loadRealBackgrounds(dir: string, count = 8): Promise<RealBackground[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.(mp4|mov|mkv|webm)$/i.test(n)).sort();
  } catch {
    return [];
  }
  const step = Math.max(1, Math.floor(names.length / count));
  const out: RealBackground[] = [];
  for (let i = 0; i < names.length && out.length < count; i += step) {
    try {
      const clip = await decodeClip(join(dir, names[i]), { shortSide: 180, fps: 2, maxSeconds: 2, timeoutMs: 20_000 });
      const f = clip.frames[Math.floor(clip.frames.length / 2)];
      if (f) out.push({ name: names[i], width: clip.width, height: clip.height, gray: f });
    } catch {
      // An unreadable clip only means one background fewer.
    }
  }
  return out;
}
