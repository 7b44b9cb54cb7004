// `scan`: stream the input, fan clips out to the worker pool, write every row exactly once.

import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Piscina } from 'piscina';
import { CUE_COLUMNS } from '../cues/index.js';
import { FB_ASYMMETRY, SUMMARIES } from '../cues/summaries.js';
import { AuditError, ManifestError, RunMismatchError } from '../errors.js';
import type { FolderLock } from '../io/lock.js';
import { isRowProblem, openInput, type InputRow, type InputSource } from '../io/inputs.js';
import { isRemotePath } from '../io/object-store.js';
import { writeFileAtomic } from '../io/atomic.js';
import { readJsonl } from '../io/jsonl-log.js';
import { writeParquet } from '../io/parquet-writer.js';
import { parseScanOptions, type ScanOptions, type ScanOptionsInput } from './options.js';
import { OutDir, lockOutDir, rowKey, shardOf, withResumableOut } from './out-dir.js';
import { CLIPS_JSONL, CLIPS_PARQUET, CUES_JSON, SUMMARY_JSON } from '../outputs/layout.js';
import { ProgressReporter, type ProgressState } from './progress.js';
import { CLIP_COLUMNS, clipErrorRow, clipRow, predictionColumns } from './rows.js';
import { loadModel, predictClips, type LoadedModel } from '../model/onnx.js';
import { clipWindows, COLUMNS_HASH } from '../model/features.js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AnalysisSettings, ClipOutcome, ClipTask } from './task.js';
import { TOOL_VERSION } from '../version.js';
import { checkDecisionColumns, writeDecisions, type DecisionSummary } from '../decide/index.js';
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
  settings: AnalysisSettings & { workers: number; pathColumn: string; idColumn: string; startColumn?: string; endColumn?: string };
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
  decisions?: Pick<DecisionSummary, 'policy' | 'taxonomy' | 'counts' | 'reverse_safe' | 'excluded' | 'evidence' | 'by_rule' | 'warnings'> | { error: string };
  /** report.html of this run, or why it could not be written (absent with --no-report or when interrupted). */
  report?: { file: string } | { error: string };
}

