// Small analytic scenes with known motion, rendered to gray frames: samples and cue tests use them.

import { rng, sampleWrap, valueNoise } from './texture.js';
import { UsageError, expected } from '../errors.js';

/** A scene's name; each one states the motion it contains and what the cues must show. */
export type SceneName =
  | 'drop'
  | 'pan'
  | 'zoom'
  | 'roll'
  | 'shake'
  | 'swing'
  | 'wave'
  | 'spin'
  | 'slide'
  | 'spread'
  | 'still';

export interface SceneOptions {
  width: number;
  height: number;
  fps: number;
  seconds: number;
  seed: number;
}

/** What each scene shows, in words (kept with the samples). */
export const SCENE_NOTES: Readonly<Record<SceneName, string>> = Object.freeze({
  drop: 'A textured ball dropped from rest falls (accelerates downwards), bounces lower each time and comes to rest: irreversible.',
  pan: 'A static textured scene; the camera pans right at constant speed: camera motion only, no object motion.',
  zoom: 'A static textured scene; the camera zooms in steadily: camera motion only.',
  roll: 'A static textured scene; the camera rolls clockwise at 0.2 rad/s about the image centre: camera motion only.',
  spin: 'A large textured wheel spins clockwise in place at 1.5 rad/s: rotation without displacement, invariant.',
  shake: 'A static textured scene filmed with a shaking hand-held camera (jitter of a few pixels): camera motion only.',
  swing: 'A pendulum bob swings left and right without damping (period 1.2 s): periodic, invariant.',
  wave: 'A small object beats up and down at 4 Hz, like a drumstick: fast periodic motion that a 10 fps analysis would alias.',
  slide: 'A puck slides right and slows to a stop by friction: irreversible.',
  spread: 'A blotchy dark ink cloud spreads out from the centre and fades: irreversible spreading.',
  still: 'Nothing moves: a static textured scene with sensor noise.',
});

interface Disc {
  x: number;
  y: number;
  r: number;
  angle: number;
}

const TEX = 256;

/** Renders `scene` to gray frames (Uint8, width*height each). */
export function renderScene(scene: SceneName, opts: SceneOptions): Uint8Array[] {
  // a name from JavaScript or JSON that is not a scene would otherwise render a still one
  if (!Object.hasOwn(SCENE_NOTES, scene))
    throw new UsageError(expected(`a scene (${Object.keys(SCENE_NOTES).join(', ')})`, 'renderScene', scene));
  const { width: W, height: H, fps, seconds, seed } = opts;
  const background = valueNoise(TEX, seed, 5, 4);
  const ballTex = valueNoise(64, seed + 1, 3, 4);
  const noise = rng(seed + 2);
  const n = Math.max(2, Math.round(seconds * fps));
  const S = Math.min(W, H);
  const frames: Uint8Array[] = [];
  for (let f = 0; f < n; f++) {
    const t = f / fps;
    const cam = camera(scene, t, S);
    const disc = discAt(scene, t, W, H, S);
    const ink = scene === 'spread' ? { r: S * (0.06 + 0.2 * t), a: 0.85 * Math.exp(-t / 3) } : null;
    const out = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        // Camera: the view is a zoomed/shifted window onto the world texture.
        // Content turning clockwise on screen (y down) means sampling the world at the opposite angle.
        const c = Math.cos(cam.roll ?? 0);
        const sn = Math.sin(cam.roll ?? 0);
        const rx = (x - W / 2) * c + (y - H / 2) * sn;
        const ry = -(x - W / 2) * sn + (y - H / 2) * c;
        const wx = rx / cam.zoom + W / 2 + cam.x;
        const wy = ry / cam.zoom + H / 2 + cam.y;
        let g = 0.25 + 0.5 * sampleWrap(background, TEX, wx * 1.5, wy * 1.5);
        if (ink) {
          // The cloud's blotches are carried outwards with it (texture scaled by the radius), so the
          // motion is a real radial expansion that optical flow can follow.
          const dx = x - W / 2;
          const dy = y - H / 2;
          const d2 = dx * dx + dy * dy;
          const blotch = 0.4 + 0.6 * sampleWrap(ballTex, 64, (dx / ink.r) * 6 + 32, (dy / ink.r) * 6 + 32);
          g *= 1 - ink.a * blotch * Math.exp(-d2 / (2 * ink.r * ink.r));
        }
        if (disc) g = drawDisc(g, x, y, disc, ballTex);
        g += (noise() - 0.5) * 0.02;
        out[y * W + x] = Math.max(0, Math.min(255, Math.round(g * 255)));
      }
    }
    frames.push(out);
  }
  return frames;
}

