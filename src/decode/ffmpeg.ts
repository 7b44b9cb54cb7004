// Locates the ffmpeg/ffprobe binaries and starts the probe and decode processes (child_process.spawn; encode.ts starts the encoder).

import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { SetupError } from '../errors.js';

/** Where the binaries were found. `ffprobe` is null when none exists; probing then parses `ffmpeg -i`. */
export interface FfmpegLocation {
  ffmpeg: string;
  ffprobe: string | null;
  source: 'FFMPEG_PATH' | 'PATH' | 'npm';
}

const EXE = process.platform === 'win32' ? '.exe' : '';
const require = createRequire(import.meta.url);
let cached: FfmpegLocation | undefined;

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name + EXE);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

/** `require` of an optional installer package; those packages throw (even plain strings) when their binary is absent. */
function fromPackage(name: string): string | null {
  try {
    const mod = require(name) as { path?: unknown };
    return typeof mod.path === 'string' && isExecutable(mod.path) ? mod.path : null;
  } catch {
    return null;
  }
}

function setupError(problem: string): SetupError {
  return new SetupError(
    `${problem}\n` +
      'Possible solutions:\n' +
      '  - install ffmpeg (it includes ffprobe): sudo apt-get install ffmpeg   (macOS: brew install ffmpeg)\n' +
      '  - point to an existing binary: export FFMPEG_PATH=/path/to/ffmpeg   (optionally FFPROBE_PATH=/path/to/ffprobe)\n' +
      '  - install the bundled static binary: npm install @ffmpeg-installer/ffmpeg',
  );
}

/** An ffprobe that belongs with `ffmpegPath`: FFPROBE_PATH, else its sibling, else PATH, else @ffprobe-installer. */
function findFfprobe(ffmpegPath: string, allowPath: boolean): string | null {
  const env = process.env.FFPROBE_PATH;
  if (env) {
    if (!isExecutable(env))
      throw setupError(`FFPROBE_PATH is set to ${JSON.stringify(env)}, which is not an executable file.`);
    return env;
  }
  const sibling = join(dirname(ffmpegPath), 'ffprobe' + EXE);
  if (isExecutable(sibling)) return sibling;
  return (allowPath ? onPath('ffprobe') : null) ?? fromPackage('@ffprobe-installer/ffprobe');
}

/**
 * Find ffmpeg (and ffprobe): the FFMPEG_PATH env variable (and FFPROBE_PATH), else `ffmpeg`/`ffprobe` on PATH,
 * else the static binary of the npm package @ffmpeg-installer/ffmpeg (ffprobe then comes from
 * @ffprobe-installer/ffprobe if installed, else is null and probing parses `ffmpeg -i` output).
 * Only file checks, no process is started. The result is cached for the process (see {@link resetFfmpegLocation}).
 * @throws SetupError whose message lists "Possible solutions:" with the exact commands.
 */
export function locateFfmpeg(): FfmpegLocation {
  if (cached) return cached;
  let found: FfmpegLocation;
  const env = process.env.FFMPEG_PATH;
  if (env) {
    if (!isExecutable(env))
      throw setupError(`FFMPEG_PATH is set to ${JSON.stringify(env)}, which is not an executable file.`);
    found = { ffmpeg: env, ffprobe: findFfprobe(env, true), source: 'FFMPEG_PATH' };
  } else {
    const fromPath = onPath('ffmpeg');
    if (fromPath) {
      found = { ffmpeg: fromPath, ffprobe: findFfprobe(fromPath, true), source: 'PATH' };
    } else {
      const fromNpm = fromPackage('@ffmpeg-installer/ffmpeg');
      if (!fromNpm)
        throw setupError(
          'ffmpeg was not found: FFMPEG_PATH is not set, there is no ffmpeg on PATH and @ffmpeg-installer/ffmpeg is not installed.',
        );
      // A PATH ffprobe next to a bundled ffmpeg is unlikely and would be a different build: only the npm one.
      found = { ffmpeg: fromNpm, ffprobe: findFfprobe(fromNpm, false), source: 'npm' };
    }
  }
  cached = found;
  return found;
}

