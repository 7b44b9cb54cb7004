// File-system failures name the file, the operation and the errno, say what to do, and (where the caller
// knows) whether running the same command again resumes.

import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditError, IoError, toIoError, withRerunAdvice } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { JsonlLog } from '../../src/io/jsonl-log.js';
import { tempDir } from './tmp.js';

function errno(code: string, syscall: string, message: string, path?: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code, syscall, errno: -1, ...(path ? { path } : {}) });
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
}

describe('IoError', () => {
  it('turns Node\'s bare "ENOSPC: ..., write" into a message with the file, the operation and what to do', () => {
    const e = toIoError(
      errno('ENOSPC', 'write', 'ENOSPC: no space left on device, write'),
      'append a row to',
      '/out/clips.jsonl',
    );
    expect(e).toBeInstanceOf(IoError);
    expect((e as IoError).message).toBe(
      'Cannot append a row to /out/clips.jsonl: no space left on device (ENOSPC); the disk is full: free some space or choose another --out.',
    );
    expect((e as IoError).where.path).toBe('/out/clips.jsonl');
    expect((e as IoError).errno).toBe('ENOSPC');
  });

  it("uses Node's own path and syscall when the caller gives none, and leaves other errors alone", () => {
    const e = toIoError(
      errno('EACCES', 'open', "EACCES: permission denied, open '/out/x.json'", '/out/x.json'),
    ) as IoError;
    expect(e.message).toMatch(
      /^Cannot open \/out\/x\.json: permission denied \(EACCES\); permission denied: give this user access/,
    );
    const audit = new AuditError('corrupt', 'bad clip');
    expect(toIoError(audit, 'write', '/x')).toBe(audit);
    const plain = new Error('not a file-system error');
    expect(toIoError(plain, 'write', '/x')).toBe(plain);
    // No file known at all: stays as it was rather than naming a wrong one.
    const bare = errno('EIO', 'write', 'EIO: i/o error, write');
    expect(toIoError(bare)).toBe(bare);
  });

  it('adds what a rerun does once, and names a fallback file for a bare error', () => {
    const once = withRerunAdvice(
      errno('EIO', 'write', 'EIO: i/o error, write'),
      'Run the same command again to resume; finished clips are kept.',
      '/out',
    ) as IoError;
    expect(once).toBeInstanceOf(IoError);
    expect(once.message).toBe(
      'Cannot write /out: i/o error (EIO); the disk reported an input/output error: check the disk or the network file system.\nRun the same command again to resume; finished clips are kept.',
    );
    const twice = withRerunAdvice(once, 'something else') as IoError;
    expect(twice.message.match(/Run the same/g)).toHaveLength(1);
    expect(twice.message).not.toContain('something else');
  });
});

describe('writers name the file they failed on', () => {
  it('JsonlLog: a full disk (/dev/full) names the log and the append', async () => {
    if (!existsSync('/dev/full')) return;
    const log = await JsonlLog.open('/dev/full');
    const err = await rejection(log.append({ id: 'a' }));
    expect(err).toBeInstanceOf(IoError);
    expect((err as IoError).message).toMatch(/^Cannot append a row to \/dev\/full: no space left on device \(ENOSPC\)/);
    await log.close().catch(() => undefined);
  });

  it('writeFileAtomic: a missing folder names the target, not the temp file', async () => {
    const dir = await tempDir();
    const target = join(dir, 'gone', 'summary.json');
    const err = await rejection(writeFileAtomic(target, '{}'));
    expect(err).toBeInstanceOf(IoError);
    expect((err as IoError).message).toMatch(
      new RegExp(
        `^Cannot create a temporary file for ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no such file or directory \\(ENOENT\\)`,
      ),
    );
  });

  it('writeFileAtomic: a folder in the way of the rename names the target and leaves no temp file', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'report.html'));
    await writeFile(join(dir, 'report.html', 'keep'), 'x');
    const err = await rejection(writeFileAtomic(join(dir, 'report.html'), '<html>'));
    expect(err).toBeInstanceOf(IoError);
    expect((err as IoError).message).toContain(`Cannot rename a temporary file over ${join(dir, 'report.html')}:`);
    expect(await readdir(dir)).toEqual(['report.html']);
  });

  it('JsonlLog and writeFileAtomic in a folder without write permission say EACCES (not as root)', async () => {
    // root ignores permission bits, so this can only be seen by another user.
    if (process.getuid?.() === 0) return;
    const dir = await tempDir();
    await chmod(dir, 0o500);
    try {
      const a = await rejection(JsonlLog.open(join(dir, 'clips.jsonl')));
      expect((a as IoError).message).toMatch(/^Cannot open for appending .*clips\.jsonl: permission denied \(EACCES\)/);
      const b = await rejection(writeFileAtomic(join(dir, 'summary.json'), '{}'));
      expect((b as IoError).message).toMatch(
        /^Cannot create a temporary file for .*summary\.json: permission denied \(EACCES\)/,
      );
    } finally {
      await chmod(dir, 0o700);
    }
  });
});
