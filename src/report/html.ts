// renderReport: ReportData -> one self-contained HTML page (inline CSS, SVG and script; nothing from the network).

import { createHash } from 'node:crypto';
import { barChartSvg, categoryColor, histogramSvg } from './charts.js';
import { escapeAttr as attr, escapeHtml as esc, jsonForScript } from './escape.js';
import { PAGE_SCRIPT } from './page-script.js';
import { cellText, clipTableHtml, errorsHtml, galleryHtml, physicsHtml, plainTableHtml } from './sections.js';
import type { Cell, LayeredHistogram, PlainTable, ReportData } from './types.js';

const CSS = `
:root{--fg:#1d2330;--muted:#5f6673;--line:#d9dde3;--bg:#fff;--soft:#f4f6f8}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header,main{max-width:1280px;margin:0 auto;padding:12px 20px}
header{border-bottom:1px solid var(--line)}
h1{font-size:22px;margin:6px 0}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
.muted{color:var(--muted)}.note{background:#fff6dd;border:1px solid #f0d78c;padding:6px 10px;border-radius:4px}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}.facts dt{color:var(--muted)}.facts dd{margin:0;word-break:break-all}
.counts{display:flex;flex-wrap:wrap;gap:8px;margin:10px 0}.count{border:1px solid var(--line);border-radius:6px;padding:6px 12px;background:var(--soft)}.count b{display:block;font-size:20px}
.charts{display:flex;flex-wrap:wrap;gap:18px}.chart-note{max-width:380px;margin:4px 0 0;font-size:12px}.chart-box{border:1px solid var(--line);border-radius:6px;padding:8px}
svg.chart text{font-size:11px;fill:var(--fg)}svg.chart .tick,svg.chart .muted{fill:var(--muted);font-size:10px}svg.chart .axis{stroke:#9aa1ab;stroke-width:1}svg.chart .chart-title{font-weight:600}
.badge{display:inline-block;padding:0 6px;border-radius:9px;font-size:12px;background:#e3e6ea}
.badge[data-kind=invariant],.badge[data-kind=reverse_keep_label],.badge[data-kind=rule-1]{background:#cdebe6}
.badge[data-kind=equivariant],.badge[data-kind=reverse_swap_label]{background:#f8e3bf}
.badge[data-kind=irreversible],.badge[data-kind=exclude],.badge[data-kind=rule-0],.badge[data-kind=reversed]{background:#f4cdd2}
.cards{display:flex;flex-wrap:wrap;gap:14px}
figure.clip{margin:0;border:1px solid var(--line);border-radius:6px;padding:8px;width:min(100%,610px)}
figure.clip img.sheet{display:block;max-width:100%;height:auto;margin:6px 0;background:var(--soft)}
figure.clip .curves svg{max-width:100%;height:auto}
figure.clip dl{display:grid;grid-template-columns:max-content 1fr;gap:0 10px;margin:6px 0 0;font-size:12px}figure.clip dt{color:var(--muted)}figure.clip dd{margin:0;word-break:break-word}
.scroll{overflow:auto;max-width:100%}.scroll.tall{max-height:80vh}
table.plain{border-collapse:collapse;font-size:12.5px}table.plain th,table.plain td{border-bottom:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
table.plain td.num{text-align:right;font-variant-numeric:tabular-nums}table.plain tr.flag{background:#fff1f2}
#clips thead th{position:sticky;top:0;background:var(--bg)}#clips th button{all:unset;cursor:pointer;font-weight:600}
#clips th[aria-sort=ascending] button::after{content:" \\25B2"}#clips th[aria-sort=descending] button::after{content:" \\25BC"}
#show-more{margin:8px 0;padding:4px 12px}
.filters{display:flex;flex-wrap:wrap;gap:10px;align-items:center;margin:8px 0}
details.video{border:1px solid var(--line);border-radius:6px;padding:6px 10px;margin:6px 0}
ul.codes{display:flex;flex-wrap:wrap;gap:14px;list-style:none;padding:0}
`;

/** The Content-Security-Policy of the page: no network at all, images only from files or data:, our one script by hash. */
export function contentSecurityPolicy(script: string): string {
  const hash = createHash('sha256').update(script, 'utf8').digest('base64');
  return `default-src 'none'; img-src 'self' file: data:; style-src 'unsafe-inline'; script-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'`;
}

function facts(pairs: Array<[string, Cell | undefined]>): string {
  const items = pairs
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(cellText(v as Cell))}</dd>`);
  return items.length ? `<dl class="facts">${items.join('')}</dl>` : '';
}

function countBoxes(counts: Record<string, number>, what: string): string {
  return Object.entries(counts)
    .map(([k, n]) => `<div class="count" data-${attr(what)}="${attr(k)}"><b>${n}</b>${esc(k)}</div>`)
    .join('');
}

function headerHtml(d: ReportData): string {
  const r = d.run;
  const settings = Object.entries(r.settings)
    .map(([k, v]) => `${k}=${cellText(v)}`)
    .join(', ');
  const when = r.startedAt ? `${r.startedAt}${r.finishedAt ? ` to ${r.finishedAt}` : ''}` : null;
  return `<header><h1>${esc(d.title)}</h1>
