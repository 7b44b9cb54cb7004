// Contact sheets: a clip's frames forwards, the same frames reversed, and its residual (object) motion as a heat map.

import { BatchQueue, decodeSheets } from '../decode/batch.js';
import { DEFAULT_DECODE_OPTIONS, analysisSize, planDecode } from '../decode/frames.js';
import { probeClip } from '../decode/probe.js';
import { UsageError, expected } from '../errors.js';
import { isRemoteClip, openRemoteClip } from '../io/remote-clip.js';
import { DisFlow, type DisPresetName } from '../flow/dis.js';
import { imageFormat, overlaySvg, writeImage, type RgbImage } from './image.js';
import { HEAT_FULL_SPEED, heatColour, heatOverlay, residualSpeedMap } from './residual-map.js';
import { escapeXml, formatNumber } from './svg.js';

/** What to draw. Only `path` is required (and `outFile` for {@link renderContactSheet}). */
export interface ContactSheetOptions {
  /** The video file. */
  path: string;
  /** Where the picture goes: .png, or .jpg/.jpeg (quality 80). */
  outFile: string;
  /** The analysed window, seconds from the clip's start (a scan row's window_start_s / window_end_s); default the scan's window policy. */
  windowStartS?: number;
  windowEndS?: number;
  /** Frames per row, evenly spaced over the window (default 6). */
  frames?: number;
  /** Width of the whole sheet in pixels (default 960); the height follows from the clip's aspect. */
  width?: number;
  /** Analysis rate and short side for the residual motion (defaults 24 and 96, as scan). */
  fps?: number;
  shortSide?: number;
  /** Optical flow preset for the residual motion (default 'ultrafast', as scan). */
  flowPreset?: DisPresetName;
  /** Per-decode time limit in ms (default 60000). */
  timeoutMs?: number;
  /**
   * The scan's analysis of the clip (a clips.jsonl row's analysis_fps, analysis_width, analysis_height), with the
   * window: the clip then needs no probe (one ffmpeg start per sheet instead of two).
   */
  analysis?: { fps: number; width: number; height: number };
}

/** A rendered sheet in memory, with the clip time (s) of each column's frame. */
export interface ContactSheetImage extends RgbImage {
  times: number[];
  layout: ContactSheetLayout;
}

export const CONTACT_SHEET_DEFAULTS = Object.freeze({ frames: 6, width: 960 });

const PAD = 6;
const GAP = 4;
const BAND = 22;
const BACKGROUND: readonly [number, number, number] = [17, 17, 17];
/** The three rows, top to bottom. */
export const CONTACT_SHEET_ROWS = Object.freeze(['forwards', 'reversed', 'residual motion'] as const);

function positiveInt(value: number, name: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new UsageError(expected(`an integer from ${min} to ${max}`, name, value));
  return value;
}

/** Analysis-grid frame indices of the N sampled frames: the centres of N equal parts of M frames, each with a successor. */
export function sampleIndices(totalFrames: number, n: number): number[] {
  const m = Math.max(2, totalFrames);
  return Array.from({ length: n }, (_, i) => Math.min(m - 2, Math.floor(((i + 0.5) * m) / n)));
}

/** Where things sit on a sheet: tile size, each row's top edge (its label band) and the tiles' offsets. */
export interface ContactSheetLayout {
  tileW: number;
  tileH: number;
  /** Top edge of each row's label band; the row's tiles start `band` px lower. */
  rowTop: number[];
  band: number;
  /** Left edge of tile i is pad + i * (tileW + gap). */
  pad: number;
  gap: number;
  height: number;
}

/** The layout of a sheet `width` px wide with `n` frames per row for a clip of display aspect `aspect` (width / height). */
export function contactSheetLayout(width: number, n: number, aspect: number): ContactSheetLayout {
  const tileW = Math.floor((width - 2 * PAD - (n - 1) * GAP) / n);
  if (tileW < 16)
    throw new UsageError(
      expected(`a width of at least ${2 * PAD + (n - 1) * GAP + 16 * n} px for ${n} frames per row`, 'width', width),
    );
  const tileH = Math.max(2, Math.round(tileW / aspect));
  const rowTop = [0, 1, 2].map((r) => PAD + r * (BAND + tileH + GAP));
  return { tileW, tileH, rowTop, band: BAND, pad: PAD, gap: GAP, height: rowTop[2] + BAND + tileH + PAD };
}

