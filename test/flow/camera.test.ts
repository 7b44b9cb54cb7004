// Tests of the camera-motion fit: known similarities, moving objects, noise, outliers and time-reversal symmetry.

import { describe, expect, it } from 'vitest';
import { cameraDisplacement, fitCamera, residualFlow } from '../../src/flow/camera.js';
import type { CameraMotion, FlowField } from '../../src/flow/types.js';
import { rng } from '../../src/synth/texture.js';

const W = 170;
const H = 96;
const CX = (W - 1) / 2;
const CY = (H - 1) / 2;

interface Sim {
  tx: number;
  ty: number;
  logScale: number;
  rotation: number;
}

/** Maps p through p' = c + s R (p - c) + t, written out here independently of the code under test. */
function apply(m: Sim, x: number, y: number): [number, number] {
  const s = Math.exp(m.logScale);
  const co = Math.cos(m.rotation);
  const si = Math.sin(m.rotation);
  const dx = x - CX;
  const dy = y - CY;
  return [CX + s * (co * dx - si * dy) + m.tx, CY + s * (si * dx + co * dy) + m.ty];
}

/** Exact inverse of a similarity about the centre: p = c + s^-1 R(-theta) (p' - c - t). */
function inverse(m: Sim): Sim {
  const s = Math.exp(-m.logScale);
  const co = Math.cos(-m.rotation);
  const si = Math.sin(-m.rotation);
  return {
    tx: -s * (co * m.tx - si * m.ty),
    ty: -s * (si * m.tx + co * m.ty),
    logScale: -m.logScale,
    rotation: -m.rotation,
  };
}

/** Dense flow field of a similarity on the W x H grid; `object` may override the motion per pixel. */
function simField(m: Sim, object?: (x: number, y: number) => Sim | null): FlowField {
  const u = new Float32Array(W * H);
  const v = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const mm = object?.(x, y) ?? m;
      const [px, py] = apply(mm, x, y);
      u[y * W + x] = px - x;
      v[y * W + x] = py - y;
    }
  }
  return { width: W, height: H, u, v };
}

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** Worst error of the fitted motion, as the largest displacement error it causes anywhere in the frame. */
function frameError(fit: CameraMotion, truth: Sim): number {
  let worst = 0;
  for (const [x, y] of [
    [0, 0],
    [W - 1, 0],
    [0, H - 1],
    [W - 1, H - 1],
    [CX, CY],
  ] as const) {
    const [px, py] = apply(truth, x, y);
    const [qx, qy] = apply(fit, x, y);
    worst = Math.max(worst, Math.hypot(px - qx, py - qy));
  }
  return worst;
}

function report(name: string, fit: CameraMotion, truth: Sim): void {
  if (process.env.CAMERA_VERBOSE) {
    console.log(
      name,
      JSON.stringify({
        dtx: fit.tx - truth.tx,
        dty: fit.ty - truth.ty,
        dlog: fit.logScale - truth.logScale,
        drot: fit.rotation - truth.rotation,
        frameErr: frameError(fit, truth),
        inl: fit.inlierFraction,
      }),
    );
  }
}

const ZERO: Sim = { tx: 0, ty: 0, logScale: 0, rotation: 0 };
const PAN: Sim = { tx: 3.2, ty: -1.1, logScale: 0, rotation: 0 };
const ZOOM: Sim = { tx: 0, ty: 0, logScale: 0.03, rotation: 0 };
const ROT: Sim = { tx: 0, ty: 0, logScale: 0, rotation: 0.02 };
const COMBINED: Sim = { tx: 3.2, ty: -1.1, logScale: 0.03, rotation: 0.02 };

describe('fitCamera on exact similarity fields', () => {
  for (const [name, truth] of [
    ['pan', PAN],
    ['zoom', ZOOM],
    ['rotation', ROT],
    ['combined', COMBINED],
  ] as const) {
    it(`recovers ${name}`, () => {
      const fit = fitCamera(simField(truth));
      report(name, fit, truth);
      // Measured: every error below 1e-7 (Float32 storage of the flow is the only error source).
      expect(Math.abs(fit.tx - truth.tx)).toBeLessThan(1e-5);
      expect(Math.abs(fit.ty - truth.ty)).toBeLessThan(1e-5);
      expect(Math.abs(fit.logScale - truth.logScale)).toBeLessThan(1e-7);
      expect(Math.abs(fit.rotation - truth.rotation)).toBeLessThan(1e-7);
      expect(fit.inlierFraction).toBe(1);
    });
  }
});