export interface ScanHooks {
  /** Abort the run: stop reading, cancel clips in flight, close the logs (SIGINT). */
  signal?: AbortSignal;
  /** Where progress goes (default process.stderr). */
  progressStream?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Longest wait of an analysed clip for its model batch to fill (milliseconds). */
const BATCH_WAIT_MS = 1000;

const SERIES_FORMAT = 'float32 little-endian, series_pairs x series_columns row-major, at byte series_offset of series_file (relative to the output folder); column names in cues.json';

/** The model shipped with the package (used when --model is not given and the file exists). */
export const DEFAULT_MODEL = fileURLToPath(new URL('../../models/reversal-v1.onnx', import.meta.url));

function modelPath(option: string | undefined): string | null {
  if (option === 'none') return null;
  if (option !== undefined) return resolve(option);
  return existsSync(DEFAULT_MODEL) ? DEFAULT_MODEL : null;
}

/** What makes the rows of one output folder comparable; written to run.json, checked on resume. */
interface RunIdentity {
  settings: AnalysisSettings;
  model: { version: string; sha256: string | null; windows?: number } | null;
  columns_hash: string;
}

const RUN_JSON = 'run.json';

async function checkSameRun(out: string, now: RunIdentity): Promise<void> {
  const file = join(out, RUN_JSON);
  if (!existsSync(file) || !existsSync(join(out, CLIPS_JSONL))) return;
  const before = JSON.parse(await readFile(file, 'utf8')) as RunIdentity;
  // A run.json without model windows predates them: its clips were judged on the centred window alone (--model-windows 1).
  const describe = (r: RunIdentity) => `model ${r.model ? `${r.model.version}${r.model.sha256 ? ` (${r.model.sha256.slice(0, 12)})` : ''}, ${r.model.windows ?? 1} model window(s)` : 'none'}, settings ${JSON.stringify(r.settings)}${r.columns_hash === COLUMNS_HASH ? '' : ', other cue columns'}`;
  if (describe(before) !== describe(now)) {
    throw new RunMismatchError(
      `${out} holds rows of an earlier scan made with ${describe(before)}; this run asks for ${describe(now)}. Resuming would mix the two.\nPossible solutions:\n- use a new --out folder\n- or run with the earlier settings and --model to resume`,
    );
  }
}

function workerUrl(): URL {
  // Running from TypeScript sources (tests) the compiled worker lives under dist/.
  return import.meta.url.endsWith('.ts') ? new URL('../../dist/pipeline/worker.js', import.meta.url) : new URL('./worker.js', import.meta.url);
}

async function countRows(source: InputSource, opts: ScanOptions): Promise<{ all: number; shard: number }> {
  let all = 0;
  let shard = 0;
  for await (const r of source.rows()) {
    all++;
    const key = isRowProblem(r) ? rowKey(undefined, r.row) : rowKey(r.id, r.row);
    if (!opts.shardSel || shardOf(key, opts.shardSel.count) === opts.shardSel.index) shard++;
  }
  return { all, shard };
}

/**
 * Scans a folder, a video file or a manifest and writes clips.jsonl, clips.parquet, errors.jsonl,
 * cues.json, series/ and summary.json into `out`. Every input row of the shard ends up exactly once
 * in clips or errors; running again with the same `out` resumes.
 * @example
 * const summary = await scan({ input: 'samples/manifest.csv', out: 'out/samples' });
 */
export async function scan(options: ScanOptionsInput, hooks: ScanHooks = {}): Promise<ScanSummary> {
  return withResumableOut(options.out, (held) => scanLocked(options, hooks, held));
}

/** The scan itself; takes the lock of the output folder into `held` before reading or writing it. */
async function scanLocked(options: ScanOptionsInput, hooks: ScanHooks, held: { lock?: FolderLock }): Promise<ScanSummary> {
  const opts = parseScanOptions(options);
  const started = new Date();
  const t0 = performance.now();
  const source = await openInput(isRemotePath(opts.input) ? opts.input : resolve(opts.input), { pathColumn: opts.pathColumn, idColumn: opts.idColumn, format: opts.format, startColumn: opts.startColumn, endColumn: opts.endColumn });
  // A wrong --label-column / --caption-column is a usage error now, not after the clips are scanned.
  await checkDecisionColumns(source.input, source.kind, { labelColumn: opts.labelColumn, captionColumn: opts.captionColumn });
  // A bad --label-map row is a usage error now, not after the clips are scanned.
  await checkLabelMap(opts.labelMap, opts.labelColumn, opts.taxonomy);
  const out = resolve(opts.out);
  // One run per output folder: a second one stops here, before loading the model, naming this one.
  held.lock = await lockOutDir(out, `audit scan ${opts.input} --out ${opts.out}${opts.shardSel ? ` --shard ${opts.shardSel.index}/${opts.shardSel.count}` : ''}`);
  const settings: AnalysisSettings = {
    shortSide: opts.shortSide,
    fps: opts.fps,
    maxSeconds: opts.maxSeconds,
    timeoutMs: opts.timeoutMs,
    flowPreset: opts.flowPreset,
    flowDirections: opts.flowDirections,
    reverse: opts.reverse,
  };
  const mp = modelPath(opts.model);
  const model: LoadedModel | null = mp ? await loadModel(mp, { device: opts.device }) : null;
  const modelVersion = model ? `${model.card?.name ?? 'model'}@${model.card?.version ?? '?'}` : null;
  // Rows of one folder must come from one analysis: resuming with other settings or another model would mix them.
  const identity: RunIdentity = { settings, model: model ? { version: modelVersion!, sha256: model.card?.sha256 ?? null, windows: opts.modelWindows } : null, columns_hash: COLUMNS_HASH };
  await checkSameRun(out, identity).catch(async (err: unknown) => {
    await model?.session.release();
    throw err;
  });
  const runId = `${started.getTime().toString(36)}-${process.pid}`;
  const dir = await OutDir.open(out, runId, { retryErrors: opts.retryErrors });
  const resumed = dir.done.size;
  await writeFileAtomic(join(out, RUN_JSON), `${JSON.stringify(identity, null, 2)}\n`);
  await writeFileAtomic(join(out, CUES_JSON), `${JSON.stringify({ series_format: SERIES_FORMAT, columns: CUE_COLUMNS, summaries: [...SUMMARIES.map(({ compute: _c, ...s }) => s), FB_ASYMMETRY] }, null, 2)}\n`);

  const progress = new ProgressReporter(hooks.progressStream ?? process.stderr, opts.quiet);
  if (model) progress.note(`verdicts from ${mp} (${modelVersion}) on ${model.provider}${model.tried.length ? `; passed over: ${model.tried.join('; ')}` : ''}`);
  if (opts.count) progress.note(`counting the rows of ${source.input} (--no-count skips this)...`);
  const counted = opts.count ? await countRows(source, opts) : null;
  const state: ProgressState = { done: 0, errors: 0, skipped: 0, total: counted ? counted.shard : null };

  const pool = new Piscina<ClipTask, ClipOutcome>({ filename: workerUrl().href, maxThreads: opts.workers, minThreads: opts.workers, idleTimeout: 5_000 });
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  hooks.signal?.addEventListener('abort', onAbort);
  const inflight = new Set<Promise<void>>();
  const maxInflight = opts.workers * 2;
  const seen = new Map<string, number>();
  let inputRows = 0;
  let shardRows = 0;
  let runClips = 0;
  let runErrors = 0;
  let decodeMs = 0;
  let analyseMs = 0;
  let fatal: unknown = null;

  // Analysed clips wait here for a model batch; they count as in flight until written. A partial batch
  // waits at most BATCH_WAIT_MS, so rows reach clips.jsonl steadily and a crash loses at most that much work.
  let pending: Array<{ r: Extract<ClipOutcome, { ok: true }>; input: InputRow['columns'] }> = [];
  let flushing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = pending;
    pending = [];
    flushing = flushing.then(async () => {
      if (!batch.length) return;
      const preds = await predictClips(model!, batch.map(({ r }) => clipWindows({ frames: r.pairs, columns: r.columns, data: r.series }, model!.T, opts.modelWindows)), { batchSize: opts.batch });
      for (let i = 0; i < batch.length; i++) {
        const { r, input } = batch[i]!;
        await dir.appendClip({ ...clipRow(r, input), ...predictionColumns(preds[i]!, modelVersion!, r.analysis.degenerate, model!.domain?.threshold) }, r.series);
      }
    });
    return flushing;
  };

