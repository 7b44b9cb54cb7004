// The error classes: every failure the tool reports names the clip or manifest row it belongs to.

/** Where an error happened: a clip path and/or a manifest row (1-based line or record number). */
export interface ErrorWhere {
  path?: string;
  row?: number;
  id?: string;
}

/** Base class: a stable `code` for machines, a message for people, and where it happened. */
export class AuditError extends Error {
  readonly code: string;
  readonly where: ErrorWhere;
  constructor(code: string, message: string, where: ErrorWhere = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.where = where;
  }
  /** Plain, structured-clone-able form (crosses worker boundaries and goes into errors.jsonl). */
  toJSON(): { name: string; code: string; message: string } & ErrorWhere {
    return { name: this.name, code: this.code, message: this.message, ...this.where };
  }
}

/** Bad arguments or options given by the user (exit code 2). */
export class UsageError extends AuditError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('usage', message, {}, options);
  }
}

/** An output folder holds rows of a scan made with another model or other settings: resuming would mix the two. */
export class RunMismatchError extends UsageError {}

/** A manifest that cannot be read, or one of its rows that is malformed. */
export class ManifestError extends AuditError {
  constructor(code: string, message: string, where: ErrorWhere = {}, options?: { cause?: unknown }) {
    super(code, message, where, options);
  }
}

/** A clip that cannot be probed or decoded (missing, empty, not a video, corrupt, too short, timeout). */
export class DecodeError extends AuditError {
  constructor(code: string, message: string, where: ErrorWhere = {}, options?: { cause?: unknown }) {
    super(code, message, where, options);
  }
}

/** A set-up problem (ffmpeg missing, unwritable output folder); the message says how to fix it. */
export class SetupError extends AuditError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('setup', message, {}, options);
  }
}

/** A model that cannot be loaded or run, or input that breaks its contract (T, F, columns); says how to fix it. */
export class ModelError extends AuditError {
  constructor(code: string, message: string, where: ErrorWhere = {}, options?: { cause?: unknown }) {
    super(code, message, where, options);
  }
}

/** Shorthand for the house message form: "Expected <what> for <name> but received <value>". */
export function expected(what: string, name: string, value: unknown): string {
  let shown: string;
  try {
    shown = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  } catch {
    shown = String(value);
  }
  if (shown.length > 120) shown = `${shown.slice(0, 117)}...`;
  return `Expected ${what} for ${name} but received ${shown}`;
}

/** What to do about a failed file operation, by errno code. */
const IO_HINTS: Record<string, string> = {
  ENOSPC: 'the disk is full: free some space or choose another --out',
  EDQUOT: 'the disk quota is used up: free some space or choose another --out',
  EFBIG: 'the file is larger than this file system allows: choose another --out',
  EACCES: 'permission denied: give this user access to it and its folder, or choose another --out',
  EPERM: 'operation not permitted: check its owner and permissions, or choose another --out',
  EROFS: 'the file system is mounted read-only: choose another --out',
  EIO: 'the disk reported an input/output error: check the disk or the network file system',
  ESTALE: 'the network file system lost the file: check the mount',
  EMFILE: 'too many open files: lower --workers or raise the limit (ulimit -n)',
  ENFILE: 'too many open files on this system: lower --workers',
  ENOENT: 'a file or folder is missing (removed while the run was writing?)',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'the path is a folder, not a file',
  ENAMETOOLONG: 'the path is too long: choose a shorter --out',
};

/** errno codes that mean a file operation failed (as opposed to a bug). */
export function isIoErrno(err: unknown): err is NodeJS.ErrnoException & { code: string } {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return (
    typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) && typeof (err as NodeJS.ErrnoException).syscall === 'string'
  );
}

/**
 * A file operation that failed (disk full, no permission, read-only file system, I/O error): names the file,
 * the operation and the errno code, says what to do about it and, where the caller knows, whether running the
 * same command again resumes (`rerun`).
 */
export class IoError extends AuditError {
  readonly errno: string;
  readonly op: string;
  readonly file: string;
  readonly rerun: string | null;
  constructor(op: string, file: string, cause: NodeJS.ErrnoException & { code: string }, rerun: string | null = null) {
    // Node's text is "ENOSPC: no space left on device, write": keep the middle part.
    const reason = cause.message.replace(/^E[A-Z0-9]+: /, '').replace(/, \w+( '.*)?$/, '');
    const hint = IO_HINTS[cause.code];
    super(
      'io',
      `Cannot ${op} ${file}: ${reason} (${cause.code})${hint ? `; ${hint}` : ''}.${rerun ? `\n${rerun}` : ''}`,
      { path: file },
      { cause },
    );
    this.errno = cause.code;
    this.op = op;
    this.file = file;
    this.rerun = rerun;
  }
  /** The same error with what running the same command again does (kept when already said). */
  withRerun(rerun: string): IoError {
    return this.rerun
      ? this
      : new IoError(this.op, this.file, this.cause as NodeJS.ErrnoException & { code: string }, rerun);
  }
  /** The same error with `rerun` in place of what it said running the command again does. */
  replacingRerun(rerun: string): IoError {
    return new IoError(this.op, this.file, this.cause as NodeJS.ErrnoException & { code: string }, rerun);
  }
}

/**
 * Turns a raw file-system error into an IoError naming `file` and `op` (Node's own path and syscall when it
 * gives them and the caller does not); other errors, AuditErrors included, come back unchanged.
 */
export function toIoError(err: unknown, op?: string, file?: string): unknown {
  if (err instanceof AuditError || !isIoErrno(err)) return err;
  const f = file ?? err.path ?? (err as { dest?: string }).dest;
  if (!f) return err;
  return new IoError(op ?? err.syscall ?? 'use', f, err);
}

/** Adds what running the same command again does to a file-system error (raw ones become IoErrors first). */
export function withRerunAdvice(err: unknown, rerun: string, fallbackFile?: string): unknown {
  const e =
    err instanceof AuditError ? err : toIoError(err, undefined, isIoErrno(err) && !err.path ? fallbackFile : undefined);
  return e instanceof IoError ? e.withRerun(rerun) : e;
}
