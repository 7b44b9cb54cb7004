// DIS optical flow against analytic ground truth: translations, rotation, zoom, brightness change, odd sizes.

import { describe, expect, it } from 'vitest';
import { DIS_PRESETS, DisFlow, flowToGray, warpBilinear } from '../../src/flow/dis.js';
import type { DisPresetName } from '../../src/flow/dis.js';
import { downsample2, downsample4, padReplicate, resizeFlow, sampleBilinear } from '../../src/flow/pyramid.js';
import type { FlowField, GrayImage } from '../../src/flow/types.js';
import { rng } from '../../src/synth/texture.js';

type Texture = (x: number, y: number) => number;
type Motion = { inverse: (x: number, y: number) => [number, number]; flow: (x: number, y: number) => [number, number] };

/**
 * Smooth random texture: 24 sinusoids of random orientation and wavelength 6..40 px, evaluated analytically so
 * warped frames carry no interpolation error of their own.
 */
function texture(seed: number): Texture {
  const r = rng(seed);
  const waves: [number, number, number, number][] = [];
  let power = 0;
  for (let i = 0; i < 24; i++) {
    const k = (2 * Math.PI) / (6 + 34 * r());
    const th = 2 * Math.PI * r();
    const amp = 0.5 + r();
    waves.push([k * Math.cos(th), k * Math.sin(th), 2 * Math.PI * r(), amp]);
    power += amp * amp;
  }
  const scale = 45 / Math.sqrt(power / 2);
  return (x, y) => {
    let s = 0;
    for (const [kx, ky, ph, a] of waves) s += a * Math.sin(kx * x + ky * y + ph);
    return 128 + scale * s;
  };
}

/** Frame b(x) = T(M^-1(x)), so pixel x of frame a = T moves to M(x) in b. */
function render(t: Texture, width: number, height: number, inverse?: Motion['inverse'], offset = 0): GrayImage {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sx, sy] = inverse ? inverse(x, y) : [x, y];
      data[y * width + x] = Math.min(255, Math.max(0, t(sx, sy) + offset));
    }
  }
  return { width, height, data };
}

function translation(u: number, v: number): Motion {
  return { inverse: (x, y) => [x - u, y - v], flow: () => [u, v] };
}

/** Similarity about the image centre: rotation by `deg` degrees (clockwise on screen) and zoom `s`. */
function similarity(width: number, height: number, deg: number, s: number): Motion {
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const c = Math.cos((deg * Math.PI) / 180);
  const n = Math.sin((deg * Math.PI) / 180);
  return {
    inverse: (x, y) => {
      const dx = x - cx;
      const dy = y - cy;
      return [cx + (c * dx + n * dy) / s, cy + (-n * dx + c * dy) / s];
    },
    flow: (x, y) => {
      const dx = x - cx;
      const dy = y - cy;
      return [cx + s * (c * dx - n * dy) - x, cy + s * (n * dx + c * dy) - y];
    },
  };
}

/** Mean end-point error over pixels at least `margin` px from the border (content enters/leaves there). */
function epe(f: FlowField, truth: Motion['flow'], margin = 8): number {
  let sum = 0;
  let n = 0;
  for (let y = margin; y < f.height - margin; y++) {
    for (let x = margin; x < f.width - margin; x++) {
      const i = y * f.width + x;
      const [u, v] = truth(x, y);
      sum += Math.hypot(f.u[i] - u, f.v[i] - v);
      n++;
    }
  }
  return sum / n;
}

function measure(dis: DisFlow, width: number, height: number, motion: Motion, seed = 1, offset = 0): number {
  const t = texture(seed);
  const a = render(t, width, height);
  const b = render(t, width, height, motion.inverse, offset);
  const e = epe(dis.calc(a, b), motion.flow);
  // DIS_PRINT=1 prints every measured EPE (to re-derive the bounds below after an algorithm change).
  if (process.env.DIS_PRINT) console.log(`EPE ${width}x${height} seed ${seed} offset ${offset}: ${e.toFixed(4)}`);
  return e;
}

const W = 160;
const H = 90;

