// Decodes a clip to small gray frames at the analysis size and rate, applying the long-clip window policy.

import { DecodeError, UsageError, expected } from '../errors.js';
import { DECODER_THREADS, fileUrl, isErrorLevel, locateFfmpeg, runDecode } from './ffmpeg.js';
import type { DecodeRunResult } from './ffmpeg.js';
import { checkFile, probeFailure } from './probe.js';
import { RunHeader } from './run-header.js';
import type { probeClip } from './probe.js';
import { StderrLog } from './stderr.js';
import type { DecodedClip, DecodeOptions, ProbeInfo } from './types.js';

/**
 * Defaults: shortSide 96 px, fps 24 (10 fps aliased drumming and waving in the prototype), maxSeconds 10,
 * timeoutMs 60000 (probe and decode together).
 */
export const DEFAULT_DECODE_OPTIONS: Readonly<DecodeOptions> = Object.freeze({
  shortSide: 96,
  fps: 24,
  maxSeconds: 10,
  timeoutMs: 60_000,
});

/** Decoder knobs outside DecodeOptions, for benchmarks and special deployments. */
export interface DecodeTuning {
  /** ffmpeg decoder threads, 0 = auto; default 1 (one ffmpeg per worker, one worker per core; see DECODER_THREADS). */
  threads?: number;
  /** Skip the H.264/HEVC deblocking filter (`-skip_loop_filter all`): ~10-15 % faster on 1080p, slightly blockier pixels. Default false. */
  skipLoopFilter?: boolean;
}

/** What will be decoded: analysis size and rate, and the window in seconds from the clip's start. */
export interface DecodePlan {
  width: number;
  height: number;
  fps: number;
  windowStartS: number;
  windowEndS: number;
  /** Frames the window should yield (0 when the duration is unknown). */
  expectedFrames: number;
  /** Said among the clip's warnings: the segment asked for ends after the clip does, so it was cut there. */
  note?: string;
}

/**
 * Analysis frame size: the short side is `shortSide`, the long side keeps the DISPLAY aspect ratio
 * (coded size times the sample aspect ratio, swapped for 90/270 degree rotation) rounded to an even number.
 * Tiny clips are scaled up so every clip yields the same short side. 640x360 -> 170x96; rotated 90 -> 96x170.
 */
export function analysisSize(probe: ProbeInfo, shortSide: number): { width: number; height: number } {
  const sar = probe.sampleAspectRatio && probe.sampleAspectRatio > 0 ? probe.sampleAspectRatio : 1;
  const quarter = probe.rotation === 90 || probe.rotation === 270;
  // The arithmetic of the scale expression ffmpeg evaluates on the upright frame (see scaleExpression): its
  // `dar` is width / height times the sample aspect, and a quarter turn swaps the sides and inverts the aspect.
  const dar = quarter ? (probe.height / probe.width) * (1 / sar) : (probe.width / probe.height) * sar;
  return dar >= 1
    ? { width: Math.max(2, 2 * Math.round((shortSide * dar) / 2)), height: shortSide }
    : { width: shortSide, height: Math.max(2, 2 * Math.round(shortSide / dar / 2)) };
}

/**
 * Window policy (README): clips up to `maxSeconds` long are decoded whole. A longer clip is decoded in ONE
 * window of `maxSeconds` centred in the clip, [(d - maxSeconds) / 2, (d + maxSeconds) / 2], using input
 * seeking (`-ss` before `-i`: the demuxer jumps to the keyframe before the window), so a 2-hour file costs
 * about as much as a 10-second one. A clip of unknown duration is decoded from its start for at most
 * `maxSeconds`. The analysis rate is min(options.fps, source average fps): above the source rate the fps
 * filter could only repeat frames. Variable-rate input leaves the fps filter at a constant rate.
 */
