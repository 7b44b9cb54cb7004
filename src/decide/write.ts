// The decision step of a finished scan: decide every input row, write the reverse-safe and excluded
// manifests, decisions.jsonl, the class table and decisions.json.

import { rm } from 'node:fs/promises';
import path, { join } from 'node:path';
import { AuditError, ManifestError, UsageError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { CellValue, InputKind } from '../io/inputs.js';
import { readJsonl } from '../io/jsonl-log.js';
import { writeFilteredShards } from '../io/webdataset-write.js';
import { writeParquet } from '../io/parquet-writer.js';
import { CLIPS_JSONL, ERRORS_JSONL } from '../outputs/layout.js';
import { TOOL_VERSION } from '../version.js';
import {
  CLASS_COLUMNS,
  addClassClip,
  classRows,
  classSummary,
  newClassStats,
  type ClassRow,
  type ClassStats,
} from './classes.js';
import { checkDecisionColumns, openManifest, recordId, type Manifest, type ManifestRecord } from './manifest-read.js';
import { addedColumnNames, csvLine, openTextSink, writeManifests, type DecidedRecord } from './manifests.js';
import {
  DECISIONS,
  POLICIES,
  decide,
  restsOnPixels,
  type CaptionInfo,
  type ClassPrior,
  type Decision,
  type DecisionInput,
  type Policy,
} from './policy.js';
import {
  LABEL_MATCH_MIN,
  checkLabelMap,
  labelMapPriors,
  labelWarning,
  tallyLabel,
  type DecisionWarning,
  type LabelTally,
} from './label-check.js';
import { idHash, indexScan, type RowResult, type ScanIndex } from './scan-results.js';
import {
  AUTO_TAXONOMY_SAMPLE,
  TAXONOMY_CHOICES,
  captionInfo,
  pickTaxonomy,
  priorLookup,
  tryLoadTaxonomy,
  type TaxonomyChoice,
  type TaxonomyName,
} from './text-sources.js';

export const DECISIONS_JSON = 'decisions.json';
export const DECISIONS_JSONL = 'decisions.jsonl';
/** WebDataset input: the folder of reverse-safe shards (the reverse-safe samples, their json with the decision). */
export const REVERSE_SAFE_SHARDS = 'reverse-safe-shards';
export const CLASSES_CSV = 'classes.csv';
export const CLASSES_PARQUET = 'classes.parquet';

/** Options of {@link writeDecisions}. */
export interface DecisionOptions {
  /** The input the scan read, and its kind (summary.json `input.path` / `input.kind`). */
  input: string;
  format: InputKind;
  pathColumn?: string;
  idColumn?: string;
  /** The scan's segment columns (--start-column / --end-column): rows without an id are named `path#start-end`. */
  startColumn?: string;
  endColumn?: string;
  /** The scan's shard: rows of other shards are not in this output and are skipped. */
  shard?: { index: number; count: number } | null;
  /**
   * The rows the scan read (`input`: every shard's) and wrote (`shard`: this output's clip and error rows), as its
   * summary.json counts them. When given, a manifest of another length or an output that lost (or gained) rows is
   * refused; without them a sharded scan cannot tell either from rows of other shards.
   */
  rows?: { input: number; shard: number };
  labelColumn?: string;
  captionColumn?: string;
  /** Taxonomy for the label column (default auto: ssv2 or jester when most labels match one, else none). */
  taxonomy?: TaxonomyChoice;
  /** The user's own taxonomy, a CSV of label,verdict,counterpart (`--label-map`), used instead of the built-in ones. */
  labelMap?: string;
  policy?: Policy;
}

/** What the decision step did (decisions.json; `counts` also goes into the scan's summary.json). */
export interface DecisionSummary {
  tool: string;
  version: string;
  written_at: string;
  policy: Policy;
  settings: {
    labelColumn: string | null;
    captionColumn: string | null;
    taxonomy: TaxonomyChoice;
    labelMap?: string | null;
  };
  /** The taxonomy used for labels (null: none; 'label-map': --label-map), and for auto the share of sampled labels each one matched. */
  taxonomy: TaxonomyName | 'label-map' | null;
  taxonomy_match: Record<string, number> | null;
  /** The label map used (absolute path, sha256, number of labels), or null. */
  label_map?: { file: string; sha256: string; labels: number } | null;
  /** Labelled rows and how many of them the taxonomy or label map in use knew (null without a label column). */
  label_match?: { labelled: number; matched: number; rate: number | null } | null;
  /** Things a user must know about these decisions, e.g. `labels_unmatched` with the match rate of every taxonomy. */
  warnings?: DecisionWarning[];
  rows: number;
  counts: Record<Decision, number>;
  reverse_safe: number;
  excluded: number;
  /**
   * What the decisions rest on: `pixel_only` rows had a model verdict and no label class or caption that spoke;
   * `doubtful` clips had pixels in doubt (`doubt` of clips.jsonl), counted per kind (tiny, blank, still, out of domain).
   */
  evidence: { pixel_only: number; doubtful: number; doubt: Record<string, number> };
  /** Decisions of the same rows under every policy (to compare before choosing one). */
  by_policy: Record<Policy, Record<Decision, number>>;
  /** How many rows each table rule decided (under the chosen policy). */
  by_rule: Record<string, number>;
  files: string[];
  classes: ReturnType<typeof classSummary> | null;
  notes: string[];
}

function cellText(v: CellValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  const s = String(v);
  return s.trim() === '' ? null : s;
}

const zeroCounts = (): Record<Decision, number> =>
  Object.fromEntries(DECISIONS.map((d) => [d, 0])) as Record<Decision, number>;

/** Reads the labels of the first labelled rows of the scan (for `--taxonomy auto`). */
async function sampleLabels(out: string, labelColumn: string): Promise<string[]> {
  const labels: string[] = [];
  for (const file of [CLIPS_JSONL, ERRORS_JSONL]) {
    for await (const { value } of readJsonl(join(out, file))) {
      const text = cellText((value as { input?: Record<string, CellValue> }).input?.[labelColumn]);
      if (text !== null) labels.push(text);
      if (labels.length >= AUTO_TAXONOMY_SAMPLE) return labels;
    }
  }
  return labels;
}

async function resolveTaxonomy(
  out: string,
  choice: TaxonomyChoice,
  labelColumn: string | undefined,
  notes: string[],
  labelMap?: string,
) {
  const map = await checkLabelMap(labelMap, labelColumn, choice);
  if (map) return { name: 'label-map' as const, lookup: labelMapPriors(map), shares: null, map };
  if (labelColumn === undefined || choice === 'none') return { name: null, lookup: null, shares: null };
  if (choice !== 'auto') {
    const { taxonomy, problem } = await tryLoadTaxonomy(choice);
    if (!taxonomy)
      throw new AuditError(
        'taxonomy',
        `${problem}\nPossible solutions:\n  - run \`npm run taxonomy\` to build data/taxonomy/\n  - use --taxonomy none`,
      );
    return { name: choice, lookup: priorLookup(taxonomy), shares: null };
  }
  const loaded = [];
  for (const name of ['ssv2', 'jester'] as const) {
    const { taxonomy, problem } = await tryLoadTaxonomy(name);
    if (taxonomy) loaded.push(taxonomy);
    else notes.push(problem!);
  }
  const pick = pickTaxonomy(await sampleLabels(out, labelColumn), loaded);
  return {
    name: pick.taxonomy?.name ?? null,
    lookup: pick.taxonomy ? priorLookup(pick.taxonomy) : null,
    shares: pick.shares,
  };
}

/** The warnings of the decision step: a label column that matches too few rows of the taxonomy in use (or none). */
async function decisionWarnings(
  out: string,
  labelColumn: string | undefined,
  choice: TaxonomyChoice,
  tax: { name: TaxonomyName | 'label-map' | null; shares: Record<string, number> | null },
  tally: LabelTally,
): Promise<DecisionWarning[]> {
  if (labelColumn === undefined || (tax.name === null && choice === 'none')) return [];
  const rate = tally.labelled ? tally.matched / tally.labelled : 1;
  if (tax.name !== null && rate >= LABEL_MATCH_MIN) return [];
  // The rate of every built-in taxonomy over the first labelled rows (auto has them already), the one in use over all rows.
  let rates: Record<string, number> = tax.shares ? { ...tax.shares } : {};
  if (tax.name !== 'label-map' && !tax.shares) {
    const loaded = [];
    for (const name of ['ssv2', 'jester'] as const) {
      const { taxonomy } = await tryLoadTaxonomy(name);
      if (taxonomy) loaded.push(taxonomy);
    }
    rates = pickTaxonomy(await sampleLabels(out, labelColumn), loaded).shares;
  }
  if (tax.name !== null) rates[tax.name] = rate;
  const w = labelWarning({ labelColumn, source: tax.name, tally, rates });
  return w ? [w] : [];
}

type ResolvedTaxonomy = Awaited<ReturnType<typeof resolveTaxonomy>>;

/** How a manifest row is named when the scan gave it no id. */
interface RowNaming {
  pathColumn: string;
  idColumn: string;
  segments?: { startColumn: string; endColumn: string };
}

/** The options a user can get wrong, checked before anything is read: the policy and the taxonomy choice. */
function checkedSettings(opts: DecisionOptions): { policy: Policy; choice: TaxonomyChoice; naming: RowNaming } {
  const policy = opts.policy ?? 'balanced';
  if (!POLICIES.includes(policy))
    throw new UsageError(`Expected one of ${POLICIES.join(', ')} for --policy but received ${JSON.stringify(policy)}`);
  const choice = opts.taxonomy ?? 'auto';
  if (!TAXONOMY_CHOICES.includes(choice))
    throw new UsageError(
      `Expected one of ${TAXONOMY_CHOICES.join(', ')} for --taxonomy but received ${JSON.stringify(choice)}`,
    );
  const segments =
    opts.startColumn !== undefined && opts.endColumn !== undefined
      ? { startColumn: opts.startColumn, endColumn: opts.endColumn }
      : undefined;
  return {
    policy,
    choice,
    naming: { pathColumn: opts.pathColumn ?? 'path', idColumn: opts.idColumn ?? 'id', segments },
  };
}

/** The id of a readable manifest row: the one the scan gave it, else its path (folders, files) or id column. */
function rowId(
  id: string | undefined,
  columns: Record<string, CellValue>,
  kind: InputKind,
  naming: RowNaming,
): string | null {
  return (
    id ??
    (kind === 'folder' || kind === 'file'
      ? cellText(columns.path)
      : recordId(columns, naming.pathColumn, naming.idColumn, naming.segments))
  );
}

/** captionInfo, once per distinct caption: captions repeat in corpora (templates, duplicates). */
function captionAnalyser(): (text: string) => CaptionInfo | null {
  const captionMemo = new Map<string, CaptionInfo | null>();
  return (text) => {
    let a = captionMemo.get(text);
    if (a === undefined) {
      try {
        a = captionInfo(text);
      } catch {
        a = null; // counts as a caption that could not be analysed
      }
      if (captionMemo.size < 100_000) captionMemo.set(text, a);
    }
    return a;
  };
}

/** Indexes the scan's rows; with a label column, also gathers the class statistics of its clips. */
async function indexWithClasses(
  out: string,
  labelColumn: string | undefined,
  priorOf: (label: string) => ClassPrior | null,
): Promise<{ index: ScanIndex; stats: ClassStats | null }> {
  const stats = labelColumn !== undefined ? newClassStats(priorOf) : null;
  const index = await indexScan(out, (c) => {
    if (!stats) return;
    const label = cellText(c.input?.[labelColumn!] as CellValue | undefined);
    if (label === null) return;
    const v = c.verdict;
    addClassClip(stats, {
      label,
      verdict: v === 'invariant' || v === 'equivariant' || v === 'irreversible' ? v : null,
      p_forward: typeof c.p_forward === 'number' ? c.p_forward : null,
      embedding_forward: Array.isArray(c.embedding_forward) ? c.embedding_forward : null,
      embedding_reversed: Array.isArray(c.embedding_reversed) ? c.embedding_reversed : null,
    });
  });
  return { index, stats };
}

/** Everything deciding a row needs: the run's settings, the manifest and the scan's results. */
interface DecideRun {
  out: string;
  policy: Policy;
  naming: RowNaming;
  labelColumn: string | undefined;
  captionColumn: string | undefined;
  priorOf: (label: string) => ClassPrior | null;
  analyse: (text: string) => CaptionInfo | null;
  manifest: Manifest;
  index: ScanIndex;
  /** With --shard: manifest rows of other shards have no result and are passed over. */
  sharded: boolean;
  /** What the scan counted (see {@link DecisionOptions.rows}). */
  rows: { input: number; shard: number } | undefined;
}

/** What the policy sees of a row: the scan's error, or the model's opinion, doubt, label prior and caption. */
function decisionInput(run: DecideRun, rec: ManifestRecord, res: RowResult): DecisionInput {
  if (res.kind === 'error') {
    const raw = rec.columns === null && rec.raw !== undefined ? `; raw: ${rec.raw}` : '';
    return { error: { ...res.error, message: `${res.error.message}${raw}` } };
  }
  const cols = rec.columns ?? {};
  const input: DecisionInput = { model: res.model, doubt: res.doubt };
  if (run.labelColumn !== undefined) {
    const text = cellText(cols[run.labelColumn]);
    input.label = { text, prior: text === null ? null : run.priorOf(text) };
  }
  if (run.captionColumn !== undefined) {
    const text = cellText(cols[run.captionColumn]);
    input.caption = { text, analysis: text === null ? null : run.analyse(text) };
  }
  return input;
}

function manifestChanged(run: DecideRun, why: string): ManifestError {
  return new ManifestError(
    'manifest-changed',
    `${why}: ${run.manifest.input} changed since it was scanned into ${run.out}\nPossible solutions:\n  - scan it again into a new --out folder\n  - restore the manifest the scan read`,
    { path: run.manifest.input },
  );
}

/** Decided records in manifest order, checked against the scan: each pass streams the manifest again. */
async function* decidedRecords(run: DecideRun): AsyncGenerator<DecidedRecord> {
  const { manifest, index } = run;
  if (run.rows && index.clips + index.errors !== run.rows.shard)
    throw new ManifestError(
      'scan-output-corrupt',
      `${run.out} holds ${index.clips} clip rows and ${index.errors} error rows, but the scan wrote ${run.rows.shard} (summary.json): rows were removed from or added to clips.jsonl or errors.jsonl\nPossible solutions:\n  - scan again into a new --out folder`,
      { path: run.out },
    );
  let matched = 0;
  let records = 0;
  for await (const rec of manifest.records()) {
    records++;
    const res = index.get(rec.row);
    if (!res) {
      if (run.sharded) continue;
      throw manifestChanged(run, `Row ${rec.row} of the manifest has no result in clips.jsonl or errors.jsonl`);
    }
    matched++;
    if (res.kind === 'clip' && rec.columns === null)
      throw manifestChanged(run, `Row ${rec.row} of the manifest cannot be read now but was scanned`);
    if (rec.columns !== null && res.idHash !== null && manifest.kind !== 'file') {
      const id = rowId(rec.id, rec.columns, manifest.kind, run.naming);
      if (id !== null && idHash(id) !== res.idHash)
        throw manifestChanged(
          run,
          `Row ${rec.row} of the manifest holds ${JSON.stringify(id)}, not the clip the scan saw there`,
        );
    }
    const input = decisionInput(run, rec, res);
    const result = decide(input, run.policy);
    yield { record: rec, result, confidence: res.kind === 'clip' ? (res.model?.confidence ?? null) : null, input };
  }
  if (run.rows && records !== run.rows.input)
    throw manifestChanged(run, `The manifest has ${records} rows now; the scan read ${run.rows.input}`);
  if (matched !== index.clips + index.errors)
    throw manifestChanged(
      run,
      `${index.clips + index.errors - matched} rows of the scan are not in the manifest any more`,
    );
}

/** The counts gathered row by row while the manifests are written. */
interface DecisionTally {
  counts: Record<Decision, number>;
  byPolicy: Record<Policy, Record<Decision, number>>;
  byRule: Record<string, number>;
  evidence: DecisionSummary['evidence'];
  labels: LabelTally;
  /** WebDataset input: the reverse-safe samples' rows, with the fields their shards' json get. */
  shardRows: Map<number, Record<string, CellValue>>;
}

function emptyDecisionTally(): DecisionTally {
  return {
    counts: zeroCounts(),
    byPolicy: Object.fromEntries(POLICIES.map((p) => [p, zeroCounts()])) as Record<Policy, Record<Decision, number>>,
    byRule: {},
    evidence: { pixel_only: 0, doubtful: 0, doubt: {} },
    labels: { labelled: 0, matched: 0 },
    shardRows: new Map(),
  };
}

function tallyDecision(t: DecisionTally, d: DecidedRecord, policy: Policy, kind: InputKind): void {
  const input = d.input;
  t.counts[d.result.decision]++;
  t.byRule[d.result.rule] = (t.byRule[d.result.rule] ?? 0) + 1;
  tallyLabel(t.labels, input.label);
  for (const p of POLICIES) t.byPolicy[p][p === policy ? d.result.decision : decide(input, p).decision]++;
  if (restsOnPixels(input)) t.evidence.pixel_only++;
  if (input.doubt?.length) {
    t.evidence.doubtful++;
    for (const k of new Set(input.doubt.map((r) => r.split(':')[0])))
      t.evidence.doubt[k] = (t.evidence.doubt[k] ?? 0) + 1;
  }
  if (kind === 'webdataset' && d.result.reverse)
    t.shardRows.set(d.record.row, {
      label_reversed: d.result.label_reversed,
      caption_reversed: d.result.caption_reversed,
      decision: d.result.decision,
    });
}

/** One decisions.jsonl line; a failed row keeps its label and caption as the manifest gives them. */
function decisionLine(d: DecidedRecord, run: DecideRun): string {
  const cols = d.record.columns;
  const kind = run.manifest.kind;
  const naming = run.naming;
  const text = (column: string | undefined) => (cols && column !== undefined ? cellText(cols[column]) : null);
  return `${JSON.stringify({
    row: d.record.row,
    id: cols ? rowId(d.record.id, cols, kind, naming) : null,
    decision: d.result.decision,
    reverse: d.result.reverse,
    verdict: d.result.verdict,
    confidence: d.confidence,
    reason: d.result.reason,
    rule: d.result.rule,
    label: d.input.label ? d.input.label.text : text(run.labelColumn),
    label_reversed: d.result.label_reversed,
    caption: d.input.caption ? d.input.caption.text : text(run.captionColumn),
    caption_reversed: d.result.caption_reversed,
  })}\n`;
}

/** Writes reverse-safe / excluded manifests and decisions.jsonl in one pass of decided rows, tallying each row. */
async function writeDecidedRows(
  run: DecideRun,
  added: string[],
  t: DecisionTally,
): Promise<{ files: string[]; safe: number; excluded: number }> {
  const log = await openTextSink(join(run.out, DECISIONS_JSONL));
  try {
    const written = await writeManifests({
      out: run.out,
      manifest: run.manifest,
      added,
      rows: () => decidedRecords(run),
      onRow: async (d) => {
        tallyDecision(t, d, run.policy, run.manifest.kind);
        await log.write(decisionLine(d, run));
      },
    });
    await log.commit();
    return {
      files: [...written.files, join(run.out, DECISIONS_JSONL)],
      safe: written.reverse_safe,
      excluded: written.excluded,
    };
  } catch (err) {
    await log.abort();
    throw err;
  }
}

/** classes.csv and classes.parquet with a label column; without one, removes a stale table of an earlier run. */
async function writeClassTable(
  out: string,
  stats: ClassStats | null,
  files: string[],
  notes: string[],
): Promise<ClassRow[] | null> {
  if (!stats) {
    // A class table from an earlier run with another label column would be stale.
    await rm(join(out, CLASSES_CSV), { force: true });
    await rm(join(out, CLASSES_PARQUET), { force: true });
    return null;
  }
  const classes = classRows(stats);
  const names = CLASS_COLUMNS.map((c) => c.name);
  const csv = [
    csvLine(names, ','),
    ...classes.map((r) =>
      csvLine(
        names.map((n) => r[n as keyof ClassRow] as CellValue),
        ',',
      ),
    ),
  ].join('');
  await writeFileAtomic(join(out, CLASSES_CSV), csv);
  await writeParquet(
    join(out, CLASSES_PARQUET),
    [...CLASS_COLUMNS],
    classes as unknown as Array<Record<string, unknown>>,
  );
  files.push(join(out, CLASSES_CSV), join(out, CLASSES_PARQUET));
  if (stats.skippedEmbeddings)
    notes.push(
      `${stats.skippedEmbeddings} clips had embeddings of another length or none and were left out of pair finding`,
    );
  return classes;
}

/**
 * Decides every input row of the finished scan in `out` and writes, next to its outputs:
 * `reverse-safe.<ext>` and `excluded.<ext>` (the input's format, every original column in order, then
 * reverse, label_reversed, caption_reversed, verdict, decision, confidence, reason), `decisions.jsonl`
 * (one row per input row), `classes.csv` and `classes.parquet` (with a label column) and `decisions.json`.
 * Throws UsageError for a missing label or caption column, ManifestError when the manifest no longer
 * matches the scan.
 * @example
 * const s = await writeDecisions('out/corpus', { input: 'corpus.csv', format: 'csv', labelColumn: 'label', policy: 'strict' });
 * s.counts.reverse_keep_label;
 */
export async function writeDecisions(out: string, opts: DecisionOptions): Promise<DecisionSummary> {
  const { policy, choice, naming } = checkedSettings(opts);
  const { labelColumn, captionColumn } = opts;
  await checkDecisionColumns(opts.input, opts.format, { labelColumn, captionColumn });
  const notes: string[] = [];

  const tax = await resolveTaxonomy(out, choice, labelColumn, notes, opts.labelMap);
  const priorOf: (label: string) => ClassPrior | null = tax.lookup ?? (() => null);
  const { index, stats } = await indexWithClasses(out, labelColumn, priorOf);
  const manifest = await openManifest(opts.input, opts.format);
  const added = addedColumnNames([...manifest.columns, ...index.inputColumns]);
  const run: DecideRun = {
    out,
    policy,
    naming,
    labelColumn,
    captionColumn,
    priorOf,
    analyse: captionAnalyser(),
    manifest,
    index,
    sharded: !!opts.shard && opts.shard.count > 1,
    rows: opts.rows,
  };

  const t = emptyDecisionTally();
  const { files, safe, excluded } = await writeDecidedRows(run, added, t);
  if (manifest.kind === 'webdataset')
    files.push((await writeFilteredShards(manifest.input, join(out, REVERSE_SAFE_SHARDS), t.shardRows)).dir);
  const classes = await writeClassTable(out, stats, files, notes);
  const summary = await decisionSummary({ out, opts, policy, choice, tax, t, files, safe, excluded, classes, notes });
  await writeFileAtomic(join(out, DECISIONS_JSON), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

/** What summary.json says of a decision step: the same block whether `audit scan` or `audit decide` wrote it. */
export function summaryDecisions(
  d: DecisionSummary,
): Pick<
  DecisionSummary,
  'policy' | 'taxonomy' | 'counts' | 'reverse_safe' | 'excluded' | 'evidence' | 'by_rule' | 'warnings'
> {
  const { policy, taxonomy, counts, reverse_safe, excluded, evidence, by_rule, warnings } = d;
  return { policy, taxonomy, counts, reverse_safe, excluded, evidence, by_rule, warnings };
}

/** decisions.json (written_at taken now). */
async function decisionSummary(o: {
  out: string;
  opts: DecisionOptions;
  policy: Policy;
  choice: TaxonomyChoice;
  tax: ResolvedTaxonomy;
  t: DecisionTally;
  files: string[];
  safe: number;
  excluded: number;
  classes: ClassRow[] | null;
  notes: string[];
}): Promise<DecisionSummary> {
  const { labelColumn, captionColumn } = o.opts;
  const { tax, t } = o;
  return {
    tool: 'reversal-audit',
    version: TOOL_VERSION,
    written_at: new Date().toISOString(),
    policy: o.policy,
    settings: {
      labelColumn: labelColumn ?? null,
      captionColumn: captionColumn ?? null,
      taxonomy: o.choice,
      labelMap: tax.map?.file ?? null,
    },
    taxonomy: tax.name,
    taxonomy_match: tax.shares,
    label_map: tax.map ? { file: tax.map.file, sha256: tax.map.sha256, labels: tax.map.entries.length } : null,
    label_match:
      labelColumn === undefined
        ? null
        : {
            ...t.labels,
            rate: t.labels.labelled ? Math.round((t.labels.matched / t.labels.labelled) * 1e4) / 1e4 : null,
          },
    warnings: await decisionWarnings(o.out, labelColumn, o.choice, tax, t.labels),
    rows: o.safe + o.excluded,
    counts: t.counts,
    reverse_safe: o.safe,
    excluded: o.excluded,
    evidence: t.evidence,
    by_policy: t.byPolicy,
    by_rule: t.byRule,
    files: o.files.map((f) => path.relative(o.out, f)),
    classes: o.classes ? classSummary(o.classes) : null,
    notes: o.notes,
  };
}
