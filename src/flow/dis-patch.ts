// DIS patch stage on one pyramid level: patch grid and inverse-compositional search with spatial propagation.

import type { Pixels } from './pyramid.js';

/** Patch layout of one level. */
export interface PatchGrid {
  /** Patch side actually used on this level (min of the requested size and the level size). */
  p: number;
  /** Patch columns and rows. */
  ws: number;
  hs: number;
  /** Left x of each patch column / top y of each patch row. */
  px: Int32Array;
  py: Int32Array;
}

function positions(n: number, p: number, stride: number): Int32Array {
  const count = Math.floor((n - p) / stride) + 1;
  const lastRegular = (count - 1) * stride;
  // Unlike OpenCV (which lets the last patch stretch over the uncovered rim), add one patch flush with the far
  // edge so every pixel is covered by a patch that actually saw it.
  const extra = lastRegular < n - p ? 1 : 0;
  const out = new Int32Array(count + extra);
  for (let i = 0; i < count; i++) out[i] = i * stride;
  if (extra) out[count] = n - p;
  return out;
}

/** Build the patch grid of a w x h level. */
export function makeGrid(w: number, h: number, patchSize: number, stride: number): PatchGrid {
  const p = Math.max(1, Math.min(patchSize, w, h));
  const px = positions(w, p, stride);
  const py = positions(h, p, stride);
  return { p, ws: px.length, hs: py.length, px, py };
}

/** Per-patch state: sparse flow plus the inverse Hessian and gradient sums precomputed from the template. */
export interface SparseBuffers {
  sx: Float32Array;
  sy: Float32Array;
  ih11: Float32Array;
  ih12: Float32Array;
  ih22: Float32Array;
  gsx: Float32Array;
  gsy: Float32Array;
}

export function makeSparse(n: number): SparseBuffers {
  return {
    sx: new Float32Array(n),
    sy: new Float32Array(n),
    ih11: new Float32Array(n),
    ih12: new Float32Array(n),
    ih22: new Float32Array(n),
    gsx: new Float32Array(n),
    gsy: new Float32Array(n),
  };
}

/** Images of one level as the patch stages read them; i1e is I1 padded by `b` replicated pixels per side. */
export interface LevelImages {
  w: number;
  h: number;
  /** The caller's frame on level 0 (Uint8 or Float32), DisFlow's Float64 buffers on coarser levels. */
  i0: Pixels;
  i0x: Float64Array;
  i0y: Float64Array;
  i1e: Float64Array;
  b: number;
}

/** Neighbour flows within 0.1 px of the current one would land in the same basin: not worth a trial evaluation. */
const CANDIDATE_MIN_DIST2 = 0.01;
/** Gauss-Newton steps shorter than 0.01 px end the search for a patch. */
const CONVERGED_STEP2 = 1e-4;

/**
 * In/out slots of evalPatch: [u, v] in, [sum d, sum d^2, sum d*Ix, sum d*Iy] out (d = warped I1 - I0).
 * Doubles cross this non-inlined call through a buffer because V8 boxes double arguments and return values
 * into fresh heap numbers, which made every calc allocate ~90 KB.
 */
const io = new Float64Array(6);

/** Bilinear weights (w00, w01, w10, w11) of the last {@link placePatch}, shared by every pixel of the patch. */
export const tapWeights = new Float64Array(4);

/**
 * Places the patch with top-left (x0, y0) at (x0 + u, y0 + v) in the border-padded I1, (u, v) = uv[0], uv[1]: writes
 * the bilinear weights, which a pure translation shares across the patch, to {@link tapWeights} and returns the offset
 * of the patch's top-left tap in `L.i1e`. The position is clamped first: past these limits the patch sees only
 * replicated border, so clamping changes nothing but keeps reads in range. (Doubles cross through buffers: V8 boxes
 * double arguments and return values of a non-inlined call.)
 */
export function placePatch(L: LevelImages, p: number, x0: number, y0: number, uv: Float64Array): number {
  const w = L.w;
  let x = x0 + uv[0];
  let y = y0 + uv[1];
  if (x < 1 - p) x = 1 - p;
  else if (x > w - 1) x = w - 1;
  if (y < 1 - p) y = 1 - p;
  else if (y > L.h - 1) y = L.h - 1;
  const xi = Math.floor(x);
  const yi = Math.floor(y);
  const fx = x - xi;
  const fy = y - yi;
  tapWeights[0] = (1 - fx) * (1 - fy);
  tapWeights[1] = fx * (1 - fy);
  tapWeights[2] = (1 - fx) * fy;
  tapWeights[3] = fx * fy;
  return (yi + L.b) * (w + 2 * L.b) + xi + L.b;
}

