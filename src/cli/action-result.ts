// What a command's action hands back to runCli.

import type { FolderLock } from '../io/lock.js';

/** What an action decided: the exit code, and the lock of the folder it rewrites (released after the action). */
export interface ActionResult {
  code: number;
  folderLock?: FolderLock;
}
