// Decodes several clips in one ffmpeg (input k through output pipe k), so a batch pays one process start; a clip the
// batch cannot vouch for is decoded again alone, so every clip gets what decodeClip gives it.

import { DECODER_THREADS, fileUrl, isErrorLevel, runDecodeMany } from './ffmpeg.js';
import {
  DEFAULT_DECODE_OPTIONS,
  SelectSink,
  agreedPlan,
  batchFilters,
  classify,
  decodeAfterHeader,
  decodeClip,
  decodeJob,
  inputOptionsFor,
  resolveOptions,
  selectionInputOptions,
  selectionJob,
  sheetJob,
  sinkFor,
  toClip,
} from './frames.js';
import type {
  DecodePlan,
  DecodeTuning,
  FrameSelection,
  FrameSink,
  SelectionJob,
  SheetFrames,
  SheetSelection,
} from './frames.js';
import { checkFile } from './probe.js';
import { BatchHeaders, type RunHeader } from './run-header.js';
import { StderrLog } from './stderr.js';
import type { DecodedClip, DecodeOptions, ProbeInfo } from './types.js';

/** One clip to decode, with the options {@link decodeClip} takes. */
export interface ClipRequest {
  path: string;
  options?: Partial<DecodeOptions>;
}

/** A request's outcome in a batch: its value, or what deciding it alone would have thrown. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** A clip's decode: its frames, or what {@link decodeClip} would have thrown. */
export type ClipResult = Settled<DecodedClip>;

/** A clip in a batch run: where its result goes, and what the run has told about it so far. */
interface Member {
  index: number;
  path: string;
  o: DecodeOptions;
  header: RunHeader | null;
  /** The clip's facts as its header printed them, read once when the header is complete. */
  probe: ProbeInfo | null | undefined;
  plan: DecodePlan | null;
  sink: FrameSink | null;
  /** Output that came before the clip's header was read; null once the header is read. */
  pending: Uint8Array[] | null;
}