/** Adds Gaussian noise of the given sigma to both components, in place. */
function addNoise(f: FlowField, sigma: number, seed: number): void {
  const r = rng(seed);
  for (let i = 0; i < f.u.length; i++) {
    f.u[i] += sigma * gauss(r);
    f.v[i] += sigma * gauss(r);
  }
}

/** Predicate and motion of an axis-aligned rectangular object. */
function rect(x0: number, y0: number, w: number, h: number, m: Sim): (x: number, y: number) => Sim | null {
  return (x, y) => (x >= x0 && x < x0 + w && y >= y0 && y < y0 + h ? m : null);
}

describe('fitCamera with an independently moving object', () => {
  // 0.55 x 0.55 of the frame = 30.25% of its area, off-centre so it also pulls on zoom and roll.
  const ow = Math.round(0.55 * W);
  const oh = Math.round(0.55 * H);
  const objectMotion: Sim = { tx: -2.5, ty: 2.0, logScale: 0, rotation: 0.01 };
  const inObject = rect(10, 8, ow, oh, objectMotion);

  it('recovers the camera and separates the object in the residual', () => {
    const flow = simField(COMBINED, inObject);
    const fit = fitCamera(flow);
    report('object30', fit, COMBINED);
    // Measured: frame error 5e-9 px (the object is rejected entirely), inlierFraction 0.675.
    expect(frameError(fit, COMBINED)).toBeLessThan(1e-5);
    expect(fit.inlierFraction).toBeGreaterThan(0.6);
    expect(fit.inlierFraction).toBeLessThan(0.72);

    const res = residualFlow(flow, fit);
    let bgWorst = 0;
    let objWorst = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        if (inObject(x, y)) {
          // Object motion minus camera motion, both as displacements of this pixel.
          const [ox, oy] = apply(objectMotion, x, y);
          const [cx, cy] = apply(COMBINED, x, y);
          objWorst = Math.max(objWorst, Math.abs(res.u[i] - (ox - cx)), Math.abs(res.v[i] - (oy - cy)));
        } else {
          bgWorst = Math.max(bgWorst, Math.abs(res.u[i]), Math.abs(res.v[i]));
        }
      }
    }
    if (process.env.CAMERA_VERBOSE) console.log('residual worst', { bgWorst, objWorst });
    // Measured: background 2.4e-7, object 3.5e-7 (Float32 rounding).
    expect(bgWorst).toBeLessThan(1e-4);
    expect(objWorst).toBeLessThan(1e-4);
  });

  it('stays accurate with noise and a 40% object', () => {
    const side = Math.sqrt(0.4);
    const [ow40, oh40] = [Math.round(side * W), Math.round(side * H)];
    const flow = simField(COMBINED, rect(W - ow40, 0, ow40, oh40, objectMotion));
    addNoise(flow, 0.3, 11);
    const fit = fitCamera(flow);
    report('object40+noise', fit, COMBINED);
    // Measured: frame error 0.019 px, logScale error 8.6e-5, rotation error 5.4e-5, inliers 0.59.
    expect(frameError(fit, COMBINED)).toBeLessThan(0.1);
    expect(Math.abs(fit.logScale - COMBINED.logScale)).toBeLessThan(6e-4);
    expect(Math.abs(fit.rotation - COMBINED.rotation)).toBeLessThan(6e-4);
  });

  it('holds over object placements, sizes and motions', () => {
    const motions: Sim[] = [
      { tx: -2.5, ty: 2.0, logScale: 0, rotation: 0 },
      // A static object (e.g. a watermark or a tracked subject) against a moving background.
      { tx: 0, ty: 0, logScale: 0, rotation: 0 },
      // Only 1 px from the camera pan: close to the noise, the hardest case.
      { tx: 4.2, ty: -1.1, logScale: 0, rotation: 0 },
      { tx: 8, ty: 3, logScale: -0.05, rotation: 0 },
    ];
    let worst = 0;
    let seed = 100;
    for (const frac of [0.3, 0.4]) {
      const sw = Math.round(Math.sqrt(frac) * W);
      const sh = Math.round(Math.sqrt(frac) * H);
      const placements: [number, number, number, number][] = [
        [0, 0, sw, sh],
        [Math.round((W - sw) / 2), Math.round((H - sh) / 2), sw, sh],
        [0, 0, Math.round(frac * W), H],
      ];
      for (const [x0, y0, w, h] of placements) {
        for (const m of motions) {
          const flow = simField(COMBINED, rect(x0, y0, w, h, m));
          addNoise(flow, 0.3, seed++);
          worst = Math.max(worst, frameError(fitCamera(flow), COMBINED));
        }
      }
    }
    if (process.env.CAMERA_VERBOSE) console.log('sweep worst', worst);
    // Measured: worst frame error 0.17 px (the object only 1 px from the camera pan, at 40%); typical 0.02-0.08.
    expect(worst).toBeLessThan(0.3);
  });
});

