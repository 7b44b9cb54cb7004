// decodeClips gives every clip exactly what decodeClip gives it, in one ffmpeg for a clean batch; DecodeBatcher gathers clips asked one by one.

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BatchQueue, DecodeBatcher, decodeClips, decodeSelections, decodeSheets } from '../../src/decode/batch.js';
import type { SheetRequest } from '../../src/decode/batch.js';
import { decodeFrameSelection, decodeSheetFrames } from '../../src/decode/frames.js';
import type { Batched, ClipRequest, ClipResult } from '../../src/decode/batch.js';
import type { DecodedClip } from '../../src/decode/index.js';
import { decodeClip } from '../../src/decode/index.js';
import { ffmpegTo, makeBadInputs } from '../fixtures/bad-inputs.js';
import type { BadInput } from '../fixtures/bad-inputs.js';
import { logStarts, type StartLog } from '../fixtures/ffmpeg-starts.js';

let dir: string;
let wrapper: StartLog | undefined;
let cases: BadInput[];
const f = (name: string): string => join(dir, name);
const X264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];

const starts = (): Promise<string[]> => wrapper!.starts();

/** What decodeClip gives a request, in the shape decodeClips returns. */
async function alone({ path, options }: ClipRequest): Promise<ClipResult> {
  return decodeClip(path, options).then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

/** A comparable view of a result: the clip's facts and frame bytes, or the error's class, code and message. */
function view(r: ClipResult): unknown {
  if (!r.ok) {
    const e = r.error as { name?: string; code?: string; message?: string };
    return { error: [e.name, e.code, e.message] };
  }
  const { frames, ...rest } = r.value;
  return { ...rest, frames: frames.length, bytes: Buffer.concat(frames).toString('base64') };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'decode-batch-'));
  const [made] = await Promise.all([
    makeBadInputs(dir),
    ffmpegTo(f('short.mp4'), ['-f', 'lavfi', '-i', 'testsrc2=s=320x180:r=30:d=2', ...X264]),
    ffmpegTo(f('slow-rate.mp4'), ['-f', 'lavfi', '-i', 'testsrc2=s=320x180:r=12:d=2', ...X264]),
    ffmpegTo(f('long.mp4'), ['-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=10:d=8', ...X264]),
    ffmpegTo(f('ntsc.mp4'), ['-f', 'lavfi', '-i', 'testsrc2=s=200x120:r=24000/1001:d=2', ...X264]),
  ]);
  cases = made;
  wrapper = await logStarts(dir);
}, 120_000);

beforeEach(async () => {
  await wrapper?.clear();
});

