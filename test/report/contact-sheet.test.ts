// Contact sheets: layout, the reversed row, and a residual-motion row that lights up where a known square moves.

import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeClip, decodeFrameSelection, decodeSheetFrames } from '../../src/decode/frames.js';
import { encodeFrames } from '../../src/decode/encode.js';
import { UsageError } from '../../src/errors.js';
import {
  contactSheetImage,
  contactSheetLayout,
  renderContactSheet,
  sampleIndices,
  type ContactSheetImage,
} from '../../src/report/contact-sheet.js';
import { sampleWrap, valueNoise } from '../../src/synth/texture.js';
import { tempDir } from '../fixtures/cli.js';

// The clip: a static, low-contrast textured background (192x108, 24 fps, 1.5 s) and a bright, strongly textured
// 36 px square moving right at 0.8 short sides/s (86.4 px/s), its top-left corner at (16 + 86.4 t, 20).
// Nothing else moves, so the residual row must be bright on the square and dark everywhere else.
const W = 192;
const H = 108;
const FPS = 24;
const SIDE = 36;
const squareX = (t: number): number => 16 + 0.8 * H * t;
const SQUARE_Y = 20;

function renderSquareClip(): Uint8Array[] {
  const bg = valueNoise(256, 3, 5, 4);
  const tex = valueNoise(64, 4, 3, 8);
  const frames: Uint8Array[] = [];
  for (let f = 0; f < 1.5 * FPS; f++) {
    const x0 = squareX(f / FPS);
    const out = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const inside = x >= x0 && x < x0 + SIDE && y >= SQUARE_Y && y < SQUARE_Y + SIDE;
        const g = inside
          ? 0.45 + 0.55 * sampleWrap(tex, 64, (x - x0) * 2, (y - SQUARE_Y) * 2)
          : 0.35 + 0.3 * sampleWrap(bg, 256, x * 1.5, y * 1.5);
        out[y * W + x] = Math.round(255 * Math.min(1, g));
      }
    }
    frames.push(out);
  }
  return frames;
}

let dir: string;
let clip: string;
let sheet: ContactSheetImage;
const N = 4;

/** Mean Rec. 601 luma over a rectangle of an RGB image. */
function meanLuma(img: { data: Uint8Array; width: number }, x0: number, y0: number, x1: number, y1: number): number {
  let s = 0;
  let n = 0;
  for (let y = Math.round(y0); y < Math.round(y1); y++) {
    for (let x = Math.round(x0); x < Math.round(x1); x++) {
      const p = (y * img.width + x) * 3;
      s += 0.299 * img.data[p] + 0.587 * img.data[p + 1] + 0.114 * img.data[p + 2];
      n++;
    }
  }
  return s / n;
}

function tileStd(img: ContactSheetImage, row: number, i: number): number {
  const L = img.layout;
  const left = L.pad + i * (L.tileW + L.gap);
  const top = L.rowTop[row] + L.band;
  const values: number[] = [];
  for (let y = top; y < top + L.tileH; y++)
    for (let x = left; x < left + L.tileW; x++) values.push(img.data[(y * img.width + x) * 3]);
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length);
}

/** Mean absolute difference of two tiles over their top 70 % (the bottom holds the time stamp). */
function tileDiff(img: ContactSheetImage, a: [number, number], b: [number, number]): number {
  const L = img.layout;
  let s = 0;
  let n = 0;
  for (let y = 0; y < Math.floor(L.tileH * 0.7); y++) {
    for (let x = 0; x < L.tileW; x++) {
      const pa = ((L.rowTop[a[0]] + L.band + y) * img.width + L.pad + a[1] * (L.tileW + L.gap) + x) * 3;
      const pb = ((L.rowTop[b[0]] + L.band + y) * img.width + L.pad + b[1] * (L.tileW + L.gap) + x) * 3;
      for (let c = 0; c < 3; c++) s += Math.abs(img.data[pa + c] - img.data[pb + c]);
      n += 3;
    }
  }
  return s / n;
}

