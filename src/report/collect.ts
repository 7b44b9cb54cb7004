// Streams a scan folder once and keeps only what the report shows: counts, histograms, top-N lists, the first rows.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { UsageError, expected } from '../errors.js';
import { readJsonl } from '../io/jsonl-log.js';
import { CLIPS_JSONL, CLIPS_PARQUET, CUES_JSON, ERRORS_JSONL, SUMMARY_JSON } from '../outputs/layout.js';
import { TOOL_VERSION } from '../version.js';
import { addToHistogram, emptyHistogram, robustRange, type Histogram } from './charts.js';
import { joinDecisions, readDecisionFacts } from './decisions-data.js';
import { readPhysics } from './physics-data.js';
import { Reservoir, TopN, rng } from './sampling.js';
import { readFirstTable, toCell } from './tables.js';
import type { Cell, ClipTable, ErrorEntry, Gallery, GalleryItem, LayeredHistogram, ReportData } from './types.js';

type Row = Record<string, unknown>;

/** What {@link collectReportData} keeps; defaults in brackets. */
export interface CollectOptions {
  /** Clip rows in the page's table [2000]; the rest stay in clips.parquet. */
  maxTableRows?: number;
  /** Clips in the "most confident irreversible" and "most doubtful" galleries [12]. */
  galleries?: number;
  /** Clips flagged reversed_in_corpus shown in their gallery [100]. */
  maxFlagged?: number;
  /** Error rows listed [200]. */
  maxErrors?: number;
  /** Values kept per cue for its histogram (a uniform sample beyond this) [5000]. */
  sampleSize?: number;
  /** Folder with clips.jsonl/summary.json (default: `outDir`, or `outDir/scan` for physics runs). */
  scanDir?: string;
}

/** The collected data plus the rows behind each gallery item (for pictures). */
export interface Collected {
  data: ReportData;
  scanDir: string | null;
  itemRows: Map<GalleryItem, Row>;
}

/** Clip summaries drawn as histograms: the report's "key cues". */
export const KEY_CUES: readonly string[] = Object.freeze(['mean_energy_residual', 'camera_share', 'mean_res_vy', 'median_res_ay', 'mean_res_div', 'fb_asymmetry']);
const VERDICT_ORDER = ['invariant', 'equivariant', 'irreversible'];
const NO_VERDICT = '(no verdict)';

const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The label and caption of a row: the decision step's columns, else the manifest's `label` / `caption` / `description`. */
export function labelOf(row: Row): string | null {
  const input = (row.input ?? {}) as Row;
  return str(row.label) ?? str(input.label);
}
function captionOf(row: Row): string | null {
  const input = (row.input ?? {}) as Row;
  return str(row.caption) ?? str(input.caption) ?? str(input.description);
}

function layerOrder(names: Iterable<string>): string[] {
  const set = new Set(names);
  return [...VERDICT_ORDER.filter((v) => set.has(v)), ...[...set].filter((v) => !VERDICT_ORDER.includes(v)).sort()];
}

function layered(name: string, values: number[], layers: string[], bins: number, total: number, range: { min: number; max: number }, meta: { unit?: string; description?: string }): LayeredHistogram {
  const order = layerOrder(layers);
  const hs = new Map(order.map((l) => [l, emptyHistogram(range.min, range.max, bins)]));
  values.forEach((x, i) => addToHistogram(hs.get(layers[i]!)!, x));
  const outside = [...hs.values()].reduce((s, h) => s + h.below + h.above, 0);
  return { name, ...meta, min: range.min, max: range.max, layers: order.map((l) => ({ name: l, counts: hs.get(l)!.counts })), outside, sampled: values.length, total };
}

/** A gallery entry of a row (without pictures). */
export function galleryItem(row: Row): GalleryItem {
  const ws = numOrNull(row.window_start_s);
  const we = numOrNull(row.window_end_s);
  return {
    id: str(row.id) ?? str(row.path) ?? '',
    path: str(row.path) ?? '',
    label: labelOf(row),
    caption: captionOf(row),
    verdict: str(row.verdict),
    decision: str(row.decision),
    reason: str(row.reason),
    p_forward: numOrNull(row.p_forward),
    confidence: numOrNull(row.confidence),
    p_irreversible: numOrNull(row.p_irreversible),
    reversed_in_corpus: typeof row.reversed_in_corpus === 'boolean' ? row.reversed_in_corpus : null,
    window: ws !== null && we !== null ? [ws, we] : null,
    image: null,
    curvesSvg: null,
  };
}

