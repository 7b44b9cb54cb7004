// Cue curves as one inline SVG: small multiples of motion energy, vertical velocity, acceleration and divergence.

import { UsageError, expected } from '../errors.js';
import { escapeXml, formatNumber, niceStep } from './svg.js';
import type { NamedSeries } from '../outputs/series-file.js';

export type { NamedSeries };

/** Options of {@link cueCurvesSvg}. */
export interface CueCurvesOptions {
  /** Pixel size of the SVG (defaults 720 x 440). */
  width?: number;
  height?: number;
  /** Analysis frame rate of the series, pairs per second (default 24, the scan's default; pass the row's analysis_fps). */
  fps?: number;
  /** Clip time of the window's start, added to the time axis (default 0: time within the analysed window). */
  startS?: number;
  /** A heading drawn above the panels (escaped), e.g. the clip id. */
  title?: string;
}

/** One panel: the cue column drawn and how it is labelled. */
export interface CurvePanel {
  column: string;
  label: string;
  unit: string;
  /** Signed values get a range symmetric about zero. */
  signed: boolean;
}

/** The panels, top to bottom (column names from src/cues/: motion-energy, residual-velocity, residual-acceleration, divergence-curl). */
export const CURVE_PANELS: readonly CurvePanel[] = Object.freeze([
  {
    column: 'energy_residual',
    label: 'motion energy (object motion, camera removed)',
    unit: 'short sides/s',
    signed: false,
  },
  { column: 'res_vy', label: 'vertical velocity of the moving mass (+ = down)', unit: 'short sides/s', signed: true },
  {
    column: 'res_ay',
    label: 'vertical acceleration of the moving mass (+ = down)',
    unit: 'short sides/s²',
    signed: true,
  },
  { column: 'res_div', label: 'divergence of object motion (+ = spreading)', unit: '1/s', signed: true },
]);

const FONT = 'font-family="DejaVu Sans, Arial, sans-serif"';
const LEFT = 56;
const RIGHT = 12;
const PANEL_HEAD = 17;
const PANEL_GAP = 8;
const AXIS = 34;
const COLOURS = ['#1f5fa8', '#2a8a3e', '#c0392b', '#8e44ad'];

function checkSize(value: number, name: string, min: number): number {
  if (!Number.isInteger(value) || value < min || value > 10_000)
    throw new UsageError(expected(`an integer from ${min} to 10000`, name, value));
  return value;
}