beforeAll(async () => {
  dir = await tempDir('audit-sheet-');
  clip = join(dir, 'square.mp4');
  await encodeFrames(renderSquareClip(), { width: W, height: H, fps: FPS, crf: 16, path: clip, pixelFormat: 'gray' });
  sheet = await contactSheetImage({ path: clip, frames: N, width: 640 });
});

describe('contact sheet', () => {
  it('lays out three rows of N frames at the clip aspect, evenly spaced over the window', () => {
    const L = contactSheetLayout(640, N, W / H);
    expect(sheet.width).toBe(640);
    expect(sheet.height).toBe(L.height);
    expect(sheet.layout).toEqual(L);
    expect(L.tileW / L.tileH).toBeCloseTo(W / H, 1);
    expect(L.rowTop).toHaveLength(3);
    // 36 analysis frames: centres of 4 equal parts -> 4, 13, 22, 31 (each has a successor for the flow).
    expect(sampleIndices(36, 4)).toEqual([4, 13, 22, 31]);
    expect(sheet.times.map((t) => Math.round(t * FPS))).toEqual([4, 13, 22, 31]);
  });

  it('draws non-blank frames, the reversed row as the forward row backwards, and labels in the bands', () => {
    for (let row = 0; row < 3; row++) for (let i = 0; i < N; i++) expect(tileStd(sheet, row, i)).toBeGreaterThan(8);
    for (let i = 0; i < N; i++) expect(tileDiff(sheet, [1, i], [0, N - 1 - i])).toBeLessThan(1);
    // The square moved: the first and last forward frames differ.
    expect(tileDiff(sheet, [0, 0], [0, N - 1])).toBeGreaterThan(5);
    // Row labels are light text on the dark band.
    for (let row = 0; row < 3; row++) {
      const top = sheet.layout.rowTop[row];
      let light = 0;
      for (let y = top; y < top + sheet.layout.band; y++)
        for (let x = 0; x < 100; x++) light += sheet.data[(y * sheet.width + x) * 3] > 150 ? 1 : 0;
      expect(light).toBeGreaterThan(20);
    }
  });

  it('residual motion is bright on the moving square and dark on the static background', () => {
    const L = sheet.layout;
    const k = L.tileW / W;
    for (let i = 0; i < N; i++) {
      const left = L.pad + i * (L.tileW + L.gap);
      const top = L.rowTop[2] + L.band;
      const x0 = squareX(sheet.times[i]);
      // The square's inner half, and a band of background below it (above the time stamp).
      const onSquare = meanLuma(
        sheet,
        left + (x0 + SIDE * 0.25) * k,
        top + (SQUARE_Y + SIDE * 0.25) * k,
        left + (x0 + SIDE * 0.75) * k,
        top + (SQUARE_Y + SIDE * 0.75) * k,
      );
      const background = meanLuma(sheet, left, top + 0.66 * L.tileH, left + L.tileW, top + 0.8 * L.tileH);
      expect(onSquare, `frame ${i} on the square`).toBeGreaterThan(140);
      expect(background, `frame ${i} background`).toBeLessThan(70);
      // The forward frame there is plain texture, not bright: the colour is the motion's.
      const raw = meanLuma(
        sheet,
        left,
        L.rowTop[0] + L.band + 0.66 * L.tileH,
        left + L.tileW,
        L.rowTop[0] + L.band + 0.8 * L.tileH,
      );
      expect(raw).toBeGreaterThan(background * 2);
    }
  });

  it("draws the same sheet from the scan's analysis facts, without probing the clip again", async () => {
    const scanned = await decodeClip(clip);
    const fromScan = await contactSheetImage({
      path: clip,
      frames: N,
      width: 640,
      windowStartS: scanned.windowStartS,
      windowEndS: scanned.windowEndS,
      analysis: { fps: scanned.fps, width: scanned.width, height: scanned.height },
    });
    expect(fromScan.layout).toEqual(sheet.layout);
    expect(fromScan.times).toEqual(sheet.times);
    let diff = 0;
    for (let k = 0; k < sheet.data.length; k++) diff += Math.abs(fromScan.data[k] - sheet.data[k]);
    expect(diff / sheet.data.length).toBe(0);
    // a missing file is still named, though nothing probed it first
    await expect(
      contactSheetImage({
        path: join(dir, 'gone.mp4'),
        windowStartS: 0,
        windowEndS: 1,
        analysis: { fps: 24, width: 96, height: 96 },
      }),
    ).rejects.toThrow(/gone\.mp4/);
  });

  it('writes PNG or JPEG by extension and refuses other names', async () => {
    const png = await renderContactSheet({ path: clip, outFile: join(dir, 'sheet.png'), frames: 3, width: 480 });
    expect(png).toEqual({ file: join(dir, 'sheet.png'), width: 480, height: contactSheetLayout(480, 3, W / H).height });
    expect((await sharp(png.file).metadata()).format).toBe('png');
    const jpg = await renderContactSheet({
      path: clip,
      outFile: join(dir, 'sub', 'sheet.jpg'),
      windowStartS: 0.5,
      windowEndS: 1.5,
    });
    const meta = await sharp(jpg.file).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 960, jpg.height]);
    await expect(renderContactSheet({ path: clip, outFile: join(dir, 'sheet.gif') })).rejects.toThrow(
      /\.png, \.jpg or \.jpeg.*sheet\.gif/,
    );
    await expect(
      renderContactSheet({ path: clip, outFile: join(dir, 'x.png'), windowStartS: 2, windowEndS: 1 }),
    ).rejects.toBeInstanceOf(UsageError);
    await expect(renderContactSheet({ path: clip, outFile: join(dir, 'x.png'), frames: 0 })).rejects.toThrow(/frames/);
  });

  it('names a missing clip', async () => {
    await expect(contactSheetImage({ path: join(dir, 'nope.mp4') })).rejects.toThrow(/nope\.mp4/);
  });

  it('gray frame selection gives the analysis frames of the scan decode', async () => {
    const full = await decodeClip(clip);
    const { frames, decoded } = await decodeFrameSelection(clip, {
      width: full.width,
      height: full.height,
      fps: full.fps,
      windowStartS: 0,
      windowEndS: full.windowEndS,
      indices: [5, 0, 5, 999],
      pixelFormat: 'gray',
    });
    expect(decoded).toBe(full.frames.length);
    expect(Buffer.from(frames[0]).equals(Buffer.from(full.frames[5]))).toBe(true);
    expect(Buffer.from(frames[1]).equals(Buffer.from(full.frames[0]))).toBe(true);
    // Past the end: the last decoded frame.
    expect(Buffer.from(frames[3]).equals(Buffer.from(full.frames.at(-1)!))).toBe(true);
  });

  it('one sheet decode gives the analysis frames exactly and the pictures as an RGB decode does', async () => {
    const full = await decodeClip(clip);
    const window = { fps: full.fps, windowStartS: 0, windowEndS: full.windowEndS };
    for (const [tw, th] of [
      [40, 22],
      [full.width + 30, full.height + 17],
    ] as const) {
      const both = await decodeSheetFrames(clip, {
        ...window,
        width: full.width,
        height: full.height,
        tileWidth: tw,
        tileHeight: th,
        grayIndices: [5, 6, 999],
        rgbIndices: [5, 0],
      });
      expect(both.decoded).toBe(full.frames.length);
      expect(Buffer.from(both.gray[0]).equals(Buffer.from(full.frames[5]))).toBe(true);
      expect(Buffer.from(both.gray[1]).equals(Buffer.from(full.frames[6]))).toBe(true);
      expect(Buffer.from(both.gray[2]).equals(Buffer.from(full.frames.at(-1)!))).toBe(true);
      const rgb = await decodeFrameSelection(clip, {
        ...window,
        width: tw,
        height: th,
        indices: [5, 0],
        pixelFormat: 'rgb24',
      });
      for (let i = 0; i < 2; i++) {
        expect(both.rgb[i].length).toBe(tw * th * 3);
        let worst = 0;
        for (let k = 0; k < rgb.frames[i].length; k++)
          worst = Math.max(worst, Math.abs(both.rgb[i][k] - rgb.frames[i][k]));
        expect(worst, `tile ${tw}x${th} frame ${i}`).toBeLessThanOrEqual(4); // planar and packed RGB round differently
      }
    }
  });
});
