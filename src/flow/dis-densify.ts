// DIS densification on one pyramid level: dense flow as the photometric-error-weighted average of patch flows.

import { placePatch, tapWeights, type LevelImages, type PatchGrid, type SparseBuffers } from './dis-patch.js';

// The patch flow (u, v) and the brightness offset reach placePatch and scatterPatch through a buffer: V8 would box a
// double argument of a non-inlined call into a fresh heap number per call.
const slot = new Float64Array(3);

/**
 * Dense flow from the patch flows: each pixel averages the flows of the patches covering it, weighted by
 * 1 / max(1, |I1(x + u) - I0(x) - offset|) so patches that explain the pixel's intensity dominate.
 * `offset` is the global brightness change removed when mean normalisation is on (else 0).
 * Scatters patch by patch (one set of bilinear weights per patch, no per-pixel clamping) into u, v and the
 * weight sums `wsum` (scratch of at least w * h), then normalises.
 */
export function densify(
  g: PatchGrid,
  L: LevelImages,
  s: SparseBuffers,
  u: Float64Array,
  v: Float64Array,
  offset: number,
  wsum: Float64Array,
): void {
  const n = L.w * L.h;
  u.fill(0, 0, n);
  v.fill(0, 0, n);
  wsum.fill(0, 0, n);
  slot[2] = offset;
  const ws = g.ws;
  for (let r = 0; r < g.hs; r++) {
    for (let c = 0; c < ws; c++) scatterPatch(L, g.p, g.px[c], g.py[r], s, r * ws + c, u, v, wsum);
  }
  normalise(u, v, wsum, n);
}

function scatterPatch(
  L: LevelImages,
  p: number,
  x0: number,
  y0: number,
  s: SparseBuffers,
  k: number,
  u: Float64Array,
  v: Float64Array,
  wsum: Float64Array,
): void {
  const pu = s.sx[k];
  const pv = s.sy[k];
  slot[0] = pu;
  slot[1] = pv;
  const offset = slot[2];
  const w = L.w;
  const W = w + 2 * L.b;
  let o1 = placePatch(L, p, x0, y0, slot);
  const w00 = tapWeights[0];
  const w01 = tapWeights[1];
  const w10 = tapWeights[2];
  const w11 = tapWeights[3];
  const i0 = L.i0;
  const i1 = L.i1e;
  let o0 = y0 * w + x0;
  for (let r = 0; r < p; r++) {
    // Carry the right-hand taps over as the next pixel's left-hand ones (as in evalPatch).
    let tl = i1[o1];
    let bl = i1[o1 + W];
    for (let c = 0; c < p; c++) {
      const tr = i1[o1 + c + 1];
      const br = i1[o1 + W + c + 1];
      const d = w00 * tl + w01 * tr + w10 * bl + w11 * br - i0[o0 + c] - offset;
      // Branch-free on purpose: |d| > 1 or not is data-dependent and mispredicted branches dominated this loop.
      const wt = 1 / Math.max(1, Math.abs(d));
      const o = o0 + c;
      u[o] += wt * pu;
      v[o] += wt * pv;
      wsum[o] += wt;
      tl = tr;
      bl = br;
    }
    o0 += w;
    o1 += W;
  }
}

function normalise(u: Float64Array, v: Float64Array, wsum: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const k = 1 / wsum[i];
    u[i] *= k;
    v[i] *= k;
  }
}
