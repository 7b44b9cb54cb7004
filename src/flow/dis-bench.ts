// Micro-benchmark of DisFlow.calc on synthetic textured frame pairs (called by the lead's benchmark script).

import { DisFlow } from './dis.js';
import type { DisPresetName } from './dis.js';
import type { FlowField, GrayImage } from './types.js';

/** Smooth pseudo-random texture (fixed sum of sinusoids) shifted by (dx, dy), values in 0..255. */
function texture(width: number, height: number, dx: number, dy: number): GrayImage {
  const waves = [
    [0.21, 0.07, 0.3],
    [-0.05, 0.17, 1.1],
    [0.11, -0.13, 2.3],
    [0.33, 0.29, 0.7],
    [-0.27, 0.09, 1.9],
    [0.04, 0.38, 2.9],
  ] as const;
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (const [kx, ky, ph] of waves) s += Math.sin(kx * (x - dx) + ky * (y - dy) + ph);
      data[y * width + x] = 128 + 20 * s;
    }
  }
  return { width, height, data };
}

/**
 * Time `DisFlow.calc` on `pairs` frame pairs of width x height (a textured frame and a copy moved by a
 * sub-pixel translation), after a short warm-up, reusing the output buffer as a streaming caller would.
 * @returns wall-clock milliseconds per pair
 */
export function benchDis(width: number, height: number, preset: DisPresetName, pairs: number): { msPerPair: number } {
  const frames: GrayImage[] = [];
  for (let i = 0; i < 4; i++) frames.push(texture(width, height, 1.7 * i, -0.9 * i));
  const dis = new DisFlow(preset);
  const out: FlowField = {
    width,
    height,
    u: new Float32Array(width * height),
    v: new Float32Array(width * height),
  };
  const warm = Math.min(50, Math.max(5, pairs));
  for (let i = 0; i < warm; i++) dis.calc(frames[i % 3], frames[(i % 3) + 1], out);
  const n = Math.max(1, pairs);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) dis.calc(frames[i % 3], frames[(i % 3) + 1], out);
  return { msPerPair: (performance.now() - t0) / n };
}
