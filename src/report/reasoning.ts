// Plain-language reading of one clip's cue summaries and model output: what was measured, which way it points.

import { STILL_ENERGY } from '../cues/summaries.js';
import { REVERSED_IN_CORPUS_P } from '../model/onnx.js';

/**
 * Sizes from which a summary is worth a sentence. Set by looking at the synthetic sample clips in samples/
 * (drop: median_res_ay +0.88, energy_trend -1.1; slide: energy_trend -1.9, onset -0.67; swing: periodicity
 * 1.0, median_res_ay -0.34, trend -0.03), never from real-dev. Below them the line says the cue is level.
 */
export const REASON_THRESHOLDS = Object.freeze({
  /** |median_res_ay|, short sides/s². */
  verticalAcceleration: 0.5,
  /** |mean_res_vy|, short sides/s. */
  verticalVelocity: 0.1,
  /** |energy_trend|, 1 per clip. */
  energyTrend: 0.5,
  /** |onset_decay_asymmetry|, -1..1. */
  onsetDecay: 0.25,
  /** |mean_res_div|, 1/s. */
  divergence: 0.3,
  /** periodicity, 0..1. */
  periodicity: 0.6,
  /** camera_share, 0..1. */
  cameraShare: 0.5,
  /** |p_forward - 0.5| below which the arrow of time is called unclear. */
  arrowMargin: 0.15,
});

/** The model's columns of a clip row (see pipeline/rows.ts predictionColumns), as far as the reasoning reads them. */
export interface PredictionCells {
  verdict: string;
  p_invariant: number;
  p_equivariant: number;
  p_irreversible: number;
  p_forward: number;
  confidence: number;
}

const num = (x: number, digits = 2): string => (Math.abs(x) < 0.005 && digits === 2 ? x.toFixed(3) : x.toFixed(digits));
const signed = (x: number, digits = 2): string => `${x >= 0 ? '+' : '−'}${num(Math.abs(x), digits)}`;
const percent = (x: number): string => `${Math.round(x * 100)}%`;

function energyLine(s: Record<string, number>): string {
  const T = REASON_THRESHOLDS;
  const trend = s.energy_trend ?? 0;
  const onset = s.onset_decay_asymmetry ?? 0;
  const cues = `energy_trend ${signed(trend)} per clip, onset_decay_asymmetry ${signed(onset)}`;
  if (trend <= -T.energyTrend || onset <= -T.onsetDecay) {
    return `Object motion dies down over the window (${cues}); played backwards it would grow out of stillness.`;
  }
  if (trend >= T.energyTrend || onset >= T.onsetDecay) {
    return `Object motion builds up over the window (${cues}); played backwards it would die down.`;
  }
  return `Object motion stays about level over the window (${cues}): no build-up or decay to tell the direction.`;
}

/**
 * A few sentences a person can check against the pictures: how much object motion there is, how much is the
 * camera's, which way the vertical motion, the energy trend and the spreading point, whether it is periodic,
 * and what the model said. It reports measured cues and their sign under reversal; it does not name causes.
 * @example
 * explainClip({ mean_energy_residual: 0.02, median_res_ay: 0.9, ... }, null)
 * // ['Object motion: mean 0.020 short sides/s ...', 'Median vertical acceleration of the moving mass +0.90 ...', ...]
 */
export function explainClip(s: Record<string, number>, prediction: PredictionCells | null): string[] {
  const T = REASON_THRESHOLDS;
  const lines: string[] = [];
  const energy = s.mean_energy_residual ?? 0;
  const total = s.mean_energy_total ?? 0;
  const camera = s.camera_share ?? 0;
  if (energy <= STILL_ENERGY) {
    lines.push(
      `Almost no object motion: mean residual energy ${num(energy, 4)} short sides/s (below ${STILL_ENERGY}); the direction cues would only describe flow noise, so they are left out.`,
    );
    if (total > 10 * STILL_ENERGY) {
      lines.push(
        `The picture does move (mean total flow ${num(total, 3)} short sides/s), but the camera fit (pan, zoom, roll) accounts for it.`,
      );
    }
  } else {
    lines.push(
      `Object motion: mean ${num(energy, 3)}, peak ${num(s.peak_energy_residual ?? 0, 3)} short sides/s; on average ${percent(s.mean_moving_frac ?? 0)} of the picture moves.`,
    );
    if (camera >= T.cameraShare)
      lines.push(
        `${percent(camera)} of the image motion is the camera's (pan, zoom, roll); it is removed before every residual cue.`,
      );
    const ay = s.median_res_ay ?? 0;
    if (ay >= T.verticalAcceleration) {
      lines.push(
        `Median vertical acceleration of the moving mass ${signed(ay)} short sides/s², downward: the sign gravity gives to falling motion (acceleration keeps its sign under reversal, so this alone does not give the direction).`,
      );
    } else if (ay <= -T.verticalAcceleration) {
      lines.push(
        `Median vertical acceleration of the moving mass ${signed(ay)} short sides/s², upward: against gravity, which falling motion does not show forwards or backwards.`,
      );
    } else {
      lines.push(`No steady vertical acceleration of the moving mass (median ${signed(ay)} short sides/s²).`);
    }
    const vy = s.mean_res_vy ?? 0;
    if (Math.abs(vy) >= T.verticalVelocity) {
      lines.push(
        `The moving mass goes ${vy > 0 ? 'down' : 'up'} on average (${signed(vy)} short sides/s, energy-weighted); played backwards it would go ${vy > 0 ? 'up' : 'down'}.`,
      );
    }
    lines.push(energyLine(s));
    const div = s.mean_res_div ?? 0;
    if (Math.abs(div) >= T.divergence) {
      lines.push(
        `Object motion ${div > 0 ? 'spreads out' : 'converges'} (mean divergence ${signed(div)} /s); played backwards it would ${div > 0 ? 'converge' : 'spread out'}.`,
      );
    }
    const periodicity = s.periodicity ?? 0;
    if (periodicity >= T.periodicity) {
      lines.push(
        `Strongly periodic motion (periodicity ${num(periodicity)}, period ${num(s.period_s ?? 0)} s): a repeated movement looks much the same played either way.`,
      );
    }
  }
  lines.push(
    `Forward/backward asymmetry of the summaries ${num(s.fb_asymmetry ?? 0)} (0 = the clip's summaries are the same played backwards, 1 = entirely different).`,
  );
  if (prediction) {
    const p = prediction;
    const margin = p.p_forward - 0.5;
    const arrow =
      Math.abs(margin) < T.arrowMargin
        ? 'no clear direction'
        : margin > 0
          ? 'reads as playing forwards'
          : 'reads as playing backwards';
    lines.push(
      `Model: ${p.verdict} (p ${p.confidence.toFixed(2)}; invariant ${p.p_invariant.toFixed(2)}, equivariant ${p.p_equivariant.toFixed(2)}, irreversible ${p.p_irreversible.toFixed(2)}); p_forward ${p.p_forward.toFixed(2)}: ${arrow}.`,
    );
    if (p.p_forward < REVERSED_IN_CORPUS_P)
      lines.push(`p_forward is below ${REVERSED_IN_CORPUS_P}: the clip is probably already reversed in the corpus.`);
  } else {
    lines.push('No model ran (--model none, or the model file is missing): no verdict, only the measured cues.');
  }
  return lines;
}
