// Atomic file replacement: write a temp file in the same folder, fsync it, rename it over the target.

import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { toIoError } from '../errors.js';

/** Temp name next to `target` (same folder, so the rename cannot cross file systems). */
export function tempPathFor(target: string): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
}

/** fsyncs a folder so a rename inside it survives a crash; ignored where folders cannot be opened (Windows). */
async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Not supported on this platform or file system: the rename itself is still atomic.
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/**
 * Runs `write` on a fresh temp file next to `target`, then fsyncs, closes and renames it over `target`.
 * On any failure the temp file is removed and the error rethrown, leaving `target` untouched; a file-system
 * failure comes back as an IoError naming `target` and the step (create, write, sync, rename).
 */
export async function withAtomicFile<T>(target: string, write: (fh: FileHandle) => Promise<T>): Promise<T> {
  const temp = tempPathFor(target);
  let fh: FileHandle;
  try {
    fh = await open(temp, 'wx');
  } catch (err) {
    throw toIoError(err, 'create a temporary file for', target);
  }
  let closed = false;
  let step = 'write';
  try {
    const result = await write(fh);
    step = 'sync';
    await fh.sync();
    await fh.close();
    closed = true;
    step = 'rename a temporary file over';
    await rename(temp, target);
    await syncDir(path.dirname(target));
    return result;
  } catch (err) {
    if (!closed) await fh.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw toIoError(err, step, target);
  }
}

/** Replaces `target` with `data` atomically: temp file in the same folder + fsync + rename. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await withAtomicFile(target, async (fh) => {
    await fh.writeFile(data);
  });
}
