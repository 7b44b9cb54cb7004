// Probe facts, analysis size and rate, the window policy, timeouts and the `ffmpeg -i` fallback probe.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/errors.js';
import {
  analysisSize,
  decodeClip,
  decodeOnly,
  decodeProbed,
  planDecode,
  probeClip,
  DEFAULT_DECODE_OPTIONS,
} from '../../src/decode/index.js';
import type { ProbeInfo } from '../../src/decode/index.js';
import { parseFfmpegInfo } from '../../src/decode/probe.js';
import { ffmpegTo } from '../fixtures/bad-inputs.js';

const run = promisify(execFile);
const STATIC_FFMPEG = join(process.cwd(), 'node_modules/@ffmpeg-installer/linux-x64/ffmpeg');

let dir: string;
const f = (name: string): string => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'decode-'));
  await Promise.all([
    // 5 s 640x360 30 fps with an audio track.
    ffmpegTo(f('base.mp4'), [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=640x360:r=30:d=5',
      '-f',
      'lavfi',
      '-i',
      'sine=d=5',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-shortest',
    ]),
    // 25 s whose brightness is a clock: luma = 10 * t (limited range), so a frame's mean tells its time.
    ffmpegTo(f('clock-25s.mp4'), [
      '-f',
      'lavfi',
      '-i',
      "color=c=black:s=64x36:r=30:d=25,format=yuv420p,geq=lum='10*T':cb=128:cr=128",
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-qp',
      '0',
    ]),
    // Anamorphic: 320x180 pixels shown 4:3 wide -> display 426.7x180.
    ffmpegTo(f('sar.mp4'), [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=320x180:r=25:d=1',
      '-vf',
      'setsar=4/3',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
    ]),
  ]);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const mean = (a: Uint8Array): number => a.reduce((s, v) => s + v, 0) / a.length;
/** Gray value ffmpeg gives limited-range luma y (it expands to full range). */
const fullRange = (y: number): number => ((Math.max(16, y) - 16) * 255) / 219;

describe('probeClip', () => {
  it('reports duration, rate, size, format and streams', async () => {
    const p = await probeClip(f('base.mp4'));
    expect(p.durationS).toBeCloseTo(5, 1);
    expect(p.fps).toBe(30);
    expect([p.width, p.height]).toEqual([640, 360]);
    expect(p).toMatchObject({
      rotation: 0,
      pixFmt: 'yuv420p',
      codec: 'h264',
      frameCount: 150,
      vfr: false,
      hasAudio: true,
      sampleAspectRatio: 1,
    });
    expect(p.format).toMatch(/mp4/);
  });

  it('reads the sample aspect ratio', async () => {
    expect((await probeClip(f('sar.mp4'))).sampleAspectRatio).toBeCloseTo(4 / 3, 5);
  });

  it('times out and kills ffprobe', async () => {
    await expect(probeClip(f('base.mp4'), 1)).rejects.toMatchObject({
      code: 'timeout',
      where: { path: f('base.mp4') },
    });
  });
});

