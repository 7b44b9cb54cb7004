// A manifest line longer than MAX_LINE_BYTES (64 MiB: a binary file, or a row with an image pasted in) is a bad row of
// its own: the readers of scan and decide read past it, with bounded memory, and go on with the rows after it.

import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { openManifest } from '../../src/decide/manifest-read.js';
import { isRowProblem, openInput } from '../../src/io/inputs.js';
import { MAX_LINE_BYTES, readLineBatches } from '../../src/io/lines.js';
import { collect, tempDir } from './tmp.js';

/** Writes `parts` to `file`; a number is that many bytes of 'x' (with no line break). */
async function writeParts(file: string, parts: readonly (string | number)[]): Promise<void> {
  const out = createWriteStream(file);
  const block = Buffer.alloc(1 << 20, 'x');
  for (const p of parts) {
    if (typeof p === 'string') {
      if (!out.write(p)) await once(out, 'drain');
      continue;
    }
    for (let left = p; left > 0; left -= block.length)
      if (!out.write(left >= block.length ? block : block.subarray(0, left))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
}

const LONG = MAX_LINE_BYTES + 1000;

describe('a line longer than MAX_LINE_BYTES', () => {
  it('is read past as a marked line, or stops the reader that asks for that (its own output files)', async () => {
    const dir = await tempDir();
    const file = join(dir, 'm.jsonl');
    await writeParts(file, ['{"path":"a.mp4"}\n', LONG, '\n{"path":"b.mp4"}\n', LONG]);
    const lines = (await collect(readLineBatches(file, undefined, 'mark'))).flat();
    expect(lines).toEqual([
      { line: 1, text: '{"path":"a.mp4"}', terminated: true },
      { line: 2, text: '', terminated: true, tooLong: LONG },
      { line: 3, text: '{"path":"b.mp4"}', terminated: true },
      { line: 4, text: '', terminated: false, tooLong: LONG },
    ]);
    await expect(collect(readLineBatches(file))).rejects.toMatchObject({
      code: 'manifest-line-too-long',
      message: expect.stringMatching(/m\.jsonl line 2 but received a longer one/),
    });
  });

  it('is a bad row of a JSONL or CSV manifest, for scan and decide alike, and the rows after it are read', async () => {
    const dir = await tempDir();
    const jsonl = join(dir, 'm.jsonl');
    await writeParts(jsonl, ['{"path":"a.mp4"}\n', LONG, '\n{"path":"b.mp4"}\n']);
    const rows = await collect((await openInput(jsonl)).rows());
    expect(rows.map((r) => [r.row, isRowProblem(r) ? r.error.code : r.id])).toEqual([
      [1, 'a.mp4'],
      [2, 'manifest-line-too-long'],
      [3, 'b.mp4'],
    ]);
    const decided = await collect((await openManifest(jsonl, 'jsonl')).records());
    expect(decided.map((r) => [r.row, r.columns?.path ?? null])).toEqual([
      [1, 'a.mp4'],
      [2, null],
      [3, 'b.mp4'],
    ]);

    // CSV: the long line ends a quoted field still open (line 3), whose lines after the first are read again
    const csv = join(dir, 'm.csv');
    await writeParts(csv, ['path,caption\na.mp4,ok\nb.mp4,"open\n', LONG, '\nc.mp4,ok\n']);
    const csvRows = await collect((await openInput(csv)).rows());
    expect(csvRows.map((r) => [r.row, isRowProblem(r) ? r.error.message : r.id])).toEqual([
      [2, 'a.mp4'],
      [3, expect.stringMatching(/m\.csv line 3 .*a quoted field is not closed before line 4/)],
      [4, expect.stringMatching(/m\.csv line 4 .*the line is longer than 67108864 bytes \(67109864\)/)],
      [5, 'c.mp4'],
    ]);
    const csvDecided = await collect((await openManifest(csv, 'csv')).records());
    expect(csvDecided.map((r) => [r.row, r.columns?.path ?? null])).toEqual([
      [2, 'a.mp4'],
      [3, null],
      [4, null],
      [5, 'c.mp4'],
    ]);
  });
});
