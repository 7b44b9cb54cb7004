// Writing report pictures: the format follows the file name (PNG, or JPEG at quality 80). Only report/ uses sharp.

import { mkdir } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import sharp from 'sharp';
import { UsageError, expected } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';

/** An 8-bit RGB picture, row-major. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** JPEG quality of report pictures: small files, no visible blocking at contact-sheet sizes. */
export const JPEG_QUALITY = 80;

/** The picture format `file` asks for by its extension; throws UsageError for anything but .png, .jpg, .jpeg. */
export function imageFormat(file: string): 'png' | 'jpeg' {
  const ext = extname(file).toLowerCase();
  if (ext === '.png') return 'png';
  if (ext === '.jpg' || ext === '.jpeg') return 'jpeg';
  throw new UsageError(expected('a file name ending in .png, .jpg or .jpeg', 'the picture file', file));
}

/** Writes `image` to `file` (PNG or JPEG by extension), creating its folder. */
export async function writeImage(image: RgbImage, file: string): Promise<void> {
  const format = imageFormat(file);
  await mkdir(dirname(file), { recursive: true });
  const s = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  // Encoded in memory, then written whole under a temporary name and renamed: a killed run or a second writer of the
  // same file (two `audit inspect --png` runs) never leaves a half-written picture.
  const bytes = await (format === 'png' ? s.png() : s.jpeg({ quality: JPEG_QUALITY })).toBuffer();
  await writeFileAtomic(file, bytes);
}

/** Rasterises an SVG document (its width/height attributes give the pixel size) to RGB over `background`. */
export async function rasteriseSvg(svg: string, background = '#ffffff'): Promise<RgbImage> {
  const { data, info } = await sharp(Buffer.from(svg))
    .flatten({ background })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/** Draws SVG text (or any SVG of the image's size) over an RGB image. */
export async function overlaySvg(image: RgbImage, svg: string): Promise<RgbImage> {
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .composite([{ input: Buffer.from(svg), left: 0, top: 0 }])
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/** Stacks pictures top to bottom on one canvas as wide as the widest (narrower ones left-aligned on `fill`). */
export function stackImages(
  images: readonly RgbImage[],
  fill: readonly [number, number, number] = [17, 17, 17],
): RgbImage {
  const width = Math.max(...images.map((i) => i.width));
  const height = images.reduce((s, i) => s + i.height, 0);
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) data.set(fill, p * 3);
  let top = 0;
  for (const img of images) {
    for (let y = 0; y < img.height; y++)
      data.set(img.data.subarray(y * img.width * 3, (y + 1) * img.width * 3), (top + y) * width * 3);
    top += img.height;
  }
  return { data, width, height };
}
