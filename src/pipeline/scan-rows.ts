// The row stream of one scan: input rows -> worker pool -> model batches -> clips.jsonl / errors.jsonl.

import { Piscina } from 'piscina';
import { ManifestError } from '../errors.js';
import { isRowProblem, type InputRow, type InputSource, type RowProblem } from '../io/inputs.js';
import { clipWindows } from '../model/features.js';
import { predictClips, type LoadedModel, type Prediction } from '../model/onnx.js';
import type { ArrowHead } from '../model/arrow-head.js';
import type { ContentHead } from '../model/content-head.js';
import { withHeads } from '../model/heads.js';
import type { ScanOptions } from './options.js';
import { rowKey, shardOf, type OutDir } from './out-dir.js';
import type { ProgressReporter, ProgressState } from './progress.js';
import { clipErrorRow, clipRow, contentColumn, predictionColumns } from './rows.js';
import type { AnalysisSettings, ClipOutcome, ClipSuccess, ClipTask } from './task.js';
import { StringTable } from '../util/string-table.js';

/** Longest wait of an analysed clip for its model batch to fill (milliseconds). */
const BATCH_WAIT_MS = 1000;

type Analysed = Extract<ClipOutcome, { ok: true }>;
type ErrorRow = Parameters<OutDir['appendError']>[0];

/** What this run did with the rows it read (summary.json's counts and timings). */
export interface RowTally {
  inputRows: number;
  shardRows: number;
  runClips: number;
  runErrors: number;
  decodeMs: number;
  analyseMs: number;
}

/** Everything the row stream reads and changes: one per scan. */
export interface RowRun {
  opts: ScanOptions;
  settings: AnalysisSettings;
  dir: OutDir;
  model: LoadedModel | null;
  modelVersion: string | null;
  /** With --content: the content head whose verdict is averaged with the model's (null: class scores only). */
  content: { head: ContentHead | null } | null;
  /** The arrow head whose p_forward replaces the model's (null: the model's own arrow). */
  arrow: ArrowHead | null;
  progress: ProgressReporter;
  state: ProgressState;
  tally: RowTally;
  /** Stops the stream: SIGINT, or a failure below. */
  abort: AbortController;
  /** The first failure to write rows (or to run the model on them); the run stops and throws it. */
  fatal: unknown;
}

export function emptyTally(): RowTally {
  return { inputRows: 0, shardRows: 0, runClips: 0, runErrors: 0, decodeMs: 0, analyseMs: 0 };
}

/** The key of an input row in the output folder (and for --shard). */
function inputKey(r: InputRow | RowProblem): string {
  return isRowProblem(r) ? rowKey(undefined, r.row) : rowKey(r.id, r.row);
}

function inShard(key: string, opts: ScanOptions): boolean {
  return !opts.shardSel || shardOf(key, opts.shardSel.count) === opts.shardSel.index;
}

/** Rows of the input in all and in this shard (a first pass, for the progress bar's total); null when stopped. */
export async function countRows(
  source: InputSource,
  opts: ScanOptions,
  signal?: AbortSignal,
  dir?: OutDir,
): Promise<{ all: number; shard: number } | null> {
  let all = 0;
  let shard = 0;
  // ids seen, for a resume only: a repeated id is no moved row (the rows loop holds the same table afterwards)
  const seen = dir?.done.size ? new StringTable() : null;
  let found = 0; // rows an earlier run wrote, found where it wrote them
  for await (const r of source.rows()) {
    if (signal?.aborted) return null; // Ctrl-C while counting: no total, and the scan that follows stops at once
    all++;
    const key = inputKey(r);
    if (!inShard(key, opts)) continue;
    shard++;
    // rows that moved since an earlier run are refused here, before any clip is scanned against the changed input
    if (dir && seen && !isRowProblem(r) && seen.putIfAbsent(r.id, 0) === undefined) {
      const at = dir.done.get(key);
      if (at !== undefined && at !== 0 && at !== r.row) throw rowMoved(opts.input, dir, r, at);
      if (at !== undefined) found++;
    }
  }
  if (dir && seen && found < dir.done.size)
    throw new ManifestError(
      'manifest-changed',
      `${dir.done.size - found} of the rows an earlier run into ${dir.dir} wrote are not in ${opts.input} any more (rows removed, or their ids changed): the rows already written no longer match it\nPossible solutions:\n  - scan it into a new --out folder\n  - or restore the input as it was and run the same command again`,
      { path: opts.input },
    );
  return { all, shard };
}

function workerUrl(): URL {
  // Running from TypeScript sources (tests) the compiled worker lives under dist/.
  return import.meta.url.endsWith('.ts')
    ? new URL('../../dist/pipeline/worker.js', import.meta.url)
    : new URL('./worker.js', import.meta.url);
}

