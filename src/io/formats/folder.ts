// Folder inputs (a recursive, sorted walk for video files) and single video file inputs.

import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ManifestError, expected } from '../../errors.js';
import type { FormatContext, FormatHandler, InputRow, InputSource, RowProblem } from '../input-types.js';
import { VIDEO_EXTENSIONS, isVideoName, messageOf, rowProblem } from './common.js';

interface Entry {
  name: string;
  /** `dev:ino` of a folder (used to skip folders already walked), null for a file. */
  dirId: string | null;
  key: string;
}

interface Frame {
  rel: string;
  entries: Entry[];
  next: number;
}

/**
 * Lists one directory: video files and subfolders, sorted by code units of `name` (+ '/' for folders), so
 * the depth-first walk yields exactly the order of sorting all relative paths. Hidden entries (names starting
 * with '.') are skipped, folders and files alike: .git, .cache, .Trash and macOS "._clip.mp4" resource forks
 * are never clips. Symlinks are followed; the walk skips a folder it has already entered (same device and
 * inode), which stops loops. A dangling symlink with a video extension is listed (the decoder reports it).
 */
async function listDir(abs: string): Promise<Entry[]> {
  const dirents = await readdir(abs, { withFileTypes: true });
  const entries: Entry[] = [];
  for (const d of dirents) {
    if (d.name.startsWith('.')) continue;
    let isDir = d.isDirectory();
    let isFile = d.isFile();
    if (d.isSymbolicLink()) {
      const target = await stat(path.join(abs, d.name)).catch(() => null);
      isDir = target?.isDirectory() ?? false;
      isFile = target === null || target.isFile();
    }
    if (isDir) {
      const st = await stat(path.join(abs, d.name)).catch(() => null);
      if (st !== null) entries.push({ name: d.name, dirId: `${st.dev}:${st.ino}`, key: `${d.name}/` });
    } else if (isFile && isVideoName(d.name)) {
      entries.push({ name: d.name, dirId: null, key: d.name });
    }
  }
  return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Depth-first walk with an explicit stack: memory holds one sorted listing per open folder, never the whole tree. */
async function* folderRows(ctx: FormatContext): AsyncGenerator<InputRow | RowProblem> {
  const root = ctx.input;
  const rootStat = await stat(root);
  const visited = new Set<string>([`${rootStat.dev}:${rootStat.ino}`]);
  const stack: Frame[] = [{ rel: '', entries: await listDir(root), next: 0 }];
  let row = 0;
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as Frame;
    const entry = top.entries[top.next++];
    if (entry === undefined) {
      stack.pop();
      continue;
    }
    const rel = top.rel === '' ? entry.name : `${top.rel}/${entry.name}`;
    if (entry.dirId !== null) {
      if (visited.has(entry.dirId)) continue;
      visited.add(entry.dirId);
      try {
        stack.push({ rel, entries: await listDir(path.join(root, rel)), next: 0 });
      } catch (err) {
        row++;
        yield rowProblem(
          row,
          'input-unreadable-folder',
          `${expected('a readable folder', `${path.join(root, rel)} (entry ${row} of ${root})`, messageOf(err))}`,
          err,
        );
      }
      continue;
    }
    row++;
    yield { row, id: rel, path: path.join(root, rel), columns: { path: rel } };
  }
}

/** A folder of videos, walked recursively. */
export const folderFormat: FormatHandler = Object.freeze({
  kind: 'folder',
  extensions: Object.freeze([]),
  async open(ctx: FormatContext): Promise<InputSource> {
    try {
      await readdir(ctx.input);
    } catch (err) {
      throw new ManifestError(
        'input-unreadable',
        expected('a readable folder', ctx.input, messageOf(err)),
        { path: ctx.input },
        { cause: err },
      );
    }
    return { kind: 'folder', input: ctx.input, rows: () => folderRows(ctx) };
  },
});

/** A single video file: one row with id = its base name. */
export const fileFormat: FormatHandler = Object.freeze({
  kind: 'file',
  extensions: Object.freeze([...VIDEO_EXTENSIONS]),
  async open(ctx: FormatContext): Promise<InputSource> {
    const st = await stat(ctx.input);
    if (!st.isFile())
      throw new ManifestError('input-not-file', expected('a video file', 'input', ctx.input), { path: ctx.input });
    async function* one(): AsyncGenerator<InputRow> {
      yield { row: 1, id: path.basename(ctx.input), path: ctx.input, columns: { path: ctx.input } };
    }
    return { kind: 'file', input: ctx.input, rows: one };
  },
});
