// decodeClip starts one ffmpeg per clip (its own probe), a second only when the printed plan needs one, none for stat failures.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeClip } from '../../src/decode/index.js';
import { ffmpegTo } from '../fixtures/bad-inputs.js';
import { logStarts, type StartLog } from '../fixtures/ffmpeg-starts.js';

let dir: string;
let wrapper: StartLog | undefined;
const f = (name: string): string => join(dir, name);
const starts = (): Promise<string[]> => wrapper!.starts();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'one-process-'));
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
  wrapper = await logStarts(dir);
});

beforeEach(async () => {
  await wrapper?.clear();
});

afterAll(async () => {
  wrapper?.restore();
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