interface Batcher {
  /** Queues an analysed clip; true when the batch is full and must be flushed now, else its wait has started. */
  push(r: Analysed, input: InputRow['columns']): boolean;
  /** Runs the model on the queued clips and writes them (after any batch before them). */
  flush(): Promise<void>;
  /** Cancels the wait of a partial batch. */
  stopWaiting(): void;
}

/**
 * The clip's prediction with the run's heads applied (model/heads.ts: the arrow head's p_forward; with --content the
 * verdict averaged with the content head's), and with --content its `content` column.
 */
function withRunHeads(
  run: Pick<RowRun, 'content' | 'arrow'>,
  r: Analysed,
  p: Prediction,
): { prediction: Prediction; content: Record<string, unknown> } {
  const series = { frames: r.pairs, columns: r.columns, data: r.series };
  const scores = r.content && 'scores' in r.content ? r.content.scores : null;
  const { prediction, own } = withHeads(p, series, { content: run.content?.head ?? null, arrow: run.arrow }, scores);
  if (!run.content || !r.content) return { prediction, content: {} };
  const network = scores ? [p.p_invariant, p.p_equivariant, p.p_irreversible] : null;
  return { prediction, content: contentColumn(r.content, network, own) };
}

/** What the model's columns of a clip row depend on: the model and its name, its windows, and the heads beside it. */
export interface ModelStep extends Pick<RowRun, 'content' | 'arrow'> {
  model: LoadedModel;
  /** name@version of the model, as in the rows' model_version. */
  modelVersion: string;
  opts: Pick<ScanOptions, 'modelWindows' | 'batch'>;
}

/**
 * The model's columns of the clip rows of analysed clips, as scan writes them: each clip judged on up to
 * `modelWindows` windows of the model's T pairs, the heads applied (the arrow head's p_forward; with --content the
 * averaged verdict and the `content` column), and no verdict for a clip too poor to judge, with the reasons in `doubt`.
 * @example
 * const [columns] = await modelColumns({ model, modelVersion, opts, content: null, arrow }, [clip]);
 */
export async function modelColumns(
  step: ModelStep,
  clips: readonly ClipSuccess[],
): Promise<Array<Record<string, unknown>>> {
  const { model } = step;
  const preds = await predictClips(
    model,
    clips.map((r) =>
      clipWindows({ frames: r.pairs, columns: r.columns, data: r.series }, model.T, step.opts.modelWindows),
    ),
    { batchSize: step.opts.batch },
  );
  return clips.map((r, i) => {
    const { prediction, content } = withRunHeads(step, r, preds[i]);
    return {
      ...predictionColumns(prediction, step.modelVersion, r.analysis.degenerate, model.domain?.threshold),
      ...content,
    };
  });
}

/**
 * Analysed clips wait here for a model batch; they count as in flight until written. A partial batch
 * waits at most BATCH_WAIT_MS, so rows reach clips.jsonl steadily and a crash loses at most that much work.
 */
function modelBatcher(run: RowRun, model: LoadedModel): Batcher {
  let pending: Array<{ r: Analysed; input: InputRow['columns'] }> = [];
  let flushing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = pending;
    pending = [];
    flushing = flushing.then(async () => {
      if (!batch.length) return;
      const step: ModelStep = { ...run, model, modelVersion: run.modelVersion! };
      const columns = await modelColumns(
        step,
        batch.map(({ r }) => r),
      );
      for (let i = 0; i < batch.length; i++) {
        const { r, input } = batch[i];
        await run.dir.appendClip({ ...clipRow(r, input), ...columns[i] }, r.series);
      }
    });
    return flushing;
  };
  const push = (r: Analysed, input: InputRow['columns']): boolean => {
    pending.push({ r, input });
    if (pending.length >= run.opts.batch) return true;
    timer ??= setTimeout(() => {
      timer = null;
      flush().catch((err: unknown) => {
        run.fatal ??= err;
        run.abort.abort();
      });
    }, BATCH_WAIT_MS);
    return false;
  };
  const stopWaiting = (): void => {
    if (timer) clearTimeout(timer);
  };
  return { push, flush, stopWaiting };
}

/** Writes what a worker made of one clip: a clips row (through the model batch when there is a model) or an errors row. */
async function finishClip(
  run: RowRun,
  batcher: Batcher | null,
  r: ClipOutcome,
  key: string,
  input: InputRow['columns'],
): Promise<void> {
  const { tally, state } = run;
  if (r.ok) {
    if (batcher) {
      if (batcher.push(r, input)) await batcher.flush();
    } else {
      await run.dir.appendClip(
        { ...clipRow(r, input), ...(r.content ? contentColumn(r.content, null, null) : {}) },
        r.series,
      );
    }
    tally.runClips++;
    tally.decodeMs += r.timings.decodeMs;
    tally.analyseMs += r.timings.analyseMs;
  } else {
    await run.dir.appendError(clipErrorRow(r, key, input));
    tally.runErrors++;
    state.errors++;
  }
  state.done++;
  run.progress.update(state);
}

