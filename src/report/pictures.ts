// Pictures for the gallery items: a contact sheet per clip (cached in report/) and its cue curves as inline SVG.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { renderContactSheet } from './contact-sheet.js';
import { cueCurvesSvg } from './curves.js';
import { readClipSeries } from '../outputs/series-file.js';
import type { GalleryItem } from './types.js';

type Row = Record<string, unknown>;

/** The folder beside report.html that holds the contact sheets. */
export const PICTURES_DIR = 'report';
const SHEET_WIDTH = 600;
const SHEET_FRAMES = 6;
const SHEET_NAME = /^sheet-[0-9a-f]{16}\.jpg$/;

/** Options of {@link addPictures}. */
export interface PictureOptions {
  /** Contact sheets rendered at the same time [8]: their decodes share one ffmpeg (see contact-sheet.ts). */
  concurrency?: number;
  /** Skip contact sheets (curves only), e.g. for a quick look [false]. */
  noSheets?: boolean;
}

async function sheetName(row: Row): Promise<string> {
  const path = String(row.path ?? '');
  const st = await stat(path).catch(() => null);
  const key = JSON.stringify([
    path,
    st?.size ?? null,
    st?.mtimeMs ?? null,
    row.window_start_s ?? null,
    row.window_end_s ?? null,
    SHEET_FRAMES,
    SHEET_WIDTH,
  ]);
  return `sheet-${createHash('sha1').update(key).digest('hex').slice(0, 16)}.jpg`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function sheetFor(outDir: string, row: Row): Promise<{ src: string; width: number; height: number }> {
  const name = await sheetName(row);
  const file = join(outDir, PICTURES_DIR, name);
  if (existsSync(file)) {
    // Rendered by an earlier report of the same clip and window: reuse it.
    const meta = await sharp(file).metadata();
    if (meta.width && meta.height) return { src: `${PICTURES_DIR}/${name}`, width: meta.width, height: meta.height };
  }
  const ws = typeof row.window_start_s === 'number' ? row.window_start_s : undefined;
  const we = typeof row.window_end_s === 'number' ? row.window_end_s : undefined;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  // The scan's own analysis facts: no probe, and one decode per sheet.
  const analysis = { fps: num(row.analysis_fps), width: num(row.analysis_width), height: num(row.analysis_height) };
  const r = await renderContactSheet({
    path: String(row.path ?? ''),
    outFile: file,
    windowStartS: ws,
    windowEndS: we,
    frames: SHEET_FRAMES,
    width: SHEET_WIDTH,
    analysis,
  });
  return { src: `${PICTURES_DIR}/${name}`, width: r.width, height: r.height };
}

async function curvesFor(scanDir: string, row: Row): Promise<string> {
  const series = await readClipSeries(scanDir, row);
  const fps = typeof row.analysis_fps === 'number' && row.analysis_fps > 0 ? row.analysis_fps : undefined;
  const startS = typeof row.window_start_s === 'number' ? row.window_start_s : undefined;
  return cueCurvesSvg(series, { fps, startS, width: SHEET_WIDTH, height: 330 });
}

/**
 * Fills in `image` and `curvesSvg` of each gallery item from its scan row, writing contact sheets to
 * `outDir/report/` (reused when the clip and window did not change; stale sheets are removed). A clip whose
 * picture fails keeps a note saying why; the failures are counted in the returned list of problems.
 */
export async function addPictures(
  outDir: string,
  scanDir: string | null,
  itemRows: Map<GalleryItem, Row>,
  opts: PictureOptions = {},
): Promise<string[]> {
  const problems: string[] = [];
  await mkdir(join(outDir, PICTURES_DIR), { recursive: true });
  const byClip = new Map<
    string,
    Promise<{ image: GalleryItem['image']; curves: string | null; note: string | null }>
  >();
  const queue: Array<() => Promise<void>> = [];
  const work = (row: Row) => {
    // Rows repeating a clip (same file, window and series) share one picture.
    const key = JSON.stringify([row.path, row.window_start_s, row.window_end_s, row.series_file, row.series_offset]);
    let p = byClip.get(key);
    if (!p) {
      p = new Promise((resolve) => {
        queue.push(async () => {
          const notes: string[] = [];
          let image: GalleryItem['image'] = null;
          let curves: string | null = null;
          if (!opts.noSheets) {
            try {
              image = await sheetFor(outDir, row);
            } catch (err) {
              notes.push(`no contact sheet: ${message(err)}`);
            }
          }
          if (scanDir) {
            try {
              curves = await curvesFor(scanDir, row);
            } catch (err) {
              notes.push(`no cue curves: ${message(err)}`);
            }
          }
          resolve({ image, curves, note: notes.length ? notes.join('; ') : null });
        });
      });
      byClip.set(key, p);
    }
    return p;
  };
  const pending = [...itemRows].map(async ([item, row]) => {
    const r = await work(row);
    item.image = r.image;
    item.curvesSvg = r.curves;
    item.note = r.note;
  });
  const workers = Array.from({ length: Math.max(1, opts.concurrency ?? 8) }, async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await job();
  });
  await Promise.all([...workers, ...pending]);
  const failed = [...itemRows.keys()].filter((i) => i.note);
  if (failed.length)
    problems.push(`${failed.length} gallery clips have no contact sheet or curves (each says why under its picture).`);
  const used = new Set([...itemRows.keys()].map((i) => i.image?.src.slice(PICTURES_DIR.length + 1)).filter(Boolean));
  for (const f of await readdir(join(outDir, PICTURES_DIR)))
    if (SHEET_NAME.test(f) && !used.has(f)) await rm(join(outDir, PICTURES_DIR, f), { force: true });
  return problems;
}