function settled<R>(p: Promise<R>): Promise<Settled<R>> {
  return p.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

/**
 * The limits of a batch run over clips with these budgets: their sum for the whole run, and the smallest without a
 * frame or a line written (an input that hangs stalls every output).
 */
function batchLimits(budgets: readonly number[]): { timeoutMs: number; stallMs: number } {
  return { timeoutMs: budgets.reduce((a, b) => a + b, 0), stallMs: Math.min(...budgets) };
}

/**
 * Decode clips as {@link decodeClip} does, several in ONE ffmpeg: each clip is an input with its own seek and read
 * cap and an output with its own chain (the one-process chain of decodeClip, its fps filter named `fps@c<k>`) writing
 * to its own pipe, and ffmpeg's verbose set-up lines tell each clip's facts, rate and size apart. Files that cannot be
 * read fail before the run, as in decodeClip. A clip is decoded again on its own (by decodeClip, or by the explicit
 * decode after its printed facts) when the batch cannot vouch for it: any error line in the run (errors are not
 * attributed to inputs), a failed or timed-out run (limits: the sum of the clips' budgets, and the smallest budget
 * without a frame or a line written: an input that hangs stalls the whole run), more than one video
 * stream (the batch takes the first; ffmpeg alone picks the best), or a plan that differs from the run (a clip longer
 * than maxSeconds, a variable-rate clip). Clips come back in the order asked; one ffmpeg runs at a time.
 */
export async function decodeClips(requests: readonly ClipRequest[], tuning: DecodeTuning = {}): Promise<ClipResult[]> {
  const results: ClipResult[] = new Array(requests.length);
  const members: Member[] = [];
  await Promise.all(
    requests.map(async ({ path, options }, index) => {
      try {
        const o = resolveOptions(options);
        await checkFile(path);
        members.push({ index, path, o, header: null, probe: undefined, plan: null, sink: null, pending: [] });
      } catch (error) {
        results[index] = { ok: false, error };
      }
    }),
  );
  members.sort((a, b) => a.index - b.index);
  const alone = members.length < 2 ? members : await runBatch(members, results, tuning);
  for (const m of alone) {
    const header = m.header;
    results[m.index] = header
      ? await settled(
          decodeAfterHeader(m.path, header, new StderrLog(), m.o, true, tuning, Date.now() + m.o.timeoutMs).then(
            ({ probe, raw }) => toClip(probe, raw),
          ),
        )
      : await settled(decodeClip(m.path, m.o, tuning));
  }
  return results;
}

/**
 * One ffmpeg over all members: fills the results of the clips it decoded cleanly and returns the others, those whose
 * printed facts can still be used keeping `header` (an explicit decode follows), the rest with `header` null.
 */
async function runBatch(members: Member[], results: ClipResult[], tuning: DecodeTuning): Promise<Member[]> {
  const headers = new BatchHeaders(members.length);
  const log = new StderrLog();
  const onHeader = (k: number): void => {
    const m = members[k];
    const h = headers.headers[k];
    if (!m || !h) return;
    m.probe = h.probe();
    const plan = h.videoStreams === 1 ? agreedPlan(h, m.probe, m.o, m.o.segment?.startS ?? 0) : null;
    if (plan) {
      m.plan = plan;
      m.sink = sinkFor(plan, m.o, true);
      for (const chunk of m.pending ?? []) m.sink.write(chunk);
    }
    m.pending = null;
  };
  const run = await runDecodeMany(
    members.map((m) => ({
      input: fileUrl(m.path),
      inputOptions: inputOptionsFor(tuning, m.o.segment?.startS ?? 0, m.o.maxSeconds, m.o.segment),
    })),
    members.map((m, k) => ({
      filters: batchFilters(m.o, k),
      onData: (chunk: Buffer) => (m.sink ? m.sink.write(chunk) : m.pending?.push(chunk)),
    })),
    {
      ...batchLimits(members.map((m) => m.o.timeoutMs)),
      logLevel: 'verbose',
      onStderr: (line, level) => {
        if (isErrorLevel(level)) log.add(line);
        else {
          const k = headers.add(line);
          if (k >= 0) onHeader(k);
        }
      },
    },
    tuning.threads ?? DECODER_THREADS,
  );
  if (run.error || run.timedOut || log.count > 0) return members;
  const alone: Member[] = [];
  members.forEach((m, k) => {
    const h = headers.headers[k];
    // A header the run never completed (no output described) still holds the input's dump.
    const probe = h?.complete ? m.probe : h?.probe();
    if (m.plan && m.sink && probe) {
      try {
        results[m.index] = { ok: true, value: toClip(probe, classify(m.path, m.o, m.plan, m.sink, log, run)) };
      } catch (error) {
        results[m.index] = { ok: false, error };
      }
      return;
    }
    // Facts printed, but the plan differs (or several video streams): the explicit decode follows, as decodeClip's.
    if (h && probe !== undefined && h.videoStreams === 1) m.header = h;
    alone.push(m);
  });
  return alone;
}

/** A value from {@link BatchQueue}, with its share of its batch's wall time (the batch's time over its requests). */
export interface Batched<R> {
  value: R;
  shareMs: number;
}

interface Waiting<Q, R> {
  request: Q;
  resolve: (value: Batched<R>) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers requests asked one by one into batches for `run`: a batch starts when `size` requests wait, or `waitMs`
 * after the first of fewer asked; at most `lanes` batches run at once (default 1: a worker thread that decodes while
 * it waits has at most one ffmpeg running). With `size` 1 every request runs alone.
 */
export class BatchQueue<Q, R> {
  private readonly waiting: Waiting<Q, R>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running = 0;
  private due = false;

  constructor(
    readonly size: number,
    private readonly run: (requests: Q[]) => Promise<Settled<R>[]>,
    private readonly waitMs = 5,
    private readonly lanes = 1,
  ) {}

  /** The request's value, from the next batch. */
  ask(request: Q): Promise<Batched<R>> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ request, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.running >= this.lanes || this.waiting.length === 0) return;
    if (this.waiting.length < this.size && !this.due) {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        this.due = true;
        this.pump();
      }, this.waitMs);
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.due = false;
    this.running++;
    const batch = this.waiting.splice(0, this.size);
    const t0 = performance.now();
    // a run that throws before its promise (not an async function) fails its batch instead of leaving it waiting
    new Promise<Settled<R>[]>((resolve) => resolve(this.run(batch.map((w) => w.request))))
      .then(
        (results) => {
          const shareMs = (performance.now() - t0) / batch.length;
          results.forEach((r, i) => {
            if (r.ok) batch[i]?.resolve({ value: r.value, shareMs });
            else batch[i]?.reject(r.error);
          });
        },
        (error: unknown) => {
          for (const w of batch) w.reject(error);
        },
      )
      .finally(() => {
        this.running--;
        this.pump();
      });
  }
}

