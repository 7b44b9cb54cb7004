// Reading a scan folder into report data (streamed, bounded), writing report.html, `audit report`, and scan's call.

import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { scan } from '../../src/pipeline/scan.js';
import { collectReportData, writeReport } from '../../src/report/index.js';
import { describeEvidence, normaliseChecks } from '../../src/report/physics-data.js';
import { sceneClip } from '../fixtures/clips.js';
import { tempDir } from '../io/tmp.js';

const VERDICTS = ['invariant', 'equivariant', 'irreversible'] as const;

/** A hand-made scan folder: 30 clips (every third irreversible, p_forward = i/30, so clips 0-2 are flagged), 3 errors. */
async function handMadeScan(): Promise<string> {
  const dir = await tempDir();
  const rows = Array.from({ length: 30 }, (_, i) => ({
    id: `clip-${i}`,
    path: join(dir, `missing-${i}.mp4`),
    row: i + 2,
    duration_s: 2,
    window_start_s: 0,
    window_end_s: 2,
    mean_energy_residual: i / 100,
    camera_share: 0.5,
    verdict: VERDICTS[i % 3],
    p_invariant: 0.1,
    p_equivariant: 0.1,
    p_irreversible: i % 3 === 2 ? 0.5 + i / 100 : 0.05,
    p_forward: i / 30,
    confidence: 0.4 + i / 60,
    reversed_in_corpus: i / 30 < 0.1,
    model_version: 'tiny@0.1.0',
    embedding_forward: [1, 2, 3],
    decision: i % 3 === 2 ? 'exclude' : 'reverse_keep_label',
    reason: `reason ${i}`,
    label: i < 15 ? 'dropping' : 'waving',
    input: { id: `clip-${i}`, caption: `caption ${i}` },
    series_file: 'series/part-x.f32',
    series_offset: 0,
    series_pairs: 10,
    series_columns: 148,
  }));
  await writeFile(join(dir, 'clips.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const errors = [
    {
      key: 'id:e1',
      id: 'e1',
      path: '/x/e1.mp4',
      row: 40,
      stage: 'probe',
      code: 'missing',
      message: 'Expected an existing file for e1 but received "/x/e1.mp4"',
    },
    { key: 'id:e2', id: 'e2', path: '/x/e2.mp4', row: 41, stage: 'decode', code: 'corrupt', message: 'broken' },
    { key: 'id:e3', id: 'e3', path: '/x/e3.mp4', row: 42, stage: 'probe', code: 'missing', message: 'gone' },
  ];
  await writeFile(join(dir, 'errors.jsonl'), errors.map((r) => JSON.stringify(r)).join('\n') + '\n');
  await writeFile(
    join(dir, 'summary.json'),
    JSON.stringify({
      status: 'complete',
      started_at: '2026-01-01T00:00:00Z',
      finished_at: '2026-01-01T00:01:00Z',
      input: { path: '/data/corpus.csv', kind: 'csv' },
      settings: { fps: 24, shortSide: 96 },
      counts: { input_rows: 33 },
    }),
  );
  await writeFile(
    join(dir, 'classes.csv'),
    'label,n,class_verdict,inconsistent\ndropping,15,irreversible,false\n"waving, hands",15,,true\n',
  );
  await writeFile(
    join(dir, 'decisions.json'),
    JSON.stringify({ policy: 'balanced', counts: { exclude: 10, reverse_keep_label: 20 } }),
  );
  await writeFile(
    join(dir, 'physics.jsonl'),
    [
      {
        videopath: 'a.mp4',
        artefact: true,
        artefact_score: 0.9,
        pc: 2,
        model_name: 'm1',
        checks: [
          {
            check: 'gravity',
            rule: 'Objects fall down',
            score: 0,
            evidence: { explanation: 'moving mass accelerates upwards', frames: [3, 17], ay: -0.81234 },
          },
        ],
      },
      {
        videopath: 'b.mp4',
        artefact: false,
        artefact_score: 0.1,
        pc: 5,
        checks: { time_direction: { score: 1, reason: 'p_forward 0.93' } },
      },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n') + '\n',
  );
  await writeFile(join(dir, 'leaderboard.csv'), 'model_name,videos,pc_ge_4,artefact_rate\nm1,1,0,1\n');
  return dir;
}

describe('collectReportData', () => {
  it('shows the same table and galleries whatever order the workers wrote clips.jsonl in', async () => {
    const dir = await handMadeScan();
    const inOrder = await collectReportData(dir, { maxTableRows: 10, galleries: 3 });
    const lines = (await readFile(join(dir, 'clips.jsonl'), 'utf8')).trim().split('\n');
    await writeFile(join(dir, 'clips.jsonl'), [...lines.slice(15).reverse(), ...lines.slice(0, 15)].join('\n') + '\n');
    const shuffled = await collectReportData(dir, { maxTableRows: 10, galleries: 3 });
    expect(shuffled.data.table!.rows.map((r) => r.cells[0])).toEqual(Array.from({ length: 10 }, (_, i) => `clip-${i}`));
    expect(shuffled.data.table).toEqual(inOrder.data.table);
    expect(shuffled.data.galleries).toEqual(inOrder.data.galleries);
  });

  it('counts verdicts, decisions, flags and errors and keeps only bounded lists', async () => {
    const dir = await handMadeScan();
    const { data, itemRows } = await collectReportData(dir, { maxTableRows: 10, galleries: 3 });
    expect(data.counts).toEqual({ clips: 30, errors: 3, inputRows: 33, reversedInCorpus: 3 });
    expect(data.verdicts).toEqual({ invariant: 10, equivariant: 10, irreversible: 10 });
    expect(data.decisions).toEqual({ reverse_keep_label: 20, exclude: 10 });
    expect(data.decisionFacts).toEqual({ policy: 'balanced' });
    expect(data.errors.byCode).toEqual({ missing: 2, corrupt: 1 });
    expect(data.errors.rows.map((e) => e.row)).toEqual([40, 41, 42]);
    expect(data.models).toEqual(['tiny@0.1.0']);
    expect(data.run).toMatchObject({
      input: '/data/corpus.csv',
      inputKind: 'csv',
      status: 'complete',
      settings: { fps: 24, shortSide: 96 },
    });

    const [irr, doubtful, flagged] = data.galleries;
    expect(irr.items.map((i) => i.id)).toEqual(['clip-29', 'clip-26', 'clip-23']);
    expect(irr.omitted).toBe(7);
    expect(doubtful.items.map((i) => i.id)).toEqual(['clip-0', 'clip-1', 'clip-2']);
    expect(flagged.items.map((i) => i.id)).toEqual(['clip-0', 'clip-1', 'clip-2']);
    expect(flagged.items[0]).toMatchObject({
      label: 'dropping',
      caption: 'caption 0',
      decision: 'reverse_keep_label',
      window: [0, 2],
    });
    expect(itemRows.size).toBe(9);
    expect([...itemRows.values()].every((r) => !('embedding_forward' in r))).toBe(true);

    expect(data.table!.total).toBe(30);
    expect(data.table!.rows).toHaveLength(10);
    expect(data.table!.fullFile).toBe('clips.jsonl');
    expect(data.table!.columns.map((c) => c.key)).toEqual([
      'id',
      'path',
      'label',
      'verdict',
      'decision',
      'confidence',
      'p_forward',
      'p_irreversible',
      'in_domain',
      'doubt',
      'reversed_in_corpus',
      'duration_s',
      'mean_energy_residual',
      'camera_share',
      'reason',
    ]);

    const pf = data.pForward!;
    expect(pf.layers.map((l) => l.name)).toEqual(['invariant', 'equivariant', 'irreversible']);
    expect(pf.layers.flatMap((l) => l.counts).reduce((a, b) => a + b, 0)).toBe(30);
    // p_forward = i/30 in 20 bins of 0.05: clips 0 and 1 (0, 0.033) share the first bin.
    expect(pf.layers[0].counts[0] + pf.layers[1].counts[0] + pf.layers[2].counts[0]).toBe(2);
    const energy = data.cues.find((c) => c.name === 'mean_energy_residual')!;
    expect(energy).toMatchObject({ min: 0, max: 0.29, sampled: 30, total: 30, outside: 0 });

    expect(data.classes).toMatchObject({
      columns: ['label', 'n', 'class_verdict', 'inconsistent'],
      rows: [
        ['dropping', 15, 'irreversible', false],
        ['waving, hands', 15, '', true],
      ],
      source: 'classes.csv',
    });
    expect(data.physics!.total).toBe(2);
    expect(data.physics!.leaderboard).toMatchObject({
      columns: ['model_name', 'videos', 'pc_ge_4', 'artefact_rate'],
      rows: [['m1', 1, 0, 1]],
    });
    expect(data.physics!.videos[0].checks).toEqual([
      {
        name: 'gravity',
        rule: 'Objects fall down',
        score: 0,
        evidence: 'moving mass accelerates upwards; frames=3–17; ay=-0.8123',
      },
    ]);
    expect(data.physics!.videos[1].checks).toEqual([
      { name: 'time_direction', rule: null, score: 1, evidence: 'p_forward 0.93' },
    ]);
  });

  it('samples cue histograms beyond the sample size and says so', async () => {
    const dir = await handMadeScan();
    const { data } = await collectReportData(dir, { sampleSize: 8 });
    const energy = data.cues.find((c) => c.name === 'mean_energy_residual')!;
    expect(energy.sampled).toBe(8);
    expect(energy.total).toBe(30);
    expect(energy.layers.flatMap((l) => l.counts).reduce((a, b) => a + b, 0) + energy.outside).toBe(8);
  });

  it('joins decisions.jsonl of `audit decide` onto the kept rows by manifest row and counts every decision', async () => {
    const dir = await handMadeScan();
    const plain = (await readFile(join(dir, 'clips.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => {
        const { decision: _d, reason: _r, label: _l, ...rest } = JSON.parse(l) as Record<string, unknown>;
        return JSON.stringify(rest);
      });
    await writeFile(join(dir, 'clips.jsonl'), `${plain.join('\n')}\n`);
    // Manifest order (rows 2..31), plus one error row (row 40) the clips do not have.
    const decided = Array.from({ length: 30 }, (_, i) => ({
      row: i + 2,
      id: `clip-${i}`,
      decision: i < 10 ? 'exclude' : 'reverse_swap_label',
      reason: `why ${i}`,
      label: `class ${i % 2}`,
      label_reversed: i < 10 ? null : `undo ${i % 2}`,
    }));
    decided.push({
      row: 40,
      id: 'e1',
      decision: 'exclude',
      reason: 'scan error: missing',
      label: 'x',
      label_reversed: null,
    });
    await writeFile(join(dir, 'decisions.jsonl'), decided.map((d) => JSON.stringify(d)).join('\n') + '\n');
    const { data } = await collectReportData(dir, { maxTableRows: 4, galleries: 2 });
    expect(data.decisions).toEqual({ exclude: 11, reverse_swap_label: 20 });
    expect(data.table!.rows.map((r) => [r.decision, r.label])).toEqual([
      ['exclude', 'class 0'],
      ['exclude', 'class 1'],
      ['exclude', 'class 0'],
      ['exclude', 'class 1'],
    ]);
    expect(data.table!.columns.map((c) => c.key)).toContain('reason');
    expect(data.galleries[0].items[0]).toMatchObject({
      id: 'clip-29',
      decision: 'reverse_swap_label',
      reason: 'why 29',
      label: 'class 1',
    });
  });

  it('falls back to the verdict mix per label without a classes file', async () => {
    const dir = await handMadeScan();
    await rm(join(dir, 'classes.csv'));
    const { data } = await collectReportData(dir);
    expect(data.classes!.columns).toEqual([
      'label',
      'clips',
      'invariant',
      'equivariant',
      'irreversible',
      'top verdict',
      'top share',
    ]);
    expect(data.classes!.rows).toEqual([
      ['dropping', 15, 5, 5, 5, 'invariant', 0.333],
      ['waving', 15, 5, 5, 5, 'invariant', 0.333],
    ]);
  });

  it('refuses a folder that is not a scan or physics output, naming it', async () => {
    const dir = await tempDir();
    await expect(collectReportData(dir)).rejects.toThrow(
      /Expected an output folder of audit scan or audit physics .* for the report folder but received ".*ra-io-/,
    );
    await expect(collectReportData(join(dir, 'nope'))).rejects.toThrow(/does not exist/);
  });
});

describe('describeEvidence / normaliseChecks', () => {
  it('turns evidence of any shape into one readable line', () => {
    expect(describeEvidence('plain')).toBe('plain');
    expect(describeEvidence({ reason: 'r', values: { a: 1.23456, b: 'up' } })).toBe('r; a=1.235; b=up');
    // The shape of a src/physics CheckResult.
    const check = {
      check: 'gravity',
      score: 0,
      strength: 0.9,
      evidence: {
        frames: [12, 30],
        seconds: [0.5, 1.25],
        values: { ay: -9.71 },
        explanation: 'moving mass accelerates upwards',
      },
      findings: [{ kind: 'x' }, { kind: 'y' }],
    };
    expect(normaliseChecks([check])).toEqual([
      {
        name: 'gravity',
        rule: null,
        score: 0,
        evidence: 'moving mass accelerates upwards; frames=12–30; seconds=0.5–1.25; ay=-9.71; strength=0.9; 2 findings',
      },
    ]);
    expect(describeEvidence({ x: 'y'.repeat(700) }).length).toBe(600);
    expect(normaliseChecks([{ name: 'n', score: 2 }, 5])).toEqual([
      { name: 'n', rule: null, score: 2, evidence: '' },
      { name: 'check 2', score: 5, evidence: '' },
    ]);
    expect(normaliseChecks(null)).toEqual([]);
  });
});

describe('writeReport and `audit report`', () => {
  it('writes report.html with notes for clips whose pictures could not be made', async () => {
    const dir = await handMadeScan();
    const file = await writeReport(dir, { galleries: 2, maxFlagged: 1 });
    expect(file).toBe(join(dir, 'report.html'));
    const html = await readFile(file, 'utf8');
    expect(html).toContain('no contact sheet:');
    expect(html).toMatch(/gallery clips have no contact sheet or curves/);
    expect(html).not.toContain('Showing the first'); // 30 rows fit in the table: no truncation note
    expect(html).toContain('id="physics"');
    expect(html).toContain('id="leaderboard"');
  });

  it('runs as a command and fails clearly on a wrong folder', async () => {
    const dir = await handMadeScan();
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runCli(['report', dir, '--max-table-rows', '5', '--galleries', '1'])).toBe(0);
      expect(await readFile(join(dir, 'report.html'), 'utf8')).toMatch(/Showing the first 5 of 30 clips/);
      // not a scan folder: the run cannot be done (1), as for audit decide; the command line itself is fine
      expect(await runCli(['report', join(dir, 'nope')])).toBe(1);
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toMatch(
        /audit: Expected an output folder of audit scan/,
      );
    } finally {
      err.mockRestore();
    }
  });
});

describe('scan writes the report', () => {
  it('writes report.html when asked, records a failure without failing the scan, and --no-report skips it', async () => {
    const media = await tempDir();
    await sceneClip('drop', join(media, 'drop.mp4'), { seconds: 1 });
    const manifest = join(media, 'manifest.csv');
    await writeFile(manifest, 'id,path,caption\nd,drop.mp4,"<b>drop</b>"\n');

    const out = await tempDir();
    const s = await scan({ input: manifest, out, workers: 1, quiet: true, model: 'none', report: true });
    expect(s.report).toEqual({ file: join(out, 'report.html') });
    expect(await readFile(join(out, 'report.html'), 'utf8')).toContain('No model ran on this scan');
    expect(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')).report).toEqual({
      file: join(out, 'report.html'),
    });

    const blocked = await tempDir();
    await mkdir(join(blocked, 'report.html')); // a folder where the page should go: writing it fails
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const b = await scan({ input: manifest, out: blocked, workers: 1, quiet: true, model: 'none', report: true });
      expect(b.status).toBe('complete');
      expect(b.report && 'error' in b.report ? b.report.error : '').not.toBe('');
      expect(JSON.parse(await readFile(join(blocked, 'summary.json'), 'utf8')).report.error).toBeTruthy();
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toMatch(/warning: .*report\.html was not written/);

      const cliOut = await tempDir();
      expect(await runCli(['scan', manifest, '--out', cliOut, '--model', 'none', '-w', '1', '-q', '--no-report'])).toBe(
        0,
      );
      expect(existsSync(join(cliOut, 'clips.jsonl'))).toBe(true);
      expect(existsSync(join(cliOut, 'report.html'))).toBe(false);
    } finally {
      err.mockRestore();
    }
  });
});

