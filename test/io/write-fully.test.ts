// writeFully continues a write that stops short (a disk filling part-way) and fails with ENOSPC when nothing more goes in.

import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFully } from '../../src/io/write-fully.js';

/** A file handle into `into` that takes at most `most` bytes a write, and none once `room` bytes are used. */
function shortWrites(into: Uint8Array, most: number, room = Number.POSITIVE_INFINITY) {
  const calls: (number | null)[] = [];
  let used = 0;
  let cursor = 0;
  const fh = {
    async write(buf: Uint8Array, offset: number, length: number, position: number | null) {
      calls.push(position);
      const n = Math.max(0, Math.min(most, length, room - used));
      const at = position ?? cursor;
      into.set(buf.subarray(offset, offset + n), at);
      used += n;
      if (position === null) cursor += n;
      return { bytesWritten: n, buffer: buf };
    },
  };
  return { fh: fh as unknown as FileHandle, calls };
}

describe('writeFully', () => {
  it('continues short writes at the right place, with and without a position', async () => {
    const bytes = Uint8Array.from({ length: 10 }, (_, i) => i + 1);
    const at = new Uint8Array(16);
    const a = shortWrites(at, 3);
    await writeFully(a.fh, bytes, 4);
    expect([...at.subarray(4, 14)]).toEqual([...bytes]);
    expect(a.calls).toEqual([4, 7, 10, 13]);
    const seq = new Uint8Array(10);
    const b = shortWrites(seq, 4);
    await writeFully(b.fh, bytes);
    expect([...seq]).toEqual([...bytes]);
    expect(b.calls).toEqual([null, null, null]);
  });

  it('fails with ENOSPC when a write takes nothing', async () => {
    const { fh } = shortWrites(new Uint8Array(16), 4, 6);
    await expect(writeFully(fh, new Uint8Array(10), 0)).rejects.toMatchObject({ code: 'ENOSPC' });
  });

  it('writes a real file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'write-fully-'));
    try {
      const fh = await open(join(dir, 'f'), 'w');
      await writeFully(fh, Buffer.from('world'), 6);
      await writeFully(fh, Buffer.from('hello '), 0);
      await fh.close();
      expect(await readFile(join(dir, 'f'), 'utf8')).toBe('hello world');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
