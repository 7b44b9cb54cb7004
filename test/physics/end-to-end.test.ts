// `audit physics` end to end on three small rendered videos and one missing one, as users run it (built CLI).

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openInput, isRowProblem } from '../../src/io/inputs.js';
import { readJsonl } from '../../src/io/jsonl-log.js';
import { runCliProcess, tempDir, type CliResult } from '../fixtures/cli.js';
import { sceneClip } from '../fixtures/clips.js';

let dir: string;
let out: string;
let result: CliResult;

/** The data lines of an AutoEval output CSV as cells (index first), for files whose cells hold no comma or quote. */
async function plainCells(file: string): Promise<string[][]> {
  return (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
}

async function csvRows(file: string, pathColumn: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const r of (await openInput(file, { pathColumn })).rows()) {
    if (isRowProblem(r)) throw r.error;
    rows.push(r.columns);
  }
  return rows;
}

beforeAll(async () => {
  dir = await tempDir('audit-physics-');
  out = join(dir, 'out');
  // A ball dropped from rest (falls, bounces lower, rests), a puck sliding to a stop, a still scene.
  for (const scene of ['drop', 'slide', 'still'] as const)
    await sceneClip(scene, join(dir, 'videos', `${scene}.mp4`), { width: 128, height: 72, seconds: 1.5 });
  const header =
    'caption,video_url,sa,pc,joint,physics_rules_followed,physics_rules_unfollowed,physics_rules_cannot_be_determined,metadata_rules,model_name';
  const rows = [
    `A ball falls to the floor and bounces,videos/drop.mp4,5,4,1,"['The ball falls down.', 'The ball bounces lower each time.']",[],[],"{'The ball falls down.': 'gravity'}",model-a`,
    `A puck slides to the right and stops,videos/slide.mp4,4,2,0,[],"['The puck slows down and stops.']","[""The puck's shadow is visible.""]",nan,model-a`,
    `A quiet room,videos/still.mp4,2,5,0,"['Nothing moves.']",[],[],nan,model-b`,
    `A glass falls off the table,videos/missing.mp4,5,1,0,[],"['The glass falls down.']",[],nan,model-b`,
  ];
  await import('node:fs/promises').then((fs) => fs.writeFile(join(dir, 'test.csv'), `${header}\n${rows.join('\n')}\n`));
  result = await runCliProcess([
    'physics',
    join(dir, 'test.csv'),
    '--out',
    out,
    '--model',
    'none',
    '--workers',
    '1',
    '-q',
  ]);
}, 120_000);

describe('audit physics on a released-format CSV', () => {
  it('finishes with exit code 3 (a row failed) and says what it did', () => {
    expect(result.stderr).toMatch(/physics \(videophy2\): 3\/4 videos analysed/);
    expect(result.stderr).toMatch(/errors\.jsonl/);
    expect(result.code).toBe(3);
  });

  it('turns the missing video into an error row naming its row, not a crash', async () => {
    const errors = [];
    for await (const { value } of readJsonl(join(out, 'errors.jsonl'))) errors.push(value as Record<string, unknown>);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ row: 5, videopath: 'videos/missing.mp4', code: 'missing' });
  });

  it('writes the AutoEval rule and PC outputs in their formats, rows in input order', async () => {
    expect((await readFile(join(out, 'output_rule.csv'), 'utf8')).split('\n')[0]).toBe(',videopath,rule,score');
    const rules = await csvRows(join(out, 'output_rule.csv'), 'videopath');
    expect(rules.map((r) => r.rule)).toEqual([
      'The ball falls down.',
      'The ball bounces lower each time.',
      'The puck slows down and stops.',
      "The puck's shadow is visible.",
      'Nothing moves.',
      'The glass falls down.',
    ]);
    expect(rules.map((r) => r['']).join()).toBe('0,1,2,3,4,5');
    for (const r of rules.slice(0, 5)) expect(['0.0', '1.0', '2.0']).toContain(r.score);
    expect(rules[3].score).toBe('2.0'); // the shadow: no motion check applies
    expect(rules[5].score).toBe(''); // the missing video
    const pcs = await csvRows(join(out, 'output_pc.csv'), 'videopath');
    expect(pcs.map((r) => r.videopath)).toEqual([
      'videos/drop.mp4',
      'videos/slide.mp4',
      'videos/still.mp4',
      'videos/missing.mp4',
    ]);
    for (const r of pcs.slice(0, 3)) expect(['1.0', '2.0', '3.0', '4.0', '5.0']).toContain(r.score);
    expect(pcs[3].score).toBe('');
  });

  it('writes physics.jsonl with every check and its evidence per video', async () => {
    // biome-ignore lint/suspicious/noExplicitAny: rows read back from JSON, whose shape the expectations below check
    type Row = Record<string, any>;
    const rows: Row[] = [];
    for await (const { value } of readJsonl(join(out, 'physics.jsonl'))) rows.push(value as Row);
    expect(rows).toHaveLength(4);
    const drop = rows[0];
    expect(drop).toMatchObject({ videopath: 'videos/drop.mp4', model_name: 'model-a', error: null });
    expect(typeof drop.artefact).toBe('boolean');
    expect(drop.artefact_score).toBeGreaterThanOrEqual(0);
    expect(drop.artefact_score).toBeLessThanOrEqual(1);
    expect(drop.checks.map((c: { check: string }) => c.check)).toEqual([
      'time_direction',
      'gravity',
      'caption_direction',
      'momentum',
      'persistence',
    ]);
    for (const c of drop.checks) expect(typeof c.evidence.explanation).toBe('string');
    expect(drop.checks[0]).toMatchObject({ score: 2 });
    expect(drop.rules[0]).toMatchObject({ rule: 'The ball falls down.', law: 'gravity', human: 1 });
    expect(rows[3]).toMatchObject({
      videopath: 'videos/missing.mp4',
      pc: null,
      artefact: null,
      error: { code: 'missing' },
    });
  });

  it('writes only files the s3:// prefix check knows, so an upload that stops part way can be resumed', async () => {
    const { readdir } = await import('node:fs/promises');
    const { isOutputFile } = await import('../../src/io/object-store-out.js');
    const all = (await readdir(out, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name).slice(out.length + 1));
    expect(all).toContain('leaderboard.csv');
    expect(all.filter((f) => !isOutputFile(f))).toEqual([]);
  });

  it('writes a leaderboard per model and the agreement with the human answers', async () => {
    const board = await readFile(join(out, 'leaderboard.csv'), 'utf8');
    expect(board.split('\n')[0]).toBe(
      'model,videos,errors,pc_ge4,joint,artefact_rate,mean_artefact_score,human_pc_ge4,human_joint',
    );
    expect(board).toMatch(/^model-a,2,0,/m);
    expect(board).toMatch(/^model-b,2,1,/m);
    expect(await readFile(join(out, 'leaderboard.md'), 'utf8')).toMatch(/\| model-a \| 2 \| 0 \|/);
    const a = JSON.parse(await readFile(join(out, 'agreement.json'), 'utf8'));
    expect(a.rules.n).toBe(5);
    expect(a.rules.confusion.flat().reduce((x: number, y: number) => x + y, 0)).toBe(5);
    expect(a.pc.n).toBe(3);
    expect(await readFile(join(out, 'agreement.md'), 'utf8')).toMatch(/\| 1 followed \|/);
  });
});

