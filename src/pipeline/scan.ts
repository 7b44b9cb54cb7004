// `scan`: stream the input, fan clips out to the worker pool, write every row exactly once.

import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CUE_COLUMNS } from '../cues/index.js';
import { FB_ASYMMETRY, SUMMARIES } from '../cues/summaries.js';
import { AuditError, RunMismatchError, UsageError } from '../errors.js';
import { DETECTOR_ID, checkContentPackages } from '../content/detector.js';
import { chooseArrowHead, type ArrowHead } from '../model/arrow-head.js';
import { DEFAULT_CONTENT_HEAD, loadContentHead, type ContentHead } from '../model/content-head.js';
import type { FolderLock } from '../io/lock.js';
import { openInput, type InputSource } from '../io/inputs.js';
import { isRemotePath } from '../io/object-store.js';
import { writeFileAtomic } from '../io/atomic.js';
import { readJsonl } from '../io/jsonl-log.js';
import { writeParquet } from '../io/parquet-writer.js';
import { parseScanOptions, type ScanOptions, type ScanOptionsInput } from './options.js';
import { isS3Url } from '../io/object-store.js';
import { OutDir, lockOutDir, withOutputFolder, withResumableOut } from './out-dir.js';
import { CLIPS_JSONL, CLIPS_PARQUET, CUES_JSON, SUMMARY_JSON } from '../outputs/layout.js';
import { ProgressReporter } from './progress.js';
import { CLIP_COLUMNS } from './rows.js';
import { countRows, emptyTally, scanRows, type RowRun } from './scan-rows.js';
import { loadModel, type LoadedModel } from '../model/onnx.js';
import { COLUMNS_HASH } from '../model/features.js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AnalysisSettings } from './task.js';
import { TOOL_VERSION } from '../version.js';
import { checkDecisionColumns, summaryDecisions, writeDecisions, type DecisionSummary } from '../decide/index.js';
import { checkLabelMap } from '../decide/label-check.js';

/** What a scan did; also written to summary.json. */
export interface ScanSummary {
  tool: string;
  version: string;
  status: 'complete' | 'interrupted';
  started_at: string;
  finished_at: string;
  input: { path: string; kind: string };
  out: string;
  settings: AnalysisSettings & {
    workers: number;
    /** Clips one ffmpeg decoded together (1: one ffmpeg per clip). */
    decodeBatch: number;
    pathColumn: string;
    idColumn: string;
    startColumn?: string;
    endColumn?: string;
    /** The decision step's text columns and taxonomy, as given to the scan (`audit decide` on a merge reads them). */
    labelColumn?: string;
    captionColumn?: string;
    taxonomy?: string;
    labelMap?: string;
  };
  shard: { index: number; count: number } | null;
  counts: {
    /** Rows the input has in all (every shard's). */
    input_rows: number;
    /** Rows that belong to this shard (all rows without --shard). */
    shard_rows: number;
    clips: number;
    errors: number;
    /** Rows already finished by an earlier run into the same --out. */
    resumed: number;
    this_run_clips: number;
    this_run_errors: number;
    /** Error rows per code (missing, not_video, corrupt, timeout, duplicate_id, ...). */
    errors_by_code: Record<string, number>;
  };
  timings: { wall_s: number; clips_per_s: number; mean_decode_ms: number; mean_analyse_ms: number };
  series_format: string;
  /** The decision step (reverse-safe / excluded manifests): its policy and counts, or why it failed. */
  /** The decision step's counts; `evidence`: decisions on pixels alone and clips in doubt (see DecisionSummary). */
  decisions?:
    | Pick<
        DecisionSummary,
        'policy' | 'taxonomy' | 'counts' | 'reverse_safe' | 'excluded' | 'evidence' | 'by_rule' | 'warnings'
      >
    | { error: string };
  /** report.html of this run, or why it could not be written (absent with --no-report or when interrupted). */
  report?: { file: string } | { error: string };
}