export function planDecode(probe: ProbeInfo, options: DecodeOptions): DecodePlan {
  const { width, height } = analysisSize(probe, options.shortSide);
  const fps = probe.fps > 0 ? Math.min(options.fps, probe.fps) : options.fps;
  const d = probe.durationS;
  // The span the window policy works in: the whole clip, or the segment asked for (cut at the clip's end).
  const from = options.segment?.startS ?? 0;
  const to = options.segment ? (d > 0 ? Math.min(options.segment.endS, d) : options.segment.endS) : d;
  const asked = options.segment
    ? `${from}-${Number.isFinite(options.segment.endS) ? options.segment.endS : 'end'} s`
    : '';
  if (options.segment && d > 0 && from >= d) {
    throw new DecodeError(
      'segment_out_of_range',
      `The segment ${asked} starts after the clip ends (${d.toFixed(2)} s)`,
    );
  }
  const cut =
    options.segment && d > 0 && Number.isFinite(options.segment.endS) && options.segment.endS > d
      ? `the segment ${asked} ends after the clip does (${d.toFixed(2)} s): analysed up to its end`
      : undefined;
  const span = Number.isFinite(to) && to > 0 ? to - from : 0;
  let windowStartS = from;
  let windowEndS = span > 0 ? to : from + options.maxSeconds;
  if (span > options.maxSeconds) {
    windowStartS = from + (span - options.maxSeconds) / 2;
    windowEndS = windowStartS + options.maxSeconds;
  }
  const expectedFrames = span > 0 ? (windowEndS - windowStartS) * fps : 0;
  return { width, height, fps, windowStartS, windowEndS, expectedFrames, ...(cut ? { note: cut } : {}) };
}

/** Cuts ffmpeg's raw gray stream into frames, or only counts bytes when `keep` is false. */
export class FrameSink {
  private readonly blocks: Uint8Array[] = [];
  private block: Uint8Array;
  private pos = 0;
  bytes = 0;

  constructor(
    private readonly frameSize: number,
    private readonly capacity: number,
    private readonly keep: boolean,
  ) {
    // One allocation for the expected frames; pipe chunks are copied straight in (no Buffer.concat).
    this.block = new Uint8Array(keep ? frameSize * capacity : 0);
    if (keep) this.blocks.push(this.block);
  }

  write(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    if (this.keep) {
      let off = 0;
      while (off < chunk.length) {
        if (this.pos === this.block.length) {
          // More frames than the probe promised (wrong duration, VFR): grow by whole frames, never straddling blocks.
          this.block = new Uint8Array(this.frameSize * Math.max(8, Math.ceil(this.capacity / 2)));
          this.blocks.push(this.block);
          this.pos = 0;
        }
        const n = Math.min(chunk.length - off, this.block.length - this.pos);
        this.block.set(chunk.subarray(off, off + n), this.pos);
        this.pos += n;
        off += n;
      }
    }
  }

  get frameCount(): number {
    return Math.floor(this.bytes / this.frameSize);
  }

  /** Views of whole frames, in order; a trailing partial frame is dropped. */
  frames(): Uint8Array[] {
    const out: Uint8Array[] = [];
    const total = this.frameCount;
    for (const block of this.blocks) {
      for (let at = 0; at + this.frameSize <= block.length && out.length < total; at += this.frameSize) {
        out.push(block.subarray(at, at + this.frameSize));
      }
    }
    return out;
  }
}

