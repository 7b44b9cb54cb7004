// SVG charts for the HTML report (bar charts and stacked histograms) and the arithmetic behind them.

import { escapeAttr, escapeHtml } from './escape.js';

/** Fixed colours per verdict and decision; other categories take the palette in order. */
export const CATEGORY_COLORS: Readonly<Record<string, string>> = Object.freeze({
  invariant: '#2a9d8f',
  equivariant: '#e9a23b',
  irreversible: '#d1495b',
  reverse_keep_label: '#2a9d8f',
  reverse_swap_label: '#e9a23b',
  exclude: '#d1495b',
});
const PALETTE = ['#457b9d', '#8d6a9f', '#6a994e', '#bc6c25', '#577590', '#9c6644', '#4d908e', '#b5838d'];
const OTHER = '#8a8f98';

/** The colour of a category (a verdict, a decision, or anything else by its position). */
export function categoryColor(name: string, index = 0): string {
  return CATEGORY_COLORS[name] ?? (name.startsWith('(') ? OTHER : PALETTE[index % PALETTE.length]);
}

/** A histogram over `bins` equal bins of [min, max]; values outside are counted apart, non-finite ones dropped. */
export interface Histogram {
  min: number;
  max: number;
  counts: number[];
  below: number;
  above: number;
}

/** An empty histogram; throws RangeError unless min < max and bins is a positive integer. */
export function emptyHistogram(min: number, max: number, bins: number): Histogram {
  if (!(Number.isFinite(min) && Number.isFinite(max) && min < max))
    throw new RangeError(`Expected min < max for a histogram range but received [${min}, ${max}]`);
  if (!Number.isInteger(bins) || bins < 1)
    throw new RangeError(`Expected a positive integer for histogram bins but received ${bins}`);
  return { min, max, counts: new Array<number>(bins).fill(0), below: 0, above: 0 };
}

/** The bin of `x`: 0..bins-1 inside [min, max] (max itself falls in the last bin), -1 below, `bins` above, null when not finite. */
export function binIndex(x: number, min: number, max: number, bins: number): number | null {
  if (!Number.isFinite(x)) return null;
  if (x < min) return -1;
  if (x > max) return bins;
  return Math.min(bins - 1, Math.floor(((x - min) / (max - min)) * bins));
}

/** Adds one value to a histogram (in place). */
export function addToHistogram(h: Histogram, x: number): void {
  const i = binIndex(x, h.min, h.max, h.counts.length);
  if (i === null) return;
  if (i < 0) h.below++;
  else if (i >= h.counts.length) h.above++;
  else h.counts[i]++;
}

/** Histogram of `values` over [min, max] in `bins` bins. */
export function histogram(values: Iterable<number>, min: number, max: number, bins: number): Histogram {
  const h = emptyHistogram(min, max, bins);
  for (const x of values) addToHistogram(h, x);
  return h;
}

/** The q-quantile (0..1, linear interpolation) of finite values; NaN when there are none. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const xs = Array.from(values)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (!xs.length) return Number.NaN;
  const pos = Math.min(1, Math.max(0, q)) * (xs.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(xs.length - 1, lo + 1);
  return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo);
}

/**
 * A display range for values: from the `lo` to the `hi` quantile (default 1 % and 99 % from 200 values
 * on, so a few outliers do not squash the chart; the full range below that), widened to a non-empty interval when all values are equal.
 * Null when there is no finite value.
 */
export function robustRange(
  values: ArrayLike<number>,
  lo = values.length < 200 ? 0 : 0.01,
  hi = values.length < 200 ? 1 : 0.99,
): { min: number; max: number } | null {
  let min = quantile(values, lo);
  let max = quantile(values, hi);
  if (!Number.isFinite(min) || !Number.isFinite(max)) return null;
  if (max - min < 1e-12 * Math.max(1, Math.abs(min))) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 0.5;
    min -= pad;
    max += pad;
  }
  return { min, max };
}

/** About `count` round tick values (steps of 1, 2 or 5 times a power of ten) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(Number.isFinite(min) && Number.isFinite(max)) || max <= min || count < 1) return [];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const m = raw / mag;
  const step = (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step)
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return ticks;
}

/** Short number text for axes and labels: 3 significant digits, exponent form for very small or large values. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(1);
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(3)));
}

/** One bar of a bar chart. */
export interface Bar {
  label: string;
  value: number;
  color?: string;
}

function svgOpen(width: number, height: number, title: string, cls: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart ${escapeAttr(cls)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeAttr(title)}"><title>${escapeHtml(title)}</title>`;
}

/**
 * A horizontal bar chart, one bar per category with its count and share.
 * @example
 * barChartSvg([{ label: 'invariant', value: 3 }, { label: 'irreversible', value: 5 }], { title: 'Verdicts' })
 */