export interface ScanHooks {
  /** Abort the run: stop reading, cancel clips in flight, close the logs (SIGINT). */
  signal?: AbortSignal;
  /** Where progress goes (default process.stderr). */
  progressStream?: NodeJS.WritableStream & { isTTY?: boolean };
}

const SERIES_FORMAT =
  'float32 little-endian, series_pairs x series_columns row-major, at byte series_offset of series_file (relative to the output folder); column names in cues.json';

/** The model shipped with the package (used when --model is not given and the file exists). */
export const DEFAULT_MODEL = fileURLToPath(new URL('../../models/reversal-v1.onnx', import.meta.url));

/** The model a run uses: the file given, none for 'none', else the shipped model when it exists. */
export function modelPath(option: string | undefined): string | null {
  if (option === 'none') return null;
  if (option !== undefined) return resolve(option);
  return existsSync(DEFAULT_MODEL) ? DEFAULT_MODEL : null;
}

/** What makes the rows of one output folder comparable; written to run.json, checked on resume. */
export interface RunIdentity {
  settings: AnalysisSettings;
  model: { version: string; sha256: string | null; windows?: number } | null;
  columns_hash: string;
  /** With --content: the detector and the content head (name@version, or null for scores only); absent without. */
  content?: { detector: string; head: string | null };
  /** The arrow head that gave p_forward (name@version); absent when the model's own arrow did (or no model). */
  arrow?: string;
  /** The manifest columns that made each row: the clip's path, its id and its segment (absent in older run.json). */
  input?: { pathColumn: string; idColumn: string; startColumn?: string; endColumn?: string };
}

export const RUN_JSON = 'run.json';

/** What made a folder's rows, in words: two runs whose rows may share a folder (or a merge) describe alike. */
export function describeRun(r: RunIdentity): string {
  // A run.json without model windows predates them: its clips were judged on the centred window alone (--model-windows 1).
  return `model ${r.model ? `${r.model.version}${r.model.sha256 ? ` (${r.model.sha256.slice(0, 12)})` : ''}, ${r.model.windows ?? 1} model window(s)` : 'none'}, settings ${JSON.stringify(r.settings)}${r.columns_hash === COLUMNS_HASH ? '' : ', other cue columns'}${r.content ? `, content ${r.content.detector} head ${r.content.head ?? 'none'}` : ''}${r.arrow ? `, arrow head ${r.arrow}` : ''}${r.input ? `, manifest columns ${JSON.stringify(r.input)}` : ''}`;
}

/** The manifest columns an earlier run into `out` used, from its summary.json's settings; null without one. */
async function earlierInput(out: string): Promise<RunIdentity['input'] | null> {
  const settings = await readSummary(out).then(
    (s) => s.settings as Partial<Record<(typeof INPUT_SETTINGS)[number], string>> | undefined,
    () => undefined,
  );
  if (typeof settings?.pathColumn !== 'string' || typeof settings.idColumn !== 'string') return null;
  const { pathColumn, idColumn, startColumn, endColumn } = settings;
  return { pathColumn, idColumn, ...(startColumn && endColumn ? { startColumn, endColumn } : {}) };
}

async function checkSameRun(out: string, now: RunIdentity): Promise<void> {
  const file = join(out, RUN_JSON);
  if (!existsSync(file) || !existsSync(join(out, CLIPS_JSONL))) return;
  const before = JSON.parse(await readFile(file, 'utf8')) as RunIdentity;
  // a run.json from before the manifest columns were recorded: its summary.json's settings name them, else (no
  // summary yet) nothing can tell, and they are taken as this run's
  if (before.input === undefined && now.input !== undefined) before.input = (await earlierInput(out)) ?? now.input;
  const describe = describeRun;
  if (describe(before) !== describe(now)) {
    throw new RunMismatchError(
      `${out} holds rows of an earlier scan made with ${describe(before)}; this run asks for ${describe(now)}. Resuming would mix the two.\nPossible solutions:\n- use a new --out folder\n- or run with the earlier settings and --model to resume`,
    );
  }
}