function labelsSvg(width: number, height: number, geo: ContactSheetLayout, times: number[]): string {
  const parts: string[] = [];
  const text = (x: number, y: number, s: string, attrs = '', size = 13): string =>
    `<text x="${x}" y="${y}" font-family="DejaVu Sans, Arial, sans-serif" font-size="${size}" fill="#eeeeee"${attrs}>${escapeXml(s)}</text>`;
  const n = times.length;
  CONTACT_SHEET_ROWS.forEach((label, r) => {
    const top = geo.rowTop[r];
    parts.push(text(PAD, top + 16, label, ' font-weight="bold"'));
    const order = r === 1 ? [...times].reverse() : times;
    order.forEach((t, i) => {
      const x = PAD + i * (geo.tileW + GAP);
      const y = top + BAND + geo.tileH;
      const s = `${t.toFixed(2)} s`;
      parts.push(
        `<rect x="${x}" y="${y - 15}" width="${s.length * 7 + 6}" height="15" fill="#000000" fill-opacity="0.6"/>`,
      );
      parts.push(
        `<text x="${x + 3}" y="${y - 4}" font-family="DejaVu Sans, Arial, sans-serif" font-size="11" fill="#ffffff">${escapeXml(s)}</text>`,
      );
    });
    if (r === 0 && n > 1) parts.push(text(width - PAD, top + 16, 'time →', ' text-anchor="end" fill-opacity="0.7"'));
    if (r === 1 && n > 1) parts.push(text(width - PAD, top + 16, 'time ←', ' text-anchor="end" fill-opacity="0.7"'));
  });
  // Legend of the heat map: a ramp from the moving threshold to HEAT_FULL_SPEED.
  const top = geo.rowTop[2];
  // Narrow sheets have no room beside the row label for the legend.
  if (width < 420)
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
  const barW = 120;
  const barX = width - PAD - barW;
  for (let k = 0; k < 24; k++) {
    const [cr, cg, cb] = heatColour(k / 23);
    parts.push(
      `<rect x="${(barX + (k * barW) / 24).toFixed(1)}" y="${top + 6}" width="${(barW / 24 + 0.5).toFixed(1)}" height="11" fill="rgb(${cr},${cg},${cb})"/>`,
    );
  }
  const legend =
    width >= 720
      ? `object speed after the camera fit: moving … ≥${formatNumber(HEAT_FULL_SPEED)} short side/s`
      : `moving … ≥${formatNumber(HEAT_FULL_SPEED)} short side/s`;
  parts.push(text(barX - 6, top + 16, legend, ' text-anchor="end"', 11));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
}

function blit(
  canvas: Uint8Array,
  canvasW: number,
  tile: Uint8Array,
  tileW: number,
  tileH: number,
  left: number,
  top: number,
): void {
  for (let y = 0; y < tileH; y++)
    canvas.set(tile.subarray(y * tileW * 3, (y + 1) * tileW * 3), ((top + y) * canvasW + left) * 3);
}

/** How the sheet's frames are decoded: analysis rate and size and the default window, and the display aspect. */
interface SheetPlan {
  plan: { fps: number; width: number; height: number; windowStartS: number; windowEndS: number };
  aspect: number;
}

/** The decode plan: what the scan measured when `options.analysis` and the window are given, else from a probe. */
async function sheetPlan(options: Omit<ContactSheetOptions, 'outFile'>, timeoutMs: number): Promise<SheetPlan> {
  const known = options.analysis;
  const fromScan =
    known !== undefined &&
    known.fps > 0 &&
    known.width > 0 &&
    known.height > 0 &&
    options.windowStartS !== undefined &&
    options.windowEndS !== undefined;
  if (fromScan) {
    // What the scan measured: no probe (an ffprobe start per clip) is needed.
    return {
      plan: {
        fps: known.fps,
        width: known.width,
        height: known.height,
        windowStartS: options.windowStartS!,
        windowEndS: options.windowEndS!,
      },
      aspect: known.width / known.height,
    };
  }
  const probe = await probeClip(options.path, timeoutMs);
  const plan = planDecode(probe, {
    ...DEFAULT_DECODE_OPTIONS,
    shortSide: options.shortSide ?? DEFAULT_DECODE_OPTIONS.shortSide,
    fps: options.fps ?? DEFAULT_DECODE_OPTIONS.fps,
    timeoutMs,
  });
  const display = analysisSize(probe, 1000);
  return { plan, aspect: display.width / display.height };
}

/**
 * The sheet's pixels without labels: on the background, row 1 the tiles forwards, row 2 reversed, row 3 each
 * tile dimmed with the residual motion from its pair of gray analysis frames (2i, 2i + 1).
 */
