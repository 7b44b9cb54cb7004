// Output writers: AutoEval CSV layout (pandas to_csv), leaderboard and agreement on hand-made results.

import { describe, expect, it } from 'vitest';
import {
  agreement,
  csvCell,
  leaderboard,
  pcCsv,
  pearson,
  ruleCsv,
  type VideoResult,
} from '../../src/physics/outputs.js';

function video(over: Partial<VideoResult>): VideoResult {
  return {
    videopath: 'v.mp4',
    path: '/v.mp4',
    row: 2,
    caption: null,
    caption_source: null,
    model_name: null,
    is_hard: null,
    artefact: false,
    artefact_score: 0,
    violation_score: 0,
    pc: 5,
    p_forward: null,
    model_version: null,
    checks: [],
    rules: [],
    human: { sa: null, pc: null },
    error: null,
    ...over,
  };
}

describe('AutoEval CSVs', () => {
  it('write an unnamed index column, quote like pandas and print scores as floats', () => {
    expect(
      ruleCsv([
        { videopath: 'examples/A,_b.mp4', rule: 'It says "hi".', score: 1 },
        { videopath: 'x.mp4', rule: 'r', score: null },
      ]),
    ).toBe(',videopath,rule,score\n0,"examples/A,_b.mp4","It says ""hi"".",1.0\n1,x.mp4,r,\n');
    expect(pcCsv([{ caption: 'A cat', videopath: 'c.mp4', score: 4 }])).toBe(
      ',caption,videopath,score\n0,A cat,c.mp4,4.0\n',
    );
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
  });
});

describe('leaderboard', () => {
  it('gives each model its PC>=4 share, joint share with human SA, artefact rate and human shares', () => {
    const vs = [
      video({ model_name: 'A', pc: 5, human: { sa: 5, pc: 4 } }),
      video({ model_name: 'A', pc: 2, artefact: true, artefact_score: 0.8, human: { sa: 5, pc: 2 } }),
      video({ model_name: 'B', pc: 4, human: { sa: 2, pc: 5 } }),
      video({
        model_name: 'B',
        pc: null,
        artefact: null,
        artefact_score: null,
        error: { stage: 'decode', code: 'missing', message: 'no file' },
        human: { sa: 4, pc: 4 },
      }),
      video({ model_name: null }),
    ];
    const board = leaderboard(vs);
    expect(board.map((r) => r.model)).toEqual(['A', 'B']);
    expect(board[0]).toMatchObject({
      videos: 2,
      errors: 0,
      pc_ge4: 0.5,
      joint: 0.5,
      artefact_rate: 0.5,
      mean_artefact_score: 0.4,
      human_pc_ge4: 0.5,
      human_joint: 0.5,
    });
    expect(board[1]).toMatchObject({
      videos: 2,
      errors: 1,
      pc_ge4: 1,
      joint: 0,
      artefact_rate: 0,
      human_pc_ge4: 1,
      human_joint: 0.5,
    });
  });
});

describe('agreement', () => {
  it('counts accuracy on judged rules, coverage and the confusion matrix, and Pearson with human PC', () => {
    const rule = (score: 0 | 1 | 2, human: 0 | 1 | 2) => ({
      rule: 'r',
      law: null,
      score,
      checks: [],
      reason: '',
      human,
    });
    const vs = [
      video({ pc: 5, human: { sa: null, pc: 5 }, rules: [rule(1, 1), rule(0, 1), rule(2, 0)] }),
      video({ pc: 2, human: { sa: null, pc: 2 }, rules: [rule(0, 0), rule(2, 2)] }),
      video({ pc: 3, human: { sa: null, pc: 4 }, rules: [rule(1, 2)] }),
    ];
    const a = agreement(vs)!;
    expect(a.rules.n).toBe(6);
    expect(a.rules.coverage).toBeCloseTo(4 / 6, 4);
    expect(a.rules.accuracy_judged).toBe(0.5);
    expect(a.rules.accuracy_all).toBeCloseTo(3 / 6, 4);
    expect(a.rules.confusion).toEqual([
      [1, 0, 1],
      [1, 1, 0],
      [0, 1, 1],
    ]);
    expect(a.pc.n).toBe(3);
    expect(a.pc.pearson).toBeCloseTo(pearson([5, 2, 3], [5, 2, 4])!, 6);
    expect(agreement([video({})])).toBeNull();
  });
});