export function resolveOptions(options: Partial<DecodeOptions> = {}): DecodeOptions {
  const o: DecodeOptions = { ...DEFAULT_DECODE_OPTIONS };
  for (const key of ['shortSide', 'fps', 'maxSeconds', 'timeoutMs'] as const) {
    const v = options[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      throw new UsageError(expected('a positive number', key, v));
    o[key] = v;
  }
  if (!Number.isInteger(o.shortSide) || o.shortSide < 2)
    throw new UsageError(expected('an integer >= 2', 'shortSide', o.shortSide));
  const seg = options.segment;
  if (seg !== undefined) {
    if (!(seg.startS >= 0) || !(seg.endS > seg.startS))
      throw new UsageError(expected('0 <= startS < endS', 'segment', `${seg.startS}..${seg.endS}`));
    o.segment = { startS: seg.startS, endS: seg.endS };
  }
  return o;
}

/** Rates for the fps filter: exact integers stay integers, others get 6 decimals (ffmpeg makes a rational). */
function rateArg(fps: number): string {
  return Number.isInteger(fps) ? String(fps) : fps.toFixed(6);
}

export interface RawResult {
  plan: DecodePlan;
  sink: FrameSink;
  warnings: string[];
}

export function inputOptionsFor(
  tuning: DecodeTuning,
  windowStartS: number,
  maxSeconds: number,
  segment?: DecodeOptions['segment'],
): string[] {
  const inputOptions: string[] = [];
  if (tuning.skipLoopFilter) inputOptions.push('-skip_loop_filter', 'all');
  if (windowStartS > 0) inputOptions.push('-ss', windowStartS.toFixed(3));
  // Always cap the read at maxSeconds (not the probed duration, which can be shorter than the video when a
  // stream starts late): a wrong container duration must not turn into an hour-long decode.
  // A segment ends where it ends: the read stops there (or after maxSeconds, whichever comes first).
  const cap = segment ? Math.min(maxSeconds, segment.endS - windowStartS) : maxSeconds;
  inputOptions.push('-t', cap.toFixed(3));
  return inputOptions;
}

/** The FrameSink for a plan: room for the expected frames (or maxSeconds of them when the duration is unknown). */
export function sinkFor(plan: DecodePlan, o: DecodeOptions, keep: boolean): FrameSink {
  return new FrameSink(plan.width * plan.height, Math.ceil((plan.expectedFrames || o.maxSeconds * plan.fps) + 2), keep);
}

/** Classify a finished decode run of `plan` (corrupt / too_short / timeout) and collect its warnings. */
export function classify(
  path: string,
  o: DecodeOptions,
  plan: DecodePlan,
  sink: FrameSink,
  log: StderrLog,
  run: DecodeRunResult,
): RawResult {
  const where = { path };
  if (run.timedOut) {
    throw new DecodeError(
      'timeout',
      `Decoding clip ${path} took longer than ${o.timeoutMs} ms; ffmpeg was killed`,
      where,
    );
  }
  const frameSize = plan.width * plan.height;
  const got = sink.frameCount;
  const summary = log.summary();
  if (run.error) {
    const detail = summary ?? run.error.message;
    throw new DecodeError('corrupt', `Clip ${path} could not be decoded: ${detail}`, where, { cause: run.error });
  }
  const exp = Math.round(plan.expectedFrames);
  // Truncated files end "successfully" with decoder errors: too few frames means the clip is not what it claims.
  if (summary && exp > 0 && got < 0.5 * exp) {
    throw new DecodeError(
      'corrupt',
      `Clip ${path} is damaged: decoded ${got} of ~${exp} expected frames; ${summary}`,
      where,
    );
  }
  if (got < 2) {
    throw new DecodeError(
      'too_short',
      `Clip ${path} yields ${got} analysis frame${got === 1 ? '' : 's'}; at least 2 are needed (a still image or a one-frame video?)`,
      where,
    );
  }
  const warnings: string[] = [];
  if (plan.note) warnings.push(plan.note);
  if (summary) warnings.push(summary);
  if (exp > 0 && got < 0.9 * exp - 1) warnings.push(`decoded ${got} of ~${exp} expected frames`);
  if (sink.bytes % frameSize !== 0)
    warnings.push(`ffmpeg output ended inside a frame; ${sink.bytes % frameSize} bytes dropped`);
  return { plan, sink, warnings };
}

/** Run the decode for an already probed clip and classify the outcome (corrupt / too_short / timeout). */
async function decodeRaw(
  path: string,
  probe: ProbeInfo,
  o: DecodeOptions,
  keep: boolean,
  tuning: DecodeTuning,
  timeoutMs: number,
): Promise<RawResult> {
  const plan = planDecode(probe, o);
  const sink = sinkFor(plan, o, keep);
  const log = new StderrLog();
  // fps before scale so dropped frames are never scaled; `area` averages (anti-aliases) on large downscales
  // and measured as fast as bilinear here; format=gray lets swscale scale only the luma plane.
  // ffmpeg's autorotation runs before this chain (it transposes the full-size frame: ~15-25 % extra on
  // rotated 1080p, accepted to keep ffmpeg's own reading of the display matrix).
  const filters = `fps=${rateArg(plan.fps)},scale=${plan.width}:${plan.height}:flags=area,format=gray`;
  const run = await runDecode(
    {
      input: fileUrl(path),
      inputOptions: inputOptionsFor(tuning, plan.windowStartS, o.maxSeconds, o.segment),
      filters,
      timeoutMs,
      onData: (chunk) => sink.write(chunk),
      onStderr: (line, level) => isErrorLevel(level) && log.add(line),
    },
    tuning.threads ?? DECODER_THREADS,
  );
  return classify(path, o, plan, sink, log, run);
}

/** Whether an ffmpeg build reads `source_fps` in the fps filter (5.0 and later); learnt from the first run, per binary. */
const fpsExpressions = new Map<string, boolean>();

/**
 * Scale expression giving the same size as {@link analysisSize}: `dar` is the display aspect of the (already
 * upright) frame, the short side becomes `shortSide` and the long side the nearest even number.
 */
function scaleExpression(shortSide: number): string {
  const s = shortSide;
  return `scale=w='if(gte(dar,1),max(2,2*round(${s}*dar/2)),${s})':h='if(gte(dar,1),${s},max(2,2*round(${s}/dar/2)))':flags=area`;
}

/** Relative difference under which two rates are the same rate (as the VFR test of the probe). */
const SAME_RATE = 0.005;

/**
 * The one-process chain: `fps=min(rate, source_fps)` (a plain rate on an ffmpeg without expressions), scaled by the
 * display aspect, gray. `clip` names the fps filter `fps@c<clip>` (a run decoding several clips tells them apart by it).
 */
function unprobedFilters(o: DecodeOptions, useExpr: boolean, clip?: number): string {
  const rate = rateArg(o.fps);
  const fps = clip === undefined ? 'fps' : `fps@c${clip}`;
  return `${fps}=${useExpr ? `'min(${rate},source_fps)'` : rate},${scaleExpression(o.shortSide)},format=gray`;
}

/** The one-process chain for clip `clip` of a run decoding several, with what the binary is known to read (see fpsExpressions). */
export function batchFilters(o: DecodeOptions, clip: number): string {
  return unprobedFilters(o, fpsExpressions.get(locateFfmpeg().ffmpeg) !== false, clip);
}

/**
 * The plan the one-process run is following, or null when it differs from {@link planDecode}'s plan for the probed
 * facts (another window start, rate or size) or there is none. Its rate is the one the fps filter runs at (the
 * source's exact rational when it is the lower one).
 */
export function agreedPlan(
  header: RunHeader,
  probe: ProbeInfo | null | undefined,
  o: DecodeOptions,
  seek: number,
): DecodePlan | null {
  let want: DecodePlan | null = null;
  try {
    want = probe && probe.width > 0 && probe.height > 0 ? planDecode(probe, o) : null;
  } catch {
    want = null; // a segment outside the clip: the explicit decode says so
  }
  const r = header.filterRate;
  if (
    !want ||
    Math.abs(want.windowStartS - seek) > 1e-6 ||
    !(r > 0) ||
    Math.abs(r - want.fps) > SAME_RATE * want.fps ||
    header.width !== want.width ||
    header.height !== want.height
  )
    return null;
  return { ...want, fps: r, expectedFrames: want.expectedFrames > 0 ? (want.windowEndS - want.windowStartS) * r : 0 };
}

/**
 * After a one-process run that was stopped or failed before its first frame: the probe facts its header printed
 * (or the probe failure), then one explicit decode within what is left of the time budget.
 */
export async function decodeAfterHeader(
  path: string,
  header: RunHeader,
  log: StderrLog,
  o: DecodeOptions,
  keep: boolean,
  tuning: DecodeTuning,
  deadline: number,
): Promise<{ probe: ProbeInfo; raw: RawResult }> {
  const probe = header.probe();
  if (probe === undefined) throw await probeFailure(path, 'ffmpeg', log.lines.join('\n'));
  if (probe === null)
    throw new DecodeError('not_video', `Clip ${path} has no video stream (audio-only or not a video file)`, { path });
  if (probe.width <= 0 || probe.height <= 0) {
    throw new DecodeError(
      'corrupt',
      `Clip ${path} has a video stream without a frame size (${probe.codec || 'unknown codec'})`,
      { path },
    );
  }
  const left = deadline - Date.now();
  if (left <= 0)
    throw new DecodeError('timeout', `Clip ${path} used up its ${o.timeoutMs} ms budget while probing`, { path });
  return { probe, raw: await decodeRaw(path, probe, o, keep, tuning, left) };
}

/**
 * Decode a clip that has not been probed, in ONE ffmpeg process that is also its probe: ffmpeg prints the input's
 * stream dump before the first frame, and the chain needs no facts beforehand (`fps=min(fps, source_fps)`, a scale
 * expression on the display aspect). When the dump shows that the plan of {@link planDecode} differs from what the
 * run is doing (a clip longer than maxSeconds needs input seeking to its centred window; a variable-rate clip's
 * average rate is below the requested one while its nominal rate is not), that process is killed before it
 * decodes further and one explicit decode follows, as does any run that failed before its first frame, so errors
 * are classified exactly as for a probed decode. Without ffprobe the probe facts are ffmpeg's printed ones:
 * duration to 10 ms, no frame count.
 */
async function decodeUnprobed(
  path: string,
  o: DecodeOptions,
  keep: boolean,
  tuning: DecodeTuning,
): Promise<{ probe: ProbeInfo; raw: RawResult }> {
  await checkFile(path);
  const deadline = Date.now() + o.timeoutMs;
  const bin = locateFfmpeg().ffmpeg;
  const useExpr = fpsExpressions.get(bin) !== false;
  const filters = unprobedFilters(o, useExpr);
  const header = new RunHeader();
  const log = new StderrLog();
  const pending: Uint8Array[] = [];
  // A segment is read from its start: the plan agrees when the segment fits in maxSeconds (else it seeks further in).
  const seek = o.segment?.startS ?? 0;
  let sink: FrameSink | null = null;
  let plan: DecodePlan | null = null;
  let probe: ProbeInfo | null | undefined;
  const stop = new AbortController();
  const onHeader = (): void => {
    probe = header.probe();
    plan = agreedPlan(header, probe, o, seek);
    if (!plan) {
      stop.abort();
      return;
    }
    sink = sinkFor(plan, o, keep);
    for (const chunk of pending) sink.write(chunk);
    pending.length = 0;
  };
  const run = await runDecode(
    {
      input: fileUrl(path),
      inputOptions: inputOptionsFor(tuning, seek, o.maxSeconds, o.segment),
      filters,
      timeoutMs: o.timeoutMs,
      logLevel: 'verbose',
      signal: stop.signal,
      onData: (chunk) => (sink ? sink.write(chunk) : pending.push(chunk)),
      onStderr: (line, level) => {
        if (isErrorLevel(level)) log.add(line);
        else if (header.add(line)) onHeader();
      },
    },
    tuning.threads ?? DECODER_THREADS,
  );
  if (run.timedOut)
    throw new DecodeError('timeout', `Decoding clip ${path} took longer than ${o.timeoutMs} ms; ffmpeg was killed`, {
      path,
    });
  if (useExpr && run.error && !header.complete && log.lines.some((l) => l.includes('source_fps'))) {
    // An ffmpeg older than 5.0: its fps filter takes no expressions. Remember, and decode with a plain rate.
    fpsExpressions.set(bin, false);
    return decodeUnprobed(path, { ...o, timeoutMs: Math.max(1, deadline - Date.now()) }, keep, tuning);
  }
  if (useExpr && header.complete) fpsExpressions.set(bin, true);
  if (plan && sink) return { probe: probe!, raw: classify(path, o, plan, sink, log, run) };
  return decodeAfterHeader(path, header, log, o, keep, tuning, deadline);
}

/**
 * Decode a clip already probed with {@link probeClip} (lets a caller that probed separately skip a second probe).
 * `options.timeoutMs` bounds this decode alone. Frames are views into one preallocated ArrayBuffer (a second
 * one only when the clip ran longer than probed): to transfer them, transfer the distinct `frame.buffer`s once.
 */
export async function decodeProbed(
  path: string,
  probe: ProbeInfo,
  options?: Partial<DecodeOptions>,
  tuning: DecodeTuning = {},
): Promise<DecodedClip> {
  const o = resolveOptions(options);
  return toClip(probe, await decodeRaw(path, probe, o, true, tuning, o.timeoutMs));
}

export function toClip(probe: ProbeInfo, { plan, sink, warnings }: RawResult): DecodedClip {
  const frames = sink.frames();
  const clip: DecodedClip = {
    probe,
    width: plan.width,
    height: plan.height,
    fps: plan.fps,
    windowStartS: plan.windowStartS,
    // Unknown duration: the window is what ffmpeg actually delivered.
    windowEndS: probe.durationS > 0 ? plan.windowEndS : frames.length / plan.fps,
    frames,
  };
  if (warnings.length > 0) clip.warnings = warnings;
  return clip;
}

/**
 * Decode a clip to gray frames for analysis: `shortSide` px short side (default 96), the long side
 * keeping the display aspect, `fps` frames per second (default 24, never above the source rate), at most
 * `maxSeconds` (default 10) per the window policy of {@link planDecode}, all within `timeoutMs` (default 60000;
 * ffmpeg is then killed with SIGKILL). Rotated clips come out upright (portrait for rotation 90/270).
 * One ffmpeg process probes and decodes (see {@link decodeUnprobed}); `probe` holds the facts it printed.
 * Frames are views into one preallocated ArrayBuffer (see {@link decodeProbed}).
 * @throws DecodeError, `where.path` set, code 'missing' | 'unreadable' | 'empty' | 'not_video' | 'corrupt' |
 *   'too_short' (< 2 analysis frames) | 'timeout'; a clip that decodes with errors but yields at least half
 *   the expected frames is returned with `warnings`. SetupError when ffmpeg is missing; UsageError for bad options.
 */
export async function decodeClip(
  path: string,
  options?: Partial<DecodeOptions>,
  tuning: DecodeTuning = {},
): Promise<DecodedClip> {
  const o = resolveOptions(options);
  const { probe, raw } = await decodeUnprobed(path, o, true, tuning);
  return toClip(probe, raw);
}

/**
 * Decode-only baseline for benchmarks: the same ffmpeg run as {@link decodeClip} (same probe, size, rate, window,
 * errors) but the frames are discarded as they arrive. Returns the number of frames.
 */
export async function decodeOnly(
  path: string,
  options?: Partial<DecodeOptions>,
  tuning: DecodeTuning = {},
): Promise<number> {
  const o = resolveOptions(options);
  return (await decodeUnprobed(path, o, false, tuning)).raw.sink.frameCount;
}

/** Frames wanted for a picture (contact sheet): a window, an index grid, a size and a pixel format. */
export interface FrameSelection {
  /** Output size in pixels; the caller keeps the display aspect (see {@link analysisSize}). */
  width: number;
  height: number;
  /** Rate of the index grid: index k is the frame at windowStartS + k / fps (ffmpeg's fps filter). */
  fps: number;
  /** The decoded window, seconds from the clip's start. */
  windowStartS: number;
  windowEndS: number;
  /** Indices to return (0-based on the grid), in any order, repeats allowed. */
  indices: readonly number[];
  /** 'gray' (1 byte per pixel, the same chain as the analysis frames) or 'rgb24' (3 bytes per pixel). Default 'rgb24'. */
  pixelFormat?: 'gray' | 'rgb24';
  /** Kill ffmpeg after this many milliseconds (default 60000). */
  timeoutMs?: number;
}

/** Keeps the frames whose index is wanted (and the latest one up to the highest wanted index); counts the rest. */
export class SelectSink {
  readonly kept = new Map<number, Uint8Array>();
  /** The latest complete frame with an index up to the highest wanted one (stands in for indices past the end). */
  latest: Uint8Array | null = null;
  frames = 0;
  private current: Uint8Array;
  private pos = 0;

  constructor(
    private readonly frameSize: number,
    private readonly wanted: ReadonlySet<number>,
    private readonly last: number,
  ) {
    this.current = new Uint8Array(frameSize);
  }

  write(chunk: Uint8Array): void {
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(chunk.length - off, this.frameSize - this.pos);
      if (this.frames <= this.last) this.current.set(chunk.subarray(off, off + n), this.pos);
      this.pos += n;
      off += n;
      if (this.pos === this.frameSize) {
        if (this.frames <= this.last) {
          if (this.wanted.has(this.frames)) this.kept.set(this.frames, this.current);
          this.latest = this.current;
          this.current = new Uint8Array(this.frameSize);
        }
        this.frames++;
        this.pos = 0;
      }
    }
  }

  /** The kept frames at `indices`; an index past the last decoded frame gets the latest one (call with frames > 0). */
  pick(indices: readonly number[]): Uint8Array[] {
    return indices.map((k) => this.kept.get(k) ?? this.latest!);
  }
}