function paintSheet(
  decoded: { rgb: Uint8Array[]; gray: Uint8Array[] },
  n: number,
  width: number,
  geo: ContactSheetLayout,
  plan: SheetPlan['plan'],
  flowPreset: DisPresetName | undefined,
): Uint8Array {
  const rgb = { frames: decoded.rgb };
  const gray = { frames: decoded.gray };
  const dis = new DisFlow(flowPreset ?? 'ultrafast');
  const asGray = (f: Uint8Array) => ({ width: plan.width, height: plan.height, data: f });

  const data = new Uint8Array(width * geo.height * 3);
  for (let p = 0; p < width * geo.height; p++) data.set(BACKGROUND, p * 3);
  for (let i = 0; i < n; i++) {
    const left = PAD + i * (geo.tileW + GAP);
    const frame = rgb.frames[i];
    blit(data, width, frame, geo.tileW, geo.tileH, left, geo.rowTop[0] + BAND);
    blit(data, width, rgb.frames[n - 1 - i], geo.tileW, geo.tileH, left, geo.rowTop[1] + BAND);
    const map = residualSpeedMap(asGray(gray.frames[2 * i]), asGray(gray.frames[2 * i + 1]), plan.fps, dis);
    blit(data, width, heatOverlay(frame, geo.tileW, geo.tileH, map), geo.tileW, geo.tileH, left, geo.rowTop[2] + BAND);
  }
  return data;
}

/**
 * Sheets decoded together: the report asks for several at once (pictures.ts), each batch of 4 one ffmpeg start, two
 * batches at a time so that decoding keeps a core busy while this thread paints (a 500-clip report, 24 sheets: 2.4 s
 * -> 1.8 s; one batch of 8 at a time 1.9-2.0 s).
 */
const sheetQueue = new BatchQueue(4, decodeSheets, 5, 2);

/**
 * Renders a contact sheet in memory: row 1 `frames` frames evenly spaced over the analysis window, forwards;
 * row 2 the same frames in reverse order; row 3 each frame dimmed with its object motion (optical flow to
 * the next analysis frame minus the fitted camera motion, the scan's own flow and camera code on its gray
 * analysis frames) as a heat map. Labels and frame times are SVG text composited by sharp.
 * @throws DecodeError for a clip that is missing, unreadable or too short; UsageError for bad options.
 */
export async function contactSheetImage(options: Omit<ContactSheetOptions, 'outFile'>): Promise<ContactSheetImage> {
  // Clips in object storage, on the web or in WebDataset shards are read by byte range over loopback, as scan reads them.
  if (isRemoteClip(options.path)) {
    const remote = await openRemoteClip(options.path);
    try {
      return await contactSheetImage({ ...options, path: remote.url });
    } catch (err) {
      throw remote.explain(err);
    } finally {
      remote.close();
    }
  }
  const n = positiveInt(options.frames ?? CONTACT_SHEET_DEFAULTS.frames, 'frames', 1, 32);
  const width = positiveInt(options.width ?? CONTACT_SHEET_DEFAULTS.width, 'width', 64, 8192);
  const timeoutMs = options.timeoutMs ?? DEFAULT_DECODE_OPTIONS.timeoutMs;
  const { plan, aspect } = await sheetPlan(options, timeoutMs);
  const start = options.windowStartS ?? plan.windowStartS;
  const end = options.windowEndS ?? plan.windowEndS;
  if (!(start >= 0) || !(end > start))
    throw new UsageError(expected('0 <= windowStartS < windowEndS', 'window', `${start}..${end}`));
  const total = Math.max(2, Math.round((end - start) * plan.fps));
  const picks = sampleIndices(total, n);
  const geo = contactSheetLayout(width, n, aspect);
  const window = { fps: plan.fps, windowStartS: start, windowEndS: end, timeoutMs };
  const pairs = picks.flatMap((k) => [k, k + 1]);

  // One decode: the pictures at tile size and the gray analysis frames for the motion, from one filter graph; sheets
  // asked for together share one ffmpeg.
  const { value: decoded } = await sheetQueue.ask({
    path: options.path,
    sel: {
      ...window,
      width: plan.width,
      height: plan.height,
      tileWidth: geo.tileW,
      tileHeight: geo.tileH,
      grayIndices: pairs,
      rgbIndices: picks,
    },
  });
  const data = paintSheet(decoded, n, width, geo, plan, options.flowPreset);
  const times = picks.map((k) => start + k / plan.fps);
  const image = await overlaySvg({ data, width, height: geo.height }, labelsSvg(width, geo.height, geo, times));
  return { ...image, times, layout: geo };
}

/**
 * Renders a clip's contact sheet (see {@link contactSheetImage}) to `outFile`: PNG, or JPEG at quality 80,
 * by extension.
 * @example
 * await renderContactSheet({ path: 'samples/drop.mp4', outFile: 'out/drop.jpg', windowStartS: 0, windowEndS: 3 });
 * // row 1 forwards, row 2 reversed, row 3 residual motion; 960 px wide, 6 frames per row
 */
export async function renderContactSheet(
  options: ContactSheetOptions,
): Promise<{ file: string; width: number; height: number }> {
  imageFormat(options.outFile);
  const image = await contactSheetImage(options);
  await writeImage(image, options.outFile);
  return { file: options.outFile, width: image.width, height: image.height };
}
