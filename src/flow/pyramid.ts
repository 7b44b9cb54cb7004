// Image-pyramid, gradient, padding and bilinear-sampling primitives for DIS optical flow (flat typed-array loops).

/**
 * A row-major image plane. DisFlow keeps its own levels in Float64: every store into a Float32Array is a
 * conversion, and loops writing Float32 measured about 1.4x slower than the same loops writing Float64 (reading
 * either costs the same, so the caller's level-0 frames stay Float32).
 */
export type Plane = Float32Array | Float64Array;
/** Samples that are only read: a Plane, or a decoded frame's bytes (values 0..255 either way). */
export type Pixels = Plane | Uint8Array;

/**
 * Size of the next pyramid level: floor(n / 2), as in OpenCV's DIS pyramid. Pixel x of the coarse level sits at
 * fine coordinate 2x + 0.5; an odd last row/column of the fine level is reached through border clamping.
 */
export function halfSize(n: number): number {
  return n > 1 ? n >> 1 : 1;
}

/**
 * Downsample by 2 with the separable binomial kernel [1 3 3 1]/8 centred on fine coordinate 2x + 0.5.
 * Same geometry as a 2x2 box (OpenCV's INTER_AREA) but with less aliasing, which keeps the coarse-level
 * Gauss-Newton search smooth. Borders replicate. `tmp` must hold at least dw * sh floats.
 */
export function downsample2(src: Pixels, sw: number, sh: number, dst: Plane, dw: number, dh: number, tmp: Plane): void {
  // Each pass lives in its own function: V8 optimises (and keeps) small single-loop functions far more reliably
  // than one function with several hot loops, which kept deoptimising on the not-yet-profiled second loop.
  downsampleRows(src, sw, sh, tmp, dw);
  downsampleCols(tmp, sh, dst, dw, dh);
}

function downsampleRows(src: Pixels, sw: number, sh: number, tmp: Plane, dw: number): void {
  const last = sw - 1;
  // Output columns whose four taps 2x-1 .. 2x+2 are all inside the row need no clamping.
  const interiorEnd = Math.min(dw, Math.floor((last - 2) / 2) + 1);
  for (let y = 0; y < sh; y++) {
    const row = y * sw;
    const out = y * dw;
    tmp[out] = rowTap(src, row, last, 0);
    if (interiorEnd > 1) {
      // Neighbouring outputs share two taps: carry them instead of loading every sample twice.
      let a = src[row + 1];
      let b = src[row + 2];
      for (let x = 1; x < interiorEnd; x++) {
        const i = row + 2 * x;
        const c = src[i + 1];
        const d = src[i + 2];
        tmp[out + x] = 0.125 * (a + d) + 0.375 * (b + c);
        a = c;
        b = d;
      }
    }
    for (let x = Math.max(1, interiorEnd); x < dw; x++) tmp[out + x] = rowTap(src, row, last, x);
  }
}

/** One output sample of the horizontal pass with replicated-border clamping (used at the row ends only). */
function rowTap(src: Pixels, row: number, last: number, x: number): number {
  const s = 2 * x;
  const a = s > 0 ? s - 1 : 0;
  const b = s <= last ? s : last;
  const c = s + 1 <= last ? s + 1 : last;
  const d = s + 2 <= last ? s + 2 : last;
  return 0.125 * (src[row + a] + src[row + d]) + 0.375 * (src[row + b] + src[row + c]);
}

function downsampleCols(tmp: Plane, sh: number, dst: Plane, dw: number, dh: number): void {
  const lastRow = sh - 1;
  for (let y = 0; y < dh; y++) {
    const s = 2 * y;
    const ra = (s > 0 ? s - 1 : 0) * dw;
    const rb = s * dw;
    const rc = (s + 1 <= lastRow ? s + 1 : lastRow) * dw;
    const rd = (s + 2 <= lastRow ? s + 2 : lastRow) * dw;
    const out = y * dw;
    for (let x = 0; x < dw; x++) {
      dst[out + x] = 0.125 * (tmp[ra + x] + tmp[rd + x]) + 0.375 * (tmp[rb + x] + tmp[rc + x]);
    }
  }
}

