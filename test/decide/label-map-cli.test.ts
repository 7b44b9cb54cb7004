// Labels the tool does not know, through the CLI on hand-made scan folders: a label column that matches no taxonomy
// is warned about on stderr, in decisions.json (with the match rate of each taxonomy) and in the report; a real
// --label-map CSV file becomes the taxonomy of `audit decide` (and is kept for the next decide); a bad map exits 2
// naming its file and line before anything is written, on decide and on scan.

import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openManifest } from '../../src/decide/manifest-read.js';
import { collectReportData, renderReport } from '../../src/report/index.js';
import { sceneClip } from '../fixtures/clips.js';
import { runCliInProcess } from '../fixtures/cli.js';
import { collect, tempDir } from '../io/tmp.js';
import { clipRow, modelColumns, writeScan } from './helpers.js';

const run = runCliInProcess;

afterEach(() => vi.restoreAllMocks());

/** A lab's own label vocabulary: no SSv2 template or Jester gesture fits any of them. */
const ROWS: Array<[id: string, label: string, model: [number, number, number]]> = [
  ['a', 'open jar', [0.05, 0.9, 0.05]],
  ['b', 'close jar', [0.05, 0.9, 0.05]],
  ['c', 'stir soup', [0.9, 0.05, 0.05]],
  ['d', 'crack egg', [0.9, 0.05, 0.05]],
  ['e', 'wipe table', [0.9, 0.05, 0.05]],
];

const MAP = [
  'label,verdict,counterpart,reason',
  'open jar,equivariant,close jar,',
  'close jar,equivariant,open jar,',
  'stir soup,invariant,,',
  'crack egg,irreversible,,the shell breaks',
  '',
].join('\n');

/** A finished scan of ROWS from a CSV manifest (no decisions yet; a CSV row is numbered by its line); returns the folder and the manifest. */
async function labScan(): Promise<{ out: string; manifest: string; dir: string }> {
  const dir = await tempDir();
  const manifest = join(dir, 'lab.csv');
  await writeFile(manifest, ['path,id,label', ...ROWS.map(([id, label]) => `${id}.mp4,${id},${label}`), ''].join('\n'));
  const out = join(dir, 'out');
  await mkdir(out);
  await writeScan(
    out,
    manifest,
    'csv',
    ROWS.map(([id, label, p], k) => clipRow(k + 2, id, { path: `${id}.mp4`, id, label }, modelColumns(...p))),
  );
  return { out, manifest, dir };
}

async function decided(out: string): Promise<Map<string, Record<string, unknown>>> {
  const rows = [];
  for (const f of ['reverse-safe.csv', 'excluded.csv'])
    rows.push(...(await collect((await openManifest(join(out, f), 'csv')).records())));
  return new Map(rows.map((r) => [String(r.columns!.id), r.columns!]));
}

