// Decodes a clip to small gray frames at the analysis size and rate, applying the long-clip window policy.

import { Writable } from 'node:stream';
import { DecodeError, UsageError, expected } from '../errors.js';
import { DECODER_THREADS, fileUrl, runDecode } from './ffmpeg.js';
import { probeClip } from './probe.js';
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
}

/**
 * Analysis frame size: the short side is `shortSide`, the long side keeps the DISPLAY aspect ratio
 * (coded size times the sample aspect ratio, swapped for 90/270 degree rotation) rounded to an even number.
 * Tiny clips are scaled up so every clip yields the same short side. 640x360 -> 170x96; rotated 90 -> 96x170.
 */
export function analysisSize(probe: ProbeInfo, shortSide: number): { width: number; height: number } {
  const sar = probe.sampleAspectRatio && probe.sampleAspectRatio > 0 ? probe.sampleAspectRatio : 1;
  const quarter = probe.rotation === 90 || probe.rotation === 270;
  const dw = quarter ? probe.height : probe.width * sar;
  const dh = quarter ? probe.width * sar : probe.height;
  const long = Math.max(2, 2 * Math.round((shortSide * Math.max(dw, dh)) / Math.min(dw, dh) / 2));
  return dw >= dh ? { width: long, height: shortSide } : { width: shortSide, height: long };
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
  let windowStartS = 0;
  let windowEndS = d > 0 ? d : options.maxSeconds;
  if (d > options.maxSeconds) {
    windowStartS = (d - options.maxSeconds) / 2;
    windowEndS = windowStartS + options.maxSeconds;
  }
  const expectedFrames = d > 0 ? (windowEndS - windowStartS) * fps : 0;
  return { width, height, fps, windowStartS, windowEndS, expectedFrames };
}

/** Writable that cuts ffmpeg's raw gray stream into frames, or only counts bytes when `keep` is false. */
class FrameSink extends Writable {
  private readonly blocks: Uint8Array[] = [];
  private block: Uint8Array;
  private pos = 0;
  bytes = 0;