describe('report of unusual folders', () => {
  it('names a summary.json that does not parse, and draws the page without an unreadable cues.json or decisions.json', async () => {
    const dir = await handMadeScan();
    await writeFile(join(dir, 'decisions.json'), '{"policy": "bal');
    await writeFile(join(dir, 'cues.json'), '[1, 2]');
    const { data } = await collectReportData(dir);
    expect(data.decisionFacts).toEqual({});
    expect(data.decisions).toEqual({ reverse_keep_label: 20, exclude: 10 });
    const said = data.notes.join('\n');
    expect(said).toContain(`Expected a JSON object in ${join(dir, 'decisions.json')} but it does not parse (`);
    expect(said).toMatch(/leaves out the facts of the decision step/);
    expect(said).toContain(`Expected a JSON object in ${join(dir, 'cues.json')} but it holds an array`);

    await writeFile(join(dir, 'summary.json'), '{not json');
    await expect(collectReportData(dir)).rejects.toMatchObject({
      code: 'scan-output-corrupt',
      where: { path: join(dir, 'summary.json') },
    });
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runCli(['report', dir])).toBe(1);
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toContain(
        `audit: Expected a JSON object in ${join(dir, 'summary.json')} but it does not parse (`,
      );
    } finally {
      err.mockRestore();
    }
  });

  it('names the output folder as the caller says (the s3:// URL of a staged run)', async () => {
    const dir = await handMadeScan();
    const { data } = await collectReportData(dir, { outLabel: 's3://bucket/run' });
    expect(data.run.outDir).toBe('s3://bucket/run');
    const html = await readFile(await writeReport(dir, { outLabel: 's3://bucket/run', galleries: 0 }), 'utf8');
    expect(html).toContain('<dt>output folder</dt><dd>s3://bucket/run</dd>');
    expect((await collectReportData(dir)).data.run.outDir).toBe(dir);
  });

  it('says how many input rows an interrupted scan has left and how to finish it', async () => {
    const dir = await handMadeScan();
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(
      join(dir, 'summary.json'),
      JSON.stringify({ ...summary, status: 'interrupted', counts: { input_rows: 36 } }),
    );
    const { data } = await collectReportData(dir);
    expect(data.notes[0]).toBe(
      'This scan was interrupted: 33 of 36 input rows done, 3 not scanned yet. Run the same command again to finish: the 33 done are kept and only the rest are scanned.',
    );
    const html = await readFile(await writeReport(dir, { galleries: 0 }), 'utf8');
    expect(html).toContain('33 of 36 input rows done, 3 not scanned yet');

    const sharded = { ...summary, status: 'interrupted', shard: { index: 1, count: 4 } };
    await writeFile(
      join(dir, 'summary.json'),
      JSON.stringify({ ...sharded, counts: { input_rows: 200, shard_rows: 50 } }),
    );
    expect((await collectReportData(dir)).data.notes[0]).toMatch(/: 33 of 50 input rows of shard 1\/4 done, 17 not/);
    // --no-count: the summary knows only the rows read so far.
    await writeFile(join(dir, 'summary.json'), JSON.stringify({ ...sharded, shard: null, counts: { input_rows: 33 } }));
    expect((await collectReportData(dir)).data.notes[0]).toMatch(/interrupted after 33 input rows; how many are left/);
    await writeFile(join(dir, 'summary.json'), JSON.stringify(summary));
    expect((await collectReportData(dir)).data.notes.join('\n')).not.toMatch(/interrupted/);
  });

  it("lists a physics run's own error rows, numbered by input line, not its scan's rows per video", async () => {
    const out = await tempDir();
    const scanDir = join(out, 'scan');
    await mkdir(scanDir);
    const clip = { id: '/v/a.mp4', path: '/v/a.mp4', row: 1, duration_s: 2, camera_share: 0.5 };
    await writeFile(join(scanDir, 'clips.jsonl'), `${JSON.stringify(clip)}\n`);
    const scanError = { id: '/v/b.mp4', path: '/v/b.mp4', row: 2, stage: 'decode', code: 'corrupt', message: 'broken' };
    await writeFile(join(scanDir, 'errors.jsonl'), `${JSON.stringify(scanError)}\n`);
    await writeFile(join(scanDir, 'summary.json'), JSON.stringify({ status: 'complete', counts: { input_rows: 2 } }));
    await writeFile(
      join(out, 'scan-manifest.jsonl'),
      '{"id":"/v/a.mp4","path":"/v/a.mp4"}\n{"id":"/v/b.mp4","path":"/v/b.mp4"}\n',
    );
    await writeFile(join(out, 'physics.jsonl'), `${JSON.stringify({ videopath: 'a.mp4', checks: [] })}\n`);
    const physicsErrors = [
      { row: 3, stage: 'input', code: 'missing_video', message: 'row 3 names no video' },
      { row: 5, videopath: 'b.mp4', path: '/v/b.mp4', stage: 'decode', code: 'corrupt', message: 'broken' },
      { row: 9, videopath: 'b.mp4', path: '/v/b.mp4', stage: 'decode', code: 'corrupt', message: 'broken' },
    ];
    await writeFile(join(out, 'errors.jsonl'), physicsErrors.map((e) => `${JSON.stringify(e)}\n`).join(''));
    const { data } = await collectReportData(out);
    expect(data.errors.total).toBe(3);
    expect(data.counts.errors).toBe(3);
    expect(data.errors.byCode).toEqual({ corrupt: 2, missing_video: 1 });
    expect(data.errors.rows.map((e) => [e.row, e.path, e.code])).toEqual([
      [3, undefined, 'missing_video'],
      [5, 'b.mp4', 'corrupt'],
      [9, 'b.mp4', 'corrupt'],
    ]);
    // Before the physics run wrote its errors.jsonl, the scan's rows show without their per-video row numbers.
    await rm(join(out, 'errors.jsonl'));
    const early = await collectReportData(out);
    expect(early.data.errors.rows.map((e) => [e.row, e.path])).toEqual([[undefined, '/v/b.mp4']]);
    // the page names the input the user gave physics (its own summary.json), not the manifest of its scan
    expect(early.data.title).toBe(`Physics checks: ${basename(out)}`);
    await writeFile(
      join(out, 'summary.json'),
      JSON.stringify({ input: { path: '/data/rules.csv', format: 'autoeval_rule' } }),
    );
    const named = await collectReportData(out);
    expect(named.data.title).toBe('Physics checks: rules.csv');
    expect(named.data.run).toMatchObject({ input: '/data/rules.csv', inputKind: 'autoeval_rule' });
  });
});
