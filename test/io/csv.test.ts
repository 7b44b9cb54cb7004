import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/errors.js';
import { isRowProblem, openInput, type InputRow, type RowProblem } from '../../src/io/inputs.js';
import { collect, tempDir } from './tmp.js';

const rowsOf = (items: (InputRow | RowProblem)[]) => items.filter((r): r is InputRow => !isRowProblem(r));
const problemsOf = (items: (InputRow | RowProblem)[]) => items.filter(isRowProblem);

describe('CSV and TSV manifests', () => {
  it('reads path, id and extra columns with quotes, commas, newlines, non-ASCII and spaces', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'sub dir'));
    const text = [
      '\ufeffpath,id,label,caption',
      'sub dir/clip one.mp4,c1,drop,"a ""quoted"", caption"',
      'vidéo/ü.mp4,c2,pour,"two',
      'lines, here"',
      '',
      '/abs/path/x.mov,,spin,plain',
      'rel.mp4,c4,,',
    ].join('\r\n');
    await writeFile(join(dir, 'm.csv'), `${text}\r\n`);
    const src = await openInput(join(dir, 'm.csv'));
    expect(src.kind).toBe('csv');
    expect(src.input).toBe(join(dir, 'm.csv'));
    const items = await collect(src.rows());
    expect(problemsOf(items)).toEqual([]);
    const rows = rowsOf(items);
    expect(rows.map((r) => r.row)).toEqual([2, 3, 6, 7]);
    expect(rows[0]).toEqual({
      row: 2,
      id: 'c1',
      path: join(dir, 'sub dir/clip one.mp4'),
      columns: { path: 'sub dir/clip one.mp4', id: 'c1', label: 'drop', caption: 'a "quoted", caption' },
    });
    expect(rows[1]?.path).toBe(join(dir, 'vidéo/ü.mp4'));
    expect(rows[1]?.columns.caption).toBe('two\nlines, here');
    // Empty id falls back to the path as written; absolute paths are kept.
    expect(rows[2]).toMatchObject({ id: '/abs/path/x.mov', path: '/abs/path/x.mov' });
    expect(rows[3]?.columns).toEqual({ path: 'rel.mp4', id: 'c4', label: '', caption: '' });
  });

  it('reads TSV with --path-column and --id-column names', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'm.TSV'), 'video\tkey\tnote\na b.mp4\tk1\tsays "hi"\n~/x.mp4\tk2\t"tab\tinside"\n');
    const src = await openInput(join(dir, 'm.TSV'), { pathColumn: 'video', idColumn: 'key' });
    const rows = rowsOf(await collect(src.rows()));
    expect(rows.map((r) => [r.id, r.path])).toEqual([
      ['k1', join(dir, 'a b.mp4')],
      ['k2', join(dir, '~/x.mp4')], // ~ is not expanded
    ]);
    expect(rows[0]?.columns.note).toBe('says "hi"');
    expect(rows[1]?.columns.note).toBe('tab\tinside');
  });

  it('throws ManifestError naming file, line 1 and existing columns when the path column is missing', async () => {
    const dir = await tempDir();
    const file = join(dir, 'm.csv');
    await writeFile(file, 'url,label\na.mp4,x\n');
    const err = await openInput(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManifestError);
    const msg = (err as ManifestError).message;
    expect(msg).toContain(file);
    expect(msg).toContain('line 1');
    expect(msg).toContain('["url","label"]');
    expect(msg).toMatch(/^Expected a column named "path" for .* but received/);
    expect((err as ManifestError).where).toMatchObject({ path: file, row: 1 });
    // The other name works.
    const ok = await openInput(file, { pathColumn: 'url' });
    expect(rowsOf(await collect(ok.rows()))[0]?.path).toBe(join(dir, 'a.mp4'));
  });

  it('reports bad quotes, wrong column counts and empty paths by line and goes on', async () => {
    const dir = await tempDir();
    const file = join(dir, 'm.csv');
    const lines = [
      'path,id,caption', // 1
      'a.mp4,1,ok', // 2
      'b.mp4,2,"bad"x', // 3: invalid closing quote
      'c.mp4,3,ok', // 4
      'd.mp4,4,bad "quote', // 5: quote inside unquoted field
      'e.mp4,5', // 6: too few columns
      ',6,no path', // 7: empty path
      '  ,7,blank path', // 8
      'f.mp4,8,"multi', // 9: bad quote on the second line of a record
      'line"oops,x', // 10
      'g.mp4,9,ok', // 11
      'h.mp4,10,"never closed', // 12
      'i.mp4,11,ok', // 13
    ];
    await writeFile(file, `${lines.join('\n')}\n`);
    const items = await collect((await openInput(file)).rows());
    expect(rowsOf(items).map((r) => r.columns.id)).toEqual(['1', '3', '9', '11']);
    expect(rowsOf(items).map((r) => r.row)).toEqual([2, 4, 11, 13]);
    const problems = problemsOf(items);
    expect(problems.map((p) => p.row)).toEqual([3, 5, 6, 7, 8, 9, 10, 12]);
    for (const p of problems) {
      expect(p.error).toBeInstanceOf(ManifestError);
      expect(p.error.message).toContain(`${file} line ${p.row}`);
      expect(p.error.where.row).toBe(p.row);
    }
    expect(problems[2]?.error.message).toContain('Expected 3 columns (path, id, caption)');
    expect(problems[3]?.error.message).toMatch(
      /Expected a non-empty path for column "path" of .* line 7 but received ""/,
    );
    expect(problems[7]?.error.message).toContain('not closed');
  });

  it('throws for a missing input, an unknown extension and bad options', async () => {
    const dir = await tempDir();
    await expect(openInput(join(dir, 'nope.csv'))).rejects.toThrow(
      /Expected an existing file or folder for input but received .*nope\.csv/,
    );
    await writeFile(join(dir, 'x.txt'), 'hi');
    await expect(openInput(join(dir, 'x.txt'))).rejects.toBeInstanceOf(ManifestError);
    await expect(openInput(join(dir, 'x.txt'), { format: 'bogus' as never })).rejects.toThrow(/format/);
    await expect(openInput(join(dir, 'x.txt'), { pathColumn: '' })).rejects.toThrow(/pathColumn/);
    await writeFile(join(dir, 'empty.csv'), '');
    await expect(openInput(join(dir, 'empty.csv'))).rejects.toThrow(/header/);
    // --format overrides the extension.
    await writeFile(join(dir, 'list.txt'), 'path\nz.mp4\n');
    const src = await openInput(join(dir, 'list.txt'), { format: 'csv' });
    expect(rowsOf(await collect(src.rows())).map((r) => r.id)).toEqual(['z.mp4']);
  });
});
