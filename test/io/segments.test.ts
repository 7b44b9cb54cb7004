// Segments of long videos: --start-column / --end-column make each manifest row a span of its video, named
// path#start-end without an id; the window policy applies inside the span; bad spans are error rows.

import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordId } from '../../src/decide/manifest-read.js';
import { segmentTime } from '../../src/io/formats/common.js';
import { isRowProblem, openInput } from '../../src/io/inputs.js';
import { scan } from '../../src/pipeline/scan.js';
import { collect, tempDir } from './tmp.js';

const run = promisify(execFile);
const MANIFEST =
  'path,start,end,caption\nlong.mp4,0,3,a\nlong.mp4,5,8.5,b\nlong.mp4,00:00:02,00:04.500,c\nlong.mp4,6,4,bad\nlong.mp4,20,25,past\nlong.mp4,1,11,long\nlong.mp4,9,,to the end\nlong.mp4,x,3,bad cell\n';

let dir = '';
beforeAll(async () => {
  dir = await tempDir();
  await run('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=s=320x180:r=24:d=12',
    '-pix_fmt',
    'yuv420p',
    '-c:v',
    'libx264',
    '-g',
    '24',
    join(dir, 'long.mp4'),
  ]);
  await writeFile(join(dir, 'm.csv'), MANIFEST);
});

describe('segment times', () => {
  it('reads seconds and [HH:]MM:SS[.mmm], empty as the start or end, and nothing else', () => {
    expect(segmentTime(2.5)).toBe(2.5);
    expect(segmentTime('7')).toBe(7);
    expect(segmentTime('00:04.500')).toBe(4.5);
    expect(segmentTime('01:02:03.25')).toBe(3723.25);
    expect(segmentTime('')).toBeNull();
    expect(segmentTime(null)).toBeNull();
    for (const bad of ['x', '-1', '1:60', '1:2:3:4', Number.NaN, -3, true])
      expect(segmentTime(bad as never), String(bad)).toBeUndefined();
  });
});

describe('segments in manifests', () => {
  it('names rows path#start-end, keeps an id column, and makes a bad span a row problem', async () => {
    const rows = await collect(
      (await openInput(join(dir, 'm.csv'), { startColumn: 'start', endColumn: 'end' })).rows(),
    );
    const ok = rows.filter((r) => !isRowProblem(r));
    expect(ok.map((r) => ('id' in r ? r.id : ''))).toEqual([
      'long.mp4#0-3',
      'long.mp4#5-8.5',
      'long.mp4#2-4.5',
      'long.mp4#20-25',
      'long.mp4#1-11',
      'long.mp4#9-end',
    ]);
    expect(ok[2]).toMatchObject({ segment: { startS: 2, endS: 4.5 } });
    expect(ok[5]).toMatchObject({ segment: { startS: 9, endS: Infinity } });
    const problems = rows.filter(isRowProblem);
    expect(problems.map((p) => [p.row, p.error.code])).toEqual([
      [5, 'manifest-bad-segment'],
      [9, 'manifest-bad-segment'],
    ]);
    expect(problems[0].error.message).toMatch(/an end after the start \(6 s\) for column "end" of .*m\.csv line 5/);
    // the decision step names rows the same way
    expect(
      recordId({ path: 'long.mp4', start: '00:00:02', end: '00:04.500' }, 'path', 'id', {
        startColumn: 'start',
        endColumn: 'end',
      }),
    ).toBe('long.mp4#2-4.5');
    expect(
      recordId({ path: 'long.mp4', id: 'mine', start: 1, end: 2 }, 'path', 'id', {
        startColumn: 'start',
        endColumn: 'end',
      }),
    ).toBe('mine');
    await expect(openInput(join(dir, 'm.csv'), { startColumn: 'start' })).rejects.toThrow(
      /both --start-column and --end-column/,
    );
  });

  it('analyses just the span, the window policy inside it, and resumes', async () => {
    const out = join(dir, 'out');
    const opts = {
      input: join(dir, 'm.csv'),
      out,
      startColumn: 'start',
      endColumn: 'end',
      maxSeconds: 4,
      workers: 2,
      quiet: true,
      model: 'none',
    } as const;
    const s = await scan(opts);
    expect(s.counts).toMatchObject({ clips: 5, errors: 3 });
    const clips = (await readFile(join(out, 'clips.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number | string>);
    const byId = Object.fromEntries(clips.map((c) => [c.id, c]));
    expect([
      byId['long.mp4#0-3'].window_start_s,
      byId['long.mp4#0-3'].window_end_s,
      byId['long.mp4#0-3'].analysis_frames,
    ]).toEqual([0, 3, 72]);
    expect([
      byId['long.mp4#5-8.5'].window_start_s,
      byId['long.mp4#5-8.5'].window_end_s,
      byId['long.mp4#5-8.5'].analysis_frames,
    ]).toEqual([5, 8.5, 84]);
    // 10 s asked for, at most 4 analysed: the centred 4 s of the segment
    expect([byId['long.mp4#1-11'].window_start_s, byId['long.mp4#1-11'].window_end_s]).toEqual([4, 8]);
    expect(byId['long.mp4#9-end'].window_end_s).toBe(12);
    const errors = (await readFile(join(out, 'errors.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { row: number; code: string; message: string });
    expect(errors.find((e) => e.row === 6)).toMatchObject({
      code: 'segment_out_of_range',
      message: expect.stringMatching(/starts after the clip ends \(12\.00 s\)/),
    });
    // the decisions find every row again by its segment id
    const decisions = (await readFile(join(out, 'decisions.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string });
    expect(decisions).toHaveLength(8);
    expect(decisions.map((d) => d.id)).toContain('long.mp4#5-8.5');
    const again = await scan(opts);
    // the 5 clips and the clip error resume; the 2 manifest problems are found again from the manifest as it is
    expect(again.counts).toMatchObject({ resumed: 6, this_run_clips: 0, this_run_errors: 2, clips: 5, errors: 3 });
  });
});
