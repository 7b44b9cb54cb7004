// Reading the VideoPhy-2 formats: AutoEval rule and SA/PC inputs, released CSVs, folders.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captionFromFileName, detectFormat, parseLawMap, readPhysicsInput } from '../../src/physics/inputs.js';
import { tempDir } from '../io/tmp.js';

describe('readPhysicsInput', () => {
  it('reads the AutoEval rule input: one rule per row, paths against the CSV folder, caption from the file name', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'rule.csv'),
      'videopath,rule\n"examples/A_rock_tumbles_down_a_steep_hill,_fast_0.mp4",The rock accelerates downhill.\nexamples/b.mp4,"Leaves move away from the blower, fast."\n',
    );
    const r = await readPhysicsInput(join(dir, 'rule.csv'));
    expect(r.format).toBe('autoeval_rule');
    expect(r.rows.map((x) => x.row)).toEqual([2, 3]);
    expect(r.rows[0].path).toBe(join(dir, 'examples', 'A_rock_tumbles_down_a_steep_hill,_fast_0.mp4'));
    expect(r.rows[0].videopath).toBe('examples/A_rock_tumbles_down_a_steep_hill,_fast_0.mp4');
    expect(r.rows[0].caption).toBe('A rock tumbles down a steep hill, fast');
    expect(r.rows[0].captionSource).toBe('file name');
    expect(r.rows[1].rules).toEqual([{ text: 'Leaves move away from the blower, fast.', law: null, human: null }]);
    expect(r.rows[1].caption).toBeNull();
  });

  it('reads the SA/PC input with its captions', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'sa_pc.csv'), 'caption,videopath\n"A jetski moves quickly, spraying water.",v/j.mp4\n');
    const r = await readPhysicsInput(join(dir, 'sa_pc.csv'));
    expect(r.format).toBe('autoeval_sa_pc');
    expect(r.rows[0]).toMatchObject({
      caption: 'A jetski moves quickly, spraying water.',
      captionSource: 'input',
      rules: [],
      path: join(dir, 'v', 'j.mp4'),
    });
  });

  it('reads a released test CSV: rule lists with human answers, laws, SA/PC, model, URLs by file name', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'videos'));
    const header =
      'caption,video_url,sa,pc,joint,physics_rules_followed,physics_rules_unfollowed,physics_rules_cannot_be_determined,human_violated_rules,action,category,is_hard,metadata_rules,upsampled_caption,model_name';
    const row = [
      '"A ball falls, then bounces."',
      'https://huggingface.co/datasets/videophysics/videophy2_test/resolve/main/videos/ball%201.mp4',
      '5',
      '2',
      '0',
      `"['The ball falls down.', ""The ball's speed grows as it falls.""]"`,
      `"['The ball bounces lower each time.']"`,
      '[]',
      '[]',
      'dropping',
      'object interactions',
      'True',
      `"{'The ball falls down.': 'Gravity', 'The ball bounces lower each time.': 'Conservation of energy'}"`,
      'up',
      'wan2.1',
    ].join(',');
    await writeFile(
      join(dir, 'test.csv'),
      `${header}\n${row}\n${row.replace("['The ball bounces lower each time.']", "['broken")}\n`,
    );
    const r = await readPhysicsInput(join(dir, 'test.csv'), { videosDir: join(dir, 'videos') });
    expect(r.format).toBe('videophy2');
    expect(r.rows).toHaveLength(1);
    const x = r.rows[0];
    expect(x.path).toBe(join(dir, 'videos', 'ball 1.mp4'));
    expect(x).toMatchObject({
      sa: 5,
      pc: 2,
      modelName: 'wan2.1',
      isHard: true,
      caption: 'A ball falls, then bounces.',
    });
    expect(x.rules).toEqual([
      { text: 'The ball falls down.', law: 'Gravity', human: 1 },
      { text: "The ball's speed grows as it falls.", law: null, human: 1 },
      { text: 'The ball bounces lower each time.', law: 'Conservation of energy', human: 0 },
    ]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ row: 3, code: 'manifest-bad-rule-list' });
    expect(r.problems[0].message).toMatch(/physics_rules_unfollowed.*line 3/);
  });

  it('finds each URL by the longest end of its path in --videos, and refuses what it cannot tell apart', async () => {
    const dir = await tempDir();
    const videos = join(dir, 'videos');
    await mkdir(join(videos, 'wan'), { recursive: true });
    await mkdir(join(videos, 'cogvideox'), { recursive: true });
    await writeFile(join(videos, 'wan', 'A ball falls.mp4'), '');
    await writeFile(join(videos, 'cogvideox', 'A ball falls.mp4'), '');
    const url = (model: string, name = 'A%20ball%20falls.mp4') => `https://host/data/${model}/${name}`;
    const write = (urls: string[]) =>
      writeFile(join(dir, 'in.csv'), `caption,video_url\n${urls.map((u) => `A ball falls.,${u}`).join('\n')}\n`);
    // one folder per model, as the URLs name them: two videos, each found in its own folder
    await write([
      url('wan'),
      url('cogvideox'),
      url('wan'),
      'http://exa mple.com/x.mp4',
      url('x', '%E0%A4%A.mp4'),
      'https://host/data/wan/',
    ]);
    let r = await readPhysicsInput(join(dir, 'in.csv'), { videosDir: videos });
    expect(r.rows.map((x) => [x.row, x.path])).toEqual([
      [2, join(videos, 'wan', 'A ball falls.mp4')],
      [3, join(videos, 'cogvideox', 'A ball falls.mp4')],
      [4, join(videos, 'wan', 'A ball falls.mp4')],
    ]);
    // a URL that does not parse is a bad row, naming it, and the rows after it are read
    expect(r.problems.map((p) => [p.row, p.code])).toEqual([
      [5, 'manifest-bad-url'],
      [6, 'manifest-bad-url'],
      [7, 'manifest-bad-url'],
    ]);
    expect(r.problems[2].message).toMatch(/a video URL that ends in a file name/);
    expect(r.problems[0].message).toMatch(/column "video_url" of .*in\.csv line 5 .*exa mple/);
    // all videos in one folder by file name: two URLs would read one file, so the second is refused, naming both
    await write([url('wan'), url('cogvideox'), url('wan')]);
    r = await readPhysicsInput(join(dir, 'in.csv'), { videosDir: join(dir, 'flat') });
    expect(r.rows.map((x) => x.row)).toEqual([2, 4]);
    expect(r.problems).toMatchObject([
      { row: 3, code: 'manifest-url-clash', written: { videopath: url('cogvideox') } },
    ]);
    expect(r.problems[0].message).toMatch(/line 3: the URL .*cogvideox.* and line 2's .*wan.* would both be read from/);
  });

  it('reads a folder of videos and refuses a CSV without a path column', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'Water_drips_from_a_leaky_tap_into_a_sink._1.gif'), '');
    await writeFile(join(dir, 'notes.txt'), '');
    const r = await readPhysicsInput(dir);
    expect(r.format).toBe('folder');
    expect(r.rows.map((x) => [x.videopath, x.caption])).toEqual([
      ['Water_drips_from_a_leaky_tap_into_a_sink._1.gif', 'Water drips from a leaky tap into a sink.'],
    ]);
    await writeFile(join(dir, 'bad.csv'), 'caption,score\na,1\n');
    await expect(readPhysicsInput(join(dir, 'bad.csv'))).rejects.toThrow(/video path column.*line 1/);
    await expect(readPhysicsInput(join(dir, 'nope.csv'))).rejects.toThrow(/existing folder, video file or CSV/);
    // a file that is neither a video nor a CSV: the message lists what physics reads, not what scan reads
    await expect(readPhysicsInput(join(dir, 'notes.txt'))).rejects.toThrow(
      /Expected a folder, a video file \(\.mp4, .*\) or a CSV\/TSV \(VideoPhy-2 formats\) for input/,
    );
  });
});

