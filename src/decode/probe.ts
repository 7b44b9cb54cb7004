// Reads clip facts (duration, rate, size, rotation) with ffprobe, or from `ffmpeg -i` when there is no ffprobe.

import { constants, type Stats } from 'node:fs';
import { access, lstat, open, stat } from 'node:fs/promises';
import { DecodeError } from '../errors.js';
import { fileUrl, isLoopbackClipUrl, locateFfmpeg, runTool } from './ffmpeg.js';
import { cleanLine, firstRelevantLine } from './stderr.js';
import type { ProbeInfo } from './types.js';

/** Default probe timeout in milliseconds. A probe reads only headers; a slow one means a stuck file system or a broken file. */
export const PROBE_TIMEOUT_MS = 30_000;

function fail(code: string, path: string, message: string, cause?: unknown): DecodeError {
  return new DecodeError(code, message, { path }, cause === undefined ? undefined : { cause });
}

/**
 * The checks that need no process: the path exists ('missing'), is a readable regular file ('unreadable'),
 * and is not empty ('empty'). Runs before anything is spawned.
 */
export async function checkFile(path: string): Promise<void> {
  if (isLoopbackClipUrl(path)) return;
  let st: Stats;
  try {
    st = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const dangling = await lstat(path).then(
        (l) => l.isSymbolicLink(),
        () => false,
      );
      const what = dangling ? 'is a symbolic link to a file that does not exist' : 'does not exist';
      throw fail('missing', path, `Clip ${path} ${what}`, err);
    }
    throw fail('unreadable', path, `Clip ${path} cannot be read (${code ?? String(err)})`, err);
  }
  if (st.isDirectory()) throw fail('unreadable', path, `Clip ${path} is a directory, not a file`);
  // A FIFO or device would block ffmpeg forever instead of failing.
  if (!st.isFile()) throw fail('unreadable', path, `Clip ${path} is not a regular file`);
  try {
    await access(path, constants.R_OK);
  } catch (err) {
    throw fail('unreadable', path, `Clip ${path} cannot be read: permission denied`, err);
  }
  if (st.size === 0) throw fail('empty', path, `Clip ${path} is empty (0 bytes)`);
}