// The [1 3 3 1]/8 kernel applied twice with decimation between: one [1 3 6 10 12 12 10 6 3 1]/64 pass.
const K0 = 1 / 64;
const K1 = 3 / 64;
const K2 = 6 / 64;
const K3 = 10 / 64;
const K4 = 12 / 64;

/**
 * Two pyramid steps at once, downsample2(downsample2(src)), for when the level between is not used: the
 * composite 10-tap kernel reads each source sample once per pass instead of building the middle level
 * (about a third of the loop iterations). Pixel x of dst sits at source coordinate 4x + 1.5. Near the borders,
 * where downsample2 clamps on both levels, the taps are merged exactly as the two clamped steps would weigh
 * them, so the result equals the two-step one up to rounding. dst is halfSize(halfSize(sw)) x
 * halfSize(halfSize(sh)); `tmp` holds at least dw * sh floats.
 */
export function downsample4(
  src: Pixels,
  sw: number,
  sh: number,
  dst: Plane,
  dw: number,
  dh: number,
  tmp: Plane,
  taps: Int32Array,
  weights: Float64Array,
): void {
  downsample4Rows(src, sw, sh, tmp, dw, taps, weights);
  downsample4Cols(tmp, sh, dst, dw, dh, taps, weights);
}

/**
 * Source indices and weights of output sample x of the clamped two-step filter along an axis of n samples:
 * up to 10 distinct indices, written to taps/weights; the unused ones of the 10 slots get weight 0.
 */
function mergedTaps(x: number, n: number, taps: Int32Array, weights: Float64Array): void {
  const mid = halfSize(n);
  let count = 0;
  for (let k = 0; k < 4; k++) {
    let j = 2 * x - 1 + k;
    j = j < 0 ? 0 : j > mid - 1 ? mid - 1 : j;
    for (let m = 0; m < 4; m++) {
      let i = 2 * j - 1 + m;
      i = i < 0 ? 0 : i > n - 1 ? n - 1 : i;
      const wgt = (k === 0 || k === 3 ? 0.125 : 0.375) * (m === 0 || m === 3 ? 0.125 : 0.375);
      let t = 0;
      while (t < count && taps[t] !== i) t++;
      if (t === count) {
        taps[count] = i;
        weights[count] = 0;
        count++;
      }
      weights[t] += wgt;
    }
  }
  for (let t = count; t < 10; t++) {
    taps[t] = taps[0];
    weights[t] = 0;
  }
}

/** Number of leading outputs x >= 1 whose composite taps 4x-3 .. 4x+6 lie inside n samples, plus one. */
function interior4End(n: number, outputs: number): number {
  return Math.max(1, Math.min(outputs, Math.floor((n - 7) / 4) + 1));
}

function downsample4Rows(
  src: Pixels,
  sw: number,
  sh: number,
  tmp: Plane,
  dw: number,
  taps: Int32Array,
  weights: Float64Array,
): void {
  const end = interior4End(sw, dw);
  for (let y = 0; y < sh; y++) {
    const row = y * sw;
    const out = y * dw;
    if (end > 1) {
      // Sliding window over the ten taps 4x-3 .. 4x+6; each step loads the four new samples.
      let s0 = src[row + 1];
      let s1 = src[row + 2];
      let s2 = src[row + 3];
      let s3 = src[row + 4];
      let s4 = src[row + 5];
      let s5 = src[row + 6];
      for (let x = 1; x < end; x++) {
        const i = row + 4 * x;
        const s6 = src[i + 3];
        const s7 = src[i + 4];
        const s8 = src[i + 5];
        const s9 = src[i + 6];
        tmp[out + x] = K0 * (s0 + s9) + K1 * (s1 + s8) + K2 * (s2 + s7) + K3 * (s3 + s6) + K4 * (s4 + s5);
        s0 = s4;
        s1 = s5;
        s2 = s6;
        s3 = s7;
        s4 = s8;
        s5 = s9;
      }
    }
  }
  // Border columns (x = 0 and the last ones): the merged clamped taps, the same for every row.
  for (let x = 0; x < dw; x = x === 0 ? Math.max(1, end) : x + 1) {
    mergedTaps(x, sw, taps, weights);
    const t0 = taps[0],
      t1 = taps[1],
      t2 = taps[2],
      t3 = taps[3],
      t4 = taps[4];
    const t5 = taps[5],
      t6 = taps[6],
      t7 = taps[7],
      t8 = taps[8],
      t9 = taps[9];
    const w0 = weights[0],
      w1 = weights[1],
      w2 = weights[2],
      w3 = weights[3],
      w4 = weights[4];
    const w5 = weights[5],
      w6 = weights[6],
      w7 = weights[7],
      w8 = weights[8],
      w9 = weights[9];
    for (let y = 0; y < sh; y++) {
      const r = y * sw;
      tmp[y * dw + x] =
        w0 * src[r + t0] +
        w1 * src[r + t1] +
        w2 * src[r + t2] +
        w3 * src[r + t3] +
        w4 * src[r + t4] +
        w5 * src[r + t5] +
        w6 * src[r + t6] +
        w7 * src[r + t7] +
        w8 * src[r + t8] +
        w9 * src[r + t9];
    }
  }
}