function text(x: number, y: number, s: string, attrs = '', size = 11, fill = '#333333'): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${FONT} font-size="${size}" fill="${fill}"${attrs}>${escapeXml(s)}</text>`;
}

function column(series: NamedSeries, index: number): Float64Array {
  const F = series.columns.length;
  const out = new Float64Array(series.frames);
  for (let t = 0; t < series.frames; t++) {
    const v = series.data[t * F + index];
    out[t] = Number.isFinite(v) ? v : 0;
  }
  return out;
}

/** The checked size, rate and start of a drawing. */
function checkCurveInputs(
  series: NamedSeries,
  opts: CueCurvesOptions,
): { width: number; height: number; fps: number; startS: number } {
  const width = checkSize(opts.width ?? 720, 'width', 200);
  const height = checkSize(opts.height ?? 440, 'height', 160);
  const fps = opts.fps ?? 24;
  if (!(fps > 0) || !Number.isFinite(fps)) throw new UsageError(expected('a positive frame rate', 'fps', opts.fps));
  const startS = opts.startS ?? 0;
  if (!Number.isFinite(startS)) throw new UsageError(expected('a finite number of seconds', 'startS', opts.startS));
  const T = series.frames;
  if (!Number.isInteger(T) || T < 0) throw new UsageError(expected('a non-negative integer', 'series frames', T));
  if (series.data.length !== T * series.columns.length) {
    throw new UsageError(
      expected(
        `${T} x ${series.columns.length} = ${T * series.columns.length} values`,
        'series data',
        `${series.data.length} values`,
      ),
    );
  }
  return { width, height, fps, startS };
}

/** Where the panels sit and how time maps to x, shared by every panel and the time axis. */
interface PlotFrame {
  top: number;
  plotW: number;
  plotH: number;
  fps: number;
  duration: number;
  /** Time-tick spacing, seconds. */
  step: number;
  xOf: (s: number) => number;
}

/** A panel's y range: from the values' minimum to maximum with zero included, symmetric when signed, never empty. */
function panelRange(values: Float64Array, signed: boolean): { lo: number; hi: number } {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (signed) {
    const m = Math.max(-lo, hi);
    lo = -m;
    hi = m;
  }
  // A flat series still needs a range to draw in.
  if (hi - lo < 1e-9) hi = lo + 1;
  return { lo, hi };
}

/** Panel p's SVG, appended to `out`: heading, box, time grid, and the curve with its axis or why there is none. */
function pushPanel(out: string[], series: NamedSeries, panel: CurvePanel, p: number, f: PlotFrame): void {
  const { plotW, plotH, duration, xOf } = f;
  const y0 = f.top + p * (PANEL_HEAD + plotH + PANEL_GAP) + PANEL_HEAD;
  out.push(`<g class="panel" data-column="${escapeXml(panel.column)}">`);
  out.push(text(LEFT, y0 - 5, `${panel.label}, ${panel.unit}`, ' font-weight="bold"'));
  out.push(
    `<rect x="${LEFT}" y="${y0}" width="${plotW}" height="${plotH}" fill="#fafafa" stroke="#bbbbbb" stroke-width="1"/>`,
  );
  // Time grid on every panel, so the small multiples line up by eye.
  for (let s = f.step; duration > 0 && s < duration - 1e-9; s += f.step) {
    out.push(
      `<line x1="${xOf(s).toFixed(1)}" y1="${y0}" x2="${xOf(s).toFixed(1)}" y2="${y0 + plotH}" stroke="#e4e4e4" stroke-width="1"/>`,
    );
  }
  const index = series.columns.indexOf(panel.column);
  if (index < 0 || series.frames === 0) {
    const why = index < 0 ? `this series has no ${panel.column} column` : 'no frame pairs to draw';
    out.push(text(LEFT + plotW / 2, y0 + plotH / 2 + 4, why, ' text-anchor="middle"', 11, '#888888'));
    out.push('</g>');
    return;
  }
  const values = column(series, index);
  const { lo, hi } = panelRange(values, panel.signed);
  const yOf = (v: number): number => y0 + plotH - ((v - lo) / (hi - lo)) * plotH;
  out.push(
    `<line class="zero" x1="${LEFT}" y1="${yOf(0).toFixed(1)}" x2="${LEFT + plotW}" y2="${yOf(0).toFixed(1)}" stroke="#777777" stroke-width="1" stroke-dasharray="4 3"/>`,
  );
  out.push(text(LEFT - 4, y0 + 9, formatNumber(hi), ' text-anchor="end"'));
  out.push(text(LEFT - 4, yOf(0) + 4, '0', ' text-anchor="end"'));
  if (panel.signed) out.push(text(LEFT - 4, y0 + plotH, formatNumber(lo), ' text-anchor="end"'));
  const points = Array.from(values, (v, t) => `${xOf((t + 0.5) / f.fps).toFixed(1)},${yOf(v).toFixed(1)}`).join(' ');
  out.push(
    `<polyline points="${points}" fill="none" stroke="${COLOURS[p % COLOURS.length]}" stroke-width="1.5" stroke-linejoin="round"/>`,
  );
  out.push('</g>');
}

/** The time axis under the last panel, appended to `out`: ticks in clip seconds (window start added) and a caption. */
function pushTimeAxis(out: string[], f: PlotFrame, startS: number): void {
  const panels = CURVE_PANELS.length;
  const axisY = f.top + panels * (PANEL_HEAD + f.plotH) + (panels - 1) * PANEL_GAP;
  for (let s = 0; f.duration > 0 && s <= f.duration + 1e-9; s += f.step) {
    const x = f.xOf(s);
    out.push(
      `<line x1="${x.toFixed(1)}" y1="${axisY}" x2="${x.toFixed(1)}" y2="${axisY + 4}" stroke="#777777" stroke-width="1"/>`,
    );
    out.push(text(x, axisY + 15, formatNumber(Number((startS + s).toFixed(6))), ' text-anchor="middle"'));
  }
  out.push(
    text(
      LEFT + f.plotW / 2,
      axisY + 29,
      startS === 0 ? 'time in the analysed window (s)' : 'time in the clip (s)',
      ' text-anchor="middle"',
    ),
  );
}

/**
 * One self-contained SVG (no external references, every text escaped) with a panel per cue of
 * {@link CURVE_PANELS}: the curve over time in seconds (pair t sits at (t + 0.5) / fps, between its two
 * frames), a y axis with its range and unit, a dashed zero line, and time ticks under the last panel.
 * A column the series lacks gets an empty panel that says so.
 * @throws UsageError when data does not hold frames x columns values, or for a bad size or rate.
 * @example
 * const svg = cueCurvesSvg(await readClipSeries('out/samples', row), { fps: row.analysis_fps });
 */
export function cueCurvesSvg(series: NamedSeries, opts: CueCurvesOptions = {}): string {
  const { width, height, fps, startS } = checkCurveInputs(series, opts);
  const top = opts.title !== undefined ? 24 : 6;
  const plotW = width - LEFT - RIGHT;
  const panels = CURVE_PANELS.length;
  const plotH = Math.floor((height - top - AXIS - panels * PANEL_HEAD - (panels - 1) * PANEL_GAP) / panels);
  if (plotH < 12) {
    const min = top + AXIS + panels * (PANEL_HEAD + 12) + (panels - 1) * PANEL_GAP;
    throw new UsageError(expected(`a height of at least ${min} px`, 'height', height));
  }
  const duration = series.frames / fps;
  const xOf = (s: number): number => LEFT + (duration > 0 ? (s / duration) * plotW : 0);
  const step = niceStep(duration, Math.max(2, Math.floor(plotW / 80)));
  const frame: PlotFrame = { top, plotW, plotH, fps, duration, step, xOf };

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
  );
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  if (opts.title !== undefined) out.push(text(LEFT, 16, opts.title, ' font-weight="bold"', 13, '#111111'));
  CURVE_PANELS.forEach((panel, p) => {
    pushPanel(out, series, panel, p, frame);
  });
  pushTimeAxis(out, frame, startS);
  out.push('</svg>');
  return out.join('');
}