describe('fitCamera with noise and gross outliers', () => {
  it('recovers the combined motion under sigma 0.3 px noise and 10% outliers', () => {
    const flow = simField(COMBINED);
    addNoise(flow, 0.3, 5);
    const r = rng(6);
    for (let i = 0; i < flow.u.length; i++) {
      if (r() < 0.1) {
        flow.u[i] = (r() - 0.5) * 30;
        flow.v[i] = (r() - 0.5) * 30;
      }
    }
    const fit = fitCamera(flow);
    report('noise+outliers', fit, COMBINED);
    // Measured: tx err 0.002, ty err 0.011, logScale err 1.0e-4, rotation err 6.6e-5, frame error 0.023 px,
    // inliers 0.901 (the ~9% of outliers not landing near the model, minus ~1% of the Gaussian tail).
    expect(Math.abs(fit.tx - COMBINED.tx)).toBeLessThan(0.04);
    expect(Math.abs(fit.ty - COMBINED.ty)).toBeLessThan(0.04);
    expect(Math.abs(fit.logScale - COMBINED.logScale)).toBeLessThan(5e-4);
    expect(Math.abs(fit.rotation - COMBINED.rotation)).toBeLessThan(5e-4);
    expect(frameError(fit, COMBINED)).toBeLessThan(0.08);
    expect(fit.inlierFraction).toBeGreaterThan(0.85);
    expect(fit.inlierFraction).toBeLessThan(0.92);
  });

  it('skips non-finite flow samples', () => {
    const flow = simField(COMBINED);
    const r = rng(9);
    for (let i = 0; i < flow.u.length; i++) {
      if (r() < 0.2) flow.u[i] = NaN;
      else if (r() < 0.05) flow.v[i] = Infinity;
    }
    const fit = fitCamera(flow);
    expect(frameError(fit, COMBINED)).toBeLessThan(1e-5);
    expect(fit.inlierFraction).toBe(1);
  });
});

describe('fitCamera without camera motion', () => {
  it('gives zero motion for a zero field', () => {
    const fit = fitCamera(simField(ZERO));
    expect(fit).toEqual({ tx: 0, ty: 0, logScale: 0, rotation: 0, inlierFraction: 1 });
  });

  it('does not turn a lone moving blob into camera motion', () => {
    // Textureless static scene (DIS returns zero flow there) with one moving blob of ~12% of the frame.
    const blob: Sim = { tx: 5, ty: -3, logScale: 0.02, rotation: 0 };
    const inBlob = (x: number, y: number): Sim | null => (Math.hypot(x - 120, y - 40) < 25 ? blob : null);
    const flow = simField(ZERO, inBlob);
    const fit = fitCamera(flow);
    report('blob', fit, ZERO);
    // Measured: all parameters exactly 0, inliers 0.867.
    expect(Math.abs(fit.tx)).toBeLessThan(1e-9);
    expect(Math.abs(fit.ty)).toBeLessThan(1e-9);
    expect(Math.abs(fit.logScale)).toBeLessThan(1e-9);
    expect(Math.abs(fit.rotation)).toBeLessThan(1e-9);
    expect(fit.inlierFraction).toBeGreaterThan(0.85);
    expect(fit.inlierFraction).toBeLessThan(0.92);
    const res = residualFlow(flow, fit);
    const i = 40 * W + 120;
    expect(res.u[i]).toBeCloseTo(flow.u[i], 9);
    expect(res.v[i]).toBeCloseTo(flow.v[i], 9);
  });

  it('does not invent motion from two blobs moving apart over noise', () => {
    const left: Sim = { tx: -4, ty: 1, logScale: 0, rotation: 0 };
    const right: Sim = { tx: 4, ty: 1, logScale: 0, rotation: 0 };
    const flow = simField(ZERO, (x, y) =>
      Math.hypot(x - 45, y - 48) < 22 ? left : Math.hypot(x - 125, y - 48) < 22 ? right : null,
    );
    addNoise(flow, 0.2, 21);
    const fit = fitCamera(flow);
    report('two blobs', fit, ZERO);
    // Measured: frame error 0.023 px.
    expect(frameError(fit, ZERO)).toBeLessThan(0.05);
  });
});