function camera(scene: SceneName, t: number, S: number): { x: number; y: number; zoom: number; roll?: number } {
  if (scene === 'pan') return { x: 0.35 * S * t, y: 0, zoom: 1 };
  if (scene === 'zoom') return { x: 0, y: 0, zoom: Math.exp(0.12 * t) };
  if (scene === 'roll') return { x: 0, y: 0, zoom: 1, roll: 0.2 * t };
  if (scene === 'shake') {
    // Sum of incommensurate sinusoids: smooth, irregular hand tremor of about 2% of the short side.
    const j = (f: number, p: number) => Math.sin(2 * Math.PI * f * t + p);
    return {
      x: 0.012 * S * (j(2.3, 0.4) + 0.6 * j(5.1, 1.3)),
      y: 0.012 * S * (j(1.7, 2.1) + 0.6 * j(4.3, 0.2)),
      zoom: 1,
    };
  }
  return { x: 0, y: 0, zoom: 1 };
}

/** Ball radius as a share of the short side. */
const R = 0.09;

function discAt(scene: SceneName, t: number, W: number, H: number, S: number): Disc | null {
  const r = R * S;
  switch (scene) {
    case 'drop': {
      // Gravity 3 short sides/s², restitution 0.6, floor at the bottom; integrated analytically per bounce.
      const g = 3 * S;
      const floor = H - r - 1;
      let y0 = 0.15 * H;
      let v0 = 0;
      let t0 = 0;
      for (let bounce = 0; bounce < 12; bounce++) {
        const h = floor - y0;
        const land = (-v0 + Math.sqrt(v0 * v0 + 2 * g * h)) / g;
        if (t < t0 + land) {
          const dt = t - t0;
          return { x: W * 0.5, y: y0 + v0 * dt + 0.5 * g * dt * dt, r, angle: 0 };
        }
        const impact = v0 + g * land;
        t0 += land;
        y0 = floor;
        v0 = -0.6 * impact;
        if (Math.abs(v0) < 0.05 * S) break;
      }
      return { x: W * 0.5, y: floor, r, angle: 0 };
    }
    case 'swing': {
      const theta = 0.5 * Math.sin((2 * Math.PI * t) / 1.2);
      const L = 0.6 * H;
      return { x: W / 2 + L * Math.sin(theta), y: 0.1 * H + L * Math.cos(theta), r, angle: 0 };
    }
    case 'spin':
      return { x: W * 0.5, y: H * 0.5, r: 0.35 * S, angle: 1.5 * t };
    case 'wave':
      return { x: W * 0.5, y: H * 0.5 + 0.12 * S * Math.sin(2 * Math.PI * 4 * t), r: r * 0.8, angle: 0 };
    case 'slide': {
      // Starts at 0.9 short sides/s, decelerates at 0.45 short sides/s² until it stops (t = 2 s).
      const v = 0.9 * S;
      const a = 0.45 * S;
      const tt = Math.min(t, v / a);
      return { x: 0.15 * W + v * tt - 0.5 * a * tt * tt, y: H * 0.6, r, angle: 0 };
    }
    default:
      return null;
  }
}

function drawDisc(g: number, x: number, y: number, d: Disc, tex: Float32Array): number {
  const dx = x - d.x;
  const dy = y - d.y;
  const dist = Math.hypot(dx, dy);
  const cover = Math.max(0, Math.min(1, d.r - dist + 0.5));
  if (cover <= 0) return g;
  // Texture turns with the disc: sample at the point rotated back by its angle (clockwise on screen).
  const c = Math.cos(d.angle);
  const s = Math.sin(d.angle);
  const tx = dx * c + dy * s;
  const ty = -dx * s + dy * c;
  const value = 0.1 + 0.8 * sampleWrap(tex, 64, (tx / d.r) * 20 + 32, (ty / d.r) * 20 + 32);
  return g * (1 - cover) + value * cover;
}
