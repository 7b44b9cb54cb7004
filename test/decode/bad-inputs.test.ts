// Every generated bad input fails with the expected DecodeError code; every hard-but-valid one decodes.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/errors.js';
import { decodeClip, probeClip } from '../../src/decode/index.js';
import type { DecodedClip } from '../../src/decode/index.js';
import { makeBadInputs } from '../fixtures/bad-inputs.js';
import type { BadInput } from '../fixtures/bad-inputs.js';

let dir: string;
let cases: BadInput[];
const outcomes = new Map<string, DecodedClip | DecodeError>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'decode-bad-'));
  const t0 = Date.now();
  cases = await makeBadInputs(dir);
  console.log(`makeBadInputs: ${cases.length} cases in ${Date.now() - t0} ms`);
  // Two at a time, like two workers on two cores.
  for (let i = 0; i < cases.length; i += 2) {
    await Promise.all(
      cases.slice(i, i + 2).map(async (c) => {
        try {
          outcomes.set(c.file, await decodeClip(c.file));
        } catch (err) {
          if (!(err instanceof DecodeError)) throw err;
          outcomes.set(c.file, err);
        }
      }),
    );
  }
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const clip = (name: string): DecodedClip => {
  const c = cases.find((x) => x.file.includes(name));
  const o = c && outcomes.get(c.file);
  if (!(o && !(o instanceof DecodeError)))
    throw new Error(`${name} did not decode: ${String(o instanceof Error ? o.message : o)}`);
  return o;
};

describe('bad inputs', () => {
  it('each case gives the expected error code or decodes', () => {
    const wrong: string[] = [];
    for (const c of cases) {
      const o = outcomes.get(c.file);
      if (c.expect === 'error') {
        if (!(o instanceof DecodeError)) wrong.push(`${c.note}: decoded, expected ${c.code}`);
        else if (o.code !== c.code) wrong.push(`${c.note}: got ${o.code} (${o.message}), expected ${c.code}`);
        else {
          if (o.where.path !== c.file) wrong.push(`${c.note}: where.path is ${String(o.where.path)}`);
          if (!o.message.includes(c.file)) wrong.push(`${c.note}: message does not name the file: ${o.message}`);
        }
      } else if (o instanceof DecodeError) {
        wrong.push(`${c.note}: ${o.code}: ${o.message}`);
      } else if (!o || o.frames.length < 2) {
        wrong.push(`${c.note}: no frames`);
      } else if (c.warns && !(o.warnings && o.warnings.length > 0)) {
        wrong.push(`${c.note}: expected warnings`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a truncated file names the first ffmpeg error line', () => {
    const err = outcomes.get(cases.find((c) => c.file.endsWith('truncated.mp4'))!.file);
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).message).toMatch(
      /decoded \d+ of ~\d+ expected frames; ffmpeg reported .*\[(h264|mov|NULL)/,
    );
    expect((err as DecodeError).message).not.toMatch(/0x[0-9a-f]{6,}/);
  });

  it('a damaged middle decodes nearly all frames and says so in warnings', () => {
    const c = clip('damaged-middle.mp4');
    expect(c.frames.length).toBeGreaterThanOrEqual(0.5 * 3 * 24);
    expect(c.warnings!.join('\n')).toMatch(/ffmpeg reported/);
  });

  it('hard but valid inputs come out at analysis size', () => {
    expect([clip('uhd-4k.mp4').width, clip('uhd-4k.mp4').height]).toEqual([170, 96]);
    expect(clip('uhd-4k.mp4').fps).toBe(10); // never above the source rate
    expect(clip('uhd-4k.mp4').frames.length).toBe(10);
    expect([clip('odd-161x91.mp4').width, clip('odd-161x91.mp4').height]).toEqual([170, 96]);
    expect(clip('ten-bit.m').probe.pixFmt).toBe('yuv420p10le');
    expect(clip('ten-bit.m').frames.length).toBe(24);
    expect(clip('clip ünï 日本.mp4').frames.length).toBe(24);
    for (const c of [clip('odd-161x91.mp4'), clip('ten-bit.m'), clip('uhd-4k.mp4')]) {
      for (const f of c.frames) expect(f.length).toBe(c.width * c.height);
    }
  });

  it('rotation metadata 90 gives portrait frames of the turned picture', async () => {
    const c = clip('rotated-90.mp4');
    expect(c.probe.width).toBe(320);
    // ffmpeg 5.1's mp4 muxer writes the rotate=90 tag as a counterclockwise matrix, i.e. 270 clockwise.
    expect([90, 270]).toContain(c.probe.rotation);
    expect([c.width, c.height]).toEqual([96, 170]);
    // Same stream without the matrix: the portrait frame must be its landscape frame turned a quarter,
    // not squeezed into a portrait size.
    const land = (await decodeClip(join(dir, 'base-faststart.mp4'))).frames[0];
    const port = c.frames[0];
    let cw = 0;
    let ccw = 0;
    for (let y = 0; y < 170; y++) {
      for (let x = 0; x < 96; x++) {
        const v = port[y * 96 + x];
        cw += Math.abs(v - land[(95 - x) * 170 + y]);
        ccw += Math.abs(v - land[x * 170 + (169 - y)]);
      }
    }
    const n = 96 * 170;
    expect(Math.min(cw, ccw) / n).toBeLessThan(3);
    expect(Math.max(cw, ccw) / n).toBeGreaterThan(10);
  });

  it('VFR input is reported and decoded at a constant rate', () => {
    const c = clip('vfr.mp4');
    expect(c.probe.vfr).toBe(true);
    expect(c.probe.fps).toBeCloseTo(62 / 3, 0);
    expect(c.fps).toBeCloseTo(c.probe.fps, 3);
    expect(Math.abs(c.frames.length - c.probe.durationS * c.fps)).toBeLessThanOrEqual(1.5);
  });

  it('probing reports no video stream for audio-only input', async () => {
    await expect(probeClip(join(dir, 'audio-only.mp4'))).rejects.toMatchObject({ code: 'not_video' });
  });
});
