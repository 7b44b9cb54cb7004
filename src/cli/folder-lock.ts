// The lock of the folder `audit decide` and `audit report` rewrite (scan, physics and merge lock in the library).

import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { toIoError, withRerunAdvice } from '../errors.js';
import { lockFolder, type FolderLock } from '../io/lock.js';

/** Commands that rewrite files inside the scan folder given as their first argument. */
const FOLDER_COMMANDS = new Set(['decide', 'report']);

/** What running decide or report again does after a failure. */
export const REWRITE_ADVICE =
  'Run the same command again once the problem is fixed: it writes its files anew from the scan folder.';

/**
 * Locks the folder of a `decide` or `report` command before it runs (a scan or another decide on it stops
 * the command with exit 1); undefined for other commands or a folder that does not exist (the command
 * itself then says so).
 */
export async function lockCommandFolder(action: Command): Promise<FolderLock | undefined> {
  const dir = action.args[0];
  if (!FOLDER_COMMANDS.has(action.name()) || !dir) return undefined;
  const abs = resolve(dir);
  if (
    !(await stat(abs).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  )
    return undefined;
  return lockFolder(abs, { command: `audit ${action.name()} ${dir}` });
}

/** The error a command ended with, a raw file-system error named, with the rerun advice of a locked command. */
export function commandError(err: unknown, lock: FolderLock | undefined): unknown {
  return lock ? withRerunAdvice(err, REWRITE_ADVICE, lock.dir) : toIoError(err);
}
