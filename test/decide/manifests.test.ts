// reverse-safe / excluded manifests from hand-made scan folders: formats, original columns, one row per input
// row (error rows included), spreadsheet safety, added-column collisions, and a manifest changed after the scan.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideScan, writeDecisions } from '../../src/decide/index.js';
import { openManifest, type ManifestRecord } from '../../src/decide/manifest-read.js';
import { csvLine, neutraliseCell } from '../../src/decide/manifests.js';
import { DateDay, Table, Uint64, tableToIPC, vectorFromArray } from 'apache-arrow';
import { UsageError } from '../../src/errors.js';
import { readParquetRows, writeParquet } from '../../src/io/parquet-writer.js';
import { collect, tempDir } from '../io/tmp.js';
import { clipRow, errorRow, modelColumns, writeScan } from './helpers.js';

const ADDED = ['reverse', 'label_reversed', 'caption_reversed', 'verdict', 'decision', 'confidence', 'reason'];

async function records(file: string, kind: 'csv' | 'jsonl'): Promise<{ columns: string[]; rows: ManifestRecord[] }> {
  const m = await openManifest(file, kind);
  return { columns: m.columns, rows: await collect(m.records()) };
}

describe('neutraliseCell', () => {
  it.each([
    ['=HYPERLINK("http://x")', `'=HYPERLINK("http://x")`],
    ['+44 20 7946 0000', `'+44 20 7946 0000`],
    ['-2+3', `'-2+3`],
    ['@SUM(A1)', `'@SUM(A1)`],
    ['\tcmd', `'\tcmd`],
    ['\rcmd', `'\rcmd`],
    ['-', `'-`],
    ['-3.5', '-3.5'],
    ['+2', '+2'],
    ['-1e-3', '-1e-3'],
    ['plain text', 'plain text'],
    ['a=b', 'a=b'],
    ['', ''],
  ])('%j -> %j', (cell, out) => {
    expect(neutraliseCell(cell)).toBe(out);
  });

  it('quotes cells with the delimiter, quotes or line breaks', () => {
    expect(csvLine(['a,b', 'say "hi"', 'two\nlines', null, true, 1.5], ',')).toBe(
      '"a,b","say ""hi""","two\nlines",,true,1.5\n',
    );
    expect(csvLine(['a,b', 'c\td'], '\t')).toBe('a,b\t"c\td"\n');
    // TSV keeps quotes inside a cell as they are (its readers often know no quoting); a leading quote is quoted
    expect(csvLine(['5" screen, "big"', 'two\nlines', '"q'], '\t')).toBe('5" screen, "big"\t"two\nlines"\t"""q"\n');
  });
});