/** Forget the cached location (tests, or after changing FFMPEG_PATH); the next call searches again. */
export function resetFfmpegLocation(): void {
  cached = undefined;
}

/**
 * True for the loopback URLs on which the reading thread serves a clip that is not a local file (an s3:// object, an
 * http(s):// URL, a WebDataset member) by byte range; such a clip was checked when its serving started.
 */
export function isLoopbackClipUrl(path: string): boolean {
  return /^http:\/\/127\.0\.0\.1:\d+\/clip\/[0-9a-f]+$/.test(path);
}

/** ffmpeg input URL for a local path: the `file:` prefix stops names like "http:..." or "concat:..." being read as protocols. */
export function fileUrl(path: string): string {
  return isLoopbackClipUrl(path) ? path : `file:${path}`;
}

/** Result of a finished helper process. `timedOut` means it was killed with SIGKILL. */
export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Output kept from a helper process; ffprobe JSON is small, a runaway tool must not fill memory. */
const MAX_TOOL_OUTPUT = 4 * 1024 * 1024;

/** Run ffprobe (or `ffmpeg -i` for the fallback probe) to completion, collecting its output; SIGKILL after `timeoutMs`. */
export function runTool(bin: string, args: string[], timeoutMs: number): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        child.kill('SIGKILL');
      },
      Math.max(1, timeoutMs),
    );
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      if (stdout.length < MAX_TOOL_OUTPUT) stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      if (stderr.length < MAX_TOOL_OUTPUT) stderr += s;
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(spawnFailure(bin, err));
    });
    // 'close' (not 'exit') so that all output has been read.
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

function spawnFailure(bin: string, err: NodeJS.ErrnoException): Error {
  if (err.code === 'ENOENT' || err.code === 'EACCES') {
    return setupError(`Could not start ${bin} (${err.code}).`);
  }
  return err;
}

/** ffmpeg's log levels, most severe first, as `-loglevel level+...` tags every line with them. */
const LEVELS = ['panic', 'fatal', 'error', 'warning', 'info', 'verbose', 'debug', 'trace'] as const;
export type LogLevel = (typeof LEVELS)[number];

/** True for the levels that `-v error` would have printed: the lines that describe a failure. */
export function isErrorLevel(level: LogLevel): boolean {
  return level === 'panic' || level === 'fatal' || level === 'error';
}

const TAGGED = new RegExp(`^((?:\\[[^\\]]* @ 0x[0-9a-f]+\\] )?)\\[(${LEVELS.join('|')})\\] ?(.*)$`);

/**
 * Splits ffmpeg's stderr into lines and reads the level tag (`[h264 @ 0x55..] [error] msg`) off each, giving
 * `[h264 @ 0x55..] msg` and 'error'. An untagged line continues the message before it and takes its level.
 */
export class LevelLines {
  private rest = '';
  private level: LogLevel = 'error';
  constructor(private readonly emit: (line: string, level: LogLevel) => void) {}
  push(text: string): void {
    const parts = (this.rest + text).split(/\r\n|\r|\n/);
    this.rest = parts.pop() ?? '';
    for (const part of parts) this.line(part);
  }
  end(): void {
    if (this.rest !== '') this.line(this.rest);
    this.rest = '';
  }
  private line(raw: string): void {
    const m = TAGGED.exec(raw);
    if (m) this.level = m[2] as LogLevel;
    this.emit(m ? `${m[1]}${m[3]}` : raw, this.level);
  }
}