describe('a label column that matches no taxonomy', () => {
  it('warns on stderr, in decisions.json with the rate of every taxonomy, and in the report', async () => {
    const { out } = await labScan();
    const r = await run(['decide', out, '--label-column', 'label']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^warning: no taxonomy matches the labels of column "label" \(ssv2 0 %, jester 0 %\), so they were not used as classes: .*--label-map FILE/m,
    );
    const d = JSON.parse(await readFile(join(out, 'decisions.json'), 'utf8'));
    expect(d.taxonomy).toBeNull();
    expect(d.label_match).toEqual({ labelled: 5, matched: 0, rate: 0 });
    expect(d.warnings).toEqual([
      expect.objectContaining({
        code: 'labels_unmatched',
        label_column: 'label',
        taxonomy: null,
        labelled_rows: 5,
        matched_rows: 0,
        match_rate: 0,
        match_rates: { ssv2: 0, jester: 0 },
        threshold: 0.5,
      }),
    ]);
    // summary.json's decisions block is the one `audit scan` writes: the warnings whole, the evidence and the rules
    const block = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')).decisions;
    expect(block.warnings).toEqual([d.warnings[0]]);
    expect(block).toMatchObject({ evidence: d.evidence, by_rule: d.by_rule });

    const { data } = await collectReportData(out, { galleries: 0 });
    expect(data.notes[0]).toBe(`Decisions warning: ${d.warnings[0].message}`);
    expect(data.decisionFacts['label match']).toBe('ssv2 0 %, jester 0 %');
    const html = renderReport(data);
    expect(html).toContain('Decisions warning: no taxonomy matches the labels of column &quot;label&quot;');
    expect(html).toContain('<dt>decisions: label match</dt><dd>ssv2 0 %, jester 0 %</dd>');
  });

  it('warns under an explicit taxonomy too, naming how many labels it knew', async () => {
    const { out } = await labScan();
    const r = await run(['decide', out, '--label-column', 'label', '--taxonomy', 'jester', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /warning: only 0 of 5 labels of column "label" \(0 %\) are in the jester taxonomy \(ssv2 0 %, jester 0 %\)/,
    );
    expect(JSON.parse(r.stdout).warnings[0]).toMatchObject({ taxonomy: 'jester', match_rates: { ssv2: 0, jester: 0 } });
  });

  it('says nothing when most labels match, or when no taxonomy was asked for', async () => {
    const { out, manifest } = await labScan();
    await writeFile(
      manifest,
      [
        'path,id,label',
        'a.mp4,a,Opening a jar',
        'b.mp4,b,Closing a jar',
        'c.mp4,c,Stirring soup',
        'd.mp4,d,Holding an egg',
        'e.mp4,e,Wiping off a table',
        '',
      ].join('\n'),
    );
    const labels = ['Opening a jar', 'Closing a jar', 'Stirring soup', 'Holding an egg', 'Wiping off a table'];
    await writeScan(
      out,
      manifest,
      'csv',
      ROWS.map(([id, , p], k) => clipRow(k + 2, id, { path: `${id}.mp4`, id, label: labels[k] }, modelColumns(...p))),
    );
    const ssv2 = await run(['decide', out, '--label-column', 'label']);
    expect(ssv2.stderr).not.toContain('warning');
    const d = JSON.parse(await readFile(join(out, 'decisions.json'), 'utf8'));
    expect(d).toMatchObject({ taxonomy: 'ssv2', warnings: [] });
    expect(d.label_match.matched).toBeGreaterThanOrEqual(3);
    const none = await run(['decide', out, '--taxonomy', 'none']);
    expect(none.stderr).not.toContain('warning');
  });
});

describe('--label-map', () => {
  it('is the taxonomy of audit decide: verdicts and counterparts from the CSV file, kept for the next decide', async () => {
    const { out, dir } = await labScan();
    const map = join(dir, 'lab-map.csv');
    await writeFile(map, MAP);
    const r = await run(['decide', out, '--label-column', 'label', '--label-map', map]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('; taxonomy label-map)');
    const d = JSON.parse(await readFile(join(out, 'decisions.json'), 'utf8'));
    expect(d).toMatchObject({
      taxonomy: 'label-map',
      settings: { labelColumn: 'label', labelMap: map },
      label_map: { file: map, labels: 4 },
      label_match: { labelled: 5, matched: 4, rate: 0.8 },
      warnings: [],
    });
    const rows = await decided(out);
    expect(rows.get('a')).toMatchObject({
      decision: 'reverse_swap_label',
      label_reversed: 'close jar',
      reason: expect.stringMatching(/^class 'open jar' pairs with 'close jar'/),
    });
    expect(rows.get('b')).toMatchObject({ decision: 'reverse_swap_label', label_reversed: 'open jar' });
    expect(rows.get('c')).toMatchObject({ decision: 'reverse_keep_label', label_reversed: 'stir soup' });
    expect(rows.get('d')).toMatchObject({
      decision: 'exclude',
      reason: expect.stringMatching(/^class 'crack egg' is irreversible/),
    });
    // Not in the map: silent under balanced, as an unknown SSv2 label would be.
    expect(rows.get('e')).toMatchObject({ decision: 'reverse_keep_label' });

    // The next decide keeps the map (strict excludes the label the map does not know) ...
    const strict = await run(['decide', out, '--policy', 'strict']);
    expect(strict.code).toBe(0);
    expect(JSON.parse(await readFile(join(out, 'decisions.json'), 'utf8'))).toMatchObject({
      taxonomy: 'label-map',
      settings: { labelMap: map },
    });
    expect((await decided(out)).get('e')).toMatchObject({
      decision: 'exclude',
      reason: expect.stringContaining("label 'wipe table' is in no known taxonomy"),
    });
    // A map broken since the last decide: exit 2, naming the line and where the map came from.
    await writeFile(join(dir, 'lab-map.csv'), 'label,verdict,counterpart\nopen jar,sometimes,\n');
    const gone = await run(['decide', out]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain(`${map} line 2: label "open jar" has the verdict "sometimes"`);
    expect(gone.stderr).toContain(
      `(the label map is the one of the last decision step in ${out}: give --label-map FILE, or --no-label-map to use none)`,
    );
    // ... until --no-label-map: back to the built-in taxonomies, and the warning.
    const off = await run(['decide', out, '--no-label-map']);
    expect(off.code).toBe(0);
    expect(off.stderr).toMatch(/^warning: no taxonomy matches/m);
    expect(JSON.parse(await readFile(join(out, 'decisions.json'), 'utf8'))).toMatchObject({
      taxonomy: null,
      settings: { labelMap: null },
    });
  });

  it('warns when the map knows less than half of the labels', async () => {
    const { out, dir } = await labScan();
    const map = join(dir, 'small-map.csv');
    await writeFile(map, 'label,verdict,counterpart\nstir soup,invariant,\n');
    const r = await run(['decide', out, '--label-column', 'label', '--label-map', map]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /warning: only 1 of 5 labels of column "label" \(20 %\) are in the label map \(label-map 20 %\)/,
    );
  });

  it('a bad map exits 2 naming the file and line, before anything is written', async () => {
    const { out, dir } = await labScan();
    await run(['decide', out, '--label-column', 'label']);
    const before = await stat(join(out, 'decisions.json'));
    const bad = join(dir, 'bad-map.csv');
    await writeFile(
      bad,
      'label,verdict,counterpart\nopen jar,equivariant,close jar\nclose jar,equivariant,\ncrack egg,broken,\n',
    );
    const r = await run(['decide', out, '--label-column', 'label', '--label-map', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`The label map ${bad} has 2 bad rows`);
    expect(r.stderr).toContain(`${bad} line 3: label "close jar" is equivariant but has no counterpart`);
    expect(r.stderr).toContain(`${bad} line 4: label "crack egg" has the verdict "broken"`);
    expect((await stat(join(out, 'decisions.json'))).mtimeMs).toBe(before.mtimeMs);
    expect(await run(['decide', out, '--label-map', join(dir, 'nowhere.csv')])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/readable CSV file for --label-map.*nowhere\.csv.*ENOENT/),
    });
  });

  it('is a usage error with --taxonomy ssv2, or without a label column', async () => {
    const { out, dir } = await labScan();
    const map = join(dir, 'lab-map.csv');
    await writeFile(map, MAP);
    expect(
      await run(['decide', out, '--label-column', 'label', '--label-map', map, '--taxonomy', 'ssv2']),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--label-map replaces the built-in taxonomies; drop --taxonomy ssv2'),
    });
    expect(await run(['decide', out, '--label-map', map])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('needs --label-column'),
    });
  });

  it('on audit scan, a bad map exits 2 before any clip is read', async () => {
    const { dir, manifest } = await labScan();
    const bad = join(dir, 'bad-map.csv');
    await writeFile(bad, 'label,verdict,counterpart\nopen jar,reversible,close jar\n');
    const fresh = join(dir, 'scan-out');
    const r = await run([
      'scan',
      manifest,
      '--out',
      fresh,
      '--label-column',
      'label',
      '--label-map',
      bad,
      '--model',
      'none',
      '-q',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad} line 2: label "open jar" has the verdict "reversible"`);
    await expect(stat(join(fresh, 'clips.jsonl'))).rejects.toThrow(/ENOENT/);
  });

  it('on audit scan: unknown labels warn at the end (even with -q), a label map decides them', async () => {
    const dir = await tempDir();
    await sceneClip('swing', join(dir, 'swing.mp4'), { seconds: 1 });
    await sceneClip('drop', join(dir, 'drop.mp4'), { seconds: 1 });
    const manifest = join(dir, 'lab.csv');
    await writeFile(manifest, 'path,id,label\nswing.mp4,s,open jar\ndrop.mp4,d,crack egg\n');
    const plain = await run([
      'scan',
      manifest,
      '--out',
      join(dir, 'plain'),
      '--label-column',
      'label',
      '--model',
      'none',
      '--no-report',
      '-q',
      '-w',
      '2',
    ]);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toMatch(
      /^warning: no taxonomy matches the labels of column "label" \(ssv2 0 %, jester 0 %\)/m,
    );
    expect(JSON.parse(await readFile(join(dir, 'plain', 'summary.json'), 'utf8')).decisions.warnings[0]).toMatchObject({
      code: 'labels_unmatched',
      match_rates: { ssv2: 0, jester: 0 },
    });

    const map = join(dir, 'lab-map.csv');
    await writeFile(map, MAP);
    const mapped = await run([
      'scan',
      manifest,
      '--out',
      join(dir, 'mapped'),
      '--label-column',
      'label',
      '--label-map',
      map,
      '--model',
      'none',
      '--no-report',
      '-q',
      '-w',
      '2',
    ]);
    expect(mapped.code).toBe(0);
    expect(mapped.stderr).toBe('');
    expect(JSON.parse(await readFile(join(dir, 'mapped', 'decisions.json'), 'utf8'))).toMatchObject({
      taxonomy: 'label-map',
      warnings: [],
      label_match: { labelled: 2, matched: 2, rate: 1 },
    });
    const rows = await decided(join(dir, 'mapped'));
    expect(rows.get('s')).toMatchObject({ decision: 'reverse_swap_label', label_reversed: 'close jar' });
    expect(rows.get('d')).toMatchObject({
      decision: 'exclude',
      reason: expect.stringMatching(/^class 'crack egg' is irreversible/),
    });
  });
});
