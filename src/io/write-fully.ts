// Writes a whole buffer to a file handle: a write that stops short (the disk filled part-way) is continued.

import type { FileHandle } from 'node:fs/promises';

/**
 * Writes all of `bytes` at `position` (null: at the file's current position, which each write advances). A write can
 * stop short without an error when the disk fills part-way through it; the rest is written again, so the failure
 * surfaces as ENOSPC instead of a file that is silently cut.
 */
export async function writeFully(fh: FileHandle, bytes: Uint8Array, position: number | null = null): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const at = position === null ? null : position + done;
    const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, at);
    if (bytesWritten <= 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    done += bytesWritten;
  }
}