/**
 * Accumulate the residual sums of the patch with top-left (x0, y0) in I0 against I1 at (x0 + u, y0 + v),
 * (u, v) = io[0], io[1]; sums go to io[2..5].
 * The bilinear weights are shared by the whole patch because the warp is a pure translation.
 * With `grad` false only sum d and sum d^2 are computed (candidate scoring).
 */
function evalPatch(L: LevelImages, p: number, x0: number, y0: number, grad: boolean): void {
  const w = L.w;
  const W = w + 2 * L.b;
  let o1 = placePatch(L, p, x0, y0, io);
  const w00 = tapWeights[0];
  const w01 = tapWeights[1];
  const w10 = tapWeights[2];
  const w11 = tapWeights[3];
  const i0 = L.i0;
  const i1 = L.i1e;
  let sd = 0;
  let sd2 = 0;
  let sdx = 0;
  let sdy = 0;
  let o0 = y0 * w + x0;
  if (grad) {
    const gx = L.i0x;
    const gy = L.i0y;
    for (let r = 0; r < p; r++) {
      // The right-hand taps of one pixel are the left-hand taps of the next: two loads of I1 per pixel, not four.
      let tl = i1[o1];
      let bl = i1[o1 + W];
      for (let c = 0; c < p; c++) {
        const tr = i1[o1 + c + 1];
        const br = i1[o1 + W + c + 1];
        const d = w00 * tl + w01 * tr + w10 * bl + w11 * br - i0[o0 + c];
        sd += d;
        sd2 += d * d;
        sdx += d * gx[o0 + c];
        sdy += d * gy[o0 + c];
        tl = tr;
        bl = br;
      }
      o0 += w;
      o1 += W;
    }
  } else {
    for (let r = 0; r < p; r++) {
      let tl = i1[o1];
      let bl = i1[o1 + W];
      for (let c = 0; c < p; c++) {
        const tr = i1[o1 + c + 1];
        const br = i1[o1 + W + c + 1];
        const d = w00 * tl + w01 * tr + w10 * bl + w11 * br - i0[o0 + c];
        sd += d;
        sd2 += d * d;
        tl = tr;
        bl = br;
      }
      o0 += w;
      o1 += W;
    }
  }
  io[2] = sd;
  io[3] = sd2;
  io[4] = sdx;
  io[5] = sdy;
}

/** Structure tensor of each template patch, inverted once so every Gauss-Newton step is a 2x2 product. */
function precomputeHessians(g: PatchGrid, L: LevelImages, s: SparseBuffers, mean: boolean): void {
  const p = g.p;
  const n = p * p;
  const w = L.w;
  const gx = L.i0x;
  const gy = L.i0y;
  // Ridge so flat or one-dimensional patches get a bounded step along their null direction instead of a huge one.
  const ridge = 0.01 * n;
  for (let r = 0; r < g.hs; r++) {
    for (let c = 0; c < g.ws; c++) {
      let xx = 0;
      let xy = 0;
      let yy = 0;
      let sx = 0;
      let sy = 0;
      let o = g.py[r] * w + g.px[c];
      for (let i = 0; i < p; i++) {
        for (let j = 0; j < p; j++) {
          const a = gx[o + j];
          const b = gy[o + j];
          xx += a * a;
          xy += a * b;
          yy += b * b;
          sx += a;
          sy += b;
        }
        o += w;
      }
      if (mean) {
        xx -= (sx * sx) / n;
        xy -= (sx * sy) / n;
        yy -= (sy * sy) / n;
      }
      xx += ridge;
      yy += ridge;
      const k = r * g.ws + c;
      const inv = 1 / (xx * yy - xy * xy);
      s.ih11[k] = yy * inv;
      s.ih12[k] = -xy * inv;
      s.ih22[k] = xx * inv;
      s.gsx[k] = sx;
      s.gsy[k] = sy;
    }
  }
}

/** Start each patch from the dense flow at its centre pixel (the upsampled coarser-level result). */
function initFromDense(g: PatchGrid, w: number, u: Float64Array, v: Float64Array, s: SparseBuffers): void {
  const half = g.p >> 1;
  const ws = g.ws;
  for (let r = 0; r < g.hs; r++) {
    const row = (g.py[r] + half) * w + half;
    for (let c = 0; c < ws; c++) {
      s.sx[r * ws + c] = u[row + g.px[c]];
      s.sy[r * ws + c] = v[row + g.px[c]];
    }
  }
}