afterAll(async () => {
  wrapper?.restore();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('decodeClips', () => {
  it('one ffmpeg for a batch of clean clips, each exactly as decoded alone', async () => {
    const requests: ClipRequest[] = ['short.mp4', 'slow-rate.mp4', 'ntsc.mp4'].map((n) => ({ path: f(n) }));
    requests.push({ path: f('long.mp4'), options: { maxSeconds: 10 } });
    const batch = await decodeClips(requests);
    expect(await starts()).toHaveLength(1);
    expect(batch.map((r) => r.ok && [r.value.fps, r.value.frames.length])).toEqual([
      [24, 48],
      [12, 24],
      [24000 / 1001, 48],
      [10, 80],
    ]);
    const each = [];
    for (const r of requests) each.push(view(await alone(r)));
    expect(batch.map(view)).toEqual(each);
  });

  it('segments of one video are inputs of their own, each read from its start', async () => {
    const requests = [
      { path: f('long.mp4'), options: { segment: { startS: 1, endS: 3 } } },
      { path: f('long.mp4'), options: { segment: { startS: 5, endS: Number.POSITIVE_INFINITY } } },
      { path: f('short.mp4') },
    ];
    const batch = await decodeClips(requests);
    expect(await starts()).toHaveLength(1);
    expect(batch.map((r) => r.ok && [r.value.windowStartS, r.value.windowEndS, r.value.frames.length])).toEqual([
      [1, 3, 20],
      [5, 8, 30],
      [0, 2, 48],
    ]);
    const each = [];
    for (const r of requests) each.push(view(await alone(r)));
    expect(batch.map(view)).toEqual(each);
  });

  it('a clip longer than maxSeconds is decoded again at its centred window, once, after the batch', async () => {
    const requests = [{ path: f('short.mp4') }, { path: f('long.mp4'), options: { maxSeconds: 4 } }];
    const batch = await decodeClips(requests);
    const s = await starts();
    expect(s).toHaveLength(2);
    expect(s[1]).toContain('-ss 2.000');
    expect(batch.map((r) => r.ok && [r.value.windowStartS, r.value.windowEndS, r.value.frames.length])).toEqual([
      [0, 2, 48],
      [2, 6, 40],
    ]);
    expect(batch.map(view)).toEqual([view(await alone(requests[0])), view(await alone(requests[1]))]);
  });

  it('every bad and hard input, batched with good ones, gets what decodeClip gives it', async () => {
    const requests: ClipRequest[] = [{ path: f('short.mp4') }, ...cases.map((c) => ({ path: c.file }))];
    const batch = await decodeClips(requests);
    expect(batch).toHaveLength(requests.length);
    const each = [];
    for (const r of requests) each.push(view(await alone(r)));
    expect(batch.map(view)).toEqual(each);
    const codes = batch.map((r) => (r.ok ? 'ok' : (r.error as { code: string }).code));
    expect(codes.slice(1)).toEqual(cases.map((c) => (c.expect === 'ok' ? 'ok' : c.code)));
  }, 120_000);

  it('the hard but valid inputs decode in one batch run, but for those that need their own decode', async () => {
    const ok = cases.filter((c) => c.expect === 'ok' && !c.warns).map((c) => ({ path: c.file }));
    const batch = await decodeClips(ok);
    const s = await starts();
    // The variable-rate clip's average rate is below 24 fps while its nominal rate is not: an explicit decode.
    expect(s).toHaveLength(2);
    expect(s[0]?.match(/ -i /g)).toHaveLength(ok.length);
    expect(s[1]).toContain('vfr.mp4');
    const each = [];
    for (const r of ok) each.push(view(await alone(r)));
    expect(batch.map(view)).toEqual(each);
  }, 60_000);

  it('an input that hangs stops the batch after the smallest budget without output, then each clip goes alone', async () => {
    // A loopback clip URL whose server never answers: ffmpeg waits on it, and the whole run with it.
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const hang = `http://127.0.0.1:${(server.address() as AddressInfo).port}/clip/0abc`;
    try {
      // The batch's overall limit is the sum of the budgets (61 s): only the stall watch ends it within this test's time.
      const batch = await decodeClips([
        { path: f('short.mp4'), options: { timeoutMs: 60_000 } },
        { path: hang, options: { timeoutMs: 1_000 } },
      ]);
      expect(batch[0]?.ok).toBe(true);
      expect(batch[1]).toMatchObject({ ok: false, error: { code: 'timeout' } });
      expect((await starts()).map((line) => line.match(/ -i /g)?.length)).toEqual([2, 1, 1]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }, 20_000);

  it('a bad option fails its own clip only', async () => {
    const batch = await decodeClips([{ path: f('short.mp4'), options: { fps: -1 } }, { path: f('short.mp4') }]);
    expect(batch[0]).toMatchObject({ ok: false, error: { name: 'UsageError' } });
    expect(batch[1]?.ok).toBe(true);
  });
});

describe('DecodeBatcher', () => {
  it('clips asked for together share one ffmpeg; results go back to their callers', async () => {
    const batcher = new DecodeBatcher(8);
    const clips: Promise<Batched<DecodedClip>>[] = [
      batcher.decode(f('short.mp4')),
      batcher.decode(f('slow-rate.mp4')),
      batcher.decode(f('ntsc.mp4')),
    ];
    const missing = batcher.decode(f('missing.mp4'));
    await expect(missing).rejects.toMatchObject({ code: 'missing' });
    expect((await Promise.all(clips)).map((c) => c.value.fps)).toEqual([24, 12, 24000 / 1001]);
    expect(await starts()).toHaveLength(1);
  });

  it('starts a batch when it is full and the next when the first is done', async () => {
    const batcher = new DecodeBatcher(2, 60_000);
    const clips = await Promise.all(
      ['short.mp4', 'slow-rate.mp4', 'ntsc.mp4', 'short.mp4'].map((n) => batcher.decode(f(n))),
    );
    expect(clips.map((c) => c.value.frames.length)).toEqual([48, 24, 48, 48]);
    expect(clips.every((c) => c.shareMs > 0)).toBe(true);
    const s = await starts();
    expect(s.map((line) => line.match(/ -i /g)?.length)).toEqual([2, 2]);
  });

  it('with size 1 every clip is decoded alone', async () => {
    const batcher = new DecodeBatcher(1);
    await Promise.all([batcher.decode(f('short.mp4')), batcher.decode(f('slow-rate.mp4'))]);
    expect((await starts()).map((line) => line.match(/ -i /g)?.length)).toEqual([1, 1]);
  });
});

describe('decodeSheets', () => {
  const sel = (windowEndS: number) => ({
    width: 170,
    height: 96,
    fps: 24,
    windowStartS: 0.5,
    windowEndS,
    tileWidth: 64,
    tileHeight: 36,
    grayIndices: [0, 1, 10, 11, 40, 41],
    rgbIndices: [0, 10, 40],
  });

  /** What decodeSheetFrames gives a request, in the shape decodeSheets returns, bytes as text. */
  async function sheetAlone({ path, sel: s }: SheetRequest): Promise<unknown> {
    return decodeSheetFrames(path, s).then(
      (v) => ({
        gray: Buffer.concat(v.gray).toString('base64'),
        rgb: Buffer.concat(v.rgb).toString('base64'),
        n: v.decoded,
      }),
      (e: { code?: string; message?: string }) => ({ error: [e.code, e.message] }),
    );
  }

  function sheetView(r: Awaited<ReturnType<typeof decodeSheets>>[number]): unknown {
    if (!r.ok) {
      const e = r.error as { code?: string; message?: string };
      return { error: [e.code, e.message] };
    }
    const v = r.value;
    return {
      gray: Buffer.concat(v.gray).toString('base64'),
      rgb: Buffer.concat(v.rgb).toString('base64'),
      n: v.decoded,
    };
  }

  it('sheets of several clips in one ffmpeg, each exactly as decoded alone', async () => {
    const requests = [
      { path: f('short.mp4'), sel: sel(2) },
      { path: f('long.mp4'), sel: sel(6) },
      { path: f('slow-rate.mp4'), sel: { ...sel(2), fps: 12 } },
    ];
    const batch = await decodeSheets(requests);
    expect(await starts()).toHaveLength(1);
    expect(batch.every((r) => r.ok)).toBe(true);
    const each = [];
    for (const r of requests) each.push(await sheetAlone(r));
    expect(batch.map(sheetView)).toEqual(each);
  });

  it('a sheet that cannot be decoded fails alone, with the error it gets alone; the others still decode', async () => {
    const requests = [
      { path: f('short.mp4'), sel: sel(2) },
      { path: f('missing.mp4'), sel: sel(2) },
      { path: f('short.mp4'), sel: { ...sel(2), windowStartS: 30, windowEndS: 31 } },
      { path: f('short.mp4'), sel: { ...sel(2), tileWidth: 0 } },
    ];
    const batch = await decodeSheets(requests);
    expect(batch.map((r) => (r.ok ? 'ok' : (r.error as { code: string }).code))).toEqual([
      'ok',
      'corrupt',
      'too_short',
      'usage',
    ]);
    const each = [];
    for (const r of requests.slice(0, 3)) each.push(await sheetAlone(r));
    expect(batch.slice(0, 3).map(sheetView)).toEqual(each);
  });
});

describe('decodeSelections', () => {
  const sel = (windowStartS: number, indices: number[] = [0, 3, 3, 50]) => ({
    width: 64,
    height: 64,
    fps: 24,
    windowStartS,
    windowEndS: windowStartS + 1,
    indices,
    pixelFormat: 'rgb24' as const,
  });

  /** A selection's outcome, bytes as text: frames and count, or the error's code and message. */
  function view(r: { ok: true; value: { frames: Uint8Array[]; decoded: number } } | { ok: false; error: unknown }) {
    if (!r.ok) {
      const e = r.error as { code?: string; message?: string };
      return { error: [e.code, e.message] };
    }
    return { frames: Buffer.concat(r.value.frames).toString('base64'), n: r.value.decoded };
  }

  it('selections of several clips in one ffmpeg, each exactly as decoded alone; a bad one fails alone', async () => {
    const requests = [
      { path: f('short.mp4'), sel: sel(1) },
      { path: f('long.mp4'), sel: { ...sel(4, [0]), pixelFormat: 'gray' as const } },
      { path: f('missing.mp4'), sel: sel(0) },
      { path: f('short.mp4'), sel: sel(30) },
      { path: f('short.mp4'), sel: { ...sel(0), width: 0 } },
    ];
    const batch = await decodeSelections(requests);
    expect(batch.map((r) => (r.ok ? 'ok' : (r.error as { code: string }).code))).toEqual([
      'ok',
      'ok',
      'corrupt',
      'too_short',
      'usage',
    ]);
    const each = [];
    for (const r of requests.slice(0, 4))
      each.push(
        view(
          await decodeFrameSelection(r.path, r.sel).then(
            (value) => ({ ok: true as const, value }),
            (error: unknown) => ({ ok: false as const, error }),
          ),
        ),
      );
    expect(batch.slice(0, 4).map(view)).toEqual(each);
  });

  it('a clean batch is one ffmpeg start', async () => {
    const batch = await decodeSelections([
      { path: f('short.mp4'), sel: sel(0) },
      { path: f('slow-rate.mp4'), sel: sel(0.5, [1]) },
    ]);
    expect(batch.every((r) => r.ok)).toBe(true);
    expect(await starts()).toHaveLength(1);
  });
});

describe('BatchQueue', () => {
  /** A run whose batches end when the test says so, recording how many run at once. */
  function gatedRun() {
    const gates: (() => void)[] = [];
    let now = 0;
    let most = 0;
    const sizes: number[] = [];
    const run = async (requests: number[]) => {
      now++;
      most = Math.max(most, now);
      sizes.push(requests.length);
      await new Promise<void>((resolve) => gates.push(resolve));
      now--;
      return requests.map((q) => ({ ok: true as const, value: q * 10 }));
    };
    return { run, gates, stats: () => ({ most, sizes }) };
  }

  for (const lanes of [1, 2]) {
    it(`runs at most ${lanes} batch(es) at once and answers each request with its own value`, async () => {
      const g = gatedRun();
      const q = new BatchQueue(2, g.run, 5, lanes);
      const answers = [1, 2, 3, 4, 5, 6].map((n) => q.ask(n));
      for (let i = 0; i < 20 && g.stats().sizes.length < 3; i++) {
        await new Promise((r) => setTimeout(r, 10));
        for (const open of g.gates.splice(0)) open();
      }
      expect((await Promise.all(answers)).map((a) => a.value)).toEqual([10, 20, 30, 40, 50, 60]);
      expect(g.stats().most).toBe(lanes);
      expect(g.stats().sizes).toEqual([2, 2, 2]);
    });
  }

  it('a run that throws at once fails its batch, and the next batch still runs', async () => {
    let calls = 0;
    const run = (requests: number[]) => {
      if (calls++ === 0) throw new Error('no decoder');
      return Promise.resolve(requests.map((n) => ({ ok: true as const, value: n })));
    };
    const q = new BatchQueue(2, run, 5);
    const first = [q.ask(1), q.ask(2)];
    for (const a of first) await expect(a).rejects.toThrow('no decoder');
    await expect(q.ask(3)).resolves.toMatchObject({ value: 3 });
  });
});
