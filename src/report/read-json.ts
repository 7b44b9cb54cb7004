// The small JSON files of an output folder (summary.json, cues.json, decisions.json), read with errors that name them.

import { readFile } from 'node:fs/promises';
import { AuditError, ManifestError, toIoError } from '../errors.js';

type Row = Record<string, unknown>;

function corrupt(file: string, what: string, cause?: unknown): ManifestError {
  return new ManifestError(
    'scan-output-corrupt',
    `Expected a JSON object in ${file} but ${what}: was it edited or cut short?\nPossible solutions:\n  - run the command that wrote it again (audit scan, audit physics or audit decide with the same --out)\n  - restore the file from a copy`,
    { path: file },
    cause === undefined ? undefined : { cause },
  );
}

/**
 * The JSON object in `file`, or null when there is no such file. A file that does not parse, or holds something
 * other than an object, throws ManifestError `scan-output-corrupt` naming the file and what is wrong with it.
 */
export async function readJsonObject(file: string): Promise<Row | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw toIoError(err, 'read', file);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw corrupt(file, `it does not parse (${(err as Error).message})`, err);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw corrupt(file, `it holds ${Array.isArray(v) ? 'an array' : v === null ? 'null' : `a ${typeof v}`}`);
  return v as Row;
}

/**
 * Like {@link readJsonObject}, for a file the report can do without: when it cannot be read, a note naming the
 * file, the problem and the part of the page left out goes to `notes`, and the result is null.
 */
export async function readOptionalJsonObject(file: string, notes: string[], leftOut: string): Promise<Row | null> {
  try {
    return await readJsonObject(file);
  } catch (err) {
    if (!(err instanceof AuditError)) throw err;
    notes.push(`${err.message.split('\n')[0]} The report leaves out ${leftOut}.`);
    return null;
  }
}