/** The row without its heavy fields (embeddings), for keeping in memory. */
function slim(row: Row): Row {
  const { embedding_forward: _f, embedding_reversed: _r, ...rest } = row;
  return rest;
}

const TABLE_COLUMNS: ReadonlyArray<{ key: string; title: string; numeric: boolean; get: (r: Row) => Cell; when?: 'label' | 'decision' | 'model' }> = [
  { key: 'id', title: 'id', numeric: false, get: (r) => str(r.id) },
  { key: 'path', title: 'file', numeric: false, get: (r) => str(r.path) },
  { key: 'label', title: 'label', numeric: false, get: labelOf, when: 'label' },
  { key: 'verdict', title: 'verdict', numeric: false, get: (r) => str(r.verdict), when: 'model' },
  { key: 'decision', title: 'decision', numeric: false, get: (r) => str(r.decision), when: 'decision' },
  { key: 'confidence', title: 'confidence', numeric: true, get: (r) => numOrNull(r.confidence), when: 'model' },
  { key: 'p_forward', title: 'p_forward', numeric: true, get: (r) => numOrNull(r.p_forward), when: 'model' },
  { key: 'p_irreversible', title: 'p_irreversible', numeric: true, get: (r) => numOrNull(r.p_irreversible), when: 'model' },
  { key: 'in_domain', title: 'in domain', numeric: true, get: (r) => numOrNull(r.in_domain), when: 'model' },
  { key: 'doubt', title: 'doubt', numeric: false, get: (r) => (Array.isArray(r.doubt) && r.doubt.length ? r.doubt.map(String).join('; ') : null) },
  { key: 'reversed_in_corpus', title: 'reversed?', numeric: false, get: (r) => (typeof r.reversed_in_corpus === 'boolean' ? r.reversed_in_corpus : null), when: 'model' },
  { key: 'duration_s', title: 'duration s', numeric: true, get: (r) => numOrNull(r.duration_s) },
  { key: 'mean_energy_residual', title: 'object motion', numeric: true, get: (r) => numOrNull(r.mean_energy_residual) },
  { key: 'camera_share', title: 'camera share', numeric: true, get: (r) => numOrNull(r.camera_share) },
  { key: 'reason', title: 'reason', numeric: false, get: (r) => str(r.reason), when: 'decision' },
];

function findScanDir(outDir: string): string | null {
  // A physics folder has its own summary.json beside scan/; the clips are in scan/.
  const sub = join(outDir, 'scan');
  if (existsSync(join(sub, CLIPS_JSONL))) return sub;
  if (existsSync(join(outDir, CLIPS_JSONL)) || existsSync(join(outDir, SUMMARY_JSON))) return outDir;
  return existsSync(join(sub, CLIPS_JSONL)) || existsSync(join(sub, SUMMARY_JSON)) ? sub : null;
}

async function readJson(file: string): Promise<Row | null> {
  if (!existsSync(file)) return null;
  const v = JSON.parse(await readFile(file, 'utf8')) as unknown;
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Row) : null;
}

/**
 * Reads a scan (or physics) output folder in one streaming pass over clips.jsonl and errors.jsonl,
 * plus summary.json, cues.json, classes.*, decisions.json, physics.jsonl and leaderboard.* when present.
 * Memory is bounded by the options, not by the number of clips.
 */