/**
 * Scans a folder, a video file or a manifest and writes clips.jsonl, clips.parquet, errors.jsonl,
 * cues.json, series/ and summary.json into `out`. Every input row of the shard ends up exactly once
 * in clips or errors; running again with the same `out` resumes.
 * @example
 * const summary = await scan({ input: 'samples/manifest.csv', out: 'out/samples' });
 */
export async function scan(options: ScanOptionsInput, hooks: ScanHooks = {}): Promise<ScanSummary> {
  return withOutputFolder(
    options.out,
    (out) =>
      withResumableOut(out, (held) =>
        // the report names the s3:// prefix the outputs go to, not the staging folder it is written in
        scanLocked({ ...options, out }, hooks, held, isS3Url(options.out) ? options.out : undefined),
      ),
    { command: `audit scan ${options.input} --out ${options.out}`, quiet: options.quiet, stream: hooks.progressStream },
  );
}

/** The scan itself; takes the lock of the output folder into `held` before reading or writing it. */
async function scanLocked(
  options: ScanOptionsInput,
  hooks: ScanHooks,
  held: { lock?: FolderLock },
  shownOut?: string,
): Promise<ScanSummary> {
  const opts = parseScanOptions(options);
  const started = new Date();
  const t0 = performance.now();
  const source = await openScanInput(opts);
  const out = resolve(opts.out);
  // One run per output folder: a second one stops here, before loading the model, naming this one.
  held.lock = await lockOutDir(
    out,
    `audit scan ${opts.input} --out ${opts.out}${opts.shardSel ? ` --shard ${opts.shardSel.index}/${opts.shardSel.count}` : ''}`,
  );
  const settings = analysisSettings(opts);
  const mp = modelPath(opts.model);
  const content = await loadRunContent(opts, mp);
  const arrow = await loadRunArrow(opts, mp);
  const { model, modelVersion, identity } = await loadRunModel(out, opts, mp, settings, content, arrow);
  const dir = await OutDir.open(out, `${started.getTime().toString(36)}-${process.pid}`, {
    retryErrors: opts.retryErrors,
  });
  const resumed = dir.done.size;
  await writeRunFiles(out, identity);

  const progress = new ProgressReporter(hooks.progressStream ?? process.stderr, opts.quiet);
  if (model)
    progress.note(
      `verdicts from ${mp} (${modelVersion}) on ${model.provider}${model.tried.length ? `; passed over: ${model.tried.join('; ')}` : ''}`,
    );
  if (content)
    progress.note(
      `content: ${DETECTOR_ID}${content.head ? `, verdict averaged with ${content.head.path} (${content.head.name}@${content.head.version})` : ', class scores only (--content-head none)'}`,
    );
  if (arrow) progress.note(`arrow of time (p_forward) from ${arrow.path} (${arrow.name}@${arrow.version})`);
  if (opts.count) progress.note(`counting the rows of ${source.input} (--no-count skips this)...`);
  const counted = opts.count ? await countRows(source, opts, hooks.signal, dir) : null;
  const run: RowRun = {
    opts,
    settings,
    dir,
    model,
    modelVersion,
    content,
    arrow,
    progress,
    state: { done: 0, errors: 0, skipped: 0, total: counted ? counted.shard : null },
    tally: emptyTally(),
    abort: new AbortController(),
    fatal: null,
  };
  await markUnfinished(out);
  await scanRows(run, source, hooks.signal);
  // The resume keys (about 90 bytes a row) are not needed past the rows: free them before the stages that read every
  // row again (clips.parquet, decisions, report) build their own indexes.
  dir.done.clear();
  if (run.fatal) throw run.fatal;

  const interrupted = run.abort.signal.aborted;
  if (!interrupted && opts.parquet) await writeClipsParquet(out);
  const decided = interrupted
    ? { decisions: undefined, failed: null }
    : await decideAfterScan(out, source, opts, { input: run.tally.inputRows, shard: run.tally.shardRows });
  const summary = scanSummary(run, { started, t0, out, source, counted, resumed, decisions: decided.decisions });
  await writeFileAtomic(join(out, SUMMARY_JSON), `${JSON.stringify(summary, null, 2)}\n`);
  if (!interrupted && opts.report) await reportAfterScan(out, summary, progress, shownOut);
  if (decided.failed) throw decided.failed;
  return summary;
}