/**
 * Decode chosen frames of a clip for pictures: the window [windowStartS, windowEndS] on a grid of `fps`, scaled
 * to width x height, as gray or RGB bytes. Uses the same input seeking, rate and scale chain as the analysis
 * decode, so gray index k here is the analysis frame k when size, rate and window match the scan's.
 * Indices past the last decoded frame (the window end can fall between frames) get the last decoded frame.
 * Probe first with {@link probeClip} for a clear error on a missing or broken file.
 * @returns the frames in the order of `indices`, and how many frames the window held.
 * @throws DecodeError code 'corrupt' (ffmpeg failed), 'too_short' (no frame decoded) or 'timeout'; UsageError for bad options.
 * @example
 * const { frames } = await decodeFrameSelection('a.mp4', { width: 160, height: 90, fps: 24, windowStartS: 0, windowEndS: 3, indices: [0, 36, 71] });
 */
export async function decodeFrameSelection(
  path: string,
  sel: FrameSelection,
): Promise<{ frames: Uint8Array[]; decoded: number }> {
  return decodeJob(path, sel, selectionJob(sel));
}

/**
 * The decode of a frame selection (see {@link decodeFrameSelection}): its filter chain, frame size and the frames to keep.
 * @throws UsageError for bad options.
 */
export function selectionJob(sel: FrameSelection): SelectionJob<{ frames: Uint8Array[]; decoded: number }> {
  checkSelection(sel, ['width', 'height'], sel.indices);
  const pixelFormat = sel.pixelFormat ?? 'rgb24';
  return {
    filters: `fps=${rateArg(sel.fps)},scale=${sel.width}:${sel.height}:flags=area,format=${pixelFormat}`,
    frameSize: sel.width * sel.height * (pixelFormat === 'rgb24' ? 3 : 1),
    pixelFormat,
    indices: [...sel.indices],
    unpack: (frames, decoded) => ({ frames, decoded }),
  };
}

