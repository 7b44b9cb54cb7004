// Locates the ffmpeg/ffprobe binaries and is the only place that starts them (fluent-ffmpeg for decodes).

import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
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
    if (!isExecutable(env)) throw setupError(`FFPROBE_PATH is set to ${JSON.stringify(env)}, which is not an executable file.`);
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
    if (!isExecutable(env)) throw setupError(`FFMPEG_PATH is set to ${JSON.stringify(env)}, which is not an executable file.`);
    found = { ffmpeg: env, ffprobe: findFfprobe(env, true), source: 'FFMPEG_PATH' };
  } else {
    const fromPath = onPath('ffmpeg');
    if (fromPath) {
      found = { ffmpeg: fromPath, ffprobe: findFfprobe(fromPath, true), source: 'PATH' };
    } else {
      const fromNpm = fromPackage('@ffmpeg-installer/ffmpeg');
      if (!fromNpm) throw setupError('ffmpeg was not found: FFMPEG_PATH is not set, there is no ffmpeg on PATH and @ffmpeg-installer/ffmpeg is not installed.');
      // A PATH ffprobe next to a bundled ffmpeg is unlikely and would be a different build: only the npm one.
      found = { ffmpeg: fromNpm, ffprobe: findFfprobe(fromNpm, false), source: 'npm' };
    }
  }
  // fluent-ffmpeg keeps one process-wide path; every decode goes through it.
  ffmpeg.setFfmpegPath(found.ffmpeg);
  if (found.ffprobe) ffmpeg.setFfprobePath(found.ffprobe);
  cached = found;
  return found;
}

/** Forget the cached location (tests, or after changing FFMPEG_PATH); the next call searches again. */
export function resetFfmpegLocation(): void {
  cached = undefined;
}

/** ffmpeg input URL for a local path: the `file:` prefix stops names like "http:..." or "concat:..." being read as protocols. */
export function fileUrl(path: string): string {
  return `file:${path}`;
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

/**
 * Run ffprobe (or `ffmpeg -i` for the fallback probe) to completion, collecting its output.
 * fluent-ffmpeg's own ffprobe() exposes neither a timeout nor the process, so it is not used here.
 */
export function runTool(bin: string, args: string[], timeoutMs: number): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, Math.max(1, timeoutMs));
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

/** One decode run: what goes before `-i`, the filter chain, and where the raw frames go. */
export interface DecodeRun {
  input: string;
  inputOptions: string[];
  filters: string;
  sink: Writable;
  timeoutMs: number;
  /** Called for every stderr line (ffmpeg runs with `-v error`, so these are errors). */
  onStderr: (line: string) => void;
  /** Raw output pixel format: 'gray' (default, 1 byte per pixel, the analysis frames) or 'rgb24' (3 bytes, pictures). */
  pixelFormat?: 'gray' | 'rgb24';
}

/** How a decode run ended. `error` is ffmpeg's exit error (non-zero exit, signal), null on success. */
export interface DecodeRunResult {
  error: Error | null;
  timedOut: boolean;
}

/**
 * Decoder threads per ffmpeg. The pipeline runs one ffmpeg per worker and one worker per core, so the cores
 * are already busy: on 2 cores with 2 clips in parallel, 1, 2 and auto threads gave the same throughput
 * within noise (5 s 1080p H.264: ~450 ms/clip each), while 1 thread keeps ffmpeg's memory smallest (no
 * frame-thread buffers, which matter at 4K) and cannot oversubscribe a many-core machine. A lone clip does
 * gain from threads (850 -> ~590 ms): pass `threads: 0` (auto) in DecodeTuning when running fewer workers than cores.
 */
export const DECODER_THREADS = 1;

/**
 * Run ffmpeg through fluent-ffmpeg, piping `-f rawvideo -pix_fmt gray` (or `run.pixelFormat`) to `run.sink`.
 * Resolves once ffmpeg has exited AND the sink has received every byte; never rejects for ffmpeg's own
 * failures (the caller classifies them from stderr), only for a missing binary (SetupError).
 * On timeout ffmpeg is killed with SIGKILL, also when the timer fires before it was spawned.
 */
export function runDecode(run: DecodeRun, threads: number = DECODER_THREADS): Promise<DecodeRunResult> {
  locateFfmpeg();
  return new Promise((resolve, reject) => {
    // stdoutLines bounds fluent's stderr ring; the caller keeps what it needs via onStderr.
    const cmd = ffmpeg({ stdoutLines: 20 });
    let settled = false;
    let timedOut = false;
    let exited = false;
    let sinkDone = false;
    let exitError: Error | null = null;
    const finish = (): void => {
      if (settled || !exited || !sinkDone) return;
      settled = true;
      clearTimeout(timer);
      resolve({ error: exitError, timedOut: false });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
      settled = true;
      resolve({ error: new Error(`ffmpeg ran past ${run.timeoutMs} ms`), timedOut: true });
    }, Math.max(1, run.timeoutMs));
    const kill = (): void => {
      if ((cmd as unknown as { ffmpegProc?: unknown }).ffmpegProc) cmd.kill('SIGKILL');
    };

    run.sink.on('finish', () => {
      sinkDone = true;
      finish();
    });
    cmd
      .input(run.input)
      // -nostats matters: ffmpeg prints its progress line even at -v error. -filter_threads 1: the small gray
      // chain gains nothing from filter threads, they only add start-up and contention.
      .inputOptions(['-hide_banner', '-nostdin', '-nostats', '-v', 'error', '-filter_threads', '1'])
      .inputOptions(['-threads', String(threads), ...run.inputOptions])
      .videoFilters(run.filters)
      .outputOptions(['-an', '-sn', '-dn', '-f', 'rawvideo', '-pix_fmt', run.pixelFormat ?? 'gray'])
      .output(run.sink, { end: true })
      .on('start', () => {
        if (timedOut) kill();
      })
      .on('stderr', (line: string) => {
        if (!timedOut) run.onStderr(line);
      })
      .on('error', (err: Error & { code?: string }) => {
        if (err.code === 'ENOENT' || err.code === 'EACCES') {
          if (!settled) {
            settled = true;
            clearTimeout(timer);
            reject(spawnFailure(locateFfmpeg().ffmpeg, err));
          }
          return;
        }
        exited = true;
        exitError = err;
        // A failed ffmpeg may never have opened stdout; do not wait for the sink then.
        sinkDone = true;
        finish();
      })
      .on('end', () => {
        exited = true;
        finish();
      })
      .run();
  });
}