/** Opens the input and checks the options that name its columns (or a label map) before any clip is scanned. */
async function openScanInput(opts: ScanOptions): Promise<InputSource> {
  const source = await openInput(isRemotePath(opts.input) ? opts.input : resolve(opts.input), {
    pathColumn: opts.pathColumn,
    idColumn: opts.idColumn,
    format: opts.format,
    startColumn: opts.startColumn,
    endColumn: opts.endColumn,
  });
  // A wrong --label-column / --caption-column is a usage error now, not after the clips are scanned.
  await checkDecisionColumns(source.input, source.kind, {
    labelColumn: opts.labelColumn,
    captionColumn: opts.captionColumn,
  });
  // A bad --label-map row is a usage error now, not after the clips are scanned.
  await checkLabelMap(opts.labelMap, opts.labelColumn, opts.taxonomy);
  return source;
}

function analysisSettings(opts: ScanOptions): AnalysisSettings {
  return {
    shortSide: opts.shortSide,
    fps: opts.fps,
    maxSeconds: opts.maxSeconds,
    timeoutMs: opts.timeoutMs,
    flowPreset: opts.flowPreset,
    flowDirections: opts.flowDirections,
    reverse: opts.reverse,
  };
}

/**
 * With --content: checks that the detector's packages are installed and loads the content head (null head with
 * --content-head none); null without --content. Before the model, so a missing package fails in a second.
 */
async function loadRunContent(opts: ScanOptions, mp: string | null): Promise<{ head: ContentHead | null } | null> {
  if (!opts.content) {
    if (opts.contentHead !== undefined) throw new UsageError('--content-head needs --content');
    return null;
  }
  await checkContentPackages();
  if (opts.contentHead === 'none') return { head: null };
  if (mp === null)
    throw new UsageError(
      "--content averages the content head's verdict with the model's: with --model none, only --content-head none (class scores only) can run",
    );
  const path = opts.contentHead === undefined ? fileURLToPath(DEFAULT_CONTENT_HEAD) : resolve(opts.contentHead);
  return { head: await loadContentHead(path, DETECTOR_ID) };
}

/**
 * The arrow head that gives p_forward: --arrow-head FILE; by default the shipped one beside the shipped model, while
 * another model (an adapted one, say) keeps its own arrow; null for --arrow-head none (the model's own arrow) and
 * without a model, where there is no p_forward.
 */
export async function loadRunArrow(opts: Pick<ScanOptions, 'arrowHead'>, mp: string | null): Promise<ArrowHead | null> {
  if (mp === null) {
    if (opts.arrowHead !== undefined && opts.arrowHead !== 'none')
      throw new UsageError("--arrow-head gives p_forward beside the model's verdict: with --model none there is none");
    return null;
  }
  return chooseArrowHead(opts.arrowHead, mp, DEFAULT_MODEL);
}