export function barChartSvg(bars: readonly Bar[], opts: { title: string; width?: number }): string {
  const width = opts.width ?? 420;
  const rowH = 26;
  const labelW = 140;
  const countW = 90;
  const top = 22;
  const height = top + Math.max(1, bars.length) * rowH + 8;
  const total = bars.reduce((s, b) => s + Math.max(0, b.value), 0);
  const maxV = Math.max(1, ...bars.map((b) => b.value));
  const plotW = width - labelW - countW;
  let out = `${svgOpen(width, height, opts.title, 'bar-chart')}<text x="4" y="14" class="chart-title">${escapeHtml(opts.title)}</text>`;
  if (!bars.length) out += `<text x="4" y="${top + 16}" class="muted">no data</text>`;
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    const w = Math.max(b.value > 0 ? 1 : 0, (Math.max(0, b.value) / maxV) * plotW);
    const share = total > 0 ? ` (${((100 * b.value) / total).toFixed(1)} %)` : '';
    out += `<g class="bar" data-label="${escapeAttr(b.label)}" data-value="${b.value}">`;
    out += `<text x="${labelW - 6}" y="${y + 17}" text-anchor="end">${escapeHtml(b.label)}</text>`;
    out += `<rect x="${labelW}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${escapeAttr(b.color ?? categoryColor(b.label, i))}"><title>${escapeHtml(`${b.label}: ${b.value}${share}`)}</title></rect>`;
    out += `<text x="${(labelW + w + 6).toFixed(1)}" y="${y + 17}">${escapeHtml(`${b.value}${share}`)}</text></g>`;
  });
  return `${out}</svg>`;
}

/** One stacked layer of a histogram (for example the clips of one verdict). */
export interface HistogramLayer {
  name: string;
  counts: readonly number[];
  color?: string;
}

/**
 * A histogram as stacked vertical bars over equal bins of [min, max], with x ticks, the tallest count
 * on the y axis, a legend, and a note of values outside the range.
 */
export function histogramSvg(
  h: { min: number; max: number; layers: readonly HistogramLayer[]; outside?: number },
  opts: { title: string; xLabel?: string; width?: number; height?: number },
): string {
  const width = opts.width ?? 420;
  const height = opts.height ?? 200;
  const left = 44;
  const right = 10;
  const top = opts.title ? 22 : 8;
  const legendH = h.layers.length > 1 ? 16 : 0;
  const bottom = 34 + legendH;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const bins = h.layers[0]?.counts.length ?? 0;
  const totals = Array.from({ length: bins }, (_, i) => h.layers.reduce((s, l) => s + (l.counts[i] ?? 0), 0));
  const maxC = Math.max(1, ...totals);
  const xOf = (v: number) => left + ((v - h.min) / (h.max - h.min)) * plotW;
  let out = svgOpen(width, height, opts.title, 'histogram');
  out += `<text x="${left}" y="14" class="chart-title">${escapeHtml(opts.title)}</text>`;
  out += `<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" class="axis"/>`;
  out += `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" class="axis"/>`;
  out += `<text x="${left - 4}" y="${top + 8}" text-anchor="end" class="tick">${maxC}</text><text x="${left - 4}" y="${top + plotH}" text-anchor="end" class="tick">0</text>`;
  const bw = bins ? plotW / bins : 0;
  for (let i = 0; i < bins; i++) {
    let y = top + plotH;
    const lo = h.min + ((h.max - h.min) * i) / bins;
    const hi = h.min + ((h.max - h.min) * (i + 1)) / bins;
    h.layers.forEach((l, k) => {
      const c = l.counts[i] ?? 0;
      if (c <= 0) return;
      const bh = (c / maxC) * plotH;
      y -= bh;
      out += `<rect class="hbar" x="${(left + i * bw + 0.5).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(0.5, bw - 1).toFixed(1)}" height="${bh.toFixed(1)}" fill="${escapeAttr(l.color ?? categoryColor(l.name, k))}"><title>${escapeHtml(`${l.name}: ${c} in [${formatNumber(lo)}, ${formatNumber(hi)})`)}</title></rect>`;
    });
  }
  for (const t of niceTicks(h.min, h.max, 5)) {
    const x = xOf(t);
    out += `<line x1="${x.toFixed(1)}" y1="${top + plotH}" x2="${x.toFixed(1)}" y2="${top + plotH + 4}" class="axis"/><text x="${x.toFixed(1)}" y="${top + plotH + 15}" text-anchor="middle" class="tick">${escapeHtml(formatNumber(t))}</text>`;
  }
  const xl = `${opts.xLabel ?? ''}${h.outside ? `${opts.xLabel ? '; ' : ''}${h.outside} outside the range shown` : ''}`;
  if (xl)
    out += `<text x="${left + plotW / 2}" y="${top + plotH + 29}" text-anchor="middle" class="tick">${escapeHtml(xl)}</text>`;
  if (legendH) {
    let x = left;
    h.layers.forEach((l, k) => {
      out += `<rect x="${x}" y="${height - 12}" width="10" height="10" fill="${escapeAttr(l.color ?? categoryColor(l.name, k))}"/><text x="${x + 14}" y="${height - 3}" class="tick">${escapeHtml(l.name)}</text>`;
      x += 24 + l.name.length * 6.5;
    });
  }
  return `${out}</svg>`;
}