/**
 * Checks the options of a selection decode: the named sizes positive integers, a positive rate, a window
 * 0 <= start < end and non-negative integer frame indices.
 * @throws UsageError naming the first bad option.
 */
function checkSelection<K extends string>(
  sel: Record<K, number> & Pick<FrameSelection, 'fps' | 'windowStartS' | 'windowEndS'>,
  sizes: readonly K[],
  indices: readonly number[],
): void {
  for (const key of sizes) {
    if (!Number.isInteger(sel[key]) || sel[key] < 1)
      throw new UsageError(expected('a positive integer', key, sel[key]));
  }
  if (!(sel.fps > 0)) throw new UsageError(expected('a positive frame rate', 'fps', sel.fps));
  if (!(sel.windowStartS >= 0) || !(sel.windowEndS > sel.windowStartS)) {
    throw new UsageError(
      expected('0 <= windowStartS < windowEndS', 'window', `${sel.windowStartS}..${sel.windowEndS}`),
    );
  }
  for (const k of indices)
    if (!Number.isInteger(k) || k < 0)
      throw new UsageError(expected('non-negative integer frame indices', 'indices', k));
}

/** What goes before `-i` for a selection: input seeking to the window's start, and the window's length. */
export function selectionInputOptions(sel: Pick<FrameSelection, 'windowStartS' | 'windowEndS'>): string[] {
  const inputOptions: string[] = [];
  if (sel.windowStartS > 0) inputOptions.push('-ss', sel.windowStartS.toFixed(3));
  inputOptions.push('-t', (sel.windowEndS - sel.windowStartS).toFixed(3));
  return inputOptions;
}

