// locateFfmpeg: FFMPEG_PATH, PATH and the npm fallback (decoding with the bundled 2018 build and no ffprobe).

import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SetupError } from '../../src/errors.js';
import { decodeClip, locateFfmpeg, probeClip, resetFfmpegLocation } from '../../src/decode/index.js';

const run = promisify(execFile);
/** @ffmpeg-installer/ffmpeg is an optional dependency; the npm fallback is only testable where it is installed. */
const hasNpmFfmpeg = ((): boolean => {
  try {
    createRequire(import.meta.url).resolve('@ffmpeg-installer/ffmpeg');
    return true;
  } catch {
    return false;
  }
})();
const saved = { FFMPEG_PATH: process.env.FFMPEG_PATH, FFPROBE_PATH: process.env.FFPROBE_PATH, PATH: process.env.PATH };
let dir: string;

function restore(): void {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetFfmpegLocation();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'locate-'));
  await run('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=s=320x180:r=30:d=1',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    join(dir, 'c.mp4'),
  ]);
});
afterEach(restore);
afterAll(async () => {
  restore();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('locateFfmpeg', () => {
  it('honours FFMPEG_PATH and finds the ffprobe next to it', () => {
    process.env.FFMPEG_PATH = '/usr/bin/ffmpeg';
    delete process.env.FFPROBE_PATH;
    resetFfmpegLocation();
    expect(locateFfmpeg()).toEqual({ ffmpeg: '/usr/bin/ffmpeg', ffprobe: '/usr/bin/ffprobe', source: 'FFMPEG_PATH' });
  });

  it('gives a SetupError with possible solutions for a FFMPEG_PATH that does not exist', () => {
    process.env.FFMPEG_PATH = '/nonexistent/ffmpeg';
    resetFfmpegLocation();
    let err: unknown;
    try {
      locateFfmpeg();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SetupError);
    const msg = (err as Error).message;
    expect(msg).toContain('/nonexistent/ffmpeg');
    expect(msg).toContain('Possible solutions:');
    expect(msg).toContain('apt-get install ffmpeg');
    expect(msg).toContain('FFMPEG_PATH=');
    expect(msg).toContain('npm install @ffmpeg-installer/ffmpeg');
  });

  it('searches PATH when FFMPEG_PATH is unset, and caches', () => {
    delete process.env.FFMPEG_PATH;
    delete process.env.FFPROBE_PATH;
    resetFfmpegLocation();
    const loc = locateFfmpeg();
    expect(loc.source).toBe('PATH');
    expect(loc.ffprobe).toMatch(/ffprobe$/);
    expect(locateFfmpeg()).toBe(loc);
  });

  it.skipIf(!hasNpmFfmpeg)(
    'falls back to the npm binary, probing via `ffmpeg -i` when there is no ffprobe',
    async () => {
      delete process.env.FFMPEG_PATH;
      delete process.env.FFPROBE_PATH;
      process.env.PATH = dir; // no ffmpeg there
      resetFfmpegLocation();
      const loc = locateFfmpeg();
      expect(loc.source).toBe('npm');
      expect(loc.ffmpeg).toContain('@ffmpeg-installer');
      if (loc.ffprobe === null) {
        const p = await probeClip(join(dir, 'c.mp4'));
        expect(p).toMatchObject({
          width: 320,
          height: 180,
          fps: 30,
          codec: 'h264',
          pixFmt: 'yuv420p',
          frameCount: null,
        });
        expect(p.durationS).toBeCloseTo(1, 1);
      }
      const c = await decodeClip(join(dir, 'c.mp4'));
      expect([c.width, c.height, c.fps, c.frames.length]).toEqual([170, 96, 24, 24]);
      await expect(decodeClip(join(dir, 'nope.mp4'))).rejects.toMatchObject({ code: 'missing' });
    },
  );
});