function downsample4Cols(
  tmp: Plane,
  sh: number,
  dst: Plane,
  dw: number,
  dh: number,
  taps: Int32Array,
  weights: Float64Array,
): void {
  const end = interior4End(sh, dh);
  for (let y = 1; y < end; y++) {
    const r0 = (4 * y - 3) * dw;
    const out = y * dw;
    for (let x = 0; x < dw; x++) {
      const i = r0 + x;
      dst[out + x] =
        K0 * (tmp[i] + tmp[i + 9 * dw]) +
        K1 * (tmp[i + dw] + tmp[i + 8 * dw]) +
        K2 * (tmp[i + 2 * dw] + tmp[i + 7 * dw]) +
        K3 * (tmp[i + 3 * dw] + tmp[i + 6 * dw]) +
        K4 * (tmp[i + 4 * dw] + tmp[i + 5 * dw]);
    }
  }
  for (let y = 0; y < dh; y = y === 0 ? Math.max(1, end) : y + 1) {
    mergedTaps(y, sh, taps, weights);
    for (let t = 0; t < 10; t++) taps[t] *= dw;
    const t0 = taps[0],
      t1 = taps[1],
      t2 = taps[2],
      t3 = taps[3],
      t4 = taps[4];
    const t5 = taps[5],
      t6 = taps[6],
      t7 = taps[7],
      t8 = taps[8],
      t9 = taps[9];
    const w0 = weights[0],
      w1 = weights[1],
      w2 = weights[2],
      w3 = weights[3],
      w4 = weights[4];
    const w5 = weights[5],
      w6 = weights[6],
      w7 = weights[7],
      w8 = weights[8],
      w9 = weights[9];
    const out = y * dw;
    for (let x = 0; x < dw; x++) {
      dst[out + x] =
        w0 * tmp[t0 + x] +
        w1 * tmp[t1 + x] +
        w2 * tmp[t2 + x] +
        w3 * tmp[t3 + x] +
        w4 * tmp[t4 + x] +
        w5 * tmp[t5 + x] +
        w6 * tmp[t6 + x] +
        w7 * tmp[t7 + x] +
        w8 * tmp[t8 + x] +
        w9 * tmp[t9 + x];
    }
  }
}

/**
 * Sobel gradients normalised to intensity per pixel (kernel / 8), borders replicated. The 1-2-1 cross smoothing
 * makes the template gradients of the inverse search less noisy than plain central differences.
 */
export function sobel(src: Pixels, w: number, h: number, gx: Plane, gy: Plane): void {
  for (let y = 0; y < h; y++) {
    const rm = (y > 0 ? y - 1 : 0) * w;
    const r0 = y * w;
    const rp = (y + 1 < h ? y + 1 : h - 1) * w;
    for (let x = 0; x < w; x++) {
      const xm = x > 0 ? x - 1 : 0;
      const xp = x + 1 < w ? x + 1 : w - 1;
      const tl = src[rm + xm];
      const tr = src[rm + xp];
      const bl = src[rp + xm];
      const br = src[rp + xp];
      gx[r0 + x] = 0.125 * (tr - tl + br - bl) + 0.25 * (src[r0 + xp] - src[r0 + xm]);
      gy[r0 + x] = 0.125 * (bl - tl + br - tr) + 0.25 * (src[rp + x] - src[rm + x]);
    }
  }
}