describe('CSV manifest', () => {
  const CSV = [
    'path,id,label,note',
    'a.mp4,a,Opening a drawer,"=HYPERLINK(""http://evil"")"',
    'b.mp4,b,Dropping a pen,-3.5',
    'c.mp4,c,waving,+44 20 7946',
    'd.mp4,d,"multi',
    'line label",@SUM(A1)',
    'e.mp4,"bad"x,oops,1',
    'a.mp4,a,dup,2',
    'gone.mp4,gone,waving,3',
    'f.mp4,f,only three',
    '',
  ].join('\n');

  async function scanned(): Promise<{ out: string; manifest: string }> {
    const out = await tempDir();
    const manifest = join(out, 'manifest.csv');
    await writeFile(manifest, CSV);
    const input = (id: string, label: string, note: string) => ({ path: `${id}.mp4`, id, label, note });
    await writeScan(
      out,
      manifest,
      'csv',
      [
        clipRow(2, 'a', input('a', 'Opening a drawer', '=HYPERLINK("http://evil")'), modelColumns(0.05, 0.9, 0.05)),
        clipRow(3, 'b', input('b', 'Dropping a pen', '-3.5'), modelColumns(0.05, 0.05, 0.9)),
        clipRow(4, 'c', input('c', 'waving', '+44 20 7946'), modelColumns(0.9, 0.05, 0.05)),
        clipRow(5, 'd', input('d', 'multi\nline label', '@SUM(A1)'), modelColumns(0.85, 0.1, 0.05)),
      ],
      [
        errorRow(
          7,
          'manifest-bad-row',
          `Expected a well-formed CSV record for ${manifest} line 7 but received a malformed one: unexpected "x"`,
          'manifest',
        ),
        errorRow(
          8,
          'duplicate_id',
          'Row 8: id "a" already appeared at row 2; ids must be unique',
          'manifest',
          'a',
          input('a', 'dup', '2'),
        ),
        errorRow(
          9,
          'missing',
          'Expected an existing file for gone.mp4',
          'decode',
          'gone',
          input('gone', 'waving', '3'),
        ),
        errorRow(
          10,
          'manifest-bad-row',
          `Expected 4 columns for ${manifest} line 10 but received 3 columns`,
          'manifest',
        ),
      ],
    );
    return { out, manifest };
  }

  it('writes CSV with every original column in order, then the decision columns; each row in exactly one file', async () => {
    const { out, manifest } = await scanned();
    const s = await writeDecisions(out, {
      input: manifest,
      format: 'csv',
      labelColumn: 'label',
      taxonomy: 'none',
      policy: 'balanced',
    });
    expect(s.rows).toBe(8);
    expect(s.reverse_safe + s.excluded).toBe(8);
    const safe = await records(join(out, 'reverse-safe.csv'), 'csv');
    const excluded = await records(join(out, 'excluded.csv'), 'csv');
    expect(safe.columns).toEqual(['path', 'id', 'label', 'note', ...ADDED]);
    expect(excluded.columns).toEqual(safe.columns);
    expect(safe.rows.length + excluded.rows.length).toBe(8);
    expect(excluded.rows.every((r) => r.columns !== null)).toBe(true);

    const input = new Map(
      (await collect((await openManifest(manifest, 'csv')).records()))
        .filter((r) => r.columns)
        .map((r) => [`${r.columns!.id}:${r.columns!.label}`, r.columns!]),
    );
    const unneutralise = (s: string) => (/^'[=+\-@\t\r]/.test(s) ? s.slice(1) : s);
    for (const r of [...safe.rows, ...excluded.rows]) {
      const c = r.columns!;
      const original = input.get(`${c.id}:${c.label}`);
      if (!original) continue; // the rows that could not be parsed
      for (const k of ['path', 'id', 'label', 'note']) expect(unneutralise(String(c[k]))).toBe(original[k]);
    }
    const byId = (rows: ManifestRecord[], id: string) =>
      rows.filter((r) => r.columns!.id === id).map((r) => r.columns!);
    expect(byId(safe.rows, 'c')[0]).toMatchObject({
      note: "'+44 20 7946",
      decision: 'reverse_keep_label',
      reverse: 'true',
      label_reversed: 'waving',
      verdict: 'invariant',
      confidence: '0.9',
    });
    expect(byId(safe.rows, 'd')[0]).toMatchObject({ label: 'multi\nline label', note: "'@SUM(A1)" });
    expect(byId(excluded.rows, 'a')[0]).toMatchObject({
      note: `'=HYPERLINK("http://evil")`,
      decision: 'exclude',
      reverse: 'false',
      label_reversed: '',
    });
    expect(byId(excluded.rows, 'a')[0].reason).toMatch(
      /^no counterpart label: label 'Opening a drawer' is in no known taxonomy/,
    );
    expect(byId(excluded.rows, 'b')[0]).toMatchObject({
      note: '-3.5',
      verdict: 'irreversible',
      reason: 'model: irreversible 0.90',
    });
    expect(byId(excluded.rows, 'a')[1]).toMatchObject({
      label: 'dup',
      reason: expect.stringMatching(/^manifest row \(duplicate_id\): Row 8: id "a" already appeared/),
    });
    expect(byId(excluded.rows, 'gone')[0].reason).toMatch(/^decode error \(missing\)/);
    const unparsed = excluded.rows.filter((r) => r.columns!.id === '');
    expect(unparsed).toHaveLength(2);
    expect(unparsed[0].columns!.reason).toMatch(/line 7 .*; raw: e\.mp4,"bad"x,oops,1$/);
    expect(unparsed[1].columns!.reason).toMatch(/line 10 .*; raw: f\.mp4,f,only three$/);

    const raw = await readFile(join(out, 'excluded.csv'), 'utf8');
    expect(raw.split('\n')[0]).toBe(`path,id,label,note,${ADDED.join(',')}`);
    const decisions = JSON.parse(await readFile(join(out, 'decisions.json'), 'utf8'));
    expect(decisions.counts).toEqual({ reverse_keep_label: 2, reverse_swap_label: 0, exclude: 6 });
    expect(decisions.by_policy.strict.exclude).toBe(8);
    expect(decisions.by_policy.permissive.reverse_keep_label).toBe(2);
    const log = (await readFile(join(out, 'decisions.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log.map((r) => r.row)).toEqual([2, 3, 4, 5, 7, 8, 9, 10]);
    // a clip that failed keeps the label its row gives; a row that could not be read has none
    expect(log.find((r) => r.row === 9)).toMatchObject({ id: 'gone', rule: 'failed', label: 'waving' });
    expect(log.find((r) => r.row === 10)).toMatchObject({ label: null });
  });

  it('writes TSV for TSV input', async () => {
    const out = await tempDir();
    const manifest = join(out, 'list.tsv');
    await writeFile(manifest, 'id\tpath\tnote\nx\tx.mp4\t=1+1\n');
    await writeScan(out, manifest, 'csv', [
      clipRow(2, 'x', { id: 'x', path: 'x.mp4', note: '=1+1' }, modelColumns(0.9, 0.05, 0.05)),
    ]);
    await writeDecisions(out, { input: manifest, format: 'csv' });
    const text = await readFile(join(out, 'reverse-safe.tsv'), 'utf8');
    expect(text.split('\n')[0]).toBe(['id', 'path', 'note', ...ADDED].join('\t'));
    expect(text.split('\n')[1].split('\t').slice(0, 5)).toEqual(['x', 'x.mp4', "'=1+1", 'true', '']);
    expect(await readFile(join(out, 'excluded.tsv'), 'utf8')).toBe(`${['id', 'path', 'note', ...ADDED].join('\t')}\n`);
  });

  it('names a missing label or caption column and the columns there are', async () => {
    const { out, manifest } = await scanned();
    const err = await writeDecisions(out, { input: manifest, format: 'csv', labelColumn: 'labels' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(
      `Expected a column named "labels" for --label-column in ${manifest} but received the columns "path", "id", "label", "note"`,
    );
    await expect(writeDecisions(out, { input: manifest, format: 'csv', captionColumn: 'text' })).rejects.toThrow(
      /"text" for --caption-column/,
    );
  });

  it('refuses a manifest that changed since the scan', async () => {
    const { out, manifest } = await scanned();
    await writeFile(manifest, CSV.replace('c.mp4,c,waving', 'c.mp4,c2,waving'));
    await expect(writeDecisions(out, { input: manifest, format: 'csv' })).rejects.toThrow(
      /Row 4 of the manifest holds "c2".*changed since it was scanned/s,
    );
    await writeFile(manifest, `${CSV}z.mp4,z,new,4\n`);
    await expect(writeDecisions(out, { input: manifest, format: 'csv' })).rejects.toThrow(
      /Row 11 of the manifest has no result/,
    );
  });

  it('skips the rows of other shards', async () => {
    const { out, manifest } = await scanned();
    // This shard holds rows 3 and 9 only.
    const all = (await readFile(join(out, 'clips.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .filter((l) => JSON.parse(l).row === 3);
    const errs = (await readFile(join(out, 'errors.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .filter((l) => JSON.parse(l).row === 9);
    await writeFile(join(out, 'clips.jsonl'), `${all.join('\n')}\n`);
    await writeFile(join(out, 'errors.jsonl'), `${errs.join('\n')}\n`);
    const s = await writeDecisions(out, { input: manifest, format: 'csv', shard: { index: 1, count: 4 } });
    expect(s.rows).toBe(2);
    await expect(writeDecisions(out, { input: manifest, format: 'csv' })).rejects.toThrow(/has no result/);
  });

  it("with the scan's row counts, a shard notices rows added to the manifest and rows lost from its output", async () => {
    const { out, manifest } = await scanned();
    const input = (await writeDecisions(out, { input: manifest, format: 'csv' })).rows;
    const keep = async (file: string, row: number) => {
      const lines = (await readFile(join(out, file), 'utf8')).trim().split('\n');
      await writeFile(join(out, file), `${lines.filter((l) => JSON.parse(l).row === row).join('\n')}\n`);
    };
    await keep('clips.jsonl', 3);
    await keep('errors.jsonl', 9);
    const shard = { index: 1, count: 4 };
    const s = await writeDecisions(out, { input: manifest, format: 'csv', shard, rows: { input, shard: 2 } });
    expect(s.rows).toBe(2);
    // a row appended to the manifest since the scan: without the counts it would pass as a row of another shard
    await writeFile(manifest, `${CSV}z.mp4,z,new,4\n`);
    await expect(
      writeDecisions(out, { input: manifest, format: 'csv', shard, rows: { input, shard: 2 } }),
    ).rejects.toThrow(new RegExp(`The manifest has ${input + 1} rows now; the scan read ${input}.*changed since`, 's'));
    await writeFile(manifest, CSV);
    // a clip row removed from the output: its manifest row would pass as another shard's
    await keep('clips.jsonl', -1);
    await expect(
      writeDecisions(out, { input: manifest, format: 'csv', shard, rows: { input, shard: 2 } }),
    ).rejects.toThrow(/holds 0 clip rows and 1 error rows, but the scan wrote 2/);
  });
});

describe('JSONL manifest', () => {
  it('keeps each original line byte for byte and appends the decision fields; renames colliding names', async () => {
    const out = await tempDir();
    const manifest = join(out, 'captions.jsonl');
    const lines = [
      '{"path":"a.mp4","id":"a","caption":"a man opens the door","meta":{"k":[1,2.50]},"big":12345678901234567890}',
      'not json',
      '{"path":"b.mp4","id":"b","caption":"a ball falls","decision":"mine"}',
      '',
      '{}',
    ];
    await writeFile(manifest, `${lines.join('\n')}\n`);
    await writeScan(
      out,
      manifest,
      'jsonl',
      [
        clipRow(
          1,
          'a',
          { path: 'a.mp4', id: 'a', caption: 'a man opens the door', meta: '{"k":[1,2.5]}', big: 12345678901234567000 },
          modelColumns(0.9, 0.05, 0.05),
        ),
        clipRow(
          3,
          'b',
          { path: 'b.mp4', id: 'b', caption: 'a ball falls', decision: 'mine' },
          modelColumns(0.9, 0.05, 0.05),
        ),
      ],
      [
        errorRow(2, 'manifest-bad-row', `${manifest} line 2: invalid JSON: Unexpected token`, 'manifest'),
        errorRow(
          5,
          'manifest-empty-path',
          `Expected a non-empty path for column "path" of ${manifest} line 5 but received null`,
          'manifest',
        ),
      ],
    );
    const s = await writeDecisions(out, { input: manifest, format: 'jsonl', captionColumn: 'caption' });
    expect(s.rows).toBe(4);
    const safe = (await readFile(join(out, 'reverse-safe.jsonl'), 'utf8')).trim().split('\n');
    const excluded = (await readFile(join(out, 'excluded.jsonl'), 'utf8')).trim().split('\n');
    const all = [...safe, ...excluded].filter(Boolean);
    expect(all).toHaveLength(4);
    const lineA = all.find((l) => l.startsWith('{"path":"a.mp4"'))!;
    expect(lineA.startsWith(lines[0].slice(0, -1) + ',"reverse":')).toBe(true);
    const lineB = all.find((l) => l.startsWith('{"path":"b.mp4"'))!;
    expect(JSON.parse(lineB)).toMatchObject({ decision: 'mine', audit_decision: 'exclude' });
    expect(Object.keys(JSON.parse(lineB)).slice(-7)).toEqual([
      'reverse',
      'label_reversed',
      'caption_reversed',
      'verdict',
      'audit_decision',
      'confidence',
      'reason',
    ]);
    const broken = JSON.parse(all.find((l) => l.includes('invalid JSON'))!);
    expect(broken).toMatchObject({ reverse: false, audit_decision: 'exclude' });
    expect(broken.reason).toMatch(/; raw: not json$/);
    // The empty object keeps its (empty) body: the decision fields are its only keys.
    expect(all.find((l) => l.includes('manifest-empty-path'))!.startsWith('{"reverse":false,')).toBe(true);
  });
});

describe('Parquet manifest', () => {
  it('writes Parquet with the original column types, then the decision columns', async () => {
    const out = await tempDir();
    const manifest = join(out, 'corpus.parquet');
    const cols = [
      { name: 'id', type: 'string' as const },
      { name: 'path', type: 'string' as const },
      { name: 'n', type: 'int64' as const },
      { name: 'score', type: 'float64' as const },
      { name: 'ok', type: 'bool' as const },
      { name: 'label', type: 'string' as const },
    ];
    const rows = [
      { id: 'p', path: 'p.mp4', n: 1, score: -0.5, ok: true, label: '=cmd' },
      { id: 'q', path: 'q.mp4', n: 2, score: 2.25, ok: false, label: 'b' },
      { id: 'r', path: 'r.mp4', n: null, score: null, ok: null, label: null },
    ];
    await writeParquet(manifest, cols, rows);
    await writeScan(
      out,
      manifest,
      'parquet',
      [clipRow(1, 'p', rows[0], modelColumns(0.9, 0.05, 0.05)), clipRow(2, 'q', rows[1], modelColumns(0.1, 0.1, 0.8))],
      [errorRow(3, 'corrupt', 'moov atom not found', 'decode', 'r', rows[2])],
    );
    const s = await writeDecisions(out, { input: manifest, format: 'parquet' });
    expect(s.files.sort()).toEqual(['decisions.jsonl', 'excluded.parquet', 'reverse-safe.parquet']);
    const safe = await collect(readParquetRows(join(out, 'reverse-safe.parquet')));
    const excluded = await collect(readParquetRows(join(out, 'excluded.parquet')));
    expect(safe).toEqual([
      {
        ...rows[0],
        reverse: true,
        label_reversed: null,
        caption_reversed: null,
        verdict: 'invariant',
        decision: 'reverse_keep_label',
        confidence: 0.9,
        reason: 'model: invariant 0.90',
      },
    ]);
    expect(excluded.map((r) => r.id)).toEqual(['q', 'r']);
    expect(excluded[0]).toMatchObject({ n: 2, score: 2.25, ok: false, reverse: false, verdict: 'irreversible' });
    expect(Object.keys(excluded[1])).toEqual([...cols.map((c) => c.name), ...ADDED]);
    expect(excluded[1].reason).toBe('decode error (corrupt): moov atom not found');
    // Every input row once in decisions.jsonl and the counts: a Parquet-only manifest is read in one pass, not two.
    expect([s.reverse_safe, s.excluded]).toEqual([1, 2]);
    const decided = (await readFile(join(out, 'decisions.jsonl'), 'utf8')).trim().split('\n');
    expect(decided.map((l) => JSON.parse(l).id)).toEqual(['p', 'q', 'r']);
  });
});

describe('Arrow IPC manifest', () => {
  it('writes Parquet (Arrow in, Parquet out) with the original columns and types', async () => {
    const out = await tempDir();
    const manifest = join(out, 'corpus.arrow');
    await writeFile(
      manifest,
      tableToIPC(
        new Table({
          video: vectorFromArray(['u.mp4', 'v.mp4']),
          frames: vectorFromArray(Int32Array.from([10, 20])),
          weight: vectorFromArray(Float64Array.from([0.5, 1.5])),
          // kept as the user wrote them: beyond int64, a calendar day, a float32 0.1 (not 0.10000000149011612)
          big: vectorFromArray([18446744073709551615n, 7n], new Uint64()),
          day: vectorFromArray([new Date('2024-01-02'), new Date('2024-01-03')], new DateDay()),
          f32: vectorFromArray(Float32Array.from([0.1, 2.5])),
        }),
        'file',
      ),
    );
    await writeScan(
      out,
      manifest,
      'arrow',
      [
        clipRow(1, 'u.mp4', { video: 'u.mp4', frames: 10, weight: 0.5 }, modelColumns(0.05, 0.05, 0.9)),
        clipRow(2, 'v.mp4', { video: 'v.mp4', frames: 20, weight: 1.5 }, modelColumns(0.9, 0.05, 0.05)),
      ],
      [],
      { settings: { pathColumn: 'video', idColumn: 'id' } },
    );
    const s = await decideScan(out);
    expect(s.files.sort()).toEqual(['decisions.jsonl', 'excluded.parquet', 'reverse-safe.parquet']);
    expect(await collect(readParquetRows(join(out, 'reverse-safe.parquet')))).toMatchObject([
      { video: 'v.mp4', frames: 20, weight: 1.5, big: '7', day: '2024-01-03T00:00:00.000Z', f32: 2.5 },
    ]);
    expect(await collect(readParquetRows(join(out, 'excluded.parquet')))).toMatchObject([
      { video: 'u.mp4', frames: 10, weight: 0.5, decision: 'exclude', big: '18446744073709551615', f32: 0.1 },
    ]);
  });
});

describe('folder input', () => {
  it('writes CSV and Parquet with the path column', async () => {
    const out = await tempDir();
    const media = join(out, 'media');
    await import('node:fs/promises').then((fs) => fs.mkdir(media));
    await writeFile(join(media, 'a.mp4'), '');
    await writeFile(join(media, 'b.mp4'), '');
    await writeScan(
      out,
      media,
      'folder',
      [clipRow(1, 'a.mp4', { path: 'a.mp4' }, modelColumns(0.95, 0.03, 0.02))],
      [errorRow(2, 'empty', 'the file is empty', 'decode', 'b.mp4', { path: 'b.mp4' })],
    );
    const s = await decideScan(out, { policy: 'strict' });
    expect(s.policy).toBe('strict');
    expect(s.files.sort()).toEqual([
      'decisions.jsonl',
      'excluded.csv',
      'excluded.parquet',
      'reverse-safe.csv',
      'reverse-safe.parquet',
    ]);
    expect((await readFile(join(out, 'reverse-safe.csv'), 'utf8')).split('\n')[1]).toBe(
      'a.mp4,true,,,invariant,reverse_keep_label,0.95,model: invariant 0.95',
    );
    expect(await collect(readParquetRows(join(out, 'excluded.parquet')))).toMatchObject([
      { path: 'b.mp4', decision: 'exclude' },
    ]);
  });

  it('refuses a scan that did not finish', async () => {
    const out = await tempDir();
    await writeScan(out, out, 'folder', [], [], { status: 'interrupted' });
    await expect(decideScan(out)).rejects.toThrow(/is interrupted: run the same scan command again/);
  });
});
