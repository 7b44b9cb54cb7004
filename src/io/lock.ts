// One lock per output folder: a second run on a folder in use stops at once, naming the run that holds it.
//
// The lock is `<dir>/.audit.lock`, a JSON file created atomically (written under a temp name, then
// hard-linked into place, which fails when the name exists; O_EXCL open where links are not supported).
// A lock whose holder died on this machine (its pid is gone, a zombie, or now another process) is taken
// over; two processes taking over one stale lock at once are serialised by a second lock named after the
// stale lock's nonce, so exactly one of them wins. A lock held from another host (or another pid namespace,
// or before a reboot) cannot be judged from here: the run is refused with the command that clears it.

import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync, unlinkSync } from 'node:fs';
import { type FileHandle, link, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { AuditError, toIoError } from '../errors.js';

export const LOCK_FILE = '.audit.lock';

/** What a lock file holds: who took it, where and when. */
export interface LockHolder {
  pid: number;
  host: string;
  started_at: string;
  /** The command that holds the folder, as the caller described it (e.g. `audit scan clips/ --out out/a`). */
  command: string;
  /** Unique per acquisition: a release or a takeover only touches the lock it read. */
  nonce: string;
  /** Linux: /proc/sys/kernel/random/boot_id (a reboot ends every holder). */
  boot_id?: string;
  /** Linux: the pid namespace (containers sharing a folder may have equal host names but separate pids). */
  pid_ns?: string;
  /** Linux: the holder's start time in clock ticks after boot (/proc/<pid>/stat field 22), against pid reuse. */
  proc_start?: string;
}

/** The folder is in use by another run (or its lock cannot be judged from here); exit code 1. */
export class FolderLockedError extends AuditError {
  constructor(
    message: string,
    readonly dir: string,
    readonly holder: LockHolder | null,
  ) {
    super('locked', message, { path: path.join(dir, LOCK_FILE) });
  }
}

/** A held lock; `release` is idempotent and only removes the file while it is still this lock. */
export interface FolderLock {
  readonly dir: string;
  readonly file: string;
  readonly holder: LockHolder;
  release(): Promise<void>;
}

export interface LockOptions {
  /** How the holding run is shown to a second run (`audit scan in/ --out out/`). */
  command: string;
}

/** Shell-quotes a path for a command the user can paste. */
export function shellQuote(p: string): string {
  return /^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Start time of `pid` in clock ticks after boot, from /proc (undefined off Linux or when it is gone). */
function procStat(pid: number): { start: string; state: string } | undefined {
  const text = readText(`/proc/${pid}/stat`);
  if (!text) return undefined;
  // Fields after the command name, which is in parentheses and may itself hold spaces or ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0] ?? '', start: rest[19] ?? '' };
}

let machine: Pick<LockHolder, 'host' | 'boot_id' | 'pid_ns'> | undefined;
function thisMachine(): Pick<LockHolder, 'host' | 'boot_id' | 'pid_ns'> {
  if (!machine) {
    let pidNs: string | undefined;
    try {
      pidNs = readlinkSync('/proc/self/ns/pid');
    } catch {
      pidNs = undefined;
    }
    machine = { host: hostname(), boot_id: readText('/proc/sys/kernel/random/boot_id'), pid_ns: pidNs };
  }
  return machine;
}

function newHolder(command: string): LockHolder {
  const m = thisMachine();
  const h: LockHolder = {
    pid: process.pid,
    host: m.host,
    started_at: new Date().toISOString(),
    command,
    nonce: randomBytes(8).toString('hex'),
  };
  if (m.boot_id) h.boot_id = m.boot_id;
  if (m.pid_ns) h.pid_ns = m.pid_ns;
  const ps = procStat(process.pid);
  if (ps?.start) h.proc_start = ps.start;
  return h;
}

/** How a lock found on disk stands, seen from this process. */
export type LockState = { state: 'alive' } | { state: 'stale'; why: string } | { state: 'foreign'; why: string };

/** Judges a holder: alive (refuse), stale (its process is gone from this machine: take over) or foreign (refuse, cannot tell). */
export function judgeHolder(h: LockHolder): LockState {
  const m = thisMachine();
  if (h.host !== m.host) return { state: 'foreign', why: `it was taken on host ${h.host} and this is ${m.host}` };
  if (h.boot_id && m.boot_id && h.boot_id !== m.boot_id)
    return {
      state: 'foreign',
      why: `it was taken before this host last booted (or in a container with its own boot id)`,
    };
  if (h.pid_ns && m.pid_ns && h.pid_ns !== m.pid_ns)
    return { state: 'foreign', why: `it was taken in another pid namespace (another container on this host)` };
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH')
      return { state: 'stale', why: `process ${h.pid} is no longer running` };
    // EPERM: the process exists but belongs to another user; it is alive.
  }
  const ps = procStat(h.pid);
  if (ps?.state === 'Z') return { state: 'stale', why: `process ${h.pid} has exited (a zombie)` };
  if (ps && h.proc_start && ps.start && ps.start !== h.proc_start)
    return { state: 'stale', why: `process ${h.pid} is gone (the pid now belongs to another process)` };
  return { state: 'alive' };
}

function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on host ${h.host}, started ${h.started_at}, command: ${h.command}`;
}

function parseHolder(text: string): LockHolder | null {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.nonce === 'string') {
      return { started_at: '?', command: '?', ...v } as LockHolder;
    }
  } catch {
    // fall through
  }
  return null;
}

/** Reads the lock file: its holder, null when there is none, or 'unreadable' for a file that is not a lock. */
async function readHolderFile(file: string): Promise<LockHolder | null | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return parseHolder(text) ?? 'unreadable';
}

/** The holder of `dir`'s lock, or null when the folder is not locked (or its lock file is not readable as one). */
export async function readLock(dir: string): Promise<LockHolder | null> {
  const h = await readHolderFile(path.join(path.resolve(dir), LOCK_FILE));
  return h === 'unreadable' ? null : h;
}

const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/** Creates `file` holding `text` if no file of that name exists; false when one does. The file is never seen half-written. */
async function createExclusive(file: string, text: string): Promise<boolean> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, text, { flag: 'wx' }).catch(async (err: unknown) => {
    await unlink(temp).catch(() => undefined);
    throw toIoError(err, 'write the lock file', file);
  });
  try {
    await link(temp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return false;
    if (!LINK_UNSUPPORTED.has(code)) throw toIoError(err, 'create the lock file', file);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  // No hard links on this file system: O_EXCL create, then write (a reader may briefly see it empty).
  let fh: FileHandle;
  try {
    fh = await open(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw toIoError(err, 'create the lock file', file);
  }
  try {
    await fh.writeFile(text);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(file).catch(() => undefined);
    throw toIoError(err, 'write the lock file', file);
  }
  await fh.close();
  return true;
}

/** Atomically replaces `file` with `text` (temp + rename). */
async function replaceFile(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, { flag: 'wx' });
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw toIoError(err, 'replace the stale lock file', file);
  }
}

/** Depth of nested takeovers (each needs a process to die inside the previous takeover) before giving up. */
const MAX_TAKEOVER_DEPTH = 3;
const MAX_ATTEMPTS = 20;

function clearCommand(file: string): string {
  return `rm ${shellQuote(file)}`;
}

/**
 * Takes `file` for `holder`: creates it, or takes it over from a holder that died on this machine.
 * Throws FolderLockedError when a live (or unjudgeable) holder has it. `dir` is only used in messages.
 */
async function take(file: string, holder: LockHolder, dir: string, depth: number): Promise<void> {
  const text = `${JSON.stringify(holder)}\n`;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (await createExclusive(file, text)) return;
    const current = await readHolderFile(file);
    if (current === null) continue; // released between our create and our read: try again
    if (current === 'unreadable') {
      throw new FolderLockedError(
        `${dir} is locked by ${file}, which cannot be read as a lock (empty or damaged).\nIf no audit run uses this folder, clear it with:\n  ${clearCommand(file)}\nand run this command again.`,
        dir,
        null,
      );
    }
    const judged = judgeHolder(current);
    if (judged.state === 'alive') {
      throw new FolderLockedError(
        `${dir} is in use by another audit run (${describeHolder(current)}).\nWait for it to finish or stop it, then run this command again.`,
        dir,
        current,
      );
    }
    if (judged.state === 'foreign') {
      throw new FolderLockedError(
        `${dir} is locked by ${describeHolder(current)}; ${judged.why}, so whether that run still goes cannot be told from here.\nIf it has stopped (on ${current.host}: ps -p ${current.pid}), clear the lock with:\n  ${clearCommand(file)}\nand run this command again.`,
        dir,
        current,
      );
    }
    // Stale on this machine: whoever holds `<file>.takeover-<nonce>` may replace this generation of the lock.
    if (depth >= MAX_TAKEOVER_DEPTH) {
      throw new FolderLockedError(
        `${dir}: taking over the stale lock ${file} failed repeatedly (runs died while taking it over).\nIf no audit run uses this folder, clear it with:\n  rm -f ${shellQuote(file)} ${shellQuote(file)}.takeover-*\nand run this command again.`,
        dir,
        current,
      );
    }
    const guard = `${file}.takeover-${current.nonce}`;
    await take(guard, { ...holder, nonce: randomBytes(8).toString('hex') }, dir, depth + 1);
    try {
      const again = await readHolderFile(file);
      // Generations never repeat (nonces are unique), so seeing the same nonce means nobody replaced it yet;
      // only the holder of the guard may, and that is us.
      if (again !== null && again !== 'unreadable' && again.nonce === current.nonce) {
        await replaceFile(file, text);
        return;
      }
    } finally {
      await unlink(guard).catch(() => undefined);
    }
  }
  throw new FolderLockedError(
    `${dir}: the lock ${file} kept changing hands while this run tried to take it; run this command again.`,
    dir,
    null,
  );
}

// Locks this process holds, released synchronously on exit and on a signal nobody else handles.
const held = new Map<string, LockHolder>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function releaseSync(file: string, nonce: string): void {
  try {
    const h = parseHolder(readFileSync(file, 'utf8'));
    if (h?.nonce === nonce) unlinkSync(file);
  } catch {
    // Already gone (or unreadable): nothing of ours to remove.
  }
}

function releaseAllSync(): void {
  for (const [file, h] of held) releaseSync(file, h.nonce);
  held.clear();
}

function onSignal(sig: NodeJS.Signals): void {
  // Another handler (withInterrupt around a scan) stops the run gracefully and the run releases its lock.
  if (process.listenerCount(sig) > 1) return;
  // Nobody else handles it: the process would die here. Release, then die of the same signal.
  releaseAllSync();
  uninstall();
  process.kill(process.pid, sig);
}

const handlers = new Map<NodeJS.Signals, () => void>();
function install(): void {
  if (handlers.size) return;
  for (const sig of SIGNALS) {
    const h = () => onSignal(sig);
    handlers.set(sig, h);
    // Prepended, so it runs before a once-listener (withInterrupt) removes itself and can still see it.
    process.prependListener(sig, h);
  }
  process.on('exit', releaseAllSync);
}
function uninstall(): void {
  for (const [sig, h] of handlers) process.off(sig, h);
  handlers.clear();
  process.off('exit', releaseAllSync);
}

/**
 * Locks the output folder `dir` (which must exist) for this process, or throws FolderLockedError naming the
 * run that holds it. Release with `release()` (in a finally); a process exit or an unhandled SIGINT/SIGTERM/
 * SIGHUP also releases it. A lock left by a run that died on this machine is taken over.
 * @example
 * const lock = await lockFolder('out/a', { command: 'audit scan clips/ --out out/a' });
 * try { ... } finally { await lock.release(); }
 */
export async function lockFolder(dir: string, options: LockOptions): Promise<FolderLock> {
  const abs = path.resolve(dir);
  const st = await stat(abs);
  if (!st.isDirectory())
    throw new AuditError('not_a_folder', `Expected a folder to lock but ${abs} is not one`, { path: abs });
  const file = path.join(abs, LOCK_FILE);
  const holder = newHolder(options.command);
  await take(file, holder, abs, 0);
  held.set(file, holder);
  install();
  let released = false;
  return {
    dir: abs,
    file,
    holder,
    async release() {
      if (released) return;
      released = true;
      held.delete(file);
      if (!held.size) uninstall();
      const h = await readHolderFile(file).catch(() => null);
      if (h !== null && h !== 'unreadable' && h.nonce === holder.nonce) await unlink(file).catch(() => undefined);
    },
  };
}

/** Runs `fn` holding the lock of `dir`; released however `fn` ends. */
export async function withFolderLock<T>(
  dir: string,
  options: LockOptions,
  fn: (lock: FolderLock) => Promise<T>,
): Promise<T> {
  const lock = await lockFolder(dir, options);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}
