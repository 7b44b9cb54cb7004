// The output-folder lock: atomic creation, refusal naming the holder, safe takeover of a dead holder's lock
// (also by many processes at once), refusal with the clearing command for another host, release on exit and signals.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import {
  FolderLockedError,
  LOCK_FILE,
  judgeHolder,
  lockFolder,
  readLock,
  shellQuote,
  withFolderLock,
  type LockHolder,
} from '../../src/io/lock.js';
import { tempDir } from './tmp.js';

const LOCK_JS = new URL('../../dist/io/lock.js', import.meta.url).href;

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((r) => child.on('close', r));
  return child.pid!;
}

/** A lock file as a run that died on this machine would have left it. */
async function plantLock(dir: string, fields: Partial<LockHolder>): Promise<LockHolder> {
  const h: LockHolder = {
    pid: await deadPid(),
    host: hostname(),
    started_at: '2026-01-01T00:00:00.000Z',
    command: 'audit scan old --out x',
    nonce: 'feedfacecafebeef',
    ...fields,
  };
  await writeFile(join(dir, LOCK_FILE), `${JSON.stringify(h)}\n`);
  return h;
}

async function lockError(p: Promise<unknown>): Promise<FolderLockedError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FolderLockedError);
  return err as FolderLockedError;
}

/** Starts a node process running `code` (an ES module with the dist lock API as `L`); lines of its stdout. */
function child(
  code: string,
  env: Record<string, string>,
): { proc: ChildProcess; lines: AsyncIterator<string>; done: Promise<{ code: number | null; signal: string | null }> } {
  const proc = spawn(
    process.execPath,
    ['--input-type=module', '-e', `const L = await import(${JSON.stringify(LOCK_JS)});\n${code}`],
    { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  proc.stdin.on('error', () => undefined); // a child that lost has exited: writing to it fails with EPIPE
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  const done = new Promise<{ code: number | null; signal: string | null }>((r) =>
    proc.on('close', (c, s) => r({ code: c, signal: s })),
  );
  return { proc, lines, done };
}

describe('lockFolder', () => {
  it('creates the lock file with the holder, refuses a second taker naming it, and releases', async () => {
    const dir = await tempDir();
    const lock = await lockFolder(dir, { command: 'audit scan in --out out' });
    const onDisk = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as LockHolder;
    expect(onDisk).toMatchObject({
      pid: process.pid,
      host: hostname(),
      command: 'audit scan in --out out',
      nonce: lock.holder.nonce,
    });
    expect(Number.isNaN(Date.parse(onDisk.started_at))).toBe(false);
    expect(await readLock(dir)).toEqual(onDisk);

    const err = await lockError(lockFolder(dir, { command: 'audit decide out' }));
    expect(err.holder?.pid).toBe(process.pid);
    expect(err.message).toContain(`pid ${process.pid}`);
    expect(err.message).toContain(`host ${hostname()}`);
    expect(err.message).toContain(onDisk.started_at);
    expect(err.message).toContain('audit scan in --out out');
    expect(err.code).toBe('locked');

    await lock.release();
    await lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    expect((await readdir(dir)).filter((f) => f.startsWith('.audit'))).toEqual([]);
    await withFolderLock(dir, { command: 'again' }, async (l) => expect(l.holder.command).toBe('again'));
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('withFolderLock releases when the work throws', async () => {
    const dir = await tempDir();
    await expect(withFolderLock(dir, { command: 'x' }, async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('takes over a lock whose holder died on this machine', async () => {
    const dir = await tempDir();
    const old = await plantLock(dir, {});
    expect(judgeHolder(old).state).toBe('stale');
    const lock = await lockFolder(dir, { command: 'new' });
    const onDisk = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as LockHolder;
    expect(onDisk.nonce).toBe(lock.holder.nonce);
    expect(onDisk.pid).toBe(process.pid);
    // The takeover guard is gone again.
    expect((await readdir(dir)).sort()).toEqual([LOCK_FILE]);
    await lock.release();
  });

  it('sees a reused pid (alive, but started at another time) as a dead holder', async () => {
    if (!existsSync('/proc/self/stat')) return;
    expect(
      judgeHolder({ pid: process.pid, host: hostname(), started_at: '', command: '', nonce: 'x', proc_start: '1' })
        .state,
    ).toBe('stale');
    const mine = (await readFile('/proc/self/stat', 'utf8')).trim();
    const start = mine.slice(mine.lastIndexOf(')') + 2).split(' ')[19];
    expect(
      judgeHolder({ pid: process.pid, host: hostname(), started_at: '', command: '', nonce: 'x', proc_start: start })
        .state,
    ).toBe('alive');
  });

  it('lets exactly one of many concurrent takers in this process win a stale lock', async () => {
    const dir = await tempDir();
    await plantLock(dir, {});
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => lockFolder(dir, { command: `taker ${i}` })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(FolderLockedError);
    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof lockFolder>>>).value;
    expect((JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as LockHolder).nonce).toBe(winner.holder.nonce);
    await winner.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('lets exactly one of several processes racing for a stale lock win', async () => {
    const dir = await tempDir();
    await plantLock(dir, {});
    const n = 6;
    // Each child waits for "go" on stdin, tries once, says won/lost, and (if it won) holds until stdin closes.
    const code = `
      const rl = (await import('node:readline')).createInterface({ input: process.stdin });
      const it = rl[Symbol.asyncIterator]();
      console.log('ready');
      await it.next();
      try {
        const lock = await L.lockFolder(process.env.DIR, { command: 'racer ' + process.pid });
        console.log('won ' + lock.holder.nonce);
        await it.next();
        await lock.release();
      } catch (e) {
        console.log('lost ' + e.code);
      }
      rl.close();`;
    const kids = Array.from({ length: n }, () => child(code, { DIR: dir }));
    for (const k of kids) expect((await k.lines.next()).value).toBe('ready');
    for (const k of kids) k.proc.stdin!.write('go\n');
    const said = await Promise.all(kids.map(async (k) => (await k.lines.next()).value as string));
    const winners = said.filter((s) => s.startsWith('won '));
    expect(winners, said.join('; ')).toHaveLength(1);
    expect(said.filter((s) => s === 'lost locked')).toHaveLength(n - 1);
    expect((JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as LockHolder).nonce).toBe(winners[0].slice(4));
    for (const k of kids) k.proc.stdin!.end('done\n');
    for (const k of kids) expect((await k.done).code).toBe(0);
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes over a takeover guard left by a run that died while taking over', async () => {
    const dir = await tempDir();
    const old = await plantLock(dir, {});
    await writeFile(
      join(dir, `${LOCK_FILE}.takeover-${old.nonce}`),
      JSON.stringify({ ...old, nonce: '0123456789abcdef', command: 'died taking over' }),
    );
    const lock = await lockFolder(dir, { command: 'new' });
    expect((await readdir(dir)).sort()).toEqual([LOCK_FILE]);
    await lock.release();
  });

  it('refuses a lock taken on another host, with the command that clears it', async () => {
    const dir = await tempDir();
    await plantLock(dir, { host: 'other-node-7', pid: 4242 });
    const err = await lockError(lockFolder(dir, { command: 'new' }));
    expect(err.message).toContain('pid 4242 on host other-node-7');
    expect(err.message).toContain('cannot be told from here');
    expect(err.message).toContain(`rm ${shellQuote(join(dir, LOCK_FILE))}`);
    // Refused means untouched.
    expect((JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as LockHolder).host).toBe('other-node-7');
  });

  it('refuses a lock file that is not a lock, with the command that clears it', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, LOCK_FILE), '');
    const err = await lockError(lockFolder(dir, { command: 'new' }));
    expect(err.message).toContain('cannot be read as a lock');
    expect(err.message).toContain(`rm ${shellQuote(join(dir, LOCK_FILE))}`);
  });

  it('release leaves a lock that is no longer this one alone', async () => {
    const dir = await tempDir();
    const lock = await lockFolder(dir, { command: 'mine' });
    const other = { ...lock.holder, nonce: 'someoneelse00000' };
    await writeFile(join(dir, LOCK_FILE), JSON.stringify(other));
    await lock.release();
    expect((JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as LockHolder).nonce).toBe('someoneelse00000');
  });

  it('shell-quotes paths for the clearing command', () => {
    expect(shellQuote('/data/out/.audit.lock')).toBe('/data/out/.audit.lock');
    expect(shellQuote("/data/my out/it's")).toBe(`'/data/my out/it'\\''s'`);
  });

  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    it(`is released when the process dies of an unhandled ${sig}`, async () => {
      const dir = await tempDir();
      const k = child(
        `await L.lockFolder(process.env.DIR, { command: 'held' }); console.log('locked'); setInterval(() => {}, 1000);`,
        { DIR: dir },
      );
      expect((await k.lines.next()).value).toBe('locked');
      expect((await readLock(dir))?.pid).toBe(k.proc.pid);
      k.proc.kill(sig);
      expect((await k.done).signal).toBe(sig);
      expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    });
  }

  it('leaves a signal to a handler that stops the run gracefully (the run then releases)', async () => {
    const dir = await tempDir();
    const k = child(
      `const lock = await L.lockFolder(process.env.DIR, { command: 'held' });
       process.once('SIGINT', async () => { console.log('stopping ' + (await L.readLock(process.env.DIR) !== null)); await lock.release(); process.exitCode = 130; clearInterval(t); });
       console.log('locked'); const t = setInterval(() => {}, 1000);`,
      { DIR: dir },
    );
    expect((await k.lines.next()).value).toBe('locked');
    k.proc.kill('SIGINT');
    expect((await k.lines.next()).value).toBe('stopping true');
    expect(await k.done).toEqual({ code: 130, signal: null });
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('is released when the process exits without releasing it', async () => {
    const dir = await tempDir();
    const k = child(`await L.lockFolder(process.env.DIR, { command: 'held' }); process.exit(3);`, { DIR: dir });
    expect((await k.done).code).toBe(3);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });
});