describe('audit physics on an SA/PC input', () => {
  it('judges the PC of each row against its own caption, and keeps a row it cannot read in its place', async () => {
    const csv = join(dir, 'sapc.csv');
    await writeFile(
      csv,
      [
        'caption,videopath',
        'A puck slides to the right and stops,videos/slide.mp4',
        'A puck slides to the left and stops,videos/slide.mp4',
        'A ball falls,',
        'A ball falls to the floor and bounces,videos/drop.mp4',
        '',
      ].join('\n'),
    );
    const o = join(dir, 'out-sapc');
    const r = await runCliProcess(['physics', csv, '--out', o, '--model', 'none', '--workers', '1', '-q']);
    expect(r.code).toBe(3);
    const pcs = await plainCells(join(o, 'output_pc.csv'));
    expect(pcs.map((x) => x.slice(0, 3))).toEqual([
      ['0', 'A puck slides to the right and stops', 'videos/slide.mp4'],
      ['1', 'A puck slides to the left and stops', 'videos/slide.mp4'],
      ['2', 'A ball falls', ''],
      ['3', 'A ball falls to the floor and bounces', 'videos/drop.mp4'],
    ]);
    // the caption's direction agrees with the motion in one row only
    expect(Number(pcs[0][3])).toBeGreaterThan(Number(pcs[1][3]));
    expect(pcs[2][3]).toBe('');

    // the same --out after the input was edited (rows reordered, one removed, one added): resumed, not refused
    await writeFile(
      csv,
      [
        'caption,videopath',
        'A ball falls to the floor and bounces,videos/drop.mp4',
        'A quiet room,videos/still.mp4',
        'A puck slides to the right and stops,videos/slide.mp4',
        '',
      ].join('\n'),
    );
    const again = await runCliProcess(['physics', csv, '--out', o, '--model', 'none', '--workers', '1', '-q']);
    expect(again.stderr).toMatch(/3\/3 videos analysed/);
    expect(again.code).toBe(0);
    const rerun = await plainCells(join(o, 'output_pc.csv'));
    expect(rerun.map((x) => x[2])).toEqual(['videos/drop.mp4', 'videos/still.mp4', 'videos/slide.mp4']);
    expect(rerun[2][3]).toBe(pcs[0][3]);
  }, 120_000);
});

describe('audit physics on an AutoEval rule input', () => {
  it('keeps one PC row per video when one of its rule rows cannot be read', async () => {
    const csv = join(dir, 'rules.csv');
    await writeFile(
      csv,
      [
        'videopath,rule',
        'videos/slide.mp4,The puck slows down.',
        'videos/slide.mp4,',
        'videos/drop.mp4,The ball falls down.',
        '',
      ].join('\n'),
    );
    const o = join(dir, 'out-rules');
    const r = await runCliProcess(['physics', csv, '--out', o, '--model', 'none', '--workers', '1', '-q']);
    expect(r.code).toBe(3);
    const lines = async (file: string) => (await plainCells(join(o, file))).map((x) => x.slice(1, 3));
    // every rule row in its place (the unreadable one with an empty score); one PC row per video
    expect((await lines('output_rule.csv')).map((x) => x[0])).toEqual([
      'videos/slide.mp4',
      'videos/slide.mp4',
      'videos/drop.mp4',
    ]);
    expect((await lines('output_pc.csv')).map((x) => x[1])).toEqual(['videos/slide.mp4', 'videos/drop.mp4']);
  }, 120_000);
});
