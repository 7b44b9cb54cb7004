// Check: momentum. Rebounds lose speed, a moving body does not reverse in mid-air or jump across the picture.

import { BODY_COMPACT, checkResult, gridFocus, movingMask, oneBody, ramp } from '../motion.js';
import type { ClipSignals } from '../signals.js';
import type { Finding, PhysicsCheck } from '../types.js';

/** Thresholds in cue units (short sides/s), set on synthetic renders; see GRAVITY for how. */
export const MOMENTUM = Object.freeze({
  /** A rebound: the moving mass goes at least this fast before and after a reversal... */
  reboundSpeed: 0.2,
  /** ...and reverses within this many pairs (a smooth turn at the top of a throw takes many). */
  reboundPairs: 2,
  /** Speed after / before a rebound: a gain in log ratio ramps the strength from lo to hi. */
  gainLo: Math.log(1.15),
  gainHi: Math.log(1.6),
  /** A single rebound must gain more than a series of them to count as much. */
  singleGainLo: Math.log(1.35),
  singleGainHi: Math.log(2.2),
  /** An upward motion turning downwards this abruptly, this fast both ways, hit something above or nothing. */
  apexSpeed: 0.4,
  /** Jump of one body in one pair beyond what its flow carries, in cells of the 8x8 grid: ramps from lo to hi. */
  jumpLo: 4,
  jumpHi: 6,
});

type Axis = 'vx' | 'vy';

/** The axis the moving mass travels most along (energy-weighted). */
function mainAxis(s: ClipSignals, moving: Uint8Array): Axis {
  let x = 0;
  let y = 0;
  for (let t = 0; t < s.pairs; t++) {
    if (!moving[t]) continue;
    x += s.energy[t] * s.vx[t] ** 2;
    y += s.energy[t] * s.vy[t] ** 2;
  }
  return x > y ? 'vx' : 'vy';
}

/** Abrupt reversals along `axis` where the mass is fast on both sides: [pair before, pair after, speed before, speed after]. */
export function rebounds(s: ClipSignals, axis: Axis): [number, number, number, number][] {
  const v = s[axis];
  const moving = movingMask(s);
  const out: [number, number, number, number][] = [];
  let t = 0;
  while (t < s.pairs - 1) {
    const sign = Math.sign(v[t]);
    if (!moving[t] || Math.abs(v[t]) < MOMENTUM.reboundSpeed || sign === 0) {
      t++;
      continue;
    }
    // First pair after t, within reach, going fast the other way.
    let u = -1;
    for (let k = t + 1; k <= Math.min(s.pairs - 1, t + MOMENTUM.reboundPairs); k++) {
      if (moving[k] && Math.sign(v[k]) === -sign && Math.abs(v[k]) >= MOMENTUM.reboundSpeed) {
        u = k;
        break;
      }
      // Still going the first way: the reversal has not started yet.
      if (Math.sign(v[k]) === sign && Math.abs(v[k]) >= MOMENTUM.reboundSpeed) break;
    }
    if (u < 0) {
      t++;
      continue;
    }
    // Only one compact body's rebound says anything: limbs and crowds reverse all the time.
    if (!oneBody(s, t) || !oneBody(s, u)) {
      t = u;
      continue;
    }
    const before = Math.max(...[t - 1, t].filter((k) => k >= 0 && Math.sign(v[k]) === sign).map((k) => Math.abs(v[k])));
    const after = Math.max(
      ...[u, u + 1].filter((k) => k < s.pairs && Math.sign(v[k]) === -sign).map((k) => Math.abs(v[k])),
    );
    out.push([t, u, before, after]);
    t = u;
  }
  return out;
}

/** Rebounds along the main axis that give the mass more speed than it came in with: energy from nothing. */
export function energyGain(s: ClipSignals): { finding: Finding | null; rebounds: number } {
  const moving = movingMask(s);
  const axis = mainAxis(s, moving);
  const rs = rebounds(s, axis);
  if (rs.length === 0) return { finding: null, rebounds: 0 };
  const logs = rs.map(([, , b, a]) => Math.log(a / b));
  const mean = logs.reduce((x, y) => x + y, 0) / logs.length;
  const strength =
    rs.length >= 2
      ? ramp(mean, MOMENTUM.gainLo, MOMENTUM.gainHi)
      : ramp(mean, MOMENTUM.singleGainLo, MOMENTUM.singleGainHi);
  const gains = logs.filter((l) => l > 0).length;
  return {
    rebounds: rs.length,
    finding: {
      kind: 'rebound_gains_speed',
      strength,
      reversal: true,
      pairs: [rs[0][0], rs[rs.length - 1][1]],
      values: {
        rebounds: rs.length,
        mean_speed_ratio: Math.exp(mean),
        rebounds_gaining: gains,
        axis_vertical: axis === 'vy' ? 1 : 0,
      },
      explanation: `${gains} of ${rs.length} rebound${rs.length > 1 ? 's' : ''} (${axis === 'vy' ? 'up-down' : 'left-right'}) leave faster than they came in (mean speed ratio ${Math.exp(mean).toFixed(2)}): impacts lose energy, so each rebound should be slower`,
    },
  };
}