export async function collectReportData(outDir: string, opts: CollectOptions = {}): Promise<Collected> {
  const maxTable = opts.maxTableRows ?? 2000;
  const nGallery = opts.galleries ?? 12;
  const maxFlagged = opts.maxFlagged ?? 100;
  const maxErrors = opts.maxErrors ?? 200;
  const sampleSize = opts.sampleSize ?? 5000;
  const scanDir = opts.scanDir ?? findScanDir(outDir);
  const notes: string[] = [];

  const physics = await readPhysics(outDir);
  if (!scanDir && !physics) {
    throw new UsageError(`${expected('an output folder of audit scan or audit physics (with clips.jsonl, summary.json or physics.jsonl)', 'the report folder', outDir)}${existsSync(outDir) ? '' : ' (it does not exist)'}`);
  }
  const summary = scanDir ? await readJson(join(scanDir, SUMMARY_JSON)) : null;
  const cues = scanDir ? await readJson(join(scanDir, CUES_JSON)) : null;
  const cueMeta = new Map<string, { unit?: string; description?: string }>();
  for (const s of (Array.isArray(cues?.summaries) ? cues.summaries : []) as Row[]) if (typeof s?.name === 'string') cueMeta.set(s.name, { unit: str(s.unit) ?? undefined, description: str(s.description) ?? undefined });

  const random = rng(1);
  const verdicts = new Map<string, number>();
  const decisions = new Map<string, number>();
  const models = new Set<string>();
  // p_forward lives in [0, 1]: its histogram is exact, one per verdict.
  const pfHists = new Map<string, Histogram>();
  let nPf = 0;
  const cueRes = new Map(KEY_CUES.map((c) => [c, new Reservoir(sampleSize, random)]));
  const labelMix = new Map<string, Map<string, number>>();
  let labelOverflow = 0;
  const confident = new TopN(nGallery);
  const doubtful = new TopN(nGallery);
  const flagged = new TopN(maxFlagged);
  const tableRows: Row[] = [];
  let clips = 0;
  let reversed = 0;
  let anyLabel = false;
  let anyDecision = false;

  if (scanDir) {
    for await (const { value } of readJsonl(join(scanDir, CLIPS_JSONL))) {
      if (value === null || typeof value !== 'object') continue;
      const row = value as Row;
      clips++;
      const verdict = str(row.verdict);
      const layer = verdict ?? NO_VERDICT;
      verdicts.set(layer, (verdicts.get(layer) ?? 0) + 1);
      const decision = str(row.decision);
      if (decision) {
        anyDecision = true;
        decisions.set(decision, (decisions.get(decision) ?? 0) + 1);
      }
      const mv = str(row.model_version);
      if (mv && models.size < 20) models.add(mv);
      const p = numOrNull(row.p_forward);
      if (p !== null) {
        nPf++;
        let h = pfHists.get(layer);
        if (!h) pfHists.set(layer, (h = emptyHistogram(0, 1, 20)));
        addToHistogram(h, p);
      }
      for (const [c, r] of cueRes) {
        const x = numOrNull(row[c]);
        if (x !== null) r.add(x, layer);
      }
      const label = labelOf(row);
      if (label !== null) {
        anyLabel = true;
        let m = labelMix.get(label);
        if (!m && labelMix.size < 5000) labelMix.set(label, (m = new Map()));
        if (m) m.set(layer, (m.get(layer) ?? 0) + 1);
        else labelOverflow++;
      }
      const conf = numOrNull(row.confidence);
      if (verdict === 'irreversible') confident.add(numOrNull(row.p_irreversible) ?? conf ?? 0, slim(row));
      if (verdict && conf !== null) doubtful.add(-conf, slim(row));
      if (row.reversed_in_corpus === true) {
        reversed++;
        flagged.add(-(p ?? 0), slim(row));
      }
      if (tableRows.length < maxTable) tableRows.push(slim(row));
    }
  }

  const errors: ErrorEntry[] = [];
  const byCode = new Map<string, number>();
  let nErrors = 0;
  if (scanDir) {
    for await (const { value } of readJsonl(join(scanDir, ERRORS_JSONL))) {
      const e = (value ?? {}) as Row;
      nErrors++;
      const code = str(e.code) ?? 'unknown';
      byCode.set(code, (byCode.get(code) ?? 0) + 1);
      if (errors.length < maxErrors) errors.push({ id: str(e.id) ?? undefined, path: str(e.path) ?? undefined, row: numOrNull(e.row) ?? undefined, stage: str(e.stage) ?? undefined, code, message: str(e.message) ?? '' });
    }
  }

  if (!anyDecision && scanDir) {
    const joined = await joinDecisions(scanDir, [...tableRows, ...confident.rows(), ...doubtful.rows(), ...flagged.rows()], decisions);
    anyDecision = joined.any;
    anyLabel ||= joined.labels;
  }
  const decisionFacts = await readDecisionFacts(scanDir ?? outDir, notes, anyDecision ? null : decisions);

  const hasModel = models.size > 0 || [...verdicts.keys()].some((v) => v !== NO_VERDICT);
  const itemRows = new Map<GalleryItem, Row>();
  const gallery = (key: string, title: string, note: string, top: TopN): Gallery => {
    const items = top.rows().map((r) => {
      const it = galleryItem(r);
      itemRows.set(it, r);
      return it;
    });
    return { key, title, note, items, omitted: Math.max(0, top.count - items.length) };
  };
  const galleries: Gallery[] = hasModel
    ? [
        gallery('irreversible', 'Most confident irreversible', 'Verdict irreversible, highest p_irreversible first: never reverse these.', confident),
        gallery('doubtful', 'Most doubtful', "Lowest confidence (the model's top verdict probability) first: worth a look by a person.", doubtful),
        gallery('reversed', 'Flagged reversed in corpus', 'p_forward below the flag threshold: these clips probably already play backwards in the corpus (lowest p_forward first).', flagged),
      ]
    : [];
  if (!hasModel && clips) notes.push('No model ran on this scan (--model none, or the model file is missing), so there are no verdicts, galleries or p_forward chart; run `audit scan --model PATH` to add them.');

  const pfOrder = layerOrder(pfHists.keys());
  const pForward: LayeredHistogram | null = nPf
    ? {
        name: 'p_forward',
        description: 'Arrow of time: the probability that the clip plays forwards. Clips near 0 probably play backwards in the corpus.',
        min: 0,
        max: 1,
        layers: pfOrder.map((l) => ({ name: l, counts: pfHists.get(l)!.counts })),
        outside: pfOrder.reduce((s, l) => s + pfHists.get(l)!.below + pfHists.get(l)!.above, 0),
        sampled: nPf,
        total: nPf,
      }
    : null;
  const cueHists: LayeredHistogram[] = [];
  for (const [c, r] of cueRes) {
    const range = robustRange(r.values);
    if (range) cueHists.push(layered(c, r.values, r.layers, 24, r.seen, range, cueMeta.get(c) ?? {}));
  }

  let classes = scanDir ? await readFirstTable(scanDir, ['classes.jsonl', 'classes.csv', 'classes.parquet']) : null;
  if (!classes && anyLabel) {
    const vs = layerOrder([...labelMix.values()].flatMap((m) => [...m.keys()]));
    const rows = [...labelMix].map(([label, m]): Cell[] => {
      const n = [...m.values()].reduce((a, b) => a + b, 0);
      const top = [...m].sort((a, b) => b[1] - a[1])[0]!;
      return [label, n, ...vs.map((v) => m.get(v) ?? 0), top[0], Number((top[1] / n).toFixed(3))];
    });
    rows.sort((a, b) => (b[1] as number) - (a[1] as number) || String(a[0]).localeCompare(String(b[0])));
    classes = { columns: ['label', 'clips', ...vs, 'top verdict', 'top share'], rows: rows.slice(0, 500), source: 'verdict mix per label (no classes file from the decision step)', omitted: Math.max(0, rows.length - 500) };
    if (labelOverflow) notes.push(`More than 5000 distinct labels: ${labelOverflow} clips of further labels are not in the class table.`);
  }

  const show = (w?: 'label' | 'decision' | 'model') => !w || (w === 'label' ? anyLabel : w === 'decision' ? anyDecision : hasModel);
  const cols = TABLE_COLUMNS.filter((c) => show(c.when));
  const table: ClipTable | null = clips
    ? {
        columns: cols.map(({ key, title, numeric }) => ({ key, title, numeric })),
        rows: tableRows.map((r) => ({ cells: cols.map((c) => c.get(r)), verdict: str(r.verdict) ?? '', decision: str(r.decision) ?? '', label: labelOf(r) ?? '' })),
        total: clips,
        fullFile: scanDir ? relative(outDir, join(scanDir, existsSync(join(scanDir, CLIPS_PARQUET)) ? CLIPS_PARQUET : CLIPS_JSONL)) : null,
      }
    : null;

  const input = summary?.input as Row | undefined;
  const counts = summary?.counts as Row | undefined;
  const settings: Record<string, Cell> = {};
  for (const [k, v] of Object.entries((summary?.settings ?? {}) as Row)) settings[k] = toCell(v);
  const inputPath = str(input?.path);
  const data: ReportData = {
    title: physics && !clips ? `Physics checks: ${basename(outDir)}` : `Reversal audit: ${inputPath ? basename(inputPath) : basename(outDir)}`,
    generatedAt: new Date().toISOString(),
    tool: { name: 'reversal-audit', version: TOOL_VERSION },
    run: {
      input: inputPath,
      inputKind: str(input?.kind),
      outDir,
      status: str(summary?.status),
      startedAt: str(summary?.started_at),
      finishedAt: str(summary?.finished_at),
      settings,
    },
    models: [...models],
    counts: { clips, errors: nErrors, inputRows: numOrNull(counts?.input_rows), reversedInCorpus: reversed },
    verdicts: Object.fromEntries(layerOrder(verdicts.keys()).map((v) => [v, verdicts.get(v)!])),
    decisions: Object.fromEntries(decisions),
    decisionFacts,
    errors: { total: nErrors, byCode: Object.fromEntries([...byCode].sort((a, b) => b[1] - a[1])), rows: errors },
    pForward,
    cues: cueHists,
    classes,
    galleries,
    table,
    physics,
    notes,
  };
  return { data, scanDir, itemRows };
}