describe('time-reversal symmetry', () => {
  const cases: [string, Sim][] = [
    ['combined', COMBINED],
    ['strong', { tx: -6.5, ty: 4.25, logScale: -0.08, rotation: -0.05 }],
  ];
  for (const [name, T] of cases) {
    it(`fits the inverse transform's field as the inverse (${name})`, () => {
      const Ti = inverse(T);
      // Forward: flow on A's grid; backward: flow of T^-1 on B's grid (the same pixel lattice).
      const fwd = fitCamera(simField(T));
      const bwd = fitCamera(simField(Ti));
      if (process.env.CAMERA_VERBOSE) {
        const sums = { dLog: fwd.logScale + bwd.logScale, dRot: fwd.rotation + bwd.rotation };
        console.log(name, { ...sums, dtx: bwd.tx - Ti.tx, dty: bwd.ty - Ti.ty });
      }
      // Measured: |logScale sum| ~1e-11, |rotation sum| ~1e-11, translation vs exact inverse ~1e-8.
      expect(Math.abs(fwd.logScale + bwd.logScale)).toBeLessThan(1e-6);
      expect(Math.abs(fwd.rotation + bwd.rotation)).toBeLessThan(1e-6);
      expect(Math.abs(bwd.tx - Ti.tx)).toBeLessThan(1e-5);
      expect(Math.abs(bwd.ty - Ti.ty)).toBeLessThan(1e-5);
      // The exact inverse translation is -s^-1 R(-theta) t: -t up to a term of order |t| (|logScale| + |rotation|).
      const firstOrder = Math.hypot(T.tx, T.ty) * 1.5 * (Math.abs(T.logScale) + Math.abs(T.rotation));
      expect(Math.hypot(bwd.tx + fwd.tx, bwd.ty + fwd.ty)).toBeLessThan(firstOrder);
      // Composition: camera(B -> A) after camera(A -> B) is the identity at every pixel.
      const d = [0, 0];
      const e = [0, 0];
      for (const [x, y] of [
        [0, 0],
        [W - 1, H - 1],
        [30, 70],
      ] as const) {
        cameraDisplacement(fwd, W, H, x, y, d);
        cameraDisplacement(bwd, W, H, x + d[0], y + d[1], e);
        expect(Math.abs(d[0] + e[0])).toBeLessThan(1e-5);
        expect(Math.abs(d[1] + e[1])).toBeLessThan(1e-5);
      }
    });
  }

  it('stays antisymmetric with a moving object and noise', () => {
    // The object occupies [x0, x0+w) x [y0, y0+h) in A and moves by its own pure translation, so in B it
    // occupies the shifted rectangle and moves back by the negated translation.
    const obj: Sim = { tx: -3, ty: 2, logScale: 0, rotation: 0 };
    const [x0, y0, w, h] = [20, 10, 90, 50]; // 28% of the frame
    const fwdFlow = simField(COMBINED, rect(x0, y0, w, h, obj));
    const bwdFlow = simField(inverse(COMBINED), rect(x0 + obj.tx, y0 + obj.ty, w, h, inverse(obj)));
    addNoise(fwdFlow, 0.3, 31);
    addNoise(bwdFlow, 0.3, 32);
    const fwd = fitCamera(fwdFlow);
    const bwd = fitCamera(bwdFlow);
    report('reversal fwd', fwd, COMBINED);
    report('reversal bwd', bwd, inverse(COMBINED));
    // Measured: logScale sum -2.7e-4, rotation sum -1.7e-4: independent noise in the two directions
    // (over 200 seeds the logScale sum averaged 5e-6 with rms 2.4e-4, i.e. no bias).
    expect(Math.abs(fwd.logScale + bwd.logScale)).toBeLessThan(6e-4);
    expect(Math.abs(fwd.rotation + bwd.rotation)).toBeLessThan(6e-4);
  });

  it('fits the negated field with exactly negated translation', () => {
    const flow = simField(COMBINED, rect(10, 8, 90, 50, { tx: -2.5, ty: 2, logScale: 0, rotation: 0 }));
    addNoise(flow, 0.3, 41);
    const neg: FlowField = { width: W, height: H, u: flow.u.map((x) => -x), v: flow.v.map((x) => -x) };
    const a = fitCamera(flow);
    const b = fitCamera(neg);
    // Medians, quantiles and sums are all exactly odd under negation, so this is bitwise.
    expect(b.tx).toBe(-a.tx);
    expect(b.ty).toBe(-a.ty);
    expect(b.inlierFraction).toBe(a.inlierFraction);
    // Zoom and roll flip only to first order: ln(1 - a) = -ln(1 + a) - a^2 + ...
    expect(Math.abs(a.logScale + b.logScale)).toBeLessThan(2 * a.logScale * a.logScale + a.rotation * a.rotation);
    expect(Math.abs(a.rotation + b.rotation)).toBeLessThan(4 * Math.abs(a.logScale * a.rotation));
  });
});