/**
 * The worker threads of a scan: `main` takes `decodeBatch` clips per thread at once (one ffmpeg decodes them
 * together); `solo`, started the first time a thread dies, takes one clip at a time on one thread. Tasks get no
 * abort signal (piscina never shares a thread among abortable tasks): `stopped` settles when the run stops, and
 * the pools are destroyed at the end of the run, which ends what still runs.
 */
interface Pools {
  main: Piscina<ClipTask, ClipOutcome>;
  solo: Piscina<ClipTask, ClipOutcome> | null;
  stopped: Promise<null>;
}

function newPool(threads: number, tasksPerThread: number): Piscina<ClipTask, ClipOutcome> {
  return new Piscina<ClipTask, ClipOutcome>({
    filename: workerUrl().href,
    maxThreads: threads,
    minThreads: threads,
    concurrentTasksPerWorker: tasksPerThread,
    idleTimeout: 5_000,
  });
}

/** A clip's outcome from a pool, or null once the run stops first. */
function runOn(
  pool: Piscina<ClipTask, ClipOutcome>,
  task: ClipTask,
  stopped: Promise<null>,
): Promise<ClipOutcome | null> {
  const job = pool.run(task);
  job.catch(() => undefined); // a task still running when the pool is destroyed rejects: nobody waits for it then
  return Promise.race([job, stopped]);
}

/**
 * Runs a clip on the pool. A thread that dies (out of memory, a crash in native code) takes every clip it held
 * with it: when it held several, each is run again alone on the solo pool, so only the clip that kills its thread
 * fails (`worker_failed`), never the run. Null when the run was stopped.
 */
async function runTask(pools: Pools, task: ClipTask, signal: AbortSignal): Promise<ClipOutcome | null> {
  let err: unknown;
  try {
    return await runOn(pools.main, task, pools.stopped);
  } catch (thrown) {
    err = thrown;
  }
  if (!signal.aborted && (task.decodeBatch ?? 1) > 1) {
    pools.solo ??= newPool(1, 1);
    try {
      return await runOn(pools.solo, { ...task, decodeBatch: 1 }, pools.stopped);
    } catch (thrown) {
      err = thrown;
    }
  }
  if (signal.aborted) return null;
  const message = String((err as Error)?.message ?? err);
  return {
    ok: false,
    id: task.id,
    row: task.row,
    path: task.path,
    error: { code: 'worker_failed', message, stage: 'analyse' },
  };
}

/** Sends one clip to the pool; the promise settles once its row is written (or the run has stopped). */
function analyseClip(run: RowRun, pools: Pools, batcher: Batcher | null, r: InputRow, key: string): Promise<void> {
  const task: ClipTask = {
    id: r.id,
    path: r.path,
    row: r.row,
    settings: run.settings,
    ...(r.segment ? { segment: r.segment } : {}),
    decodeBatch: run.opts.decodeBatch,
    ...(run.content ? { content: true } : {}),
  };
  return runTask(pools, task, run.abort.signal)
    .then((res) => (res ? finishClip(run, batcher, res, key, r.columns) : undefined))
    .catch((err: unknown) => {
      // Writing failed (disk full, folder removed): stop, keeping what is on disk, and report it.
      run.fatal ??= err;
      run.abort.abort();
    });
}

/** An errors row for a row the manifest itself got wrong (it never reaches a worker). */
async function recordManifestError(run: RowRun, row: ErrorRow): Promise<void> {
  await run.dir.appendError(row);
  run.tally.runErrors++;
  run.state.errors++;
  run.state.done++;
}

/**
 * A finished clip found at another row of the input than an earlier run wrote it for: rows were inserted, removed
 * or reordered since, and the rows already written would no longer match the manifest (the decisions find rows by
 * their number). Resuming cannot mend that.
 */
function rowMoved(input: string, dir: OutDir, r: InputRow, was: number): ManifestError {
  return new ManifestError(
    'manifest-changed',
    `Row ${r.row} of ${input} holds ${JSON.stringify(r.id)}, which an earlier run into ${dir.dir} scanned at row ${was}: the input changed since (rows inserted, removed or reordered), so the rows already written no longer match it\nPossible solutions:\n  - scan it into a new --out folder\n  - or restore the input as it was and run the same command again`,
    { row: r.row, id: r.id },
  );
}