${facts([
  ['input', r.input ? `${r.input}${r.inputKind ? ` (${r.inputKind})` : ''}` : null],
  ['output folder', r.outDir],
  ['status', r.status],
  ['run', when],
  ['model', d.models.length ? d.models.join(', ') : 'none (no verdicts)'],
  ['settings', settings || null],
  ...Object.entries(d.decisionFacts).map(([k, v]): [string, Cell] => [`decisions: ${k}`, v]),
  ['report', `${d.generatedAt} by ${d.tool.name} ${d.tool.version}`],
])}
<div class="counts"><div class="count" data-count="clips"><b>${d.counts.clips}</b>clips</div><div class="count" data-count="errors"><b>${d.counts.errors}</b>errors</div>${d.models.length ? `<div class="count" data-count="reversed"><b>${d.counts.reversedInCorpus}</b>reversed in corpus?</div>` : ''}${countBoxes(d.verdicts, 'verdict')}${countBoxes(d.decisions, 'decision')}</div>
</header>`;
}

function layeredChart(h: LayeredHistogram, xLabel: string): string {
  const sampled = h.sampled < h.total ? `; a uniform sample of ${h.sampled} of ${h.total} clips` : '';
  return `<div class="chart-box" data-chart="${attr(h.name)}">${histogramSvg(
    {
      min: h.min,
      max: h.max,
      layers: h.layers.map((l, i) => ({ ...l, color: categoryColor(l.name, i) })),
      outside: h.outside,
    },
    { title: h.name, xLabel: `${xLabel}${sampled}`, width: 380 },
  )}${h.description ? `<p class="muted chart-note">${esc(h.description)}</p>` : ''}</div>`;
}

function chartsHtml(d: ReportData): string {
  const parts: string[] = [];
  const bars = (c: Record<string, number>) =>
    Object.entries(c).map(([label, value], i) => ({ label, value, color: categoryColor(label, i) }));
  if (Object.keys(d.verdicts).length)
    parts.push(
      `<div class="chart-box" data-chart="verdicts">${barChartSvg(bars(d.verdicts), { title: 'Verdicts', width: 380 })}</div>`,
    );
  if (Object.keys(d.decisions).length)
    parts.push(
      `<div class="chart-box" data-chart="decisions">${barChartSvg(bars(d.decisions), { title: 'Decisions', width: 380 })}</div>`,
    );
  if (d.pForward) parts.push(layeredChart(d.pForward, 'p_forward: 1 = plays forwards, 0 = plays backwards'));
  for (const h of d.cues) parts.push(layeredChart(h, h.unit ?? ''));
  if (!parts.length) return '';
  return `<section id="charts"><h2>Distributions</h2><div class="charts">${parts.join('')}</div></section>`;
}

function classesHtml(t: PlainTable): string {
  const flag = (r: Cell[]) =>
    r[t.columns.indexOf('inconsistent')] === true || r[t.columns.indexOf('status')] === 'inconsistent';
  const n = t.rows.filter(flag).length;
  const note = n
    ? `<p class="muted">${n} inconsistent class${n === 1 ? '' : 'es'} highlighted: their clips disagree (a labelling or data problem worth a look).</p>`
    : '';
  return `<section id="classes"><h2>Classes</h2>${note}${plainTableHtml(t, { id: 'classes-table', highlight: flag })}</section>`;
}

function galleriesHtml(d: ReportData): string {
  if (!d.galleries.length) return '';
  return `<section id="galleries"><h2>Galleries</h2><p class="muted">Each contact sheet shows frames forwards (top), the same frames reversed (middle) and the residual motion after removing the camera (bottom); the curves are the clip's cue series.</p>${d.galleries.map(galleryHtml).join('')}</section>`;
}

/**
 * Renders the whole report page from plain data. Pure: the same data gives the same page. Every string
 * from the data is escaped; the page loads nothing from the network (its CSP forbids it) and runs only
 * its own inline script (allowed by hash).
 * @example
 * await writeFile('report.html', renderReport(await collectReportData('out/run')));
 */
export function renderReport(d: ReportData): string {
  const machine = {
    title: d.title,
    generatedAt: d.generatedAt,
    input: d.run.input,
    counts: d.counts,
    verdicts: d.verdicts,
    decisions: d.decisions,
    errorsByCode: d.errors.byCode,
    models: d.models,
    table: d.table ? { shown: d.table.rows.length, total: d.table.total } : null,
  };
  const body = [
    headerHtml(d),
    '<main>',
    d.notes.length
      ? `<section id="notes">${d.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('')}</section>`
      : '',
    chartsHtml(d),
    errorsHtml(d.errors),
    d.classes ? classesHtml(d.classes) : '',
    galleriesHtml(d),
    d.table ? clipTableHtml(d.table) : '',
    d.physics ? physicsHtml(d.physics) : '',
    '</main>',
  ].join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(PAGE_SCRIPT))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(d.title)}</title>
<style>${CSS}</style>
</head><body>
${body}
<script type="application/json" id="report-data">${jsonForScript(machine)}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}