/** Central-difference gradients ((x+1) - (x-1)) / 2, one-sided at the image border. */
export function centralDiff(src: Pixels, w: number, h: number, gx: Plane, gy: Plane): void {
  for (let y = 0; y < h; y++) {
    const r0 = y * w;
    const rm = y > 0 ? r0 - w : r0;
    const rp = y + 1 < h ? r0 + w : r0;
    const sy = rp - rm === 2 * w ? 0.5 : 1;
    for (let x = 0; x < w; x++) {
      const xm = x > 0 ? x - 1 : x;
      const xp = x + 1 < w ? x + 1 : x;
      gx[r0 + x] = (src[r0 + xp] - src[r0 + xm]) * (xp - xm === 2 ? 0.5 : 1);
      gy[r0 + x] = (src[rp + x] - src[rm + x]) * sy;
    }
  }
}

/**
 * Copy an image into a buffer with a replicated border of `b` pixels on every side (row stride w + 2b),
 * so patch sampling near and beyond the edges needs no per-pixel clamping.
 */
export function padReplicate(src: Pixels, w: number, h: number, b: number, dst: Plane): void {
  const W = w + 2 * b;
  for (let y = 0; y < h; y++) {
    const s = y * w;
    const d = (y + b) * W;
    const left = src[s];
    const right = src[s + w - 1];
    for (let x = 0; x < b; x++) dst[d + x] = left;
    for (let x = 0; x < w; x++) dst[d + b + x] = src[s + x];
    for (let x = b + w; x < W; x++) dst[d + x] = right;
  }
  const first = b * W;
  const lastRow = (b + h - 1) * W;
  for (let y = 0; y < b; y++) {
    dst.copyWithin(y * W, first, first + W);
    dst.copyWithin((b + h + y) * W, lastRow, lastRow + W);
  }
}

/** Bilinear sample of a w x h image at (x, y), coordinates clamped to the image (replicated border). */
export function sampleBilinear(data: Pixels, w: number, h: number, x: number, y: number): number {
  const cx = x < 0 ? 0 : x > w - 1 ? w - 1 : x;
  const cy = y < 0 ? 0 : y > h - 1 ? h - 1 : y;
  const x0 = cx | 0;
  const y0 = cy | 0;
  const x1 = x0 + 1 < w ? x0 + 1 : x0;
  const y1 = y0 + 1 < h ? y0 + 1 : y0;
  const fx = cx - x0;
  const fy = cy - y0;
  const r0 = y0 * w;
  const r1 = y1 * w;
  const top = data[r0 + x0] + fx * (data[r0 + x1] - data[r0 + x0]);
  const bot = data[r1 + x0] + fx * (data[r1 + x1] - data[r1 + x0]);
  return top + fy * (bot - top);
}

/** Source index and fraction of each destination column, clamped to the source. */
function sampleTable(dw: number, sw: number, inv: number, colIdx: Int32Array, colFrac: Plane): void {
  for (let x = 0; x < dw; x++) {
    let s = (x + 0.5) * inv - 0.5;
    if (s < 0) s = 0;
    else if (s > sw - 1) s = sw - 1;
    const i = s | 0;
    colIdx[x] = i;
    colFrac[x] = s - i;
  }
}

/**
 * Resize a flow field (u, v) by bilinear interpolation between pyramid levels whose pixel pitch differs by `ratio`
 * (destination pixel x sits at source coordinate (x + 0.5) / ratio - 0.5), multiplying vectors by `mul`.
 * Uses the exact level ratio rather than the size ratio so that floor-sized odd levels stay aligned.
 * Separable (source rows widened first, then blended vertically): about half the work of direct bilinear.
 * colIdx/colFrac are scratch of at least dw entries; rowsU/rowsV scratch of at least dw * sh.
 */
