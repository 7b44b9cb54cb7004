// Seeded random textures for synthetic scenes: smooth value noise that optical flow can track.

import { rng } from '../util/random.js';

export { rng };

/** A tileable texture of `size` x `size` with values 0..1: a few octaves of bilinear value noise. */
export function valueNoise(size: number, seed: number, octaves = 4, baseCells = 4): Float32Array {
  const rand = rng(seed);
  const out = new Float32Array(size * size);
  let amp = 1;
  let total = 0;
  for (let o = 0, cells = baseCells; o < octaves; o++, cells *= 2, amp *= 0.55) {
    const grid = Float32Array.from({ length: cells * cells }, () => rand());
    for (let y = 0; y < size; y++) {
      const gy = (y / size) * cells;
      const y0 = Math.floor(gy);
      const fy = gy - y0;
      const sy = fy * fy * (3 - 2 * fy);
      for (let x = 0; x < size; x++) {
        const gx = (x / size) * cells;
        const x0 = Math.floor(gx);
        const fx = gx - x0;
        const sx = fx * fx * (3 - 2 * fx);
        const g = (cx: number, cy: number): number => grid[(cy % cells) * cells + (cx % cells)];
        const top = g(x0, y0) * (1 - sx) + g(x0 + 1, y0) * sx;
        const bottom = g(x0, y0 + 1) * (1 - sx) + g(x0 + 1, y0 + 1) * sx;
        out[y * size + x] += amp * (top * (1 - sy) + bottom * sy);
      }
    }
    total += amp;
  }
  for (let i = 0; i < out.length; i++) out[i] /= total;
  return out;
}

/** Bilinear, wrapping lookup into a square texture. */
export function sampleWrap(tex: Float32Array, size: number, x: number, y: number): number {
  const fx = Math.floor(x);
  const fy = Math.floor(y);
  const ax = x - fx;
  const ay = y - fy;
  const x0 = ((fx % size) + size) % size;
  const y0 = ((fy % size) + size) % size;
  const x1 = (x0 + 1) % size;
  const y1 = (y0 + 1) % size;
  const top = tex[y0 * size + x0] * (1 - ax) + tex[y0 * size + x1] * ax;
  const bottom = tex[y1 * size + x0] * (1 - ax) + tex[y1 * size + x1] * ax;
  return top * (1 - ay) + bottom * ay;
}
