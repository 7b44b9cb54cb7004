// Test helper: cue signals of one body moving along a known path, as the scan would measure them.

import { GRID } from '../../src/cues/index.js';
import { makeSignals, type ClipSignals } from '../../src/physics/signals.js';

/** Position (fraction of the frame, y down) per frame; the signals are per pair (frame t -> t+1). */
export type Path = readonly (readonly [number, number])[];

/**
 * Signals of one compact body following `path` at `fps`: its velocity (short sides/s, frame taken as square)
 * on the moving-mass columns and on the grid cell it is in (60 %) and the 8 around it (5 % each). `flow` replaces
 * the measured flow of a pair (default: the displacement).
 */
export function bodySignals(
  path: Path,
  fps = 24,
  opts: { flow?: (t: number, u: number, v: number) => readonly [number, number] } = {},
): ClipSignals {
  const pairs = path.length - 1;
  const vx: number[] = [];
  const vy: number[] = [];
  const moving: number[] = [];
  const energy: number[] = [];
  const cx: number[] = [];
  const cy: number[] = [];
  for (let t = 0; t < pairs; t++) {
    const du = (path[t + 1][0] - path[t][0]) * fps;
    const dv = (path[t + 1][1] - path[t][1]) * fps;
    // What optical flow measures may differ from the displacement (a body that teleports is not tracked).
    const [u, v] = opts.flow ? opts.flow(t, du, dv) : [du, dv];
    const speed = Math.hypot(u, v);
    const on = speed >= 0.1;
    vx.push(on ? u : 0);
    vy.push(on ? v : 0);
    moving.push(on ? 0.02 : 0);
    energy.push(on ? speed * 0.02 : 0);
    cx.push(on ? path[t][0] : 0.5);
    cy.push(on ? path[t][1] : 0.5);
  }
  const s = makeSignals({ vx, vy, movingFrac: moving, energy, cx, cy, fps, intensity: Array(pairs).fill(0.02) });
  for (let t = 0; t < pairs; t++) {
    if (!moving[t]) continue;
    const r0 = Math.min(GRID - 1, Math.floor(path[t][1] * GRID));
    const c0 = Math.min(GRID - 1, Math.floor(path[t][0] * GRID));
    for (let r = Math.max(0, r0 - 1); r <= Math.min(GRID - 1, r0 + 1); r++) {
      for (let c = Math.max(0, c0 - 1); c <= Math.min(GRID - 1, c0 + 1); c++) {
        const share = r === r0 && c === c0 ? 0.6 : 0.05;
        s.gridU[r * GRID + c][t] = vx[t] * share;
        s.gridV[r * GRID + c][t] = vy[t] * share;
      }
    }
  }
  return s;
}

/** Frames of `seconds` at `fps`, with time in seconds, mapped through `f`. */
export function pathOf(seconds: number, fps: number, f: (t: number) => readonly [number, number]): Path {
  return Array.from({ length: Math.round(seconds * fps) + 1 }, (_, i) => f(i / fps));
}

/** A ball dropped from rest at y0 with gravity g (short sides/s²), bouncing with restitution e on the floor at y = floor. */
export function dropPath(
  opts: { seconds?: number; fps?: number; y0?: number; floor?: number; g?: number; e?: number; hold?: number } = {},
): Path {
  const { seconds = 3, fps = 24, y0 = 0.1, floor = 0.85, g = 4, e = 0.55, hold = 0.3 } = opts;
  return pathOf(seconds, fps, (time) => {
    let t = time - hold;
    if (t <= 0) return [0.5, y0];
    let y = y0;
    let v = 0;
    for (let k = 0; k < 20; k++) {
      const land = (-v + Math.sqrt(v * v + 2 * g * (floor - y))) / g;
      if (t < land) return [0.5, y + v * t + 0.5 * g * t * t];
      t -= land;
      const impact = v + g * land;
      y = floor;
      v = -e * impact;
      if (Math.abs(v) < 0.3) return [0.5, floor];
    }
    return [0.5, floor];
  });
}