describe('decodeClip', () => {
  it('decodes 640x360 30 fps to 170x96 gray at 24 fps, ~duration*fps frames with content', async () => {
    const c = await decodeClip(f('base.mp4'));
    expect([c.width, c.height, c.fps]).toEqual([170, 96, 24]);
    expect(Math.abs(c.frames.length - 5 * 24)).toBeLessThanOrEqual(1);
    expect([c.windowStartS, c.windowEndS]).toEqual([0, c.probe.durationS]);
    expect(c.warnings).toBeUndefined();
    for (const fr of c.frames) expect(fr.length).toBe(170 * 96);
    const first = c.frames[0];
    expect(first.some((v) => v !== 0)).toBe(true);
    expect(Math.max(...first) - Math.min(...first)).toBeGreaterThan(100); // testsrc2 has bars and text
    // testsrc2 moves: consecutive frames differ.
    expect(c.frames[1].some((v, i) => v !== first[i])).toBe(true);
  });

  it('decodeOnly runs the same decode and counts the frames', async () => {
    expect(await decodeOnly(f('base.mp4'))).toBe((await decodeClip(f('base.mp4'))).frames.length);
  });

  it('keeps the display aspect of anamorphic video', async () => {
    const c = await decodeClip(f('sar.mp4'));
    expect([c.width, c.height]).toEqual([228, 96]);
  });

  it('decodes one centred maxSeconds window of a long clip', async () => {
    const c = await decodeClip(f('clock-25s.mp4'), { maxSeconds: 10 });
    expect(c.windowStartS).toBeCloseTo(7.5, 3);
    expect(c.windowEndS).toBeCloseTo(17.5, 3);
    expect(Math.abs(c.frames.length - 240)).toBeLessThanOrEqual(1);
    expect(mean(c.frames[0])).toBeCloseTo(fullRange(75), -1);
    expect(Math.abs(mean(c.frames[0]) - fullRange(75))).toBeLessThan(3);
    const lastT = 7.5 + (c.frames.length - 1) / 24;
    expect(Math.abs(mean(c.frames.at(-1)!) - fullRange(10 * lastT))).toBeLessThan(3);
  });

  it('never analyses above the source rate and honours shortSide/fps options', async () => {
    const c = await decodeClip(f('sar.mp4'), { fps: 60, shortSide: 48 });
    expect(c.fps).toBe(25);
    expect(c.height).toBe(48);
    expect(Math.abs(c.frames.length - 25)).toBeLessThanOrEqual(1);
  });

  it('rejects bad options with a UsageError', async () => {
    await expect(decodeClip(f('base.mp4'), { fps: 0 })).rejects.toMatchObject({ code: 'usage' });
  });

  it('times out (timeoutMs 1) with code timeout', async () => {
    const err = await decodeClip(f('base.mp4'), { timeoutMs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecodeError);
    expect(err).toMatchObject({ code: 'timeout', where: { path: f('base.mp4') } });
  });

  it('kills a running ffmpeg with SIGKILL on timeout', async () => {
    const probe = await probeClip(f('clock-25s.mp4'));
    const err = await decodeProbed(f('clock-25s.mp4'), probe, { timeoutMs: 10, maxSeconds: 1000, fps: 30 }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'timeout' });
    // The killed ffmpeg leaves the process table once the kernel has reaped it: look until it is gone (a 25 s decode
    // that was not killed would still be listed after all the looks).
    let listed = true;
    for (let look = 0; look < 100 && listed; look++) {
      const { stdout } = await run('ps', ['-eo', 'args']);
      listed = stdout.includes(`file:${f('clock-25s.mp4')}`);
      if (listed) await new Promise((r) => setTimeout(r, 50));
    }
    expect(listed).toBe(false);
  });
});