export function resizeFlow(
  su: Plane,
  sv: Plane,
  sw: number,
  sh: number,
  du: Plane,
  dv: Plane,
  dw: number,
  dh: number,
  ratio: number,
  mul: number,
  colIdx: Int32Array,
  colFrac: Plane,
  rowsU: Plane,
  rowsV: Plane,
): void {
  const inv = 1 / ratio;
  sampleTable(dw, sw, inv, colIdx, colFrac);
  widenRows(su, sv, sw, sh, rowsU, rowsV, dw, mul, colIdx, colFrac);
  blendRows(rowsU, rowsV, sh, du, dv, dw, dh, inv);
}

function widenRows(
  su: Plane,
  sv: Plane,
  sw: number,
  sh: number,
  ru: Plane,
  rv: Plane,
  dw: number,
  mul: number,
  colIdx: Int32Array,
  colFrac: Plane,
): void {
  const lastCol = sw - 1;
  for (let y = 0; y < sh; y++) {
    const r = y * sw;
    const o = y * dw;
    let x = 0;
    while (x < dw) {
      const x0 = r + colIdx[x];
      const x1 = colIdx[x] < lastCol ? x0 + 1 : x0;
      const a = su[x0];
      const da = su[x1] - a;
      const c = sv[x0];
      const dc = sv[x1] - c;
      // Runs of four destination columns between the same two source columns (4x upsampling) share the loads.
      const run = x + 3 < dw && colIdx[x + 3] === colIdx[x] ? 4 : 1;
      for (let e = x + run; x < e; x++) {
        const fx = colFrac[x];
        ru[o + x] = mul * (a + fx * da);
        rv[o + x] = mul * (c + fx * dc);
      }
    }
  }
}

function blendRows(ru: Plane, rv: Plane, sh: number, du: Plane, dv: Plane, dw: number, dh: number, inv: number): void {
  let y = 0;
  while (y < dh) {
    const s = sourceRow(y, inv, sh);
    const y0 = s | 0;
    const r0 = y0 * dw;
    const r1 = (y0 + 1 < sh ? y0 + 1 : y0) * dw;
    if (y + 3 < dh && (sourceRow(y + 3, inv, sh) | 0) === y0) {
      // Four output rows between the same two source rows (every group when upsampling 4x): load each source
      // pair once for all four.
      blend4(
        ru,
        rv,
        du,
        dv,
        dw,
        r0,
        r1,
        y * dw,
        s - y0,
        sourceRow(y + 1, inv, sh) - y0,
        sourceRow(y + 2, inv, sh) - y0,
        sourceRow(y + 3, inv, sh) - y0,
      );
      y += 4;
    } else {
      const fy = s - y0;
      const o = y * dw;
      for (let x = 0; x < dw; x++) {
        const a = ru[r0 + x];
        const c = rv[r0 + x];
        du[o + x] = a + fy * (ru[r1 + x] - a);
        dv[o + x] = c + fy * (rv[r1 + x] - c);
      }
      y++;
    }
  }
}

/** Source row coordinate of destination row y, clamped to the source. */
function sourceRow(y: number, inv: number, sh: number): number {
  const s = (y + 0.5) * inv - 0.5;
  return s < 0 ? 0 : s > sh - 1 ? sh - 1 : s;
}

function blend4(
  ru: Plane,
  rv: Plane,
  du: Plane,
  dv: Plane,
  dw: number,
  r0: number,
  r1: number,
  o: number,
  f0: number,
  f1: number,
  f2: number,
  f3: number,
): void {
  const o1 = o + dw;
  const o2 = o1 + dw;
  const o3 = o2 + dw;
  for (let x = 0; x < dw; x++) {
    const a = ru[r0 + x];
    const da = ru[r1 + x] - a;
    du[o + x] = a + f0 * da;
    du[o1 + x] = a + f1 * da;
    du[o2 + x] = a + f2 * da;
    du[o3 + x] = a + f3 * da;
    const c = rv[r0 + x];
    const dc = rv[r1 + x] - c;
    dv[o + x] = c + f0 * dc;
    dv[o1 + x] = c + f1 * dc;
    dv[o2 + x] = c + f2 * dc;
    dv[o3 + x] = c + f3 * dc;
  }
}
