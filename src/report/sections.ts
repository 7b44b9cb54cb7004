// The report's body sections (errors, classes, galleries, the clip table, physics) as escaped HTML.

import { formatNumber } from './charts.js';
import { TABLE_PAGE } from './page-script.js';
import { escapeAttr as attr, escapeHtml as esc, safeImageSrc, trustedSvg } from './escape.js';
import type {
  Cell,
  ClipTable,
  ErrorEntry,
  Gallery,
  GalleryItem,
  PhysicsVideo,
  PlainTable,
  ReportData,
} from './types.js';

/** A cell as text: numbers with 4 significant digits, booleans as yes/no, null as ''. */
export function cellText(c: Cell | undefined): string {
  if (c === null || c === undefined) return '';
  if (typeof c === 'boolean') return c ? 'yes' : 'no';
  if (typeof c === 'number')
    return Number.isInteger(c) ? String(c) : Number.isFinite(c) ? String(Number(c.toPrecision(4))) : String(c);
  return c;
}

function baseName(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i >= 0 ? p.slice(i + 1) : p;
}

function badge(kind: string | null | undefined): string {
  if (!kind) return '';
  return `<span class="badge" data-kind="${attr(kind)}">${esc(kind)}</span>`;
}

/** A plain table with a note on where it came from and what was left out. */
export function plainTableHtml(
  t: PlainTable,
  opts: { id?: string; highlight?: (row: Cell[]) => boolean } = {},
): string {
  const head = t.columns.map((c) => `<th>${esc(c)}</th>`).join('');
  const body = t.rows
    .map(
      (r) =>
        `<tr${opts.highlight?.(r) ? ' class="flag"' : ''}>${t.columns.map((_, i) => `<td${typeof r[i] === 'number' ? ' class="num"' : ''}>${esc(cellText(r[i]))}</td>`).join('')}</tr>`,
    )
    .join('');
  const notes = [t.source ? `from ${t.source}` : '', t.omitted ? `${t.omitted} more rows not shown` : '']
    .filter(Boolean)
    .join('; ');
  return `<div class="scroll"><table${opts.id ? ` id="${attr(opts.id)}"` : ''} class="plain"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>${notes ? `<p class="muted">${esc(notes)}</p>` : ''}`;
}

/** The errors section: counts per code and the rows with their reasons. */
export function errorsHtml(e: ReportData['errors']): string {
  if (!e.total) return `<section id="errors"><h2>Errors</h2><p>No clip or manifest row failed.</p></section>`;
  const codes = Object.entries(e.byCode)
    .map(([k, n]) => `<li><code>${esc(k)}</code> ${n}</li>`)
    .join('');
  const rows = e.rows
    .map(
      (r: ErrorEntry) =>
        `<tr><td>${esc(r.path ?? r.id ?? '')}</td><td class="num">${esc(r.row ?? '')}</td><td>${esc(r.stage ?? '')}</td><td><code>${esc(r.code)}</code></td><td>${esc(r.message)}</td></tr>`,
    )
    .join('');
  const more =
    e.total > e.rows.length ? `<p class="muted">${e.total - e.rows.length} more error rows in errors.jsonl.</p>` : '';
  return `<section id="errors"><h2>Errors (${e.total})</h2><ul class="codes">${codes}</ul><div class="scroll"><table class="plain"><thead><tr><th>clip</th><th>row</th><th>stage</th><th>code</th><th>reason</th></tr></thead><tbody>${rows}</tbody></table></div>${more}</section>`;
}

/** Contact sheets loaded with the page in each gallery; later ones load when scrolled to. */
const EAGER_IMAGES = 4;

function num(x: number | null | undefined): string {
  return typeof x === 'number' && Number.isFinite(x) ? formatNumber(x) : '–';
}