/**
 * Runs one selection decode (a {@link SelectionJob}) of `path`: the window of `sel`, the job's filter chain, its
 * wanted frames kept and unpacked.
 * @throws DecodeError code 'corrupt' (ffmpeg failed), 'too_short' (no frame decoded) or 'timeout'.
 */
export async function decodeJob<T>(
  path: string,
  sel: Pick<FrameSelection, 'windowStartS' | 'windowEndS' | 'timeoutMs'>,
  job: SelectionJob<T>,
): Promise<T> {
  const { filters, frameSize, indices, pixelFormat } = job;
  const sink = new SelectSink(frameSize, new Set(indices), Math.max(-1, ...indices));
  const log = new StderrLog();
  const timeoutMs = sel.timeoutMs ?? DEFAULT_DECODE_OPTIONS.timeoutMs;
  const run = await runDecode({
    input: fileUrl(path),
    inputOptions: selectionInputOptions(sel),
    filters,
    timeoutMs,
    pixelFormat,
    onData: (chunk) => sink.write(chunk),
    onStderr: (line, level) => isErrorLevel(level) && log.add(line),
  });
  const where = { path };
  if (run.timedOut)
    throw new DecodeError(
      'timeout',
      `Decoding frames of ${path} took longer than ${timeoutMs} ms; ffmpeg was killed`,
      where,
    );
  if (run.error)
    throw new DecodeError(
      'corrupt',
      `Clip ${path} could not be decoded: ${log.summary() ?? run.error.message}`,
      where,
      { cause: run.error },
    );
  if (sink.frames === 0)
    throw new DecodeError(
      'too_short',
      `Clip ${path} yields no frame between ${sel.windowStartS} s and ${sel.windowEndS} s`,
      where,
    );
  return job.unpack(sink.pick(indices), sink.frames);
}