describe('DisFlow accuracy (fast preset, 160x90)', () => {
  const dis = new DisFlow('fast');

  it('zero motion gives zero flow', () => {
    // measured 0.0000
    expect(measure(dis, W, H, translation(0, 0))).toBeLessThan(0.01);
  });

  it('sub-pixel translation (2.3, -1.7)', () => {
    // measured 0.022 (seed 1), 0.055 (seed 2)
    expect(measure(dis, W, H, translation(2.3, -1.7), 1)).toBeLessThan(0.12);
    expect(measure(dis, W, H, translation(2.3, -1.7), 2)).toBeLessThan(0.12);
  });

  it('larger translations through the pyramid', () => {
    // measured 0.041 for (7, 4) and 0.060 for (12, -6)
    expect(measure(dis, W, H, translation(7, 4))).toBeLessThan(0.1);
    expect(measure(dis, W, H, translation(12, -6))).toBeLessThan(0.15);
  });

  it('rotation of 3 degrees about the centre', () => {
    // measured 0.110
    expect(measure(dis, W, H, similarity(W, H, 3, 1))).toBeLessThan(0.22);
  });

  it('zoom by 1.05 about the centre', () => {
    // measured 0.100
    expect(measure(dis, W, H, similarity(W, H, 0, 1.05))).toBeLessThan(0.2);
  });

  it('brightness offset (b = a + 20) with mean normalisation', () => {
    // measured 0.021 (0.022 without the offset)
    expect(measure(dis, W, H, translation(2.3, -1.7), 1, 20)).toBeLessThan(0.08);
  });

  it('brightness offset without mean normalisation is worse (the option matters)', () => {
    const plain = new DisFlow({ ...DIS_PRESETS.fast, useMeanNormalization: false });
    // measured 0.021 with normalisation, 1.00 without
    const withNorm = measure(dis, W, H, translation(2.3, -1.7), 1, 20);
    const without = measure(plain, W, H, translation(2.3, -1.7), 1, 20);
    expect(without).toBeGreaterThan(5 * withNorm);
  });
});

describe('DisFlow presets', () => {
  const cases: [DisPresetName, number, number][] = [
    // [preset, bound on translation (2.3, -1.7) EPE, bound on 3-degree rotation EPE]
    // measured ultrafast 0.112 / 0.355, fast 0.022 / 0.110, medium 0.015 / 0.078
    ['ultrafast', 0.25, 0.6],
    ['fast', 0.12, 0.22],
    ['medium', 0.08, 0.16],
  ];
  it.each(cases)('%s stays within its error bounds', (preset, boundT, boundR) => {
    const dis = new DisFlow(preset);
    expect(measure(dis, W, H, translation(2.3, -1.7))).toBeLessThan(boundT);
    expect(measure(dis, W, H, similarity(W, H, 3, 1))).toBeLessThan(boundR);
  });

  it('medium is more accurate than ultrafast on rotation', () => {
    const rot = similarity(W, H, 3, 1);
    expect(measure(new DisFlow('medium'), W, H, rot)).toBeLessThan(measure(new DisFlow('ultrafast'), W, H, rot));
  });

  it('partial parameters fill in from fast; bad parameters throw', () => {
    expect(new DisFlow({ patchStride: 3 }).params).toMatchObject({ ...DIS_PRESETS.fast, patchStride: 3 });
    expect(new DisFlow().params).toEqual(DIS_PRESETS.fast);
    expect(() => new DisFlow({ patchSize: 0 })).toThrow(/patchSize/);
    expect(() => new DisFlow({ finestScale: 1.5 })).toThrow(/finestScale/);
    expect(() => new DisFlow('slow' as DisPresetName)).toThrow(/preset/);
  });
});

describe('DisFlow sizes and buffers', () => {
  it('handles odd sizes (171x96, 91x161)', () => {
    const dis = new DisFlow('fast');
    // measured 0.023 and 0.032
    expect(measure(dis, 171, 96, translation(2.3, -1.7))).toBeLessThan(0.1);
    expect(measure(dis, 91, 161, translation(-1.4, 2.6))).toBeLessThan(0.1);
  });

  it('repeated calls on changing sizes match fresh instances and reuse `out`', () => {
    const dis = new DisFlow('fast');
    const t = texture(3);
    const sizes: [number, number][] = [
      [160, 90],
      [91, 161],
      [160, 90],
      [171, 96],
    ];
    for (const [w, h] of sizes) {
      const a = render(t, w, h);
      const b = render(t, w, h, translation(1.2, 0.7).inverse);
      const fresh = new DisFlow('fast').calc(a, b);
      const out: FlowField = { width: w, height: h, u: new Float32Array(w * h), v: new Float32Array(w * h) };
      const got = dis.calc(a, b, out);
      expect(got).toBe(out);
      expect(Array.from(got.u)).toEqual(Array.from(fresh.u));
      expect(Array.from(got.v)).toEqual(Array.from(fresh.v));
    }
  });

  it('tiny images (smaller than a patch) give finite flow', () => {
    const dis = new DisFlow('medium');
    const t = texture(4);
    for (const [w, h] of [
      [6, 5],
      [20, 12],
      [1, 1],
    ] as [number, number][]) {
      const f = dis.calc(render(t, w, h), render(t, w, h, translation(0.5, 0.2).inverse));
      expect(f.width).toBe(w);
      expect(f.u.every(Number.isFinite) && f.v.every(Number.isFinite)).toBe(true);
    }
  });

  it('rejects images of different sizes', () => {
    const dis = new DisFlow();
    const t = texture(5);
    expect(() => dis.calc(render(t, 40, 30), render(t, 40, 31))).toThrow(/40x30/);
  });
});