describe('planDecode and analysisSize', () => {
  const probe: ProbeInfo = {
    durationS: 0,
    fps: 0,
    width: 1920,
    height: 1080,
    rotation: 0,
    pixFmt: 'yuv420p',
    codec: 'h264',
    frameCount: null,
    vfr: false,
    hasAudio: false,
    format: 'mp4',
  };
  it('computes the size from the display aspect', () => {
    expect(analysisSize({ ...probe, width: 640, height: 360 }, 96)).toEqual({ width: 170, height: 96 });
    expect(analysisSize({ ...probe, rotation: 90 }, 96)).toEqual({ width: 96, height: 170 });
    expect(analysisSize({ ...probe, width: 720, height: 480, sampleAspectRatio: 32 / 27 }, 96)).toEqual({
      width: 170,
      height: 96,
    });
    expect(analysisSize({ ...probe, width: 100, height: 100 }, 96)).toEqual({ width: 96, height: 96 });
  });
  it('decodes from the start for at most maxSeconds when the duration is unknown', () => {
    const plan = planDecode(probe, DEFAULT_DECODE_OPTIONS);
    expect(plan).toMatchObject({ fps: 24, windowStartS: 0, windowEndS: 10, expectedFrames: 0 });
  });
  it('centres the window of a 2-hour clip', () => {
    const plan = planDecode({ ...probe, durationS: 7200, fps: 29.97 }, DEFAULT_DECODE_OPTIONS);
    expect(plan).toMatchObject({ fps: 24, windowStartS: 3595, windowEndS: 3605, expectedFrames: 240 });
  });
  it('cuts a segment that runs past the clip at its end, and says so; refuses one that starts after it', () => {
    const clip = { ...probe, durationS: 3, fps: 24 };
    const plan = planDecode(clip, { ...DEFAULT_DECODE_OPTIONS, segment: { startS: 2, endS: 5 } });
    expect(plan).toMatchObject({ windowStartS: 2, windowEndS: 3 });
    expect(plan.note).toBe('the segment 2-5 s ends after the clip does (3.00 s): analysed up to its end');
    const open = planDecode(clip, {
      ...DEFAULT_DECODE_OPTIONS,
      segment: { startS: 1, endS: Number.POSITIVE_INFINITY },
    });
    expect(open.note).toBeUndefined();
    expect(() =>
      planDecode(clip, { ...DEFAULT_DECODE_OPTIONS, segment: { startS: 4, endS: Number.POSITIVE_INFINITY } }),
    ).toThrow(/The segment 4-end s starts after the clip ends \(3\.00 s\)/);
  });
});

describe('ffmpeg -i fallback probe', () => {
  const stderrOf = async (bin: string, file: string): Promise<string> =>
    run(bin, ['-hide_banner', '-nostdin', '-i', `file:${file}`]).then(
      (r) => r.stderr,
      (e: { stderr: string }) => e.stderr,
    );

  // @ffmpeg-installer/ffmpeg is an optional dependency: its 2018 build is checked when it is installed.
  it('agrees with ffprobe on the system ffmpeg and the bundled 2018 build', async () => {
    await ffmpegTo(f('rot.mp4'), ['-i', f('sar.mp4'), '-c', 'copy', '-metadata:s:v', 'rotate=90']);
    if (!existsSync(STATIC_FFMPEG)) console.log(`skipping the bundled build: ${STATIC_FFMPEG} is not installed`);
    for (const bin of existsSync(STATIC_FFMPEG) ? ['ffmpeg', STATIC_FFMPEG] : ['ffmpeg']) {
      for (const name of ['base.mp4', 'rot.mp4', 'sar.mp4']) {
        const viaProbe = await probeClip(f(name));
        const viaFfmpeg = parseFfmpegInfo(await stderrOf(bin, f(name)));
        expect(viaFfmpeg, `${bin} ${name}`).toMatchObject({
          width: viaProbe.width,
          height: viaProbe.height,
          rotation: viaProbe.rotation,
          pixFmt: viaProbe.pixFmt,
          codec: viaProbe.codec,
          fps: viaProbe.fps,
          hasAudio: viaProbe.hasAudio,
          vfr: false,
        });
        expect(viaFfmpeg!.durationS).toBeCloseTo(viaProbe.durationS, 1);
        expect(viaFfmpeg!.sampleAspectRatio).toBeCloseTo(viaProbe.sampleAspectRatio!, 5);
      }
    }
  });

  it('tells no input from no video stream', () => {
    expect(parseFfmpegInfo('x.mp4: Invalid data found when processing input\n')).toBeUndefined();
    expect(
      parseFfmpegInfo(
        "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'a.m4a':\n  Duration: 00:00:01.00, start: 0.000000, bitrate: 1 kb/s\n    Stream #0:0(und): Audio: aac (LC), 44100 Hz, mono, fltp, 69 kb/s (default)\n",
      ),
    ).toBeNull();
  });
});
