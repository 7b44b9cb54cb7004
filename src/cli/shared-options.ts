// Options and signal handling that `scan` and `eval` share, declared once.

import { InvalidArgumentError, type Command } from 'commander';
import type { ScanOptionsInput } from '../pipeline/options.js';

export function int(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidArgumentError(`Expected a positive integer for ${name} but received ${JSON.stringify(value)}`);
    return n;
  };
}

export function positive(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0)
      throw new InvalidArgumentError(`Expected a positive number for ${name} but received ${JSON.stringify(value)}`);
    return n;
  };
}

/** The flags that say how one clip is analysed (size, rate, window, flow). */
export interface ClipAnalysisFlags {
  size: number;
  fps: number;
  maxSeconds: number;
  timeout: number;
  flowPreset: 'ultrafast' | 'fast' | 'medium';
  bothWays: boolean;
}

/** The flags of every command that scans clips. */
export interface AnalysisFlags extends ClipAnalysisFlags {
  pathColumn: string;
  idColumn: string;
  workers?: number;
  decodeBatch: number;
  retryErrors: boolean;
  quiet: boolean;
}

/** Adds the options of one clip's analysis: size, rate, window, time limit, flow (scan, eval, physics, inspect). */
export function addClipAnalysisOptions(cmd: Command): Command {
  return cmd
    .option(
      '--size <px>',
      'short side of the analysis frames in pixels (the long side keeps the display aspect)',
      int('--size'),
      96,
    )
    .option('--fps <rate>', 'analysis frame rate, never above the source rate', positive('--fps'), 24)
    .option(
      '--max-seconds <s>',
      'longest analysed window in seconds; a longer clip is analysed on its centred window (the window policy)',
      positive('--max-seconds'),
      10,
    )
    .option(
      '--timeout <s>',
      'per-clip limit for probe and decode in seconds; past it the clip becomes an error row',
      positive('--timeout'),
      60,
    )
    .option(
      '--flow-preset <name>',
      'optical flow preset: ultrafast, fast (about 3x the flow cost, half the end-point error), medium',
      'ultrafast',
    )
    .option('--both-ways', 'measure flow both ways per pair and average (about 2x the flow cost, less noise)', false);
}

/** How a command takes its manifest columns: scan and eval read `path` and `id`; physics picks its path column itself. */
export interface ColumnOptions {
  /** Help text of --path-column when it has no default (the command picks a column itself). */
  pathColumnPicked?: string;
  /** No --id-column (the command names its rows by path). */
  noIdColumn?: boolean;
}

/** Adds the input and analysis options (manifest columns, workers, size, rate, window, flow). */
export function addAnalysisOptions(cmd: Command, columns: ColumnOptions = {}): Command {
  if (columns.pathColumnPicked) cmd.option('--path-column <name>', columns.pathColumnPicked);
  else cmd.option('--path-column <name>', 'manifest column with the clip path', 'path');
  if (!columns.noIdColumn)
    cmd.option('--id-column <name>', 'manifest column with the clip id; a row without one is known by its path', 'id');
  return addClipAnalysisOptions(
    cmd
      .option(
        '-w, --workers <n>',
        'worker threads, each analysing one clip at a time (default: all cores)',
        int('--workers'),
      )
      .option(
        '--decode-batch <n>',
        'clips one ffmpeg decodes together in a worker, so a batch pays one process start (1: one ffmpeg per clip)',
        int('--decode-batch'),
        8,
      ),
  )
    .option('--retry-errors', 'try clips that failed in an earlier run into the same --out again', false)
    .option('-q, --quiet', 'no progress output', false);
}

/** The analysis settings those flags stand for. */
export function clipAnalysisOptions(
  flags: ClipAnalysisFlags,
): Pick<ScanOptionsInput, 'shortSide' | 'fps' | 'maxSeconds' | 'timeoutMs' | 'flowPreset' | 'flowDirections'> {
  return {
    shortSide: flags.size,
    fps: flags.fps,
    maxSeconds: flags.maxSeconds,
    timeoutMs: Math.round(flags.timeout * 1000),
    flowPreset: flags.flowPreset,
    flowDirections: flags.bothWays ? 'both' : 'canonical',
  };
}

/** The scan options those flags stand for. */
export function analysisOptions(flags: AnalysisFlags): Omit<ScanOptionsInput, 'input' | 'out'> {
  return {
    pathColumn: flags.pathColumn,
    idColumn: flags.idColumn,
    workers: flags.workers,
    decodeBatch: flags.decodeBatch,
    ...clipAnalysisOptions(flags),
    retryErrors: flags.retryErrors,
    quiet: flags.quiet,
  };
}

/** Runs `fn` with an AbortSignal that SIGINT/SIGTERM trigger (a second Ctrl-C kills at once). */
export async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>, message?: string): Promise<T> {
  const controller = new AbortController();
  const stop = () => {
    if (message && !controller.signal.aborted) process.stderr.write(message);
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
