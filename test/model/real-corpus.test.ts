// A real corpus as training rows: its CSVs read into weak labels, and the validation split fixed by source repository.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/errors.js';
import { exportDataset } from '../../src/model/dataset.js';
import { readNpy } from '../../src/model/npy.js';
import { isRealValidation, readRealCorpus, repositoryOf } from '../../src/model/real-corpus.js';
import { SHARED_DATA } from '../fixtures/clips.js';
import { randomSeries, writeFakeScan } from './helpers.js';

const INDEX = `file,group,source,license,start_s,end_s,duration_s,fps,width,height,camera,content
a_001.mp4,g1,github intel-iot-devkit/sample-videos @ 0123abc : videos/a.mp4,Apache-2.0,0,4,4,30,284,160,static,"people walking, street"
a_002.mp4,g1,github intel-iot-devkit/sample-videos @ 0123abc : videos/a.mp4,Apache-2.0,4,8,4,30,284,160,static,"people walking, street"
b_001.mp4,g2,github Phong163/actrecognition @ 7adab8d : videos/IMG.MOV,unknown (footage third-party),0,4,4,30,292,160,static,man falls
c_001.mp4,g3,github Phong163/actrecognition @ 7adab8d : videos/IMG2.MOV,unknown,0,4,4,30,292,160,moving,unclear scene
`;
const LABELS = `file,label,confidence,what_happens,reason
a_001.mp4,irreversible,high,"People walk along a street, camera static.","Walking: reversed, they walk backwards."
a_002.mp4,invariant,low,Nobody moves.,Still.
b_001.mp4,equivariant,medium,"A man sits down, slowly.","Sitting <-> standing up."
c_001.mp4,unclear,low,?,?
`;

describe('real corpus', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ra-real-'));
    await mkdir(join(dir, 'corpus'));
    await writeFile(join(dir, 'corpus', 'index.csv'), INDEX);
    await writeFile(join(dir, 'corpus', 'labels.csv'), LABELS);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes the repository out of a source cell', () => {
    expect(repositoryOf('github intel-iot-devkit/sample-videos @ 0123abc : videos/a.mp4')).toBe(
      'intel-iot-devkit/sample-videos',
    );
    expect(repositoryOf('local footage')).toBe('local footage');
  });

  it('splits by a fixed hash of the repository (checked against Python zlib.crc32)', () => {
    // crc32("real-val-17:" + repo) % 100: 13, 5 -> validation; 45, 76 -> training (values from Python's zlib.crc32).
    expect(isRealValidation('intel-iot-devkit/sample-videos')).toBe(true);
    expect(isRealValidation('talmolab/sleap')).toBe(true);
    expect(isRealValidation('Phong163/actrecognition')).toBe(false);
    expect(isRealValidation('glovla-project/glovla-project.github.io')).toBe(false);
    const keys = Array.from({ length: 4000 }, (_, i) => `owner${i}/repo`);
    const share = keys.filter(isRealValidation).length / keys.length;
    expect(share).toBeGreaterThan(0.18);
    expect(share).toBeLessThan(0.22);
  });

  it('reads weak labels, confidence and split per clip; unclear clips have no verdict', async () => {
    const clips = await readRealCorpus(join(dir, 'corpus'));
    expect([...clips.keys()]).toEqual(['a_001.mp4', 'a_002.mp4', 'b_001.mp4', 'c_001.mp4']);
    expect(clips.get('a_001.mp4')).toEqual({
      file: 'a_001.mp4',
      group: 'g1',
      repo: 'intel-iot-devkit/sample-videos',
      license: 'Apache-2.0',
      verdict: 2,
      confidence: 'high',
      split: 'val',
    });
    expect([...clips.values()].map((c) => [c.verdict, c.split])).toEqual([
      [2, 'val'],
      [0, 'val'],
      [1, 'train'],
      [-1, 'train'],
    ]);
  });

  it('refuses an unknown label, naming the clip', async () => {
    await mkdir(join(dir, 'bad'));
    await writeFile(join(dir, 'bad', 'index.csv'), INDEX);
    await writeFile(join(dir, 'bad', 'labels.csv'), LABELS.replace('a_002.mp4,invariant', 'a_002.mp4,reversible'));
    const error = await readRealCorpus(join(dir, 'bad')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestError);
    expect(String((error as Error).message)).toMatch(/a_002\.mp4 \(line 3\).*labels\.csv.*reversible/);
  });

  it('exports its scanned clips as forward examples with weak verdicts, weights and the split in groups.json', async () => {
    const items = ['a_001', 'b_001', 'c_001'].map((id, k) => ({
      id,
      family: 'x',
      verdict: 'invariant',
      direction: 'forward' as const,
      seed: k,
      series: randomSeries(40 + k, k + 1),
    }));
    // audit scan of the clips/ folder: ids are paths; the labels join on the file name.
    const { scanOut } = await writeFakeScan(join(dir, 'scan'), items, { pathPrefix: '/somewhere/clips/' });
    const out = join(dir, 'scan', 'data');
    const summary = await exportDataset({ scanOut, realCorpus: join(dir, 'corpus'), out });
    expect(summary).toMatchObject({ rows: 3, clips: 3, unlabelled: 0, unscanned: 1 });
    expect(Array.from((await readNpy(join(out, 'y_verdict.npy'))).data as BigInt64Array)).toEqual([2n, 1n, -1n]);
    expect(Array.from((await readNpy(join(out, 'y_forward.npy'))).data as BigInt64Array)).toEqual([1n, 1n, 1n]);
    const groups = JSON.parse(await readFile(join(out, 'groups.json'), 'utf8'));
    expect(
      groups.map((g: Record<string, unknown>) => [g.family, g.group, g.split, g.confidence, g.verdict_weight]),
    ).toEqual([
      ['real', 'g1', 'val', 'high', 1],
      ['real', 'g2', 'train', 'medium', 0.7],
      ['real', 'g3', 'train', 'low', 0.3],
    ]);
  });

  const shared = join(SHARED_DATA, 'real-corpus');
  it.skipIf(!existsSync(join(shared, 'index.csv')))(
    'the shared real corpus: about a fifth of its clips validate, and no source video or repository is on both sides',
    async () => {
      const clips = [...(await readRealCorpus(shared)).values()];
      const val = clips.filter((c) => c.split === 'val');
      expect(val.length / clips.length).toBeGreaterThan(0.15);
      expect(val.length / clips.length).toBeLessThan(0.3);
      for (const key of ['group', 'repo'] as const) {
        const sides = new Map<string, Set<string>>();
        for (const c of clips) sides.set(c[key], (sides.get(c[key]) ?? new Set()).add(c.split));
        expect([...sides.values()].filter((s) => s.size > 1)).toHaveLength(0);
      }
      for (const v of [0, 1, 2]) expect(val.filter((c) => c.verdict === v).length).toBeGreaterThan(50);
    },
  );
});