/** A rising mass that turns downwards within a pair or two at speed: a free body slows to a stop at the top first. */
export function apexFlips(s: ClipSignals): Finding[] {
  const out: Finding[] = [];
  for (const [t, u, before, after] of rebounds(s, 'vy')) {
    if (s.vy[t] >= 0) continue; // only up -> down
    const speed = Math.min(before, after);
    if (speed < MOMENTUM.apexSpeed) continue;
    out.push({
      kind: 'reverses_in_mid_air',
      strength: ramp(speed, MOMENTUM.apexSpeed, MOMENTUM.apexSpeed * 2),
      reversal: false,
      pairs: [t, u],
      values: { speed_up: before, speed_down: after },
      explanation: `the moving mass goes up at ${before.toFixed(2)} and turns down at ${after.toFixed(2)} short sides/s within ${u - t} pair${u - t > 1 ? 's' : ''}: a rising body slows to a stop before it falls, unless it hits something above`,
    });
  }
  return out;
}

/** One compact body whose place on the 8x8 grid jumps further in one pair than its own flow can carry it. */
export function jumps(s: ClipSignals): Finding[] {
  const moving = movingMask(s);
  const out: Finding[] = [];
  for (let t = 0; t + 1 < s.pairs; t++) {
    if (!moving[t] || !moving[t + 1]) continue;
    if (!oneBody(s, t) || !oneBody(s, t + 1)) continue;
    const a = gridFocus(s, t);
    const b = gridFocus(s, t + 1);
    if (a.compact < BODY_COMPACT + 0.2 || b.compact < BODY_COMPACT + 0.2) continue;
    const ratio = s.movingFrac[t + 1] / Math.max(s.movingFrac[t], 1e-9);
    if (ratio < 0.5 || ratio > 2) continue; // the moving mass changed: another body started or stopped
    // Grid cells are 1/8 of the frame; the flow carries the body speed / fps short sides per pair.
    const cells = Math.max(
      Math.abs(Math.floor(a.cell / 8) - Math.floor(b.cell / 8)),
      Math.abs((a.cell % 8) - (b.cell % 8)),
    );
    const carried = (Math.max(Math.hypot(s.vx[t], s.vy[t]), Math.hypot(s.vx[t + 1], s.vy[t + 1])) / s.fps) * 8;
    const excess = cells - carried;
    if (excess < MOMENTUM.jumpLo) continue;
    // Two bodies taking turns at being the fastest is not a jump: the old place must be still afterwards.
    const blockSpeed = (cell: number, at: number): number => {
      let m = 0;
      for (let r = Math.max(0, Math.floor(cell / 8) - 1); r <= Math.min(7, Math.floor(cell / 8) + 1); r++) {
        for (let c = Math.max(0, (cell % 8) - 1); c <= Math.min(7, (cell % 8) + 1); c++)
          m += Math.hypot(s.gridU[r * 8 + c][at], s.gridV[r * 8 + c][at]);
      }
      return m;
    };
    if (blockSpeed(a.cell, t + 1) > 0.2 * blockSpeed(b.cell, t + 1)) continue;
    out.push({
      kind: 'jumps',
      strength: ramp(excess, MOMENTUM.jumpLo, MOMENTUM.jumpHi),
      reversal: false,
      pairs: [t, t + 1],
      values: { grid_cells_jumped: cells, flow_cells: carried },
      explanation: `the moving body jumps ${cells} cells of an 8x8 grid in one pair while its own flow carries it ${carried.toFixed(1)}: a moving body does not teleport`,
    });
  }
  return out;
}

export const momentum: PhysicsCheck = Object.freeze<PhysicsCheck>({
  name: 'momentum',
  description:
    'Momentum and energy: rebounds leave slower than they came in; a moving mass does not reverse in mid-air or jump without contact.',
  run(ctx) {
    const s = ctx.signals;
    const gain = energyGain(s);
    const findings = [...apexFlips(s), ...jumps(s)];
    if (gain.finding) findings.push(gain.finding);
    const moving = movingMask(s).reduce((a, b) => a + b, 0);
    const judged = moving >= Math.max(4, 0.3 * s.fps);
    return checkResult('momentum', s, findings, judged, {
      values: {
        rebounds: gain.rebounds,
        moving_s: moving / s.fps,
        ...(gain.finding ? { mean_speed_ratio: gain.finding.values.mean_speed_ratio } : {}),
      },
      explanation: judged
        ? gain.rebounds > 0
          ? `${gain.rebounds} rebound${gain.rebounds > 1 ? 's' : ''} lose speed as impacts should; no reversal in mid-air, no jump`
          : 'the moving mass keeps its course: no rebound gaining speed, no reversal in mid-air, no jump'
        : 'too little motion to judge momentum',
    });
  },
});