/** One decode run: what goes before `-i`, the filter chain, and who receives the raw frames. */
export interface DecodeRun {
  input: string;
  inputOptions: string[];
  filters: string;
  /** Receives ffmpeg's raw output (`-f rawvideo -pix_fmt gray` or `run.pixelFormat`) chunk by chunk, in order. */
  onData: (chunk: Buffer) => void;
  timeoutMs: number;
  /** Every stderr line, without its level tag, with ffmpeg's level for it. */
  onStderr: (line: string, level: LogLevel) => void;
  /**
   * 'error' (default): only error lines. 'verbose': also the input's stream dump (what `ffmpeg -i` prints) and
   * the filter set-up, so the decode run can serve as its own probe.
   */
  logLevel?: 'error' | 'verbose';
  /** Raw output pixel format: 'gray' (default, 1 byte per pixel, the analysis frames) or 'rgb24' (3 bytes, pictures). */
  pixelFormat?: 'gray' | 'rgb24';
  /** Aborting kills ffmpeg with SIGKILL; the run then resolves with `stopped` set. */
  signal?: AbortSignal;
}

/** How a decode run ended. `error` is ffmpeg's exit error (non-zero exit, signal), null on success or when stopped. */
export interface DecodeRunResult {
  error: Error | null;
  timedOut: boolean;
  /** The run was stopped through `DecodeRun.signal`. */
  stopped: boolean;
}

/**
 * Decoder threads per ffmpeg. The pipeline runs one ffmpeg per worker and one worker per core, so the cores
 * are already busy: on 2 cores with 2 clips in parallel, 1, 2 and auto threads gave the same throughput
 * within noise (5 s 1080p H.264: ~450 ms/clip each), while 1 thread keeps ffmpeg's memory smallest (no
 * frame-thread buffers, which matter at 4K) and cannot oversubscribe a many-core machine. A lone clip does
 * gain from threads (850 -> ~590 ms): pass `threads: 0` (auto) in DecodeTuning when running fewer workers than cores.
 */
export const DECODER_THREADS = 1;

/** The output of one decode run: its filter chain and pixel format, and who receives the raw frames. */
export interface DecodeOutput {
  filters: string;
  pixelFormat?: 'gray' | 'rgb24';
  onData: (chunk: Buffer) => void;
}

/** The pipe output `k` of a run writes to: stdout for the first, file descriptors 3, 4, ... for the others. */
function outputFd(k: number): number {
  return k === 0 ? 1 : k + 2;
}

/** The decode command line: every input with its options, then every output (its first video stream, raw frames to its pipe). */
function decodeArgs(
  inputs: readonly { input: string; inputOptions: string[] }[],
  outputs: readonly DecodeOutput[],
  logLevel: 'error' | 'verbose',
  threads: number,
): string[] {
  // -nostats matters: ffmpeg prints its progress line even at -v error. -filter_threads 1: the small gray
  // chain gains nothing from filter threads, they only add start-up and contention.
  const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', `level+${logLevel}`];
  args.push('-filter_threads', '1', '-threads', String(threads));
  for (const { input, inputOptions } of inputs) args.push(...inputOptions, '-i', input);
  outputs.forEach((out, k) => {
    // One input keeps ffmpeg's own choice of video stream; with several, output k takes input k's first one that is
    // not a cover picture (`V`).
    if (outputs.length > 1) args.push('-map', `${k}:V:0`);
    args.push('-an', '-sn', '-dn', '-vf', out.filters, '-f', 'rawvideo', '-pix_fmt', out.pixelFormat ?? 'gray');
    args.push(`pipe:${outputFd(k)}`);
  });
  return args;
}

/** How a run that ended with `close` ended: stopped through the signal, a clean exit, or an exit error. */
function closeResult(code: number | null, signal: NodeJS.Signals | null, stopped: boolean): DecodeRunResult {
  if (stopped) return { error: null, timedOut: false, stopped: true };
  if (code === 0) return { error: null, timedOut: false, stopped: false };
  return {
    error: new Error(code !== null ? `ffmpeg exited with code ${code}` : `ffmpeg was killed by ${signal}`),
    timedOut: false,
    stopped: false,
  };
}

/**
 * Run ffmpeg (one process, spawned directly), handing its `-f rawvideo` output to `run.onData`.
 * Resolves once ffmpeg has exited and its output has been read; never rejects for ffmpeg's own failures (the
 * caller classifies them from stderr), only for a binary that cannot be started (SetupError).
 * On timeout ffmpeg is killed with SIGKILL and the run resolves at once with `timedOut`.
 */
