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