  const finish = async (r: ClipOutcome, key: string, input: InputRow['columns']) => {
    if (r.ok) {
      if (model) {
        pending.push({ r, input });
        if (pending.length >= opts.batch) await flush();
        else
          timer ??= setTimeout(() => {
            timer = null;
            flush().catch((err: unknown) => {
              fatal ??= err;
              abort.abort();
            });
          }, BATCH_WAIT_MS);
      } else {
        await dir.appendClip(clipRow(r, input), r.series);
      }
      runClips++;
      decodeMs += r.timings.decodeMs;
      analyseMs += r.timings.analyseMs;
    } else {
      await dir.appendError(clipErrorRow(r, key, input));
      runErrors++;
      state.errors++;
    }
    state.done++;
    progress.update(state);
  };

  try {
    for await (const r of source.rows()) {
      if (abort.signal.aborted) break;
      inputRows++;
      const key = isRowProblem(r) ? rowKey(undefined, r.row) : rowKey(r.id, r.row);
      if (opts.shardSel && shardOf(key, opts.shardSel.count) !== opts.shardSel.index) continue;
      shardRows++;
      if (isRowProblem(r)) {
        if (dir.done.has(key)) {
          state.skipped++;
          continue;
        }
        await dir.appendError({ key, row: r.row, stage: 'manifest', code: r.error.code, message: r.error.message });
        runErrors++;
        state.errors++;
        state.done++;
        continue;
      }
      const first = seen.get(r.id);
      if (first !== undefined) {
        const dupKey = rowKey(undefined, r.row);
        if (dir.done.has(dupKey)) state.skipped++;
        else {
          const err = new ManifestError('duplicate_id', `Row ${r.row}: id ${JSON.stringify(r.id)} already appeared at row ${first}; ids must be unique`, { row: r.row, id: r.id });
          await dir.appendError({ key: dupKey, id: r.id, path: r.path, row: r.row, stage: 'manifest', code: err.code, message: err.message, input: r.columns });
          runErrors++;
          state.errors++;
          state.done++;
        }
        continue;
      }
      seen.set(r.id, r.row);
      if (dir.done.has(key)) {
        state.skipped++;
        progress.update(state);
        continue;
      }
      while (inflight.size >= maxInflight) await Promise.race(inflight);
      if (abort.signal.aborted) break;
      const task: ClipTask = { id: r.id, path: r.path, row: r.row, settings, ...(r.segment ? { segment: r.segment } : {}) };
      const p: Promise<void> = pool
        .run(task, { signal: abort.signal })
        .then(
          (res) => res,
          // A worker that died (out of memory, a crash in native code) fails its clip, not the run.
          (err: unknown): ClipOutcome | null =>
            abort.signal.aborted ? null : { ok: false, id: r.id, row: r.row, path: r.path, error: { code: 'worker_failed', message: String((err as Error)?.message ?? err), stage: 'analyse' } },
        )
        .then((res) => (res ? finish(res, key, r.columns) : undefined))
        .catch((err: unknown) => {
          // Writing failed (disk full, folder removed): stop, keeping what is on disk, and report it.
          fatal ??= err;
          abort.abort();
        })
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await Promise.allSettled(inflight);
  } finally {
    // Clips already analysed are written even when interrupted (not when writing itself failed).
    if (timer) clearTimeout(timer);
    if (model && !fatal) await flush().catch((err: unknown) => (fatal ??= err));
    await model?.session.release();
    hooks.signal?.removeEventListener('abort', onAbort);
    await pool.destroy();
    await dir.close();
    progress.finish(state);
  }
  if (fatal) throw fatal;

  const interrupted = abort.signal.aborted;
  if (!interrupted && opts.parquet) await writeClipsParquet(out);
  let decisions: ScanSummary['decisions'];
  let decisionsFailed: AuditError | null = null;
  if (!interrupted) {
    try {
      const d = await writeDecisions(out, { input: source.input, format: source.kind, pathColumn: opts.pathColumn, idColumn: opts.idColumn, startColumn: opts.startColumn, endColumn: opts.endColumn, shard: opts.shardSel, labelColumn: opts.labelColumn, captionColumn: opts.captionColumn, taxonomy: opts.taxonomy, labelMap: opts.labelMap, policy: opts.policy });
      decisions = { policy: d.policy, taxonomy: d.taxonomy, counts: d.counts, reverse_safe: d.reverse_safe, excluded: d.excluded, evidence: d.evidence, by_rule: d.by_rule, warnings: d.warnings };
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      decisions = { error: msg };
      decisionsFailed = new AuditError(err instanceof AuditError ? err.code : 'decisions', `${msg}\n(the scan itself finished; run \`audit decide ${out}\` to write the decisions again)`, {}, { cause: err });
    }
  }
  const wall = (performance.now() - t0) / 1000;
  const summary: ScanSummary = {
    tool: 'reversal-audit',
    version: TOOL_VERSION,
    status: interrupted ? 'interrupted' : 'complete',
    started_at: started.toISOString(),
    finished_at: new Date().toISOString(),
    input: { path: source.input, kind: source.kind },
    out,
    settings: { ...settings, workers: opts.workers, pathColumn: opts.pathColumn, idColumn: opts.idColumn, ...(opts.startColumn ? { startColumn: opts.startColumn, endColumn: opts.endColumn } : {}) },
    shard: opts.shardSel,
    counts: {
      input_rows: counted?.all ?? inputRows,
      shard_rows: counted?.shard ?? shardRows,
      clips: dir.clipsWritten,
      errors: dir.errorsWritten,
      resumed,
      this_run_clips: runClips,
      this_run_errors: runErrors,
      errors_by_code: Object.fromEntries([...dir.errorCodes].sort((a, b) => b[1] - a[1])),
    },
    timings: {
      wall_s: wall,
      clips_per_s: (runClips + runErrors) / Math.max(wall, 1e-9),
      mean_decode_ms: runClips ? decodeMs / runClips : 0,
      mean_analyse_ms: runClips ? analyseMs / runClips : 0,
    },
    series_format: SERIES_FORMAT,
    ...(decisions ? { decisions } : {}),
  };
  await writeFileAtomic(join(out, SUMMARY_JSON), `${JSON.stringify(summary, null, 2)}\n`);
  if (!interrupted && opts.report) {
    // The report is a view of the outputs above: failing to draw it must not fail the scan.
    progress.note(`writing ${join(out, 'report.html')} (contact sheets take about 1 s per gallery clip; --no-report skips this)...`);
    try {
      const { writeReport } = await import('../report/index.js');
      summary.report = { file: await writeReport(out) };
    } catch (err) {
      summary.report = { error: err instanceof Error ? err.message : String(err) };
      process.stderr.write(`warning: ${join(out, 'report.html')} was not written: ${summary.report.error} (run \`audit report ${out}\` to try again)\n`);
    }
    await writeFileAtomic(join(out, SUMMARY_JSON), `${JSON.stringify(summary, null, 2)}\n`);
  }
  if (decisionsFailed) throw decisionsFailed;
  return summary;
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
export async function readSummary(out: string): Promise<ScanSummary> {
  return JSON.parse(await readFile(join(out, SUMMARY_JSON), 'utf8')) as ScanSummary;
}
