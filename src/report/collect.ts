// Streams a scan folder once and keeps only what the report shows: counts, histograms, top-N lists, the first rows.

import { existsSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { AuditError, expected } from '../errors.js';
import { readJsonl } from '../io/jsonl-log.js';
import { CLIPS_JSONL, CLIPS_PARQUET, CUES_JSON, ERRORS_JSONL, SUMMARY_JSON } from '../outputs/layout.js';
import { TOOL_VERSION } from '../version.js';
import { addToHistogram, emptyHistogram, robustRange, type Histogram } from './charts.js';
import { joinDecisions, readDecisionFacts } from './decisions-data.js';
import { readPhysics } from './physics-data.js';
import { readJsonObject, readOptionalJsonObject } from './read-json.js';
import { Reservoir, TopN } from './sampling.js';
import { readFirstTable, toCell } from './tables.js';
import type {
  Cell,
  ClipTable,
  ErrorEntry,
  Gallery,
  GalleryItem,
  LayeredHistogram,
  PlainTable,
  ReportData,
} from './types.js';

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
  /**
   * How the header names the output folder [`outDir`]: a run whose `--out` is an `s3://` URL is written to a
   * local staging folder that is uploaded and removed afterwards, so it passes the URL here.
   */
  outLabel?: string;
}

/** The collected data plus the rows behind each gallery item (for pictures). */
export interface Collected {
  data: ReportData;
  scanDir: string | null;
  itemRows: Map<GalleryItem, Row>;
}

/** Clip summaries drawn as histograms: the report's "key cues". */
export const KEY_CUES: readonly string[] = Object.freeze([
  'mean_energy_residual',
  'camera_share',
  'mean_res_vy',
  'median_res_ay',
  'mean_res_div',
  'fb_asymmetry',
]);
const VERDICT_ORDER = ['invariant', 'equivariant', 'irreversible'];
const NO_VERDICT = '(no verdict)';

const str = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
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