export function runDecode(run: DecodeRun, threads: number = DECODER_THREADS): Promise<DecodeRunResult> {
  return runDecodeMany(
    [{ input: run.input, inputOptions: run.inputOptions }],
    [{ filters: run.filters, onData: run.onData, ...(run.pixelFormat ? { pixelFormat: run.pixelFormat } : {}) }],
    run,
    threads,
  );
}

/**
 * Calls `fire` once: `limitMs` after it starts, or when `touch` has not been called for `stallMs` (when given).
 * `clear` stops it.
 */
function watchdog(
  limitMs: number,
  stallMs: number | undefined,
  fire: (why: string) => void,
): { touch: () => void; clear: () => void } {
  let last = Date.now();
  const timer = setTimeout(() => fire(`ran past ${limitMs} ms`), Math.max(1, limitMs));
  const stall =
    stallMs === undefined
      ? null
      : setInterval(
          () => {
            if (Date.now() - last >= stallMs) fire(`wrote nothing for ${stallMs} ms`);
          },
          Math.max(20, stallMs / 4),
        );
  return {
    touch: () => {
      last = Date.now();
    },
    clear: () => {
      clearTimeout(timer);
      if (stall) clearInterval(stall);
    },
  };
}

/**
 * One ffmpeg for several clips: input k is decoded through `outputs[k]` (its filters, its own pipe), so a batch
 * pays one process start. As {@link runDecode} otherwise: `control` gives the time limit, the stderr reader (every
 * line of every input, unattributed), the log level and the stop signal; the timeout covers the whole run, and
 * with `stallMs` a run that writes no frame and no stderr line for that long is killed as timed out too (an input
 * that stops feeding stops every output of the run).
 */
export function runDecodeMany(
  inputs: readonly { input: string; inputOptions: string[] }[],
  outputs: readonly DecodeOutput[],
  control: Pick<DecodeRun, 'timeoutMs' | 'onStderr' | 'logLevel' | 'signal'> & { stallMs?: number },
  threads: number = DECODER_THREADS,
): Promise<DecodeRunResult> {
  const bin = locateFfmpeg().ffmpeg;
  const args = decodeArgs(inputs, outputs, control.logLevel ?? 'error', threads);
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (result: DecodeRunResult | Error): void => {
      if (settled) return;
      settled = true;
      watch.clear();
      control.signal?.removeEventListener('abort', onAbort);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const stdio: ('ignore' | 'pipe')[] = ['ignore', 'pipe', 'pipe'];
    for (let k = 1; k < outputs.length; k++) stdio.push('pipe');
    const child = spawn(bin, args, { stdio, windowsHide: true });
    const kill = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const watch = watchdog(control.timeoutMs, control.stallMs, (why) => {
      kill();
      settle({ error: new Error(`ffmpeg ${why}`), timedOut: true, stopped: false });
    });
    let stopped = false;
    const onAbort = (): void => {
      stopped = true;
      kill();
    };
    if (control.signal?.aborted) onAbort();
    else control.signal?.addEventListener('abort', onAbort, { once: true });
    const lines = new LevelLines((line, level) => {
      if (!settled && !stopped) control.onStderr(line, level);
    });
    outputs.forEach((out, k) => {
      const pipe = child.stdio[outputFd(k)] as NodeJS.ReadableStream;
      pipe.on('data', (chunk: Buffer) => {
        watch.touch();
        if (!settled && !stopped) out.onData(chunk);
      });
    });
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      watch.touch();
      lines.push(s);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      // A process that started and then failed (rare: a kill of an exited child) still ends with 'close'.
      if (err.code === 'ENOENT' || err.code === 'EACCES') settle(spawnFailure(bin, err));
      else if (child.pid === undefined) settle(err);
    });
    // 'close' (not 'exit'): every byte of every output pipe and of stderr has been read by then.
    child.on('close', (code, signal) => {
      lines.end();
      settle(closeResult(code, signal, stopped));
    });
  });
}
