// The one place that encodes video: raw gray or RGBA frames piped into ffmpeg/libx264 as an H.264 mp4.

import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { rename, rm } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { AuditError, SetupError, expected } from '../errors.js';
import { locateFfmpeg } from './ffmpeg.js';

/** How to encode: frame size and rate, x264 constant rate factor, and the layout of the raw frames. */
export interface EncodeOptions {
  width: number;
  height: number;
  fps: number;
  /** x264 CRF: 0 lossless .. 51 worst; 18-35 gives visible but realistic artefacts. */
  crf: number;
  /**
   * Output file; written under a temporary name (`<path>.part`) and renamed when complete, so a killed run leaves no
   * half file under a video's name.
   */
  path: string;
  pixelFormat: 'gray' | 'rgba';
}

/** The stderr kept for an error message; ffmpeg runs with `-v error`, so this is only errors. */
const MAX_STDERR = 64 * 1024;

/** Refuses what libx264 or the raw input cannot take: odd sizes, no frame rate, no frames, frames of the wrong length. */
function checkEncodeInput(frames: readonly Uint8Array[], options: EncodeOptions): void {
  const { width, height, fps, path, pixelFormat } = options;
  // yuv420p subsamples chroma by 2 in both directions: odd sizes are refused by libx264.
  if (!Number.isInteger(width) || width < 2 || width % 2 !== 0)
    throw new AuditError('encode', expected('an even width', 'encodeFrames', width));
  if (!Number.isInteger(height) || height < 2 || height % 2 !== 0)
    throw new AuditError('encode', expected('an even height', 'encodeFrames', height));
  if (!(fps > 0)) throw new AuditError('encode', expected('a positive frame rate', 'encodeFrames', fps));
  if (frames.length === 0) throw new AuditError('encode', expected('at least one frame', 'encodeFrames', 0), { path });
  const frameBytes = width * height * (pixelFormat === 'rgba' ? 4 : 1);
  frames.forEach((f, i) => {
    if (f.length !== frameBytes)
      throw new AuditError('encode', expected(`${frameBytes} bytes`, `frame ${i}`, f.length), { path });
  });
}

/** The ffmpeg command line: raw frames from stdin, libx264 yuv420p mp4 into `tmp`. */
function encodeArgs(options: EncodeOptions, tmp: string): string[] {
  const { width, height, fps, crf, pixelFormat } = options;
  return [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-v',
    'error',
    '-y',
    '-f',
    'rawvideo',
    '-pix_fmt',
    pixelFormat,
    '-s',
    `${width}x${height}`,
    '-framerate',
    String(fps),
    '-i',
    'pipe:0',
    '-an',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    String(crf),
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    tmp,
  ];
}

/** Resolves when the encoder's stdin drains, closes, or the process fails (whichever comes first). */
function drained(child: ChildProcessByStdio<Writable, null, Readable>): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      child.stdin.off('drain', done);
      child.stdin.off('close', done);
      child.off('error', done);
      resolve();
    };
    child.stdin.on('drain', done);
    child.stdin.on('close', done);
    child.on('error', done);
  });
}

/**
 * Encode `frames` (each width*height bytes for gray, width*height*4 for RGBA) to an H.264 mp4 (libx264,
 * `-preset veryfast`, yuv420p so every player and our decoder reads it). Frames are streamed through stdin
 * with backpressure, so ffmpeg never buffers more than a pipe's worth.
 * @throws AuditError code 'encode' when ffmpeg fails; SetupError when it cannot start.
 */
export async function encodeFrames(frames: readonly Uint8Array[], options: EncodeOptions): Promise<void> {
  const { path } = options;
  checkEncodeInput(frames, options);

  // Not a video extension (ffmpeg is told the format): a part file a killed run leaves is not scanned as a clip.
  const tmp = `${path}.part`;
  const args = encodeArgs(options, tmp);
  const child = spawn(locateFfmpeg().ffmpeg, args, { stdio: ['pipe', 'ignore', 'pipe'], windowsHide: true });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    if (stderr.length < MAX_STDERR) stderr += s;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT' || err.code === 'EACCES'
          ? new SetupError(`Could not start ffmpeg to encode ${path} (${err.code}).`, { cause: err })
          : err,
      );
    });
    child.on('close', (code) => resolve(code));
  });
  // Handled below; this only stops a spawn failure during a drain wait counting as unhandled.
  exited.catch(() => undefined);
  // EPIPE when ffmpeg dies early: the exit code and stderr below say why, so the write error itself is ignored.
  let writeFailed = false;
  child.stdin.on('error', () => {
    writeFailed = true;
  });
  try {
    for (const f of frames) {
      if (writeFailed) break;
      if (!child.stdin.write(f)) await drained(child);
    }
    child.stdin.end();
    const code = await exited;
    if (code !== 0) {
      throw new AuditError(
        'encode',
        `ffmpeg could not encode ${path} (exit ${code}): ${stderr.trim().split('\n')[0] ?? ''}`,
        { path },
      );
    }
    await rename(tmp, path);
  } catch (err) {
    child.kill('SIGKILL');
    await exited.catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
}