  constructor(private readonly frameSize: number, private readonly capacity: number, private readonly keep: boolean) {
    // Without these, 'close' after 'finish' makes fluent-ffmpeg report "Output stream closed" and kill ffmpeg.
    super({ autoDestroy: false, emitClose: false });
    // One allocation for the expected frames; pipe chunks are copied straight in (no Buffer.concat).
    this.block = new Uint8Array(keep ? frameSize * capacity : 0);
    if (keep) this.blocks.push(this.block);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
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
    done();
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

function resolveOptions(options: Partial<DecodeOptions> = {}): DecodeOptions {
  const o: DecodeOptions = { ...DEFAULT_DECODE_OPTIONS };
  for (const key of ['shortSide', 'fps', 'maxSeconds', 'timeoutMs'] as const) {
    const v = options[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new UsageError(expected('a positive number', key, v));
    o[key] = v;
  }
  if (!Number.isInteger(o.shortSide) || o.shortSide < 2) throw new UsageError(expected('an integer >= 2', 'shortSide', o.shortSide));
  return o;
}

/** Rates for the fps filter: exact integers stay integers, others get 6 decimals (ffmpeg makes a rational). */
function rateArg(fps: number): string {
  return Number.isInteger(fps) ? String(fps) : fps.toFixed(6);
}

interface RawResult {
  plan: DecodePlan;
  sink: FrameSink;
  warnings: string[];
}

/** Run the decode for an already probed clip and classify the outcome (corrupt / too_short / timeout). */
async function decodeRaw(path: string, probe: ProbeInfo, o: DecodeOptions, keep: boolean, tuning: DecodeTuning, timeoutMs: number): Promise<RawResult> {
  const plan = planDecode(probe, o);
  const frameSize = plan.width * plan.height;
  const capacity = Math.ceil((plan.expectedFrames || o.maxSeconds * plan.fps) + 2);
  const sink = new FrameSink(frameSize, capacity, keep);
  const log = new StderrLog();
  const inputOptions: string[] = [];
  if (tuning.skipLoopFilter) inputOptions.push('-skip_loop_filter', 'all');
  if (plan.windowStartS > 0) inputOptions.push('-ss', plan.windowStartS.toFixed(3));
  // Always cap the read at maxSeconds (not the probed duration, which can be shorter than the video when a
  // stream starts late): a wrong container duration must not turn into an hour-long decode.
  inputOptions.push('-t', o.maxSeconds.toFixed(3));
  // fps before scale so dropped frames are never scaled; `area` averages (anti-aliases) on large downscales
  // and measured as fast as bilinear here; format=gray lets swscale scale only the luma plane.
  // ffmpeg's autorotation runs before this chain (it transposes the full-size frame: ~15-25 % extra on
  // rotated 1080p, accepted to keep ffmpeg's own reading of the display matrix).
  const filters = `fps=${rateArg(plan.fps)},scale=${plan.width}:${plan.height}:flags=area,format=gray`;
  const run = await runDecode(
    { input: fileUrl(path), inputOptions, filters, sink, timeoutMs, onStderr: (line) => log.add(line) },
    tuning.threads ?? DECODER_THREADS,
  );
  const where = { path };
  if (run.timedOut) {
    throw new DecodeError('timeout', `Decoding clip ${path} took longer than ${o.timeoutMs} ms; ffmpeg was killed`, where);
  }
  const got = sink.frameCount;
  const summary = log.summary();
  if (run.error) {
    const detail = summary ?? run.error.message;
    throw new DecodeError('corrupt', `Clip ${path} could not be decoded: ${detail}`, where, { cause: run.error });
  }
  const exp = Math.round(plan.expectedFrames);
  // Truncated files end "successfully" with decoder errors: too few frames means the clip is not what it claims.
  if (summary && exp > 0 && got < 0.5 * exp) {
    throw new DecodeError('corrupt', `Clip ${path} is damaged: decoded ${got} of ~${exp} expected frames; ${summary}`, where);
  }
  if (got < 2) {
    throw new DecodeError('too_short', `Clip ${path} yields ${got} analysis frame${got === 1 ? '' : 's'}; at least 2 are needed (a still image or a one-frame video?)`, where);
  }
  const warnings: string[] = [];
  if (summary) warnings.push(summary);
  if (exp > 0 && got < 0.9 * exp - 1) warnings.push(`decoded ${got} of ~${exp} expected frames`);
  if (sink.bytes % frameSize !== 0) warnings.push(`ffmpeg output ended inside a frame; ${sink.bytes % frameSize} bytes dropped`);
  return { plan, sink, warnings };
}

/**
 * Decode a clip already probed with {@link probeClip} (lets a caller that probed separately skip a second probe).
 * `options.timeoutMs` bounds this decode alone. Frames are views into one preallocated ArrayBuffer (a second
 * one only when the clip ran longer than probed): to transfer them, transfer the distinct `frame.buffer`s once.
 */
export async function decodeProbed(path: string, probe: ProbeInfo, options?: Partial<DecodeOptions>, tuning: DecodeTuning = {}): Promise<DecodedClip> {
  const o = resolveOptions(options);
  return toClip(probe, await decodeRaw(path, probe, o, true, tuning, o.timeoutMs));
}

function toClip(probe: ProbeInfo, { plan, sink, warnings }: RawResult): DecodedClip {
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

/** Probe with what is left of the per-clip budget; the decode gets the rest. */
async function probeWithin(path: string, o: DecodeOptions): Promise<{ probe: ProbeInfo; left: () => number }> {
  const deadline = Date.now() + o.timeoutMs;
  const probe = await probeClip(path, o.timeoutMs);
  const left = (): number => {
    const ms = deadline - Date.now();
    if (ms <= 0) throw new DecodeError('timeout', `Clip ${path} used up its ${o.timeoutMs} ms budget while probing`, { path });
    return ms;
  };
  return { probe, left };
}

/**
 * Probe, then decode a clip to gray frames for analysis: `shortSide` px short side (default 96), the long side
 * keeping the display aspect, `fps` frames per second (default 24, never above the source rate), at most
 * `maxSeconds` (default 10) per the window policy of {@link planDecode}, all within `timeoutMs` (default 60000;
 * ffmpeg is then killed with SIGKILL). Rotated clips come out upright (portrait for rotation 90/270).
 * Frames are views into one preallocated ArrayBuffer (see {@link decodeProbed}).
 * @throws DecodeError, `where.path` set, code 'missing' | 'unreadable' | 'empty' | 'not_video' | 'corrupt' |
 *   'too_short' (< 2 analysis frames) | 'timeout'; a clip that decodes with errors but yields at least half
 *   the expected frames is returned with `warnings`. SetupError when ffmpeg is missing; UsageError for bad options.
 */
export async function decodeClip(path: string, options?: Partial<DecodeOptions>, tuning: DecodeTuning = {}): Promise<DecodedClip> {
  const o = resolveOptions(options);
  const { probe, left } = await probeWithin(path, o);
  return toClip(probe, await decodeRaw(path, probe, o, true, tuning, left()));
}

/**
 * Decode-only baseline for benchmarks: the same probe and ffmpeg decode as {@link decodeClip} (same size, rate,
 * window, errors) but the frames are discarded as they arrive. Returns the number of frames.
 */
export async function decodeOnly(path: string, options?: Partial<DecodeOptions>, tuning: DecodeTuning = {}): Promise<number> {
  const o = resolveOptions(options);
  const { probe, left } = await probeWithin(path, o);
  return (await decodeRaw(path, probe, o, false, tuning, left())).sink.frameCount;
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
class SelectSink extends Writable {
  readonly kept = new Map<number, Uint8Array>();
  /** The latest complete frame with an index up to the highest wanted one (stands in for indices past the end). */
  latest: Uint8Array | null = null;
  frames = 0;
  private current: Uint8Array;
  private pos = 0;

  constructor(private readonly frameSize: number, private readonly wanted: ReadonlySet<number>, private readonly last: number) {
    // As FrameSink: without these, fluent-ffmpeg reports "Output stream closed" and kills ffmpeg.
    super({ autoDestroy: false, emitClose: false });
    this.current = new Uint8Array(frameSize);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
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
    done();
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
export async function decodeFrameSelection(path: string, sel: FrameSelection): Promise<{ frames: Uint8Array[]; decoded: number }> {
  for (const key of ['width', 'height'] as const) {
    if (!Number.isInteger(sel[key]) || sel[key] < 1) throw new UsageError(expected('a positive integer', key, sel[key]));
  }
  if (!(sel.fps > 0)) throw new UsageError(expected('a positive frame rate', 'fps', sel.fps));
  if (!(sel.windowStartS >= 0) || !(sel.windowEndS > sel.windowStartS)) {
    throw new UsageError(expected('0 <= windowStartS < windowEndS', 'window', `${sel.windowStartS}..${sel.windowEndS}`));
  }
  for (const k of sel.indices) if (!Number.isInteger(k) || k < 0) throw new UsageError(expected('non-negative integer frame indices', 'indices', k));
  const pixelFormat = sel.pixelFormat ?? 'rgb24';
  const frameSize = sel.width * sel.height * (pixelFormat === 'rgb24' ? 3 : 1);
  const wanted = new Set(sel.indices);
  const sink = new SelectSink(frameSize, wanted, Math.max(-1, ...sel.indices));
  const log = new StderrLog();
  const inputOptions: string[] = [];
  if (sel.windowStartS > 0) inputOptions.push('-ss', sel.windowStartS.toFixed(3));
  inputOptions.push('-t', (sel.windowEndS - sel.windowStartS).toFixed(3));
  const timeoutMs = sel.timeoutMs ?? DEFAULT_DECODE_OPTIONS.timeoutMs;
  const filters = `fps=${rateArg(sel.fps)},scale=${sel.width}:${sel.height}:flags=area,format=${pixelFormat}`;
  const run = await runDecode({ input: fileUrl(path), inputOptions, filters, sink, timeoutMs, onStderr: (line) => log.add(line), pixelFormat });
  const where = { path };
  if (run.timedOut) throw new DecodeError('timeout', `Decoding frames of ${path} took longer than ${timeoutMs} ms; ffmpeg was killed`, where);
  if (run.error) throw new DecodeError('corrupt', `Clip ${path} could not be decoded: ${log.summary() ?? run.error.message}`, where, { cause: run.error });
  const latest = sink.latest;
  if (sink.frames === 0) throw new DecodeError('too_short', `Clip ${path} yields no frame between ${sel.windowStartS} s and ${sel.windowEndS} s`, where);
  return { frames: sel.indices.map((k) => sink.kept.get(k) ?? latest!), decoded: sink.frames };
}
