// A scan whose output folder cannot be written any more (read-only file system as root, no permission
// otherwise) stops with exit 1, naming the file, the operation and the errno, and says that a rerun resumes.

import { spawnSync } from 'node:child_process';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { runCliProcess, tempDir } from '../fixtures/cli.js';

const DROP = fileURLToPath(new URL('../../samples/drop.mp4', import.meta.url));

function mount(args: string[]): boolean {
  return spawnSync('mount', args, { stdio: 'ignore' }).status === 0;
}

describe('an output folder that cannot be written', () => {
  it('a finished scan on a file system made read-only (root) or without permission (other users): exit 1, file, operation, errno, rerun resumes', async (ctx) => {
    const dir = await tempDir();
    const root = process.getuid?.() === 0;
    // root ignores permission bits: it needs a file system that is read-only, here a tmpfs remounted ro.
    if (root && !mount(['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir])) return ctx.skip();
    const out = join(dir, 'out');
    try {
      await mkdir(out);
      const args = ['scan', DROP, '--out', out, '--model', 'none', '--no-report', '-q'];
      const first = await runCliProcess(args);
      expect(first.code, first.stderr).toBe(EXIT.OK);
      const clips = await readFile(join(out, 'clips.jsonl'), 'utf8');
      if (root) expect(mount(['-o', 'remount,ro', dir])).toBe(true);
      else await chmod(out, 0o500);
      const again = await runCliProcess(args);
      expect(again.code).toBe(EXIT.FAILURE);
      const lock = join(out, '.audit.lock');
      expect(again.stderr).toMatch(
        root
          ? new RegExp(
              `^audit: Cannot write the lock file ${lock.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: read-only file system \\(EROFS\\); the file system is mounted read-only: choose another --out\\.`,
            )
          : new RegExp(
              `^audit: Cannot write the lock file ${lock.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: permission denied \\(EACCES\\)`,
            ),
      );
      expect(again.stderr).toContain('\nRun the same command again to resume; finished clips are kept.');
      // Nothing was lost.
      expect(await readFile(join(out, 'clips.jsonl'), 'utf8')).toBe(clips);
    } finally {
      if (root) spawnSync('umount', [dir]);
      else await chmod(out, 0o700).catch(() => undefined);
    }
  });
});
