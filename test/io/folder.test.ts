import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRowProblem, openInput, VIDEO_EXTENSIONS, type InputRow } from '../../src/io/inputs.js';
import { collect, tempDir } from './tmp.js';

async function touch(root: string, rel: string): Promise<void> {
  await mkdir(join(root, rel, '..'), { recursive: true });
  await writeFile(join(root, rel), '');
}

describe('folder and single-file inputs', () => {
  it('walks recursively in stable sorted order, filters extensions case-insensitively, skips hidden entries', async () => {
    const root = await tempDir();
    const files = [
      'b.mp4',
      'a/z.MOV',
      'a/b/c.mkv',
      'a-b.webm',
      'a.b/x.ts',
      'A.MP4',
      'sp ace/é clip.m2ts',
      'notes.txt',
      'a/readme.md',
      'a/cover.jpg',
      '.hidden/h.mp4',
      'a/.trash/t.mp4',
      '._b.mp4',
      'noext',
    ];
    for (const f of files) await touch(root, f);
    await symlink(root, join(root, 'a', 'loop')); // a folder loop must not be walked twice
    const src = await openInput(root);
    expect(src.kind).toBe('folder');
    const rows = (await collect(src.rows())) as InputRow[];
    const ids = rows.map((r) => r.id);
    expect(ids).toEqual(['A.MP4', 'a-b.webm', 'a.b/x.ts', 'a/b/c.mkv', 'a/z.MOV', 'b.mp4', 'sp ace/é clip.m2ts']);
    expect([...ids].sort()).toEqual(ids); // same order as sorting the relative paths
    expect(rows.map((r) => r.row)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(rows[3]).toEqual({ row: 4, id: 'a/b/c.mkv', path: join(root, 'a/b/c.mkv'), columns: { path: 'a/b/c.mkv' } });
    // Stable: a second walk gives the same rows.
    expect(await collect((await openInput(root)).rows())).toEqual(rows);
  });

  it('follows a symlinked folder, but walks a folder reached twice only once', async () => {
    const root = await tempDir();
    const other = await tempDir();
    await touch(other, 'x.mp4');
    await touch(root, 'real/y.mp4');
    await symlink(other, join(root, 'linked'));
    await symlink(join(root, 'real'), join(root, 'zz-again'));
    const rows = await collect((await openInput(root)).rows());
    expect(rows.map((r) => (isRowProblem(r) ? 'problem' : r.id))).toEqual(['linked/x.mp4', 'real/y.mp4']);
  });

  it('opens a single video file as one row with its base name as id', async () => {
    const dir = await tempDir();
    await touch(dir, 'My Clip.MKV');
    const src = await openInput(join(dir, 'My Clip.MKV'));
    expect(src.kind).toBe('file');
    expect(await collect(src.rows())).toEqual([
      { row: 1, id: 'My Clip.MKV', path: join(dir, 'My Clip.MKV'), columns: { path: join(dir, 'My Clip.MKV') } },
    ]);
    expect(VIDEO_EXTENSIONS.has('.m2ts')).toBe(true);
  });
});