/** Loads the model at `mp` (if any) and checks that the folder's earlier rows, if any, came from the same analysis. */
async function loadRunModel(
  out: string,
  opts: ScanOptions,
  mp: string | null,
  settings: AnalysisSettings,
  content: { head: ContentHead | null } | null,
  arrow: ArrowHead | null,
): Promise<{ model: LoadedModel | null; modelVersion: string | null; identity: RunIdentity }> {
  const model: LoadedModel | null = mp ? await loadModel(mp, { device: opts.device }) : null;
  const modelVersion = model ? `${model.card?.name ?? 'model'}@${model.card?.version ?? '?'}` : null;
  // Rows of one folder must come from one analysis: resuming with other settings or another model would mix them.
  const identity: RunIdentity = {
    settings,
    model: model ? { version: modelVersion!, sha256: model.card?.sha256 ?? null, windows: opts.modelWindows } : null,
    columns_hash: COLUMNS_HASH,
    ...(content
      ? {
          content: {
            detector: DETECTOR_ID,
            head: content.head ? `${content.head.name}@${content.head.version}` : null,
          },
        }
      : {}),
    ...(arrow ? { arrow: `${arrow.name}@${arrow.version}` } : {}),
    input: {
      pathColumn: opts.pathColumn,
      idColumn: opts.idColumn,
      ...(opts.startColumn !== undefined && opts.endColumn !== undefined
        ? { startColumn: opts.startColumn, endColumn: opts.endColumn }
        : {}),
    },
  };
  await checkSameRun(out, identity).catch(async (err: unknown) => {
    await model?.session.release();
    throw err;
  });
  return { model, modelVersion, identity };
}

/** run.json (what makes the folder's rows comparable) and cues.json (how to read the series). */
async function writeRunFiles(out: string, identity: RunIdentity): Promise<void> {
  await writeFileAtomic(join(out, RUN_JSON), `${JSON.stringify(identity, null, 2)}\n`);
  await writeFileAtomic(
    join(out, CUES_JSON),
    `${JSON.stringify({ series_format: SERIES_FORMAT, columns: CUE_COLUMNS, summaries: [...SUMMARIES.map(({ compute: _c, ...s }) => s), FB_ASYMMETRY] }, null, 2)}\n`,
  );
}

/** The decision step of a finished scan; a failure is kept for summary.json and thrown after it is written. */
async function decideAfterScan(
  out: string,
  source: InputSource,
  opts: ScanOptions,
  rows: { input: number; shard: number },
): Promise<{ decisions: ScanSummary['decisions']; failed: AuditError | null }> {
  try {
    const d = await writeDecisions(out, {
      rows,
      input: source.input,
      format: source.kind,
      pathColumn: opts.pathColumn,
      idColumn: opts.idColumn,
      startColumn: opts.startColumn,
      endColumn: opts.endColumn,
      shard: opts.shardSel,
      labelColumn: opts.labelColumn,
      captionColumn: opts.captionColumn,
      taxonomy: opts.taxonomy,
      labelMap: opts.labelMap,
      policy: opts.policy,
    });
    return {
      decisions: summaryDecisions(d),
      failed: null,
    };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return {
      decisions: { error: msg },
      failed: new AuditError(
        err instanceof AuditError ? err.code : 'decisions',
        `${msg}\n(the scan itself finished; run \`audit decide ${out}\` to write the decisions again)`,
        {},
        { cause: err },
      ),
    };
  }
}

/** summary.json of the run (its wall time and finished_at taken now). */
/** The scan's options that the decision step reads, for summary.json (only those given). */
function decisionSettings(opts: ScanOptions): Pick<ScanSummary['settings'], DecisionSetting> {
  const { labelColumn, captionColumn, taxonomy, labelMap } = opts;
  return Object.fromEntries(
    Object.entries({ labelColumn, captionColumn, taxonomy, labelMap }).filter(([, v]) => v !== undefined),
  );
}

/** The settings of summary.json that say which manifest columns made the rows: the clip, its id, its segment. */
export const INPUT_SETTINGS = ['pathColumn', 'idColumn', 'startColumn', 'endColumn'] as const;

/** The settings of summary.json that the decision step reads. */
export const DECISION_SETTINGS = ['labelColumn', 'captionColumn', 'taxonomy', 'labelMap'] as const;
type DecisionSetting = (typeof DECISION_SETTINGS)[number];

