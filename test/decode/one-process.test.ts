// decodeClip starts one ffmpeg per clip (its own probe), a second only when the printed plan needs one, none for stat failures.

import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeClip, locateFfmpeg, resetFfmpegLocation } from '../../src/decode/index.js';
import { ffmpegTo } from '../fixtures/bad-inputs.js';

const saved = process.env.FFMPEG_PATH;
let dir: string;
let log: string;
const f = (name: string): string => join(dir, name);

/** ffmpeg starts recorded by the wrapper since the last reset (one line each). */
async function starts(): Promise<string[]> {
  const text = await readFile(log, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l !== '');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'one-process-'));
  log = f('starts.log');
  const real = locateFfmpeg().ffmpeg;
  await Promise.all([
    ffmpegTo(f('short.mp4'), [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=320x180:r=30:d=2',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
    ]),
    ffmpegTo(f('slow-rate.mp4'), [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=320x180:r=12:d=2',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
    ]),
    ffmpegTo(f('long.mp4'), [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=160x90:r=10:d=8',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
    ]),
    writeFile(f('text.mp4'), 'This is a text file, not a video.\n'.repeat(20)),
  ]);
  // A wrapper that logs every start, then runs the real binary.
  await writeFile(f('ffmpeg'), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${real}' "$@"\n`);
  await chmod(f('ffmpeg'), 0o755);
  process.env.FFMPEG_PATH = f('ffmpeg');
  resetFfmpegLocation();
});

beforeEach(async () => {
  await rm(log, { force: true });
});

afterAll(async () => {
  if (saved === undefined) delete process.env.FFMPEG_PATH;
  else process.env.FFMPEG_PATH = saved;
  resetFfmpegLocation();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('process starts per clip', () => {
  it('one ffmpeg for a clip within maxSeconds, no ffprobe', async () => {
    const c = await decodeClip(f('short.mp4'));
    expect([c.width, c.height, c.fps, c.frames.length]).toEqual([170, 96, 24, 48]);
    expect(c.probe).toMatchObject({ width: 320, height: 180, fps: 30, codec: 'h264', durationS: 2 });
    expect(await starts()).toHaveLength(1);
  });

  it('one ffmpeg for a source slower than the analysis rate, decoded at the source rate', async () => {
    const c = await decodeClip(f('slow-rate.mp4'));
    expect([c.fps, c.frames.length]).toEqual([12, 24]);
    expect(await starts()).toHaveLength(1);
  });

  it('a second ffmpeg, seeking to the centred window, for a clip longer than maxSeconds', async () => {
    const c = await decodeClip(f('long.mp4'), { maxSeconds: 4 });
    expect([c.windowStartS, c.windowEndS, c.frames.length]).toEqual([2, 6, 40]);
    const s = await starts();
    expect(s).toHaveLength(2);
    expect(s[1]).toContain('-ss 2.000');
  });

  it('one ffmpeg for a file that is not a video, none for a missing one', async () => {
    await expect(decodeClip(f('text.mp4'))).rejects.toMatchObject({ code: 'not_video' });
    expect(await starts()).toHaveLength(1);
    await expect(decodeClip(f('missing.mp4'))).rejects.toMatchObject({ code: 'missing' });
    expect(await starts()).toHaveLength(1);
  });
});