function galleryItemHtml(it: GalleryItem, index: number): string {
  const src = it.image ? safeImageSrc(it.image.src) : null;
  const img =
    src && it.image
      ? `<img class="sheet" src="${attr(src)}" width="${Math.round(it.image.width)}" height="${Math.round(it.image.height)}" alt="${attr(`contact sheet of ${it.id}: frames forwards, frames reversed, residual motion`)}"${index >= EAGER_IMAGES ? ' loading="lazy"' : ''}>`
      : '';
  const svg = it.curvesSvg ? trustedSvg(it.curvesSvg) : null;
  const facts: Array<[string, string]> = [
    ['path', it.path],
    ['label', it.label ?? ''],
    ['caption', it.caption ?? ''],
    ['p_forward', num(it.p_forward)],
    ['confidence', num(it.confidence)],
    ['p_irreversible', num(it.p_irreversible)],
    ['window', it.window ? `${formatNumber(it.window[0])}–${formatNumber(it.window[1])} s` : ''],
    ['decision', it.decision ?? ''],
    ['reason', it.reason ?? ''],
  ];
  const dl = facts
    .filter(([, v]) => v !== '' && v !== '–')
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`)
    .join('');
  const note = it.note ? `<p class="muted">${esc(it.note)}</p>` : '';
  return `<figure class="clip"><figcaption><b title="${attr(it.path)}">${esc(it.id)}</b> ${badge(it.verdict)}${it.reversed_in_corpus ? ' <span class="badge" data-kind="reversed">reversed in corpus?</span>' : ''}</figcaption>${img}${svg ? `<div class="curves">${svg}</div>` : ''}${note}<dl>${dl}</dl></figure>`;
}

/** One gallery of clips with contact sheets and cue curves. */
export function galleryHtml(g: Gallery): string {
  const items = g.items.length
    ? g.items.map((it, i) => galleryItemHtml(it, i)).join('')
    : '<p class="muted">No clip qualifies.</p>';
  const more = g.omitted
    ? `<p class="muted">${g.omitted} more clips qualify; filter the clip table to see them.</p>`
    : '';
  return `<section class="gallery" id="gallery-${attr(g.key)}"><h3>${esc(g.title)} (${g.items.length + g.omitted})</h3><p class="muted">${esc(g.note)}</p><div class="cards">${items}</div>${more}</section>`;
}

function options(values: string[]): string {
  return `<option value="">all</option>${values.map((v) => `<option value="${attr(v)}">${esc(v)}</option>`).join('')}`;
}

/** The clip table with sort buttons and filters (the page script does the sorting and filtering). */
export function clipTableHtml(t: ClipTable): string {
  const verdicts = [...new Set(t.rows.map((r) => r.verdict).filter(Boolean))].sort();
  const decisions = [...new Set(t.rows.map((r) => r.decision).filter(Boolean))].sort();
  const scoreCols = t.columns.map((c, i) => ({ c, i })).filter(({ c }) => c.numeric);
  const filters =
    `<div class="filters"><label>verdict <select id="f-verdict">${options(verdicts)}</select></label>` +
    (decisions.length ? `<label>decision <select id="f-decision">${options(decisions)}</select></label>` : '') +
    `<label>label contains <input id="f-label" type="search" autocomplete="off"></label>` +
    `<label>score <select id="f-score">${scoreCols.map(({ c, i }) => `<option value="${i}">${esc(c.title)}</option>`).join('')}</select></label>` +
    `<label>from <input id="f-min" type="number" step="any" size="6"></label><label>to <input id="f-max" type="number" step="any" size="6"></label>` +
    `<span id="shown" class="muted">${t.rows.length} of ${t.rows.length} rows shown</span></div>`;
  const head = t.columns
    .map(
      (c) =>
        `<th data-numeric="${c.numeric ? 1 : 0}" aria-sort="none"><button type="button">${esc(c.title)}</button></th>`,
    )
    .join('');
  const pathCol = t.columns.findIndex((c) => c.key === 'path');
  const body = t.rows
    .map((r, index) => {
      const cells = r.cells
        .map((c, i) => {
          if (i === pathCol && typeof c === 'string') return `<td title="${attr(c)}">${esc(baseName(c))}</td>`;
          if (typeof c === 'number')
            return `<td class="num" data-v="${Number.isFinite(c) ? c : ''}">${esc(cellText(c))}</td>`;
          return `<td>${esc(cellText(c))}</td>`;
        })
        .join('');
      // Rows past the first page start hidden so that the browser does not lay them out before the script runs.
      return `<tr data-verdict="${attr(r.verdict)}" data-decision="${attr(r.decision)}" data-label="${attr(r.label)}"${index >= TABLE_PAGE ? ' hidden' : ''}>${cells}</tr>`;
    })
    .join('\n');
  const partial =
    t.total > t.rows.length
      ? `<p class="note">Showing the first ${t.rows.length} of ${t.total} clips so that the page stays fast; every row is in <code>${esc(t.fullFile ?? 'clips.jsonl')}</code>.</p>`
      : '';
  return `<section id="table"><h2>All clips (${t.total})</h2>${partial}${filters}<div class="scroll tall"><table id="clips" class="plain"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div><button type="button" id="show-more" hidden>show ${TABLE_PAGE} more rows</button></section>`;
}

const RULE_WORDS: Readonly<Record<number, string>> = Object.freeze({
  0: '0 violated',
  1: '1 followed',
  2: '2 cannot tell',
});

function physicsVideoHtml(v: PhysicsVideo): string {
  const checks = v.checks
    .map(
      (c) =>
        `<tr><td>${esc(c.name)}</td><td>${esc(c.rule ?? '')}</td><td><span class="badge" data-kind="rule-${c.score ?? 'none'}">${esc(c.score === null ? '–' : (RULE_WORDS[c.score] ?? String(c.score)))}</span></td><td>${esc(c.evidence)}</td></tr>`,
    )
    .join('');
  const head = `${esc(v.videopath)}${v.model ? ` <span class="muted">${esc(v.model)}</span>` : ''} ${v.artefact ? '<span class="badge" data-kind="irreversible">reversal artefact</span>' : ''} <span class="muted">artefact score ${esc(num(v.artefact_score))}, PC ${esc(num(v.pc))}</span>`;
  return `<details class="video"><summary>${head}</summary>${v.caption ? `<p>${esc(v.caption)}</p>` : ''}<table class="plain"><thead><tr><th>check</th><th>rule</th><th>score</th><th>evidence</th></tr></thead><tbody>${checks}</tbody></table></details>`;
}

/** Physics runs: the leaderboard and, per video, every rule with its 0/1/2 score and evidence. */
export function physicsHtml(p: NonNullable<ReportData['physics']>): string {
  const board = p.leaderboard ? `<h3>Leaderboard</h3>${plainTableHtml(p.leaderboard, { id: 'leaderboard' })}` : '';
  const more =
    p.total > p.videos.length ? `<p class="muted">${p.total - p.videos.length} more videos in physics.jsonl.</p>` : '';
  return `<section id="physics"><h2>Physics checks (${p.total} videos)</h2>${board}<h3>Per video</h3>${p.videos.map(physicsVideoHtml).join('')}${more}</section>`;
}