/**
 * Inverse search for every patch of the grid, initialised from the dense flow (u, v) of this level at the patch
 * centre. With propagation, two sweeps (forward, then backward) each try the already-updated previous neighbours
 * in the sweep direction as starting points and run half of the iterations, as in Kroeger et al. / OpenCV.
 */
export function inverseSearch(
  g: PatchGrid,
  L: LevelImages,
  u: Float64Array,
  v: Float64Array,
  s: SparseBuffers,
  iters: number,
  mean: boolean,
  propagate: boolean,
): void {
  const p = g.p;
  const invN = 1 / (p * p);
  const ws = g.ws;
  const hs = g.hs;
  const sx = s.sx;
  const sy = s.sy;
  initFromDense(g, L.w, u, v, s);
  precomputeHessians(g, L, s, mean);
  const passes = propagate ? 2 : 1;
  const inner = Math.max(1, Math.floor(iters / passes));
  const maxJump2 = p * p;
  for (let pass = 0; pass < passes; pass++) {
    const dir = pass === 0 ? 1 : -1;
    for (let ri = 0; ri < hs; ri++) {
      const r = dir > 0 ? ri : hs - 1 - ri;
      const y0 = g.py[r];
      for (let ci = 0; ci < ws; ci++) {
        const c = dir > 0 ? ci : ws - 1 - ci;
        const x0 = g.px[c];
        const k = r * ws + c;
        let cu = sx[k];
        let cv = sy[k];
        // The full evaluation at the incoming estimate doubles as the first Gauss-Newton step when no
        // neighbour beats it, so it is computed with gradient sums.
        io[0] = cu;
        io[1] = cv;
        evalPatch(L, p, x0, y0, true);
        let s0 = io[2];
        let s1 = io[3];
        let s2 = io[4];
        let s3 = io[5];
        let cached = true;
        if (propagate) {
          const best0 = mean ? s1 - s0 * s0 * invN : s1;
          let best = best0;
          // Spatial propagation: the already visited left (or right) and upper (or lower) neighbours' flows.
          for (let q = 0; q < 2; q++) {
            if (q === 0 ? ci === 0 : ri === 0) continue;
            const kn = q === 0 ? k - dir : k - dir * ws;
            const nu = sx[kn];
            const nv = sy[kn];
            if ((nu - cu) * (nu - cu) + (nv - cv) * (nv - cv) > CANDIDATE_MIN_DIST2) {
              io[0] = nu;
              io[1] = nv;
              evalPatch(L, p, x0, y0, false);
              const e = mean ? io[3] - io[2] * io[2] * invN : io[3];
              if (e < best) {
                best = e;
                cu = nu;
                cv = nv;
              }
            }
          }
          cached = best === best0;
        }
        const u0 = cu;
        const v0 = cv;
        const h11 = s.ih11[k];
        const h12 = s.ih12[k];
        const h22 = s.ih22[k];
        const gmx = mean ? s.gsx[k] * invN : 0;
        const gmy = mean ? s.gsy[k] * invN : 0;
        let bestCost = Infinity;
        let bu = cu;
        let bv = cv;
        for (let t = 0; t < inner; t++) {
          if (!cached) {
            io[0] = cu;
            io[1] = cv;
            evalPatch(L, p, x0, y0, true);
            s0 = io[2];
            s1 = io[3];
            s2 = io[4];
            s3 = io[5];
          }
          cached = false;
          const sd = mean ? s0 : 0;
          const cost = s1 - sd * sd * invN;
          // Reject a step that made the match worse and stop: the previous estimate is the best one seen.
          if (cost >= bestCost) break;
          bestCost = cost;
          bu = cu;
          bv = cv;
          const bx = s2 - sd * gmx;
          const by = s3 - sd * gmy;
          const du = h11 * bx + h12 * by;
          const dv = h12 * bx + h22 * by;
          // Inverse compositional update for a translation: the template moved by (du, dv), so the warp moves back.
          cu -= du;
          cv -= dv;
          if (du * du + dv * dv < CONVERGED_STEP2 || t === inner - 1) {
            // Converged (or out of iterations): keep the last Gauss-Newton step without paying for another check.
            bu = cu;
            bv = cv;
            break;
          }
        }
        // A result far from its starting point is usually a wrong basin (OpenCV applies the same guard).
        const ju = bu - u0;
        const jv = bv - v0;
        if (ju * ju + jv * jv <= maxJump2) {
          sx[k] = bu;
          sy[k] = bv;
        } else {
          sx[k] = u0;
          sy[k] = v0;
        }
      }
    }
  }
}