/** Whether the first bytes look like a video container; tells a broken video ('corrupt') from a non-video ('not_video'). */
async function looksLikeVideoContainer(path: string): Promise<boolean> {
  let head: Buffer;
  try {
    const fh = await open(path, 'r');
    try {
      head = Buffer.alloc(200);
      const { bytesRead } = await fh.read(head, 0, 200, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
  const ascii = (from: number, to: number): string => head.subarray(from, to).toString('latin1');
  const box = ascii(4, 8);
  if (['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot'].includes(box)) return true; // MP4 / MOV
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return true; // Matroska / WebM
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'AVI ') return true;
  if (ascii(0, 3) === 'FLV' || ascii(0, 4) === 'OggS') return true;
  if (head.length > 188 && head[0] === 0x47 && head[188] === 0x47) return true; // MPEG-TS
  return head.length >= 4 && head.readUInt32BE(0) === 0x000001ba; // MPEG-PS
}

/** Turn a failed probe (non-zero exit, no input recognised) into the right DecodeError; `stderr` holds its error lines. */
export async function probeFailure(path: string, tool: string, stderr: string): Promise<DecodeError> {
  const line = firstRelevantLine(stderr) ?? 'no error output';
  if (/permission denied/i.test(stderr)) return fail('unreadable', path, `Clip ${path} cannot be read: ${line}`);
  if (/no such file or directory/i.test(stderr))
    return fail('missing', path, `Clip ${path} does not exist (${tool}: ${line})`);
  if (
    /invalid data found|moov atom not found|EBML header parsing failed|could not find codec parameters/i.test(stderr)
  ) {
    if (await looksLikeVideoContainer(path)) {
      return fail('corrupt', path, `Clip ${path} is a damaged video file: ${tool} could not read it (${line})`);
    }
    return fail('not_video', path, `Clip ${path} is not a video or media file (${tool}: ${line})`);
  }
  return fail('corrupt', path, `Clip ${path} could not be probed: ${tool} failed (${line})`);
}

/** Parse "30000/1001" style rates; 0 for "0/0" or junk. */
function rate(value: unknown): number {
  if (typeof value !== 'string') return 0;
  const [n, d] = value.split('/').map(Number);
  if (n === undefined || !Number.isFinite(n)) return 0;
  const r = d === undefined ? n : d > 0 ? n / d : 0;
  return Number.isFinite(r) && r > 0 ? r : 0;
}

function positive(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** Nearest multiple of 90 in [0, 360). */
function quarterTurns(deg: number): number {
  return (((Math.round(deg / 90) * 90) % 360) + 360) % 360;
}

/** True when the two rates differ by more than 0.5 % (rounding in containers makes tiny differences common). */
function isVfr(rFrameRate: number, avgFrameRate: number): boolean {
  return (
    rFrameRate > 0 &&
    avgFrameRate > 0 &&
    Math.abs(rFrameRate - avgFrameRate) / Math.max(rFrameRate, avgFrameRate) > 0.005
  );
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' ? (v as Json) : {});

/**
 * ProbeInfo from `ffprobe -print_format json -show_format -show_streams` output; null when the file has no video
 * stream (cover art in audio files does not count). `rotation` is clockwise: ffprobe's display-matrix
 * "rotation" is counterclockwise, the legacy `rotate` tag clockwise.
 */
export function parseFfprobeJson(text: string): ProbeInfo | null {
  const data = obj(JSON.parse(text));
  const streams = Array.isArray(data.streams) ? data.streams.map(obj) : [];
  const format = obj(data.format);
  const video = streams.find((s) => s.codec_type === 'video' && obj(s.disposition).attached_pic !== 1);
  if (!video) return null;
  const r = rate(video.r_frame_rate);
  const avg = rate(video.avg_frame_rate);
  let rotation = 0;
  const side = Array.isArray(video.side_data_list) ? video.side_data_list.map(obj) : [];
  const matrix = side.find((d) => typeof d.rotation === 'number');
  const tags = obj(video.tags);
  if (matrix) rotation = quarterTurns(-(matrix.rotation as number));
  else if (tags.rotate !== undefined) rotation = quarterTurns(Number(tags.rotate) || 0);
  const [sarN, sarD] =
    typeof video.sample_aspect_ratio === 'string' ? video.sample_aspect_ratio.split(':').map(Number) : [];
  const frames = positive(video.nb_frames);
  return {
    durationS: positive(video.duration) || positive(format.duration),
    fps: avg || r,
    width: positive(video.width),
    height: positive(video.height),
    rotation,
    pixFmt: typeof video.pix_fmt === 'string' ? video.pix_fmt : '',
    codec: typeof video.codec_name === 'string' ? video.codec_name : '',
    frameCount: frames > 0 ? Math.round(frames) : null,
    vfr: isVfr(r, avg),
    hasAudio: streams.some((s) => s.codec_type === 'audio'),
    format: typeof format.format_name === 'string' ? format.format_name : '',
    sampleAspectRatio: sarN && sarD && sarN > 0 && sarD > 0 ? sarN / sarD : 1,
  };
}

/** "29.97", "30", "1k" as printed by ffmpeg for fps/tbr. */
function printedRate(value: string | undefined, k: string | undefined): number {
  const n = Number(value);
  return Number.isFinite(n) ? n * (k ? 1000 : 1) : 0;
}

/**
 * ProbeInfo from the stderr of `ffmpeg -i FILE` (the fallback when there is no ffprobe); null when an input was
 * read but has no video stream, undefined when ffmpeg did not recognise the input at all.
 */
export function parseFfmpegInfo(stderr: string): ProbeInfo | null | undefined {
  const input = /^Input #0, (.+?), from /m.exec(stderr);
  if (!input) return undefined;
  const lines = stderr.split(/\r?\n/);
  const dur = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(stderr);
  const durationS = dur ? Number(dur[1]) * 3600 + Number(dur[2]) * 60 + Number(dur[3]) : 0;
  const hasAudio = lines.some((l) => /Stream #\d+:\d+.*: Audio: /.test(l));
  const at = lines.findIndex((l) => /Stream #\d+:\d+.*: Video: /.test(l) && !/\(attached pic\)/.test(l));
  if (at < 0) return null;
  const line = lines[at] ?? '';
  const codec = /: Video: ([^\s,]+)/.exec(line)?.[1] ?? '';
  const geom = /, ([a-z][a-z0-9_]*)(?:\([^)]*\))?, (\d+)x(\d+)/.exec(line);
  const sar = /\[SAR (\d+):(\d+) DAR/.exec(line);
  const fps = printedRate(/([\d.]+)(k?) fps/.exec(line)?.[1], /([\d.]+)(k?) fps/.exec(line)?.[2]);
  const tbr = printedRate(/([\d.]+)(k?) tbr/.exec(line)?.[1], /([\d.]+)(k?) tbr/.exec(line)?.[2]);
  let rotation = 0;
  for (const l of lines.slice(at + 1)) {
    if (/^\s*Stream #/.test(l) || !/^\s/.test(l)) break;
    const dm = /displaymatrix: rotation of (-?[\d.]+) degrees/.exec(l);
    if (dm) {
      rotation = quarterTurns(-Number(dm[1]));
      break;
    }
    const tag = /^\s+rotate\s*:\s*(-?\d+)/.exec(l);
    if (tag) rotation = quarterTurns(Number(tag[1]));
  }
  const sarValue = sar && Number(sar[1]) > 0 && Number(sar[2]) > 0 ? Number(sar[1]) / Number(sar[2]) : 1;
  return {
    durationS,
    fps: fps || tbr,
    width: geom ? Number(geom[2]) : 0,
    height: geom ? Number(geom[3]) : 0,
    rotation,
    pixFmt: geom?.[1] ?? '',
    codec,
    frameCount: null,
    vfr: isVfr(tbr, fps),
    hasAudio,
    format: input[1] ?? '',
    sampleAspectRatio: sarValue,
  };
}

/**
 * Probe a clip: stat checks first (no process for missing/unreadable/empty files), then ffprobe
 * (or `ffmpeg -i` parsing when no ffprobe was found). Default timeout {@link PROBE_TIMEOUT_MS} (30 s).
 * @throws DecodeError with code 'missing' | 'unreadable' | 'empty' | 'not_video' | 'corrupt' | 'timeout'
 *   and `where.path` set; SetupError when ffmpeg cannot be found.
 */
export async function probeClip(path: string, timeoutMs: number = PROBE_TIMEOUT_MS): Promise<ProbeInfo> {
  await checkFile(path);
  const loc = locateFfmpeg();
  const tool = loc.ffprobe ? 'ffprobe' : 'ffmpeg';
  const result = loc.ffprobe
    ? await runTool(
        loc.ffprobe,
        ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', fileUrl(path)],
        timeoutMs,
      )
    : await runTool(loc.ffmpeg, ['-hide_banner', '-nostdin', '-i', fileUrl(path)], timeoutMs);
  if (result.timedOut)
    throw fail('timeout', path, `Probing clip ${path} took longer than ${timeoutMs} ms; ${tool} was killed`);
  let info: ProbeInfo | null | undefined;
  if (loc.ffprobe) {
    if (result.code !== 0) throw await probeFailure(path, tool, result.stderr);
    try {
      info = parseFfprobeJson(result.stdout);
    } catch (err) {
      throw fail(
        'corrupt',
        path,
        `Clip ${path} could not be probed: unreadable ffprobe output (${cleanLine(result.stderr)})`,
        err,
      );
    }
  } else {
    // `ffmpeg -i` without an output always exits 1; success is "an input was described".
    info = parseFfmpegInfo(result.stderr);
    if (info === undefined) throw await probeFailure(path, tool, result.stderr);
  }
  if (info === null) throw fail('not_video', path, `Clip ${path} has no video stream (audio-only or not a video file)`);
  if (info.width <= 0 || info.height <= 0) {
    throw fail(
      'corrupt',
      path,
      `Clip ${path} has a video stream without a frame size (${info.codec || 'unknown codec'})`,
    );
  }
  return info;
}