describe('helpers', () => {
  it('flowToGray converts 8-bit pixels', () => {
    const g = flowToGray(new Uint8Array([0, 128, 255, 7]), 2, 2);
    expect(g).toEqual({ width: 2, height: 2, data: new Float32Array([0, 128, 255, 7]) });
  });

  it('warpBilinear(b, flow a->b) reconstructs a', () => {
    const t = texture(6);
    const motion = translation(2.5, -1.25);
    const a = render(t, W, H);
    const b = render(t, W, H, motion.inverse);
    const truth: FlowField = { width: W, height: H, u: new Float32Array(W * H), v: new Float32Array(W * H) };
    truth.u.fill(2.5);
    truth.v.fill(-1.25);
    const back = warpBilinear(b, truth);
    let err = 0;
    let n = 0;
    for (let y = 8; y < H - 8; y++) {
      for (let x = 8; x < W - 8; x++) {
        err += Math.abs(back.data[y * W + x] - a.data[y * W + x]);
        n++;
      }
    }
    // Bilinear interpolation of a texture with 6-px wavelengths: measured mean |error| 1.3 grey levels.
    expect(err / n).toBeLessThan(3);
  });
});

describe('pyramid primitives', () => {
  it('downsample2 equals the clamped separable [1 3 3 1]/8 filter at odd and even sizes', () => {
    const r = rng(7);
    for (const [sw, sh] of [
      [7, 5],
      [8, 6],
      [171, 96],
      [2, 2],
      [5, 1],
    ] as [number, number][]) {
      const dw = Math.max(1, sw >> 1);
      const dh = Math.max(1, sh >> 1);
      const src = new Float32Array(sw * sh).map(() => 255 * r());
      const dst = new Float32Array(dw * dh);
      downsample2(src, sw, sh, dst, dw, dh, new Float32Array(dw * sh));
      const k = [0.125, 0.375, 0.375, 0.125];
      const at = (x: number, y: number) =>
        src[Math.min(Math.max(y, 0), sh - 1) * sw + Math.min(Math.max(x, 0), sw - 1)];
      let worst = 0;
      for (let y = 0; y < dh; y++) {
        for (let x = 0; x < dw; x++) {
          let ref = 0;
          for (let j = 0; j < 4; j++) {
            for (let i = 0; i < 4; i++) ref += k[j] * k[i] * at(2 * x - 1 + i, 2 * y - 1 + j);
          }
          worst = Math.max(worst, Math.abs(ref - dst[y * dw + x]));
        }
      }
      expect(worst).toBeLessThan(1e-3);
    }
  });

  it('downsample4 equals two downsample2 steps, borders included', () => {
    const r = rng(8);
    for (const [sw, sh] of [
      [160, 90],
      [171, 96],
      [13, 11],
      [7, 5],
      [8, 6],
      [5, 1],
      [3, 9],
      [1, 1],
    ] as [number, number][]) {
      const mw = Math.max(1, sw >> 1);
      const mh = Math.max(1, sh >> 1);
      const dw = Math.max(1, mw >> 1);
      const dh = Math.max(1, mh >> 1);
      const src = new Float32Array(sw * sh).map(() => 255 * r());
      const mid = new Float64Array(mw * mh);
      const twoSteps = new Float64Array(dw * dh);
      const tmp = new Float64Array(mw * sh);
      downsample2(src, sw, sh, mid, mw, mh, tmp);
      downsample2(mid, mw, mh, twoSteps, dw, dh, tmp);
      const direct = new Float64Array(dw * dh);
      downsample4(src, sw, sh, direct, dw, dh, tmp, new Int32Array(10), new Float64Array(10));
      let worst = 0;
      for (let i = 0; i < direct.length; i++) worst = Math.max(worst, Math.abs(direct[i] - twoSteps[i]));
      expect(worst).toBeLessThan(1e-9);
    }
  });

  it('resizeFlow upsampling 4x (grouped rows and columns) equals direct bilinear sampling', () => {
    const r = rng(9);
    const sw = 40;
    const sh = 22;
    const dw = 160;
    const dh = 90;
    const su = new Float64Array(sw * sh).map(() => r() - 0.5);
    const sv = new Float64Array(sw * sh).map(() => r() - 0.5);
    const du = new Float32Array(dw * dh);
    const dv = new Float32Array(dw * dh);
    const scratch = () => new Float64Array(dw * sh);
    resizeFlow(su, sv, sw, sh, du, dv, dw, dh, 4, 4, new Int32Array(dw), new Float64Array(dw), scratch(), scratch());
    const su32 = Float32Array.from(su);
    const sv32 = Float32Array.from(sv);
    let worst = 0;
    for (let y = 0; y < dh; y++) {
      for (let x = 0; x < dw; x++) {
        const sx = (x + 0.5) / 4 - 0.5;
        const sy = (y + 0.5) / 4 - 0.5;
        const u = 4 * sampleBilinear(su32, sw, sh, sx, sy);
        const v = 4 * sampleBilinear(sv32, sw, sh, sx, sy);
        worst = Math.max(worst, Math.abs(du[y * dw + x] - u), Math.abs(dv[y * dw + x] - v));
      }
    }
    expect(worst).toBeLessThan(1e-5);
  });

  it('resizeFlow scales vectors and keeps a linear field linear in the interior', () => {
    // Coarse field u = x (coarse px) is, at 2x finer pitch, u = 2 * ((x + 0.5) / 2 - 0.5) = x - 0.5 (fine px).
    const sw = 10;
    const sh = 6;
    const su = new Float32Array(sw * sh).map((_, i) => i % sw);
    const sv = new Float32Array(sw * sh).fill(1.5);
    const dw = 21;
    const dh = 13;
    const du = new Float32Array(dw * dh);
    const dv = new Float32Array(dw * dh);
    const scratch = () => new Float32Array(dw * sh);
    resizeFlow(su, sv, sw, sh, du, dv, dw, dh, 2, 2, new Int32Array(dw), new Float32Array(dw), scratch(), scratch());
    for (let y = 0; y < dh; y++) {
      for (let x = 1; x < 18; x++) expect(du[y * dw + x]).toBeCloseTo(x - 0.5, 5);
      expect(dv[y * dw]).toBeCloseTo(3, 5);
    }
  });

  it('padReplicate and sampleBilinear replicate the border', () => {
    const src = new Float32Array([1, 2, 3, 4, 5, 6]);
    const dst = new Float32Array((3 + 4) * (2 + 4));
    padReplicate(src, 3, 2, 2, dst);
    expect(Array.from(dst.subarray(0, 7))).toEqual([1, 1, 1, 2, 3, 3, 3]);
    expect(Array.from(dst.subarray(35, 42))).toEqual([4, 4, 4, 5, 6, 6, 6]);
    expect(sampleBilinear(src, 3, 2, -5, 0.5)).toBeCloseTo(2.5, 6);
    expect(sampleBilinear(src, 3, 2, 1.5, 9)).toBeCloseTo(5.5, 6);
  });
});

