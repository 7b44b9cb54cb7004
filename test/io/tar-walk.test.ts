// The tar walker on archives cut short: a cut in the last member's padding loses nothing; a cut in its data is an error.

import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileReader, streamReader, tarMembers, type SeqReader } from '../../src/io/tar-walk.js';
import { tempDir } from './tmp.js';
import { writeShard } from './wds-fixtures.js';

async function names(reader: SeqReader): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const m of tarMembers(reader)) out.push(`${m.name}:${m.size}`);
  } finally {
    await reader.close();
  }
  return out;
}

describe('tarMembers on an archive cut short', () => {
  it('keeps a last member whose padding is cut, and refuses one whose data is cut', async () => {
    const dir = await tempDir();
    const file = join(dir, 'whole.tar');
    await writeShard(file, [
      { name: 'a.json', data: '{"x":1}' },
      { name: 'a.mp4', data: Buffer.alloc(1000, 7) },
    ]);
    const whole = await readFile(file);
    // headers and padded data: 512 + 512 (a.json), then 512 + 1000 bytes of a.mp4 and 24 of padding
    const endOfData = 512 + 512 + 512 + 1000;
    const cutPadding = join(dir, 'padding.tar');
    await writeFile(cutPadding, whole.subarray(0, endOfData + 10));
    const cutData = join(dir, 'data.tar');
    await writeFile(cutData, whole.subarray(0, endOfData - 10));
    for (const open of [fileReader, async (f: string) => streamReader(createReadStream(f))]) {
      expect(await names(await open(cutPadding))).toEqual(['a.json:7', 'a.mp4:1000']);
      await expect(names(await open(cutData))).rejects.toThrow(
        /ends inside member a\.mp4 \(its 1000 bytes are not all there\)/,
      );
    }
  });
});