/** What a contact sheet asks of the decoder (see {@link decodeSheetFrames}). */
export type SheetSelection = Omit<FrameSelection, 'indices' | 'pixelFormat'> & {
  tileWidth: number;
  tileHeight: number;
  grayIndices: readonly number[];
  rgbIndices: readonly number[];
};

/** A contact sheet's frames: gray frames at analysis size, RGB pictures at tile size, and the frames the window held. */
export interface SheetFrames {
  gray: Uint8Array[];
  rgb: Uint8Array[];
  decoded: number;
}

/**
 * One selection decode: its filter chain, output pixel format and bytes per output frame, the output frames to keep
 * (grid indices, repeats allowed), and how the kept frames become the result.
 */
export interface SelectionJob<T> {
  filters: string;
  pixelFormat: 'gray' | 'rgb24';
  frameSize: number;
  indices: number[];
  unpack(frames: Uint8Array[], decoded: number): T;
}

/**
 * The decode of a contact sheet: one filter graph gives both the gray frames and the RGB pictures (the picture's R, G
 * and B planes stacked under the gray frame), so a sheet costs one ffmpeg run.
 * @throws UsageError for bad options.
 */
export function sheetJob(sel: SheetSelection): SelectionJob<SheetFrames> {
  const all = [...sel.grayIndices, ...sel.rgbIndices];
  checkSelection(sel, ['width', 'height', 'tileWidth', 'tileHeight'], all);
  const { width: W, height: H, tileWidth: tw, tileHeight: th } = sel;
  const P = Math.max(W, tw);
  const filters =
    `fps=${rateArg(sel.fps)},split[a][b];[a]scale=${W}:${H}:flags=area,format=gray,pad=${P}:${H}:0:0[g];` +
    `[b]scale=${tw}:${th}:flags=area,format=gbrp,extractplanes=r+g+b[r][gg][bb];[r][gg][bb]vstack=inputs=3,pad=${P}:${3 * th}:0:0[t];[g][t]vstack=inputs=2`;
  const unique = [...new Set(all)];
  const unpack = (frames: Uint8Array[], decoded: number): SheetFrames => {
    const byIndex = new Map(unique.map((k, i) => [k, frames[i]]));
    const gray = sel.grayIndices.map((k) => {
      const f = byIndex.get(k)!;
      const out = new Uint8Array(W * H);
      for (let y = 0; y < H; y++) out.set(f.subarray(y * P, y * P + W), y * W);
      return out;
    });
    const rgb = sel.rgbIndices.map((k) => {
      const f = byIndex.get(k)!;
      const out = new Uint8Array(tw * th * 3);
      for (let c = 0; c < 3; c++) {
        for (let y = 0; y < th; y++) {
          const row = (H + c * th + y) * P;
          for (let x = 0; x < tw; x++) out[(y * tw + x) * 3 + c] = f[row + x];
        }
      }
      return out;
    });
    return { gray, rgb, decoded };
  };
  return { filters, pixelFormat: 'gray', frameSize: P * (H + 3 * th), indices: unique, unpack };
}

/**
 * The frames of a contact sheet in one ffmpeg run: gray frames at analysis size (exactly the analysis decode's, for
 * the motion) at `grayIndices`, and RGB pictures at tile size at `rgbIndices`, on the grid of {@link decodeFrameSelection}.
 * Both come out of one filter graph (see {@link sheetJob}), so a sheet costs one process start instead of two.
 * @throws as {@link decodeFrameSelection}.
 */
export async function decodeSheetFrames(path: string, sel: SheetSelection): Promise<SheetFrames> {
  return decodeJob(path, sel, sheetJob(sel));
}