describe('format helpers', () => {
  it('tells the formats apart by their columns', () => {
    expect(detectFormat(['videopath', 'rule'])).toBe('autoeval_rule');
    expect(detectFormat(['caption', 'videopath'])).toBe('autoeval_sa_pc');
    expect(detectFormat(['caption', 'video_url', 'sa', 'pc', 'physics_rules_followed'])).toBe('videophy2');
    expect(detectFormat(['file', 'prompt'])).toBe('manifest');
  });
  it('reads captions only from sentence-like file names', () => {
    expect(captionFromFileName('/x/A_bobsled_team_pushes_their_sled_0.mp4')).toBe('A bobsled team pushes their sled');
    expect(captionFromFileName('site_wan21_water_balloon.mp4')).toBeNull();
    expect(captionFromFileName('clip_0001.mp4')).toBeNull();
  });
  it('maps rules to laws in the shapes metadata_rules comes in', () => {
    expect(parseLawMap("{'The ball falls.': 'Gravity'}").get('the ball falls')).toBe('Gravity');
    expect(parseLawMap("{'Gravity': ['The ball falls.', 'It lands.']}").get('it lands')).toBe('Gravity');
    expect(parseLawMap("[{'rule': 'The cup tips over.', 'law': 'Inertia'}]").get('the cup tips over')).toBe('Inertia');
    expect(parseLawMap('Momentum: The puck slides on.').get('the puck slides on')).toBe('Momentum');
    expect(parseLawMap('nan').size).toBe(0);
  });
});
