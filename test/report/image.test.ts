// Pictures are written whole: encoded in memory, then put in place under their name in one rename.

import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { writeImage } from '../../src/report/image.js';
import { tempDir } from '../fixtures/cli.js';

/** A width x height RGB picture, a gradient from `seed`. */
function picture(width: number, height: number, seed: number) {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * seed) % 256;
  return { data, width, height };
}

describe('writeImage', () => {
  it('replaces an existing file whole, creates its folder, and leaves no temporary file beside it', async () => {
    const dir = await tempDir();
    const file = join(dir, 'sub', 'sheet.png');
    await writeImage(picture(40, 30, 7), file);
    await writeImage(picture(64, 48, 3), file);
    expect(await readdir(join(dir, 'sub'))).toEqual(['sheet.png']);
    const meta = await sharp(await readFile(file)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 64, 48]);
    const jpg = join(dir, 'sheet.jpg');
    await writeFile(jpg, 'an older, broken file');
    await writeImage(picture(20, 10, 5), jpg);
    expect((await sharp(await readFile(jpg)).metadata()).format).toBe('jpeg');
  });

  it('two writers of one file at once leave one whole picture', async () => {
    const dir = await tempDir();
    const file = join(dir, 'race.png');
    await Promise.all([writeImage(picture(300, 200, 3), file), writeImage(picture(310, 210, 5), file)]);
    const meta = await sharp(await readFile(file)).metadata();
    expect([300, 310]).toContain(meta.width);
    expect(await readdir(dir)).toEqual(['race.png']);
  });
});
