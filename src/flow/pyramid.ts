// Image-pyramid, gradient, padding and bilinear-sampling primitives for DIS optical flow (flat typed-array loops).

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
export function downsample2(
  src: Float32Array,
  sw: number,
  sh: number,
  dst: Float32Array,
  dw: number,
  dh: number,
  tmp: Float32Array,
): void {
  // Each pass lives in its own function: V8 optimises (and keeps) small single-loop functions far more reliably
  // than one function with several hot loops, which kept deoptimising on the not-yet-profiled second loop.
  downsampleRows(src, sw, sh, tmp, dw);
  downsampleCols(tmp, sh, dst, dw, dh);
}

function downsampleRows(src: Float32Array, sw: number, sh: number, tmp: Float32Array, dw: number): void {
  const last = sw - 1;
  // Output columns whose four taps 2x-1 .. 2x+2 are all inside the row need no clamping.
  const interiorEnd = Math.min(dw, Math.floor((last - 2) / 2) + 1);
  for (let y = 0; y < sh; y++) {
    const row = y * sw;
    const out = y * dw;
    tmp[out] = rowTap(src, row, last, 0);
    for (let x = 1; x < interiorEnd; x++) {
      const i = row + 2 * x;
      tmp[out + x] = 0.125 * (src[i - 1] + src[i + 2]) + 0.375 * (src[i] + src[i + 1]);
    }
    for (let x = Math.max(1, interiorEnd); x < dw; x++) tmp[out + x] = rowTap(src, row, last, x);
  }
}

/** One output sample of the horizontal pass with replicated-border clamping (used at the row ends only). */
function rowTap(src: Float32Array, row: number, last: number, x: number): number {
  const s = 2 * x;
  const a = s > 0 ? s - 1 : 0;
  const b = s <= last ? s : last;
  const c = s + 1 <= last ? s + 1 : last;
  const d = s + 2 <= last ? s + 2 : last;
  return 0.125 * (src[row + a] + src[row + d]) + 0.375 * (src[row + b] + src[row + c]);
}

function downsampleCols(tmp: Float32Array, sh: number, dst: Float32Array, dw: number, dh: number): void {
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

/**
 * Sobel gradients normalised to intensity per pixel (kernel / 8), borders replicated. The 1-2-1 cross smoothing
 * makes the template gradients of the inverse search less noisy than plain central differences.
 */
export function sobel(src: Float32Array, w: number, h: number, gx: Float32Array, gy: Float32Array): void {
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
export function centralDiff(src: Float32Array, w: number, h: number, gx: Float32Array, gy: Float32Array): void {
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
export function padReplicate(src: Float32Array, w: number, h: number, b: number, dst: Float32Array): void {
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
export function sampleBilinear(data: Float32Array, w: number, h: number, x: number, y: number): number {
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
function sampleTable(dw: number, sw: number, inv: number, colIdx: Int32Array, colFrac: Float32Array): void {
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
  su: Float32Array,
  sv: Float32Array,
  sw: number,
  sh: number,
  du: Float32Array,
  dv: Float32Array,
  dw: number,
  dh: number,
  ratio: number,
  mul: number,
  colIdx: Int32Array,
  colFrac: Float32Array,
  rowsU: Float32Array,
  rowsV: Float32Array,
): void {
  const inv = 1 / ratio;
  sampleTable(dw, sw, inv, colIdx, colFrac);
  widenRows(su, sv, sw, sh, rowsU, rowsV, dw, mul, colIdx, colFrac);
  blendRows(rowsU, rowsV, sh, du, dv, dw, dh, inv);
}

function widenRows(
  su: Float32Array,
  sv: Float32Array,
  sw: number,
  sh: number,
  ru: Float32Array,
  rv: Float32Array,
  dw: number,
  mul: number,
  colIdx: Int32Array,
  colFrac: Float32Array,
): void {
  const lastCol = sw - 1;
  for (let y = 0; y < sh; y++) {
    const r = y * sw;
    const o = y * dw;
    for (let x = 0; x < dw; x++) {
      const x0 = r + colIdx[x];
      const x1 = colIdx[x] < lastCol ? x0 + 1 : x0;
      const fx = colFrac[x];
      ru[o + x] = mul * (su[x0] + fx * (su[x1] - su[x0]));
      rv[o + x] = mul * (sv[x0] + fx * (sv[x1] - sv[x0]));
    }
  }
}

function blendRows(
  ru: Float32Array,
  rv: Float32Array,
  sh: number,
  du: Float32Array,
  dv: Float32Array,
  dw: number,
  dh: number,
  inv: number,
): void {
  for (let y = 0; y < dh; y++) {
    let s = (y + 0.5) * inv - 0.5;
    if (s < 0) s = 0;
    else if (s > sh - 1) s = sh - 1;
    const y0 = s | 0;
    const fy = s - y0;
    const r0 = y0 * dw;
    const r1 = (y0 + 1 < sh ? y0 + 1 : y0) * dw;
    const o = y * dw;
    for (let x = 0; x < dw; x++) {
      const a = ru[r0 + x];
      const c = rv[r0 + x];
      du[o + x] = a + fy * (ru[r1 + x] - a);
      dv[o + x] = c + fy * (rv[r1 + x] - c);
    }
  }
}
