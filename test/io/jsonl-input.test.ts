import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/errors.js';
import { isRowProblem, openInput, type InputRow } from '../../src/io/inputs.js';
import { collect, tempDir } from './tmp.js';

describe('JSONL manifests', () => {
  it('reads rows, keeps primitives, turns nested values into JSON text and reports broken lines', async () => {
    const dir = await tempDir();
    const file = join(dir, 'm.ndjson');
    const lines = [
      JSON.stringify({
        path: 'a b/ç.mp4',
        id: 'x1',
        label: 'drop',
        score: 0.5,
        ok: true,
        none: null,
        tags: ['a', 'b'],
        meta: { k: 1 },
      }),
      '',
      '{"path": "b.mp4", "id": 7', // 3: broken
      '[1, 2]', // 4: not an object
      JSON.stringify({ path: '/abs/c.mp4', caption: 'line\nbreak, "quoted"' }), // 5
      JSON.stringify({ id: 'no-path' }), // 6
      JSON.stringify({ path: 42 }), // 7: wrong type
      JSON.stringify({ path: 'd.mp4', id: 9 }), // 8: numeric id
    ];
    await writeFile(file, `${lines.join('\n')}\n`);
    const src = await openInput(file);
    expect(src.kind).toBe('jsonl');
    const items = await collect(src.rows());
    expect(items.map((r) => r.row)).toEqual([1, 3, 4, 5, 6, 7, 8]);
    const rows = items.filter((r): r is InputRow => !isRowProblem(r));
    expect(rows[0]).toEqual({
      row: 1,
      id: 'x1',
      path: join(dir, 'a b/ç.mp4'),
      columns: {
        path: 'a b/ç.mp4',
        id: 'x1',
        label: 'drop',
        score: 0.5,
        ok: true,
        none: null,
        tags: '["a","b"]',
        meta: '{"k":1}',
      },
    });
    expect(rows[1]).toMatchObject({
      row: 5,
      id: '/abs/c.mp4',
      path: '/abs/c.mp4',
      columns: { caption: 'line\nbreak, "quoted"' },
    });
    expect(rows[2]).toMatchObject({ row: 8, id: '9' });
    const problems = items.filter(isRowProblem);
    expect(problems[0]?.error.message).toMatch(
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line 3: invalid JSON: `),
    );
    expect(problems[1]?.error.message).toContain('Expected a JSON object for');
    expect(problems[2]?.error.message).toMatch(
      /Expected a non-empty path for column "path" of .*line 6 but received null/,
    );
    expect(problems[3]?.error.message).toMatch(/Expected a path string .*line 7 but received 42/);
    for (const p of problems) expect(p.error).toBeInstanceOf(ManifestError);
  });

  it('throws at open when the first object lacks the path column, naming the line and its keys', async () => {
    const dir = await tempDir();
    const file = join(dir, 'm.jsonl');
    await writeFile(file, '\n{broken\n{"url": "a.mp4", "label": "x"}\n');
    await expect(openInput(file)).rejects.toThrow(
      /Expected a column named "path" for .*m\.jsonl line 3 but received \["url","label"\]/,
    );
    const rows = await collect((await openInput(file, { pathColumn: 'url' })).rows());
    expect(rows.map((r) => r.row)).toEqual([2, 3]);
  });
});

describe('numbers in manifest JSON', () => {
  it('keep integers beyond 2^53 exact (as their text), so two 64-bit ids stay two rows', async () => {
    const { parseJsonExact } = await import('../../src/io/json-exact.js');
    expect(
      parseJsonExact('{"id": 12345678901234567891, "n": 3, "x": 0.12345678901234567, "big": -9007199254740993}'),
    ).toEqual({
      id: '12345678901234567891',
      n: 3,
      x: Number('0.12345678901234567'),
      big: '-9007199254740993',
    });
    expect(parseJsonExact('[9007199254740991]')).toEqual([9007199254740991]);
    // a key given twice keeps its last value, as JSON.parse does, on the exact path too
    expect(parseJsonExact('{"id": 12345678901234567891, "a": 1, "a": 2}')).toEqual({
      id: '12345678901234567891',
      a: 2,
    });
    expect(() => parseJsonExact('{"id": 12345678901234567891,')).toThrow(SyntaxError);
    const dir = await tempDir();
    const file = join(dir, 'ids.jsonl');
    await writeFile(
      file,
      '{"id": 12345678901234567891, "path": "a.mp4"}\n{"id": 12345678901234567892, "path": "b.mp4"}\n',
    );
    const rows = (await collect((await openInput(file)).rows())).filter((r): r is InputRow => !isRowProblem(r));
    expect(rows.map((r) => r.id)).toEqual(['12345678901234567891', '12345678901234567892']);
  });
});

describe('segment columns of a JSONL manifest', () => {
  it('are looked for in the first objects, not the first alone (a writer may leave out a null end)', async () => {
    const dir = await tempDir();
    const file = join(dir, 'seg.jsonl');
    await writeFile(file, '{"path": "a.mp4", "s": 2}\n{"path": "b.mp4", "s": 0, "e": 1}\n');
    const rows = await collect((await openInput(file, { startColumn: 's', endColumn: 'e' })).rows());
    expect(rows.map((r) => (isRowProblem(r) ? r.error.message : r.id))).toEqual(['a.mp4#2-end', 'b.mp4#0-1']);
    await expect(openInput(file, { startColumn: 's', endColumn: 'stop' })).rejects.toThrow(
      /a column named "stop" \(--end-column\) for .*seg\.jsonl lines 1-2/,
    );
  });
});