describe('residualFlow and cameraDisplacement', () => {
  it('predicts the displacement of the model', () => {
    const d = new Float64Array(2);
    for (const [x, y] of [
      [0, 0],
      [169, 95],
      [84.5, 47.5],
      [12.25, 80],
    ] as const) {
      cameraDisplacement({ ...COMBINED, inlierFraction: 1 }, W, H, x, y, d);
      const [px, py] = apply(COMBINED, x, y);
      expect(d[0]).toBeCloseTo(px - x, 12);
      expect(d[1]).toBeCloseTo(py - y, 12);
    }
  });

  it('writes into out, also in place, and checks sizes', () => {
    const flow = simField(COMBINED);
    const cam: CameraMotion = { ...COMBINED, inlierFraction: 1 };
    const out: FlowField = { width: W, height: H, u: new Float32Array(W * H), v: new Float32Array(W * H) };
    expect(residualFlow(flow, cam, out)).toBe(out);
    const fresh = residualFlow(flow, cam);
    expect(fresh).not.toBe(flow);
    expect(Array.from(fresh.u)).toEqual(Array.from(out.u));
    let worst = 0;
    for (let i = 0; i < W * H; i++) worst = Math.max(worst, Math.abs(out.u[i]), Math.abs(out.v[i]));
    expect(worst).toBeLessThan(1e-5);
    expect(residualFlow(flow, cam, flow)).toBe(flow);
    expect(Array.from(flow.v)).toEqual(Array.from(out.v));
    const small: FlowField = { width: 10, height: 10, u: new Float32Array(100), v: new Float32Array(100) };
    expect(() => residualFlow(flow, cam, small)).toThrow(RangeError);
  });
});

describe('fitCamera options and edge cases', () => {
  it('accepts explicit step, border and iterations', () => {
    const flow = simField(COMBINED);
    expect(frameError(fitCamera(flow, { step: 1, border: 0 }), COMBINED)).toBeLessThan(1e-5);
    expect(frameError(fitCamera(flow, { step: 7, border: 20, iterations: 2 }), COMBINED)).toBeLessThan(1e-5);
    // The start alone (no IRLS) is already exact on an exact field.
    expect(frameError(fitCamera(flow, { iterations: 0 }), COMBINED)).toBeLessThan(1e-4);
    // A border past the middle is clamped rather than leaving no samples.
    expect(fitCamera(flow, { border: 500 }).inlierFraction).toBe(1);
  });

  it('rejects bad options and malformed fields', () => {
    const flow = simField(ZERO);
    expect(() => fitCamera(flow, { step: 0 })).toThrow(RangeError);
    expect(() => fitCamera(flow, { step: 1.5 })).toThrow(RangeError);
    expect(() => fitCamera(flow, { iterations: -1 })).toThrow(RangeError);
    expect(() => fitCamera(flow, { border: -2 })).toThrow(RangeError);
    expect(() => fitCamera({ width: W, height: H, u: new Float32Array(3), v: flow.v })).toThrow(RangeError);
  });

  it('handles tiny and all-invalid fields', () => {
    const tiny: FlowField = { width: 3, height: 2, u: new Float32Array(6), v: new Float32Array(6) };
    tiny.u.fill(1.5);
    tiny.v.fill(-0.5);
    const fit = fitCamera(tiny);
    expect(fit.tx).toBeCloseTo(1.5, 9);
    expect(fit.ty).toBeCloseTo(-0.5, 9);
    expect(fit.logScale).toBeCloseTo(0, 9);
    const nan: FlowField = { width: 4, height: 4, u: new Float32Array(16).fill(NaN), v: new Float32Array(16) };
    expect(fitCamera(nan)).toEqual({ tx: 0, ty: 0, logScale: 0, rotation: 0, inlierFraction: 0 });
  });
});