describe('calcNative', () => {
  it('returns the finest-level flow, which calc upsamples', async () => {
    const { DisFlow } = await import('../../src/flow/dis.js');
    const W = 160;
    const H = 96;
    const data = new Float32Array(W * H);
    const shifted = new Float32Array(W * H);
    const tex = (x: number, y: number) =>
      128 + 40 * Math.sin(x * 0.21 + y * 0.05) + 30 * Math.cos(y * 0.17 - x * 0.07) + 20 * Math.sin((x + y) * 0.11);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        data[y * W + x] = tex(x, y);
        shifted[y * W + x] = tex(x - 3, y + 2); // content moves by (+3, -2)
      }
    }
    const dis = new DisFlow('ultrafast');
    const a = { width: W, height: H, data };
    const b = { width: W, height: H, data: shifted };
    const size = dis.nativeSize(W, H);
    expect(size).toEqual({ width: 40, height: 24 });
    const native = dis.calcNative(a, b);
    expect(native.width).toBe(40);
    let su = 0;
    let sv = 0;
    let n = 0;
    for (let y = 3; y < native.height - 3; y++) {
      for (let x = 3; x < native.width - 3; x++) {
        su += native.u[y * native.width + x];
        sv += native.v[y * native.width + x];
        n++;
      }
    }
    // Finest level of ultrafast is 1/4 scale: (3, -2) px become (0.75, -0.5) level pixels.
    expect(su / n).toBeCloseTo(0.75, 1);
    expect(sv / n).toBeCloseTo(-0.5, 1);
    const full = dis.calc(a, b);
    expect(full.u[48 * W + 80]).toBeCloseTo(4 * native.u[12 * 40 + 20], 0);
  });
});