function layered(
  name: string,
  values: number[],
  layers: string[],
  bins: number,
  total: number,
  range: { min: number; max: number },
  meta: { unit?: string; description?: string },
): LayeredHistogram {
  const order = layerOrder(layers);
  const hs = new Map(order.map((l) => [l, emptyHistogram(range.min, range.max, bins)]));
  values.forEach((x, i) => {
    addToHistogram(hs.get(layers[i])!, x);
  });
  const outside = [...hs.values()].reduce((s, h) => s + h.below + h.above, 0);
  return {
    name,
    ...meta,
    min: range.min,
    max: range.max,
    layers: order.map((l) => ({ name: l, counts: hs.get(l)!.counts })),
    outside,
    sampled: values.length,
    total,
  };
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

/** The row without its heavy fields (embeddings, the 80 class scores of --content), for keeping in memory. */
function slim(row: Row): Row {
  const { embedding_forward: _f, embedding_reversed: _r, content, ...rest } = row;
  const objects = (content as { objects?: unknown } | null | undefined)?.objects;
  return objects === undefined ? rest : { ...rest, content: { objects } };
}

/** What --content saw in the clip's frame: "person 0.65, car 0.43"; null without --content or when nothing scored 0.2. */
function seenOf(r: Row): string | null {
  const objects = (r.content as { objects?: Record<string, unknown> } | null | undefined)?.objects;
  if (!objects || typeof objects !== 'object') return null;
  const seen = Object.entries(objects).filter(([, s]) => typeof s === 'number');
  return seen.length ? seen.map(([k, s]) => `${k} ${(s as number).toFixed(2)}`).join(', ') : null;
}

const TABLE_COLUMNS: ReadonlyArray<{
  key: string;
  title: string;
  numeric: boolean;
  get: (r: Row) => Cell;
  when?: 'label' | 'decision' | 'model' | 'content';
}> = [
  { key: 'id', title: 'id', numeric: false, get: (r) => str(r.id) },
  { key: 'path', title: 'file', numeric: false, get: (r) => str(r.path) },
  { key: 'label', title: 'label', numeric: false, get: labelOf, when: 'label' },
  { key: 'verdict', title: 'verdict', numeric: false, get: (r) => str(r.verdict), when: 'model' },
  { key: 'decision', title: 'decision', numeric: false, get: (r) => str(r.decision), when: 'decision' },
  { key: 'confidence', title: 'confidence', numeric: true, get: (r) => numOrNull(r.confidence), when: 'model' },
  { key: 'p_forward', title: 'p_forward', numeric: true, get: (r) => numOrNull(r.p_forward), when: 'model' },
  {
    key: 'p_irreversible',
    title: 'p_irreversible',
    numeric: true,
    get: (r) => numOrNull(r.p_irreversible),
    when: 'model',
  },
  { key: 'in_domain', title: 'in domain', numeric: true, get: (r) => numOrNull(r.in_domain), when: 'model' },
  { key: 'seen', title: 'seen (--content)', numeric: false, get: seenOf, when: 'content' },
  {
    key: 'doubt',
    title: 'doubt',
    numeric: false,
    get: (r) => (Array.isArray(r.doubt) && r.doubt.length ? r.doubt.map(String).join('; ') : null),
  },
  {
    key: 'reversed_in_corpus',
    title: 'reversed?',
    numeric: false,
    get: (r) => (typeof r.reversed_in_corpus === 'boolean' ? r.reversed_in_corpus : null),
    when: 'model',
  },
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

/** A physics folder: its scan is in `outDir/scan`, beside the physics run's own outputs. */
function isPhysicsFolder(outDir: string, scanDir: string | null): boolean {
  return scanDir !== null && resolve(scanDir) === resolve(outDir, 'scan');
}

/**
 * Where the error rows are and whether their row numbers are the user's input lines. A physics run's own
 * errors.jsonl has one row per input row (input problems included); its scan's rows are numbered by the
 * one-row-per-video manifest the run made, so without the former the latter are shown without row numbers.
 */
function errorSource(outDir: string, scanDir: string | null): { dir: string | null; inputRows: boolean } {
  if (!isPhysicsFolder(outDir, scanDir)) return { dir: scanDir, inputRows: true };
  return existsSync(join(outDir, ERRORS_JSONL)) ? { dir: outDir, inputRows: true } : { dir: scanDir, inputRows: false };
}

/** The bounds of what is kept in memory ({@link CollectOptions} with their defaults). */
interface Limits {
  maxTable: number;
  nGallery: number;
  maxFlagged: number;
  maxErrors: number;
  sampleSize: number;
}

function limitsOf(opts: CollectOptions): Limits {
  return {
    maxTable: opts.maxTableRows ?? 2000,
    nGallery: opts.galleries ?? 12,
    maxFlagged: opts.maxFlagged ?? 100,
    maxErrors: opts.maxErrors ?? 200,
    sampleSize: opts.sampleSize ?? 5000,
  };
}

/** Unit and description of each clip summary, from cues.json. */
async function readCueMeta(
  scanDir: string | null,
  notes: string[],
): Promise<Map<string, { unit?: string; description?: string }>> {
  const cues = scanDir
    ? await readOptionalJsonObject(join(scanDir, CUES_JSON), notes, 'the units and descriptions of the cues')
    : null;
  const cueMeta = new Map<string, { unit?: string; description?: string }>();
  for (const s of (Array.isArray(cues?.summaries) ? cues.summaries : []) as Row[])
    if (typeof s?.name === 'string')
      cueMeta.set(s.name, { unit: str(s.unit) ?? undefined, description: str(s.description) ?? undefined });
  return cueMeta;
}

/** What the pass over clips.jsonl keeps: counts, histograms, samples, top-N lists and the table's first rows. */
interface ClipTally {
  verdicts: Map<string, number>;
  decisions: Map<string, number>;
  models: Set<string>;
  /** p_forward lives in [0, 1]: its histogram is exact, one per verdict. */
  pfHists: Map<string, Histogram>;
  nPf: number;
  cueRes: Map<string, Reservoir>;
  labelMix: Map<string, Map<string, number>>;
  labelOverflow: number;
  confident: TopN;
  doubtful: TopN;
  flagged: TopN;
  /** The table's rows: the first `maxTable` by input row (not by which worker finished first). */
  table: TopN;
  clips: number;
  reversed: number;
  anyLabel: boolean;
  anyDecision: boolean;
  /** Some row has a `content` column (a --content scan). */
  anyContent: boolean;
}

function emptyTally(limits: Limits): ClipTally {
  return {
    verdicts: new Map(),
    decisions: new Map(),
    models: new Set(),
    pfHists: new Map(),
    nPf: 0,
    cueRes: new Map(KEY_CUES.map((c) => [c, new Reservoir(limits.sampleSize)])),
    labelMix: new Map(),
    labelOverflow: 0,
    confident: new TopN(limits.nGallery),
    doubtful: new TopN(limits.nGallery),
    flagged: new TopN(limits.maxFlagged),
    table: new TopN(limits.maxTable),
    clips: 0,
    reversed: 0,
    anyLabel: false,
    anyDecision: false,
    anyContent: false,
  };
}

/** Counts one clips.jsonl row into the tally. */
function tallyClip(t: ClipTally, row: Row): void {
  t.clips++;
  const verdict = str(row.verdict);
  const layer = verdict ?? NO_VERDICT;
  t.verdicts.set(layer, (t.verdicts.get(layer) ?? 0) + 1);
  const decision = str(row.decision);
  if (decision) {
    t.anyDecision = true;
    t.decisions.set(decision, (t.decisions.get(decision) ?? 0) + 1);
  }
  const mv = str(row.model_version);
  if (mv && t.models.size < 20) t.models.add(mv);
  if (row.content) t.anyContent = true;
  const p = numOrNull(row.p_forward);
  if (p !== null) {
    t.nPf++;
    let h = t.pfHists.get(layer);
    if (!h) {
      h = emptyHistogram(0, 1, 20);
      t.pfHists.set(layer, h);
    }
    addToHistogram(h, p);
  }
  const order = typeof row.row === 'number' ? row.row : t.clips;
  for (const [c, r] of t.cueRes) {
    const x = numOrNull(row[c]);
    if (x !== null) r.add(x, layer, order);
  }
  const label = labelOf(row);
  if (label !== null) {
    t.anyLabel = true;
    let m = t.labelMix.get(label);
    if (!m && t.labelMix.size < 5000) {
      m = new Map();
      t.labelMix.set(label, m);
    }
    if (m) m.set(layer, (m.get(layer) ?? 0) + 1);
    else t.labelOverflow++;
  }
  const conf = numOrNull(row.confidence);
  if (verdict === 'irreversible') t.confident.add(numOrNull(row.p_irreversible) ?? conf ?? 0, slim(row));
  if (verdict && conf !== null) t.doubtful.add(-conf, slim(row));
  if (row.reversed_in_corpus === true) {
    t.reversed++;
    t.flagged.add(-(p ?? 0), slim(row));
  }
  t.table.add(-(typeof row.row === 'number' ? row.row : t.clips), slim(row));
}

/** errors.jsonl: the count per code and the first `maxErrors` rows (see {@link errorSource}). */
async function collectErrors(
  from: { dir: string | null; inputRows: boolean },
  maxErrors: number,
): Promise<{ errors: ErrorEntry[]; byCode: Map<string, number>; nErrors: number }> {
  const errors: ErrorEntry[] = [];
  const byCode = new Map<string, number>();
  let nErrors = 0;
  if (from.dir) {
    for await (const { value } of readJsonl(join(from.dir, ERRORS_JSONL))) {
      const e = (value ?? {}) as Row;
      nErrors++;
      const code = str(e.code) ?? 'unknown';
      byCode.set(code, (byCode.get(code) ?? 0) + 1);
      if (errors.length < maxErrors)
        errors.push({
          id: str(e.id) ?? undefined,
          path: str(e.videopath) ?? str(e.path) ?? undefined,
          row: (from.inputRows ? numOrNull(e.row) : null) ?? undefined,
          stage: str(e.stage) ?? undefined,
          code,
          message: str(e.message) ?? '',
        });
    }
  }
  return { errors, byCode, nErrors };
}

/** The three galleries of a scan with a model; `itemRows` gets the row behind each item. */
function modelGalleries(t: ClipTally, itemRows: Map<GalleryItem, Row>): Gallery[] {
  const gallery = (key: string, title: string, note: string, top: TopN): Gallery => {
    const items = top.rows().map((r) => {
      const it = galleryItem(r);
      itemRows.set(it, r);
      return it;
    });
    return { key, title, note, items, omitted: Math.max(0, top.count - items.length) };
  };
  return [
    gallery(
      'irreversible',
      'Most confident irreversible',
      'Verdict irreversible, highest p_irreversible first: never reverse these.',
      t.confident,
    ),
    gallery(
      'doubtful',
      'Most doubtful',
      "Lowest confidence (the model's top verdict probability) first: worth a look by a person.",
      t.doubtful,
    ),
    gallery(
      'reversed',
      'Flagged reversed in corpus',
      'p_forward below the flag threshold: these clips probably already play backwards in the corpus (lowest p_forward first).',
      t.flagged,
    ),
  ];
}

function pForwardChart(t: ClipTally): LayeredHistogram | null {
  if (!t.nPf) return null;
  const pfOrder = layerOrder(t.pfHists.keys());
  return {
    name: 'p_forward',
    description:
      'Arrow of time: the probability that the clip plays forwards. Clips near 0 probably play backwards in the corpus.',
    min: 0,
    max: 1,
    layers: pfOrder.map((l) => ({ name: l, counts: t.pfHists.get(l)!.counts })),
    outside: pfOrder.reduce((s, l) => s + t.pfHists.get(l)!.below + t.pfHists.get(l)!.above, 0),
    sampled: t.nPf,
    total: t.nPf,
  };
}

function cueCharts(t: ClipTally, cueMeta: Map<string, { unit?: string; description?: string }>): LayeredHistogram[] {
  const cueHists: LayeredHistogram[] = [];
  for (const [c, r] of t.cueRes) {
    const range = robustRange(r.values);
    if (range) cueHists.push(layered(c, r.values, r.layers, 24, r.seen, range, cueMeta.get(c) ?? {}));
  }
  return cueHists;
}

/** The class table when the decision step wrote none: the verdict mix per label, largest classes first. */
function verdictMixTable(t: ClipTally, notes: string[]): PlainTable {
  const vs = layerOrder([...t.labelMix.values()].flatMap((m) => [...m.keys()]));
  const rows = [...t.labelMix].map(([label, m]): Cell[] => {
    const n = [...m.values()].reduce((a, b) => a + b, 0);
    const top = [...m].sort((a, b) => b[1] - a[1])[0];
    return [label, n, ...vs.map((v) => m.get(v) ?? 0), top[0], Number((top[1] / n).toFixed(3))];
  });
  rows.sort((a, b) => (b[1] as number) - (a[1] as number) || String(a[0]).localeCompare(String(b[0])));
  if (t.labelOverflow)
    notes.push(
      `More than 5000 distinct labels: ${t.labelOverflow} clips of further labels are not in the class table.`,
    );
  return {
    columns: ['label', 'clips', ...vs, 'top verdict', 'top share'],
    rows: rows.slice(0, 500),
    source: 'verdict mix per label (no classes file from the decision step)',
    omitted: Math.max(0, rows.length - 500),
  };
}

/** The clip table: the columns the scan has (label, decision, model ones only when present) over the first rows. */
function clipTable(t: ClipTally, hasModel: boolean, outDir: string, scanDir: string | null): ClipTable {
  const show = (w?: 'label' | 'decision' | 'model' | 'content') =>
    !w || (w === 'label' ? t.anyLabel : w === 'decision' ? t.anyDecision : w === 'content' ? t.anyContent : hasModel);
  const cols = TABLE_COLUMNS.filter((c) => show(c.when));
  return {
    columns: cols.map(({ key, title, numeric }) => ({ key, title, numeric })),
    rows: t.table.rows().map((r) => ({
      cells: cols.map((c) => c.get(r)),
      verdict: str(r.verdict) ?? '',
      decision: str(r.decision) ?? '',
      label: labelOf(r) ?? '',
    })),
    total: t.clips,
    fullFile: scanDir
      ? relative(outDir, join(scanDir, existsSync(join(scanDir, CLIPS_PARQUET)) ? CLIPS_PARQUET : CLIPS_JSONL))
      : null,
  };
}

/** What was scanned, when and how, from summary.json; `shownOut` is how the output folder is named. */
function runOf(summary: Row | null, shownOut: string): ReportData['run'] {
  const input = summary?.input as Row | undefined;
  const settings: Record<string, Cell> = {};
  for (const [k, v] of Object.entries((summary?.settings ?? {}) as Row)) settings[k] = toCell(v);
  return {
    input: str(input?.path),
    inputKind: str(input?.kind),
    outDir: shownOut,
    status: str(summary?.status),
    startedAt: str(summary?.started_at),
    finishedAt: str(summary?.finished_at),
    settings,
  };
}

/**
 * A physics folder's run with the input the user gave (from the physics run's own summary.json), not the one video
 * per row manifest its scan read.
 */
async function withPhysicsInput(
  run: ReportData['run'],
  outDir: string,
  scanDir: string | null,
  notes: string[],
): Promise<ReportData['run']> {
  if (!isPhysicsFolder(outDir, scanDir)) return run;
  const own = await readOptionalJsonObject(join(outDir, SUMMARY_JSON), notes, "the physics run's input");
  const input = own?.input as Row | undefined;
  return str(input?.path) ? { ...run, input: str(input?.path), inputKind: str(input?.format) } : run;
}

/**
 * How far an interrupted scan got, in words: the rows finished (as a clip or an error row) out of those it had
 * to do, and how to finish. `done` counts the finished rows; a physics folder's scan has one row per video.
 * Null unless summary.json says the scan was interrupted.
 */
function progressNote(summary: Row | null, done: number, physicsFolder: boolean): string | null {
  if (str(summary?.status) !== 'interrupted') return null;
  const counts = (summary?.counts ?? {}) as Row;
  const shard = summary?.shard as { index?: unknown; count?: unknown } | null | undefined;
  const sharded = !!shard && typeof shard === 'object';
  const total = numOrNull(sharded ? counts.shard_rows : counts.input_rows);
  const what = physicsFolder ? 'videos' : 'input rows';
  const where = sharded ? ` of shard ${String(shard.index)}/${String(shard.count)}` : '';
  const finish = `Run the same command again to finish: the ${done} done are kept and only the rest are scanned.`;
  const head = physicsFolder ? 'The scan of this physics run was interrupted' : 'This scan was interrupted';
  if (total !== null && total > done)
    return `${head}: ${done} of ${total} ${what}${where} done, ${total - done} not scanned yet${physicsFolder ? ' (the physics checks run once all are)' : ''}. ${finish}`;
  return `${head} after ${done} ${what}${where}; how many are left is not known (the input was not counted). ${finish}`;
}

/** The clip tally of the scan folder, and its rows of decisions.jsonl joined on when the clips have none. */
async function tallyScan(scanDir: string | null, limits: Limits): Promise<ClipTally> {
  const t = emptyTally(limits);
  if (!scanDir) return t;
  for await (const { value } of readJsonl(join(scanDir, CLIPS_JSONL))) {
    if (value !== null && typeof value === 'object') tallyClip(t, value as Row);
  }
  if (!t.anyDecision) {
    const joined = await joinDecisions(
      scanDir,
      [...t.table.rows(), ...t.confident.rows(), ...t.doubtful.rows(), ...t.flagged.rows()],
      t.decisions,
    );
    t.anyDecision = joined.any;
    t.anyLabel ||= joined.labels;
  }
  return t;
}

/**
 * Reads a scan (or physics) output folder in one streaming pass over clips.jsonl and errors.jsonl,
 * plus summary.json, cues.json, classes.*, decisions.json, physics.jsonl and leaderboard.* when present.
 * Memory is bounded by the options, not by the number of clips. A summary.json that cannot be read throws
 * ManifestError `scan-output-corrupt` naming it; an unreadable cues.json or decisions.json only leaves its
 * part of the page out, with a note saying why.
 */
export async function collectReportData(outDir: string, opts: CollectOptions = {}): Promise<Collected> {
  const limits = limitsOf(opts);
  const scanDir = opts.scanDir ?? findScanDir(outDir);
  const notes: string[] = [];

  const physics = await readPhysics(outDir);
  if (!scanDir && !physics) {
    throw new AuditError(
      'not_a_scan',
      `${expected('an output folder of audit scan or audit physics (with clips.jsonl, summary.json or physics.jsonl)', 'the report folder', outDir)}${existsSync(outDir) ? '' : ' (it does not exist)'}`,
      { path: outDir },
    );
  }
  const summary = scanDir ? await readJsonObject(join(scanDir, SUMMARY_JSON)) : null;
  const cueMeta = await readCueMeta(scanDir, notes);
  const t = await tallyScan(scanDir, limits);
  const errorsFrom = errorSource(outDir, scanDir);
  const { errors, byCode, nErrors } = await collectErrors(errorsFrom, limits.maxErrors);
  const scanErrors =
    errorsFrom.dir === scanDir ? nErrors : (numOrNull((summary?.counts as Row | undefined)?.errors) ?? 0);
  const decisionFacts = await readDecisionFacts(scanDir ?? outDir, notes, t.anyDecision ? null : t.decisions);
  const progress = progressNote(summary, t.clips + scanErrors, isPhysicsFolder(outDir, scanDir));
  if (progress) notes.unshift(progress);

  const hasModel = t.models.size > 0 || [...t.verdicts.keys()].some((v) => v !== NO_VERDICT);
  const itemRows = new Map<GalleryItem, Row>();
  const galleries = hasModel ? modelGalleries(t, itemRows) : [];
  if (!hasModel && t.clips)
    notes.push(
      'No model ran on this scan (--model none, or the model file is missing), so there are no verdicts, galleries or p_forward chart; run `audit scan --model PATH` to add them.',
    );
  let classes = scanDir ? await readFirstTable(scanDir, ['classes.jsonl', 'classes.csv', 'classes.parquet']) : null;
  if (!classes && t.anyLabel) classes = verdictMixTable(t, notes);

  const run = await withPhysicsInput(runOf(summary, opts.outLabel ?? outDir), outDir, scanDir, notes);
  const data: ReportData = {
    title: physics
      ? `Physics checks: ${run.input ? basename(run.input) : basename(outDir)}`
      : `Reversal audit: ${run.input ? basename(run.input) : basename(outDir)}`,
    generatedAt: new Date().toISOString(),
    tool: { name: 'reversal-audit', version: TOOL_VERSION },
    run,
    models: [...t.models],
    counts: {
      clips: t.clips,
      errors: nErrors,
      inputRows: numOrNull((summary?.counts as Row | undefined)?.input_rows),
      reversedInCorpus: t.reversed,
    },
    verdicts: Object.fromEntries(layerOrder(t.verdicts.keys()).map((v) => [v, t.verdicts.get(v)!])),
    decisions: Object.fromEntries(t.decisions),
    decisionFacts,
    errors: { total: nErrors, byCode: Object.fromEntries([...byCode].sort((a, b) => b[1] - a[1])), rows: errors },
    pForward: pForwardChart(t),
    cues: cueCharts(t, cueMeta),
    classes,
    galleries,
    table: t.clips ? clipTable(t, hasModel, outDir, scanDir) : null,
    physics,
    notes,
  };
  return { data, scanDir, itemRows };
}