/** Gathers clips asked for one by one into batches for {@link decodeClips} (see {@link BatchQueue}). */
export class DecodeBatcher {
  private readonly queue: BatchQueue<ClipRequest, DecodedClip>;

  constructor(
    readonly size: number,
    waitMs = 5,
    tuning: DecodeTuning = {},
  ) {
    this.queue = new BatchQueue(size, (requests: ClipRequest[]) => decodeClips(requests, tuning), waitMs);
  }

  /** Decode one clip as {@link decodeClip} would, in the next batch; with its share of the batch's wall time. */
  decode(path: string, options?: Partial<DecodeOptions>): Promise<Batched<DecodedClip>> {
    return this.queue.ask(options ? { path, options } : { path });
  }
}

/** One contact sheet to decode, as {@link decodeSheetFrames} takes it. */
export interface SheetRequest {
  path: string;
  sel: SheetSelection;
}

/** One frame selection to decode, as {@link decodeFrameSelection} takes it. */
export interface SelectionRequest {
  path: string;
  sel: FrameSelection;
}

/**
 * Contact sheets' frames as {@link decodeSheetFrames} gives them, several in ONE ffmpeg (see {@link decodeJobs}).
 */
export function decodeSheets(requests: readonly SheetRequest[]): Promise<Settled<SheetFrames>[]> {
  return decodeJobs(requests, sheetJob);
}

/**
 * Frame selections as {@link decodeFrameSelection} gives them, several in ONE ffmpeg (see {@link decodeJobs}).
 */
export function decodeSelections(
  requests: readonly SelectionRequest[],
): Promise<Settled<{ frames: Uint8Array[]; decoded: number }>[]> {
  return decodeJobs(requests, selectionJob);
}

/**
 * Selection decodes ({@link SelectionJob}s: contact sheets, frame selections) several in ONE ffmpeg: each request an
 * input (its window by input seeking) and an output with its job's filter graph on its own pipe. A run that printed
 * any error line, failed or timed out (limits as {@link decodeClips}'), and a request that got no frame, are decoded
 * again alone, so each gets its own error. Output k takes input k's first video stream that is not a cover picture,
 * where ffmpeg alone picks the largest: the two differ only for a file with several video streams.
 */
async function decodeJobs<S extends Pick<FrameSelection, 'windowStartS' | 'windowEndS' | 'timeoutMs'>, T>(
  requests: readonly { path: string; sel: S }[],
  jobFor: (sel: S) => SelectionJob<T>,
): Promise<Settled<T>[]> {
  const results: Settled<T>[] = new Array(requests.length);
  const members: { index: number; req: { path: string; sel: S }; job: SelectionJob<T>; sink: SelectSink }[] = [];
  requests.forEach((req, index) => {
    try {
      const job = jobFor(req.sel);
      const sink = new SelectSink(job.frameSize, new Set(job.indices), Math.max(-1, ...job.indices));
      members.push({ index, req, job, sink });
    } catch (error) {
      results[index] = { ok: false, error };
    }
  });
  let alone = members;
  if (members.length > 1) {
    const log = new StderrLog();
    const budgets = members.map((m) => m.req.sel.timeoutMs ?? DEFAULT_DECODE_OPTIONS.timeoutMs);
    const run = await runDecodeMany(
      members.map((m) => ({ input: fileUrl(m.req.path), inputOptions: selectionInputOptions(m.req.sel) })),
      members.map((m) => ({
        filters: m.job.filters,
        pixelFormat: m.job.pixelFormat,
        onData: (chunk: Buffer) => m.sink.write(chunk),
      })),
      {
        ...batchLimits(budgets),
        onStderr: (line, level) => isErrorLevel(level) && log.add(line),
      },
    );
    if (!run.error && !run.timedOut && log.count === 0) {
      alone = members.filter((m) => m.sink.frames === 0);
      for (const m of members)
        if (m.sink.frames > 0)
          results[m.index] = { ok: true, value: m.job.unpack(m.sink.pick(m.job.indices), m.sink.frames) };
    }
  }
  for (const m of alone) results[m.index] = await settled(decodeJob(m.req.path, m.req.sel, m.job));
  return results;
}