function duplicateIdRow(r: InputRow, first: number, key: string): ErrorRow {
  const err = new ManifestError(
    'duplicate_id',
    `Row ${r.row}: id ${JSON.stringify(r.id)} already appeared at row ${first}; ids must be unique`,
    { row: r.row, id: r.id },
  );
  return {
    key,
    id: r.id,
    path: r.path,
    row: r.row,
    stage: 'manifest',
    code: err.code,
    message: err.message,
    input: r.columns,
  };
}

/**
 * Reads the input once: rows of other shards are passed over, manifest problems and repeated ids become
 * error rows, rows finished by an earlier run are skipped, the rest go to the pool (at most a decode batch and
 * one clip more per worker in flight). Returns once every clip sent has been written or given up.
 */
async function dispatchRows(run: RowRun, source: InputSource, pools: Pools, batcher: Batcher | null): Promise<void> {
  const inflight = new Set<Promise<void>>();
  const maxInflight = run.opts.workers * (run.opts.decodeBatch + 1);
  // id -> first row, for the duplicate-id check: compact, as it holds every row of the shard until the rows end
  const seen = new StringTable();
  try {
    await sendRows(run, source, pools, batcher, seen, inflight, maxInflight);
  } finally {
    // Also when the input fails or changed under the run: the clips in flight finish and are written first.
    await Promise.allSettled(inflight);
  }
}

/** The loop of {@link dispatchRows}: every row of the input to an error row, a skip or the pool. */
async function sendRows(
  run: RowRun,
  source: InputSource,
  pools: Pools,
  batcher: Batcher | null,
  seen: StringTable,
  inflight: Set<Promise<void>>,
  maxInflight: number,
): Promise<void> {
  const { dir, state, tally } = run;
  for await (const r of source.rows()) {
    if (run.abort.signal.aborted) break;
    tally.inputRows++;
    const key = inputKey(r);
    if (!inShard(key, run.opts)) continue;
    tally.shardRows++;
    if (isRowProblem(r)) {
      if (dir.done.has(key)) state.skipped++;
      else
        await recordManifestError(run, {
          key,
          row: r.row,
          stage: 'manifest',
          code: r.error.code,
          message: r.error.message,
        });
      continue;
    }
    const first = seen.putIfAbsent(r.id, r.row);
    if (first !== undefined) {
      const dupKey = rowKey(undefined, r.row);
      if (dir.done.has(dupKey)) state.skipped++;
      else await recordManifestError(run, duplicateIdRow(r, first, dupKey));
      continue;
    }
    const doneAt = dir.done.get(key);
    if (doneAt !== undefined) {
      if (doneAt !== 0 && doneAt !== r.row) {
        run.abort.abort(); // the clips in flight were read from the changed input: not written
        throw rowMoved(run.opts.input, dir, r, doneAt);
      }
      state.skipped++;
      run.progress.update(state);
      continue;
    }
    while (inflight.size >= maxInflight) await Promise.race(inflight);
    if (run.abort.signal.aborted) break;
    const p: Promise<void> = analyseClip(run, pools, batcher, r, key).finally(() => inflight.delete(p));
    inflight.add(p);
  }
}

/**
 * Runs the row stream on a worker pool and closes what it used however it ends: the last model batch is
 * written (also when interrupted, not when writing itself failed), the model, the pool and the logs are
 * closed and the progress line finished. A failure to write is left in `run.fatal`.
 */
export async function scanRows(run: RowRun, source: InputSource, signal: AbortSignal | undefined): Promise<void> {
  const stopped = new Promise<null>((resolve) => {
    if (run.abort.signal.aborted) resolve(null);
    else run.abort.signal.addEventListener('abort', () => resolve(null), { once: true });
  });
  const pools: Pools = { main: newPool(run.opts.workers, run.opts.decodeBatch), solo: null, stopped };
  const onAbort = () => run.abort.abort();
  signal?.addEventListener('abort', onAbort);
  // Ctrl-C while the model loaded or the rows were counted: the listener above never fires for it
  if (signal?.aborted) run.abort.abort();
  const batcher = run.model ? modelBatcher(run, run.model) : null;
  try {
    await dispatchRows(run, source, pools, batcher);
  } finally {
    // Clips already analysed are written even when interrupted (not when writing itself failed).
    batcher?.stopWaiting();
    if (batcher && !run.fatal) await batcher.flush().catch((err: unknown) => (run.fatal ??= err));
    await run.model?.session.release();
    signal?.removeEventListener('abort', onAbort);
    await Promise.all([pools.main.destroy(), pools.solo?.destroy()]);
    await run.dir.close();
    run.progress.finish(run.state);
  }
}