function scanSummary(
  run: RowRun,
  at: {
    started: Date;
    t0: number;
    out: string;
    source: InputSource;
    counted: { all: number; shard: number } | null;
    resumed: number;
    decisions: ScanSummary['decisions'];
  },
): ScanSummary {
  const { opts, settings, dir, tally } = run;
  const wall = (performance.now() - at.t0) / 1000;
  return {
    tool: 'reversal-audit',
    version: TOOL_VERSION,
    status: run.abort.signal.aborted ? 'interrupted' : 'complete',
    started_at: at.started.toISOString(),
    finished_at: new Date().toISOString(),
    input: { path: at.source.input, kind: at.source.kind },
    out: at.out,
    settings: {
      ...settings,
      workers: opts.workers,
      decodeBatch: opts.decodeBatch,
      pathColumn: opts.pathColumn,
      idColumn: opts.idColumn,
      ...(opts.startColumn ? { startColumn: opts.startColumn, endColumn: opts.endColumn } : {}),
      ...decisionSettings(opts),
    },
    shard: opts.shardSel,
    counts: {
      input_rows: at.counted?.all ?? tally.inputRows,
      shard_rows: at.counted?.shard ?? tally.shardRows,
      clips: dir.clipsWritten,
      errors: dir.errorsWritten,
      resumed: at.resumed,
      this_run_clips: tally.runClips,
      this_run_errors: tally.runErrors,
      errors_by_code: Object.fromEntries([...dir.errorCodes].sort((a, b) => b[1] - a[1])),
    },
    timings: {
      wall_s: wall,
      clips_per_s: (tally.runClips + tally.runErrors) / Math.max(wall, 1e-9),
      mean_decode_ms: tally.runClips ? tally.decodeMs / tally.runClips : 0,
      mean_analyse_ms: tally.runClips ? tally.analyseMs / tally.runClips : 0,
    },
    series_format: SERIES_FORMAT,
    ...(at.decisions ? { decisions: at.decisions } : {}),
  };
}

/** report.html, a view of the outputs above: failing to draw it must not fail the scan (summary.json says why). */
async function reportAfterScan(
  out: string,
  summary: ScanSummary,
  progress: ProgressReporter,
  shownOut: string | undefined,
): Promise<void> {
  progress.note(
    `writing ${join(out, 'report.html')} (a contact sheet per gallery clip, about 0.1 s each; --no-report skips this)...`,
  );
  try {
    const { writeReport } = await import('../report/index.js');
    summary.report = { file: await writeReport(out, shownOut ? { outLabel: shownOut } : {}) };
  } catch (err) {
    summary.report = { error: err instanceof Error ? err.message : String(err) };
    process.stderr.write(
      `warning: ${join(out, 'report.html')} was not written: ${summary.report.error} (run \`audit report ${out}\` to try again)\n`,
    );
  }
  await writeFileAtomic(join(out, SUMMARY_JSON), `${JSON.stringify(summary, null, 2)}\n`);
}

/** Rewrites clips.parquet from clips.jsonl (all rows, this run's and earlier ones). */
export async function writeClipsParquet(out: string): Promise<number> {
  async function* rows(): AsyncIterable<Record<string, unknown>> {
    for await (const { value } of readJsonl(join(out, CLIPS_JSONL))) yield value as Record<string, unknown>;
  }
  const { rows: n } = await writeParquet(join(out, CLIPS_PARQUET), [...CLIP_COLUMNS], rows());
  return n;
}

/** Reads summary.json of a finished (or interrupted) scan. */
/**
 * A finished folder that a new run adds to is not finished while it runs: its summary.json says `interrupted` until
 * the run writes its own, so `audit decide` and `audit merge` wait for the rows it may still add (a run killed
 * hard leaves it so).
 */
async function markUnfinished(out: string): Promise<void> {
  const before = await readSummary(out).catch(() => null);
  if (before?.status !== 'complete') return;
  await writeFileAtomic(join(out, SUMMARY_JSON), `${JSON.stringify({ ...before, status: 'interrupted' }, null, 2)}\n`);
}

export async function readSummary(out: string): Promise<ScanSummary> {
  return JSON.parse(await readFile(join(out, SUMMARY_JSON), 'utf8')) as ScanSummary;
}
