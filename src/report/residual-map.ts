// Residual (object) motion of one frame pair as a picture: the scan's flow + camera fit, drawn as a heat map.

import { movingThresholdPx } from '../cues/units.js';
import { fitCamera, residualFlow } from '../flow/camera.js';
import type { DisFlow } from '../flow/dis.js';
import type { GrayImage } from '../flow/types.js';

/** Object speed per cell of the flow grid, in short sides per second, and the speed above which a cell moves. */
export interface ResidualSpeedMap {
  width: number;
  height: number;
  speed: Float32Array;
  /** The scan's `moving` threshold in the same unit (see cues/units.ts). */
  movingSpeed: number;
}

/**
 * Object motion a -> b exactly as the cues see it: DIS flow on its native grid, the robust camera fit,
 * the residual after removing the camera, and the cues' moving threshold; speeds in short sides/s.
 */
export function residualSpeedMap(a: GrayImage, b: GrayImage, fps: number, dis: DisFlow): ResidualSpeedMap {
  const flow = dis.calcNative(a, b);
  const residual = residualFlow(flow, fitCamera(flow));
  const shortSide = Math.min(flow.width, flow.height);
  const thresholdPx = movingThresholdPx(fps, shortSide, shortSide / Math.min(a.width, a.height));
  const k = fps / shortSide;
  const speed = new Float32Array(flow.width * flow.height);
  for (let i = 0; i < speed.length; i++) speed[i] = Math.hypot(residual.u[i], residual.v[i]) * k;
  return { width: flow.width, height: flow.height, speed, movingSpeed: thresholdPx * k };
}

/** Object speed (short sides/s) drawn in the brightest colour; a ball in free fall reaches it within a second. */
export const HEAT_FULL_SPEED = 1;

/** Brightness kept of the frame under the heat map, so that colour (motion) stands out from texture. */
const BASE_DIM = 0.35;
/** Opacity of the heat colour over moving pixels. */
const HEAT_ALPHA = 0.8;

// Inferno-like ramp: dark purple -> red -> orange -> pale yellow, perceptually increasing in brightness.
const RAMP: ReadonlyArray<readonly [number, number, number]> = [
  [87, 16, 110],
  [188, 55, 84],
  [249, 142, 9],
  [252, 255, 164],
];

/** The heat colour for `t` in 0..1 (linear between the ramp stops). */
export function heatColour(t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const a = RAMP[i];
  const b = RAMP[i + 1];
  return [
    Math.round(a[0] + (b[0] - a[0]) * f),
    Math.round(a[1] + (b[1] - a[1]) * f),
    Math.round(a[2] + (b[2] - a[2]) * f),
  ];
}

function sample(map: ResidualSpeedMap, gx: number, gy: number): number {
  const x = Math.max(0, Math.min(map.width - 1, gx));
  const y = Math.max(0, Math.min(map.height - 1, gy));
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const x1 = Math.min(map.width - 1, x0 + 1);
  const y1 = Math.min(map.height - 1, y0 + 1);
  const fx = x - x0;
  const fy = y - y0;
  const s = map.speed;
  const w = map.width;
  const top = s[y0 * w + x0] * (1 - fx) + s[y0 * w + x1] * fx;
  const bottom = s[y1 * w + x0] * (1 - fx) + s[y1 * w + x1] * fx;
  return top * (1 - fy) + bottom * fy;
}

/**
 * The frame (RGB, width x height) dimmed, with every pixel whose interpolated object speed exceeds the
 * moving threshold painted in the heat colour: from the ramp's dark end at the threshold to its bright
 * end at HEAT_FULL_SPEED and above. Still pixels stay dim, so a static background reads dark.
 */
export function heatOverlay(rgb: Uint8Array, width: number, height: number, map: ResidualSpeedMap): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  const span = Math.max(1e-6, HEAT_FULL_SPEED - map.movingSpeed);
  for (let y = 0; y < height; y++) {
    const gy = ((y + 0.5) * map.height) / height - 0.5;
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      const speed = sample(map, ((x + 0.5) * map.width) / width - 0.5, gy);
      if (speed > map.movingSpeed) {
        const c = heatColour((speed - map.movingSpeed) / span);
        // Mostly colour, a little of the frame so the moving thing keeps its outline and texture.
        out[p] = c[0] * HEAT_ALPHA + rgb[p] * (1 - HEAT_ALPHA);
        out[p + 1] = c[1] * HEAT_ALPHA + rgb[p + 1] * (1 - HEAT_ALPHA);
        out[p + 2] = c[2] * HEAT_ALPHA + rgb[p + 2] * (1 - HEAT_ALPHA);
      } else {
        out[p] = rgb[p] * BASE_DIM;
        out[p + 1] = rgb[p + 1] * BASE_DIM;
        out[p + 2] = rgb[p + 2] * BASE_DIM;
      }
    }
  }
  return out;
}
