// WebDataset shards as input: samples -> rows (json/txt columns, __key__, __shard__), clips read in place by byte
// range, a sample without a video, a damaged shard and a missing shard as error rows, decisions as JSONL, resume.

import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isRowProblem, openInput, type InputRow, type RowProblem } from '../../src/io/inputs.js';
import { expandBraces, parseMemberLocator, splitMemberName } from '../../src/io/webdataset.js';
import { withFields, writeFilteredShards } from '../../src/io/webdataset-write.js';
import { analyseClip } from '../../src/pipeline/analyse-clip.js';
import { scan } from '../../src/pipeline/scan.js';
import { sceneClip } from '../fixtures/clips.js';
import { runCliProcess } from '../fixtures/cli.js';
import { collect, tempDir } from './tmp.js';
import { writeShard } from './wds-fixtures.js';

const SETTINGS = {
  shortSide: 96,
  fps: 24,
  maxSeconds: 10,
  timeoutMs: 60_000,
  flowPreset: 'ultrafast',
  flowDirections: 'canonical',
  reverse: false,
} as const;
const LONG_KEY = `deep/${'k'.repeat(120)}`;
const TINY_MODEL = new URL('../fixtures/model/tiny.onnx', import.meta.url).pathname;

let dir: string;
let pattern: string;
let clipA: Buffer;

async function jsonl(file: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

beforeAll(async () => {
  dir = await tempDir();
  clipA = await readFile(await sceneClip('drop', join(dir, 'a.mp4'), { seconds: 1 }));
  const clipB = await readFile(await sceneClip('pan', join(dir, 'b.mp4'), { seconds: 1 }));
  // shard 0: a full sample, a sample without a video, a sample with a long key (pax header)
  await writeShard(join(dir, 'shard-00000.tar'), [
    { name: '000000.mp4', data: clipA },
    { name: '000000.json', data: JSON.stringify({ caption: 'a ball drops', meta: { fps: 24 } }) },
    { name: '000000.txt', data: 'a ball drops onto the floor\n' },
    { name: '000001.json', data: JSON.stringify({ caption: 'no video here' }) },
    { name: '000001.txt', data: 'orphan' },
    { name: `${LONG_KEY}.mp4`, data: clipB },
    { name: `${LONG_KEY}.txt`, data: 'the camera pans' },
  ]);
  // shard 1: one good sample, then garbage where the next header should be
  await writeShard(join(dir, 'shard-00001.tar'), [
    { name: '000002.mp4', data: clipB },
    { name: '000002.txt', data: 'pan again' },
    { name: '000003.mp4', data: clipA },
  ]);
  const good = await readFile(join(dir, 'shard-00001.tar'));
  // Keep the first sample's members whole (header + data + padding), then overwrite the 000003 header with junk.
  const at = 512 + Math.ceil(clipB.length / 512) * 512 + 512 + 512;
  const broken = Buffer.concat([good.subarray(0, at), Buffer.alloc(512, 0x41), good.subarray(at + 512)]);
  await writeFile(join(dir, 'shard-00001.tar'), broken);
  // shard 2 is missing; shard 3 is cut short inside its video member
  const three = join(dir, 'shard-00003.tar');
  await writeShard(three, [
    { name: '000004.txt', data: 'cut short' },
    { name: '000004.mp4', data: clipA },
  ]);
  const whole = await readFile(three);
  await writeFile(three, whole.subarray(0, 512 + 512 + 512 + 1000));
  pattern = join(dir, 'shard-{00000..00003}.tar');
}, 120_000);

describe('brace patterns and member names', () => {
  it('expands numeric ranges (zero-padded) and lists, several braces multiplying', () => {
    expect([...expandBraces('s-{008..011}.tar')]).toEqual(['s-008.tar', 's-009.tar', 's-010.tar', 's-011.tar']);
    expect([...expandBraces('{a,b}/x-{0..1}.tar')]).toEqual(['a/x-0.tar', 'a/x-1.tar', 'b/x-0.tar', 'b/x-1.tar']);
    expect([...expandBraces('plain.tar')]).toEqual(['plain.tar']);
  });

  it('splits the key at the first dot of the base name, as WebDataset does', () => {
    expect(splitMemberName('dir.v2/000123.seg.json')).toEqual({ key: 'dir.v2/000123', ext: 'seg.json' });
    expect(splitMemberName('000123.MP4')).toEqual({ key: '000123', ext: 'mp4' });
  });
});

describe('the decision fields added to a reverse-safe sample json', () => {
  it("keep the json's own text and values: numbers beyond 2^53, and a field of the same name", () => {
    const add = (json: string) =>
      withFields(Buffer.from(json), {
        label_reversed: null,
        caption_reversed: 'x',
        decision: 'reverse_keep_label',
      }).toString('utf8');
    expect(add('{"id": 12345678901234567891, "big":9007199254740993, "decision":"train-split"}\n')).toBe(
      '{"id": 12345678901234567891, "big":9007199254740993, "decision":"train-split","label_reversed":null,"caption_reversed":"x","audit_decision":"reverse_keep_label"}\n',
    );
    expect(add('{}')).toBe('{"label_reversed":null,"caption_reversed":"x","decision":"reverse_keep_label"}');
    expect(add('{"decision":1,"audit_decision":2}')).toBe(
      '{"decision":1,"audit_decision":2,"label_reversed":null,"caption_reversed":"x","audit_audit_decision":"reverse_keep_label"}',
    );
  });
});

describe('WebDataset shards as input', () => {
  it('yields one row per sample with its json and txt columns, and error rows naming shard and key', async () => {
    const src = await openInput(pattern);
    expect(src.kind).toBe('webdataset');
    const rows = await collect(src.rows());
    const ok = rows.filter((r): r is InputRow => !isRowProblem(r));
    const bad = rows.filter((r): r is RowProblem => isRowProblem(r));
    expect(rows.map((r) => r.row)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(ok.map((r) => r.id)).toEqual(['000000', LONG_KEY, '000002']);
    const first = ok[0];
    expect(first.columns).toMatchObject({
      caption: 'a ball drops',
      meta: '{"fps":24}',
      txt: 'a ball drops onto the floor',
      __key__: '000000',
      __shard__: join(dir, 'shard-00000.tar'),
    });
    const ref = parseMemberLocator(first.path)!;
    expect(ref).toMatchObject({ shard: join(dir, 'shard-00000.tar'), member: '000000.mp4', size: clipA.length });
    // The locator's range is exactly the clip's bytes in the shard.
    const shard = await readFile(ref.shard);
    expect(shard.subarray(ref.offset, ref.offset + ref.size).equals(clipA)).toBe(true);
    expect(ok[1].columns.txt).toBe('the camera pans');
    expect(bad.map((b) => b.error.code)).toEqual([
      'webdataset_no_video',
      'webdataset_corrupt',
      'webdataset_missing_shard',
      'webdataset_corrupt',
    ]);
    expect(bad[0].error.message).toContain('sample "000001" of shard');
    expect(bad[0].error.message).toContain('shard-00000.tar');
    expect(bad[1].error.message).toMatch(/Shard .*shard-00001\.tar is damaged.*bad tar header checksum/);
    expect(bad[2].error.message).toContain('shard-00002.tar');
    expect(bad[3].error.message).toMatch(
      /shard-00003\.tar is damaged in sample "000004".*ends inside member 000004\.mp4/,
    );
  });

  it('a missing first shard is an input error naming it', async () => {
    await expect(openInput(join(dir, 'nope-{0..3}.tar'))).rejects.toMatchObject({
      code: 'input-missing',
      message: expect.stringContaining('nope-0.tar'),
    });
  });

  it('decodes a member in place by byte range, and names the member in a decode error', async () => {
    const [row] = (await collect((await openInput(join(dir, 'shard-00000.tar'))).rows())) as InputRow[];
    const out = await analyseClip({ id: row.id, path: row.path, row: 1, settings: SETTINGS });
    expect(out.ok).toBe(true);
    // A locator whose range holds no video: the error names the locator, not the loopback URL.
    const wrong = row.path.replace(/@\d+\+/, '@0+');
    const failed = await analyseClip({ id: 'x', path: wrong, row: 1, settings: SETTINGS });
    expect(failed.ok).toBe(false);
    if (!failed.ok) {
      expect(failed.error.message).toContain('shard-00000.tar#000000.mp4@0+');
      expect(failed.error.message).not.toContain('127.0.0.1');
    }
  });

  it('scans every sample exactly once (clips or errors), writes JSONL decisions, and resumes', async () => {
    const out = join(dir, 'out');
    // permissive: a caption that says nothing irreversible ("the camera pans") makes its sample reverse-safe
    const s = await scan({
      input: pattern,
      out,
      workers: 2,
      quiet: true,
      model: 'none',
      captionColumn: 'txt',
      policy: 'permissive',
    });
    expect(s.input.kind).toBe('webdataset');
    expect(s.counts).toMatchObject({ input_rows: 7, clips: 3, errors: 4 });
    const clips = await jsonl(join(out, 'clips.jsonl'));
    expect(clips.map((c) => c.id).sort()).toEqual(['000000', '000002', LONG_KEY].sort());
    const c0 = clips.find((c) => c.id === '000000')!;
    expect(c0.input).toMatchObject({ __key__: '000000', txt: 'a ball drops onto the floor' });
    const errors = await jsonl(join(out, 'errors.jsonl'));
    expect(errors.map((e) => e.code).sort()).toEqual([
      'webdataset_corrupt',
      'webdataset_corrupt',
      'webdataset_missing_shard',
      'webdataset_no_video',
    ]);
    expect(s.decisions && 'counts' in s.decisions).toBe(true);
    const safe = await jsonl(join(out, 'reverse-safe.jsonl'));
    const excluded = await jsonl(join(out, 'excluded.jsonl'));
    expect(safe.length + excluded.length).toBe(7);
    for (const r of [...safe, ...excluded].filter((r) => r.__key__ !== undefined))
      expect(r.__shard__).toMatch(/shard-0000[0-3]\.tar$/);
    // The reverse-safe shards hold exactly the reverse-safe samples.
    expect(safe.map((r) => r.__key__)).toContain(LONG_KEY);
    const shardFiles = (await readdir(join(out, 'reverse-safe-shards'))).map((f) =>
      join(out, 'reverse-safe-shards', f),
    );
    const written = shardFiles.length
      ? await collect(
          (
            await openInput(
              shardFiles.length === 1
                ? shardFiles[0]
                : join(
                    out,
                    'reverse-safe-shards',
                    `{${shardFiles.map((f) => f.slice(f.lastIndexOf('/') + 1)).join(',')}}`,
                  ),
            )
          ).rows(),
        )
      : [];
    expect(written.map((r) => (isRowProblem(r) ? r.error.code : r.columns.__key__)).sort()).toEqual(
      safe.map((r) => r.__key__).sort(),
    );
    const again = await scan({
      input: pattern,
      out,
      workers: 2,
      quiet: true,
      model: 'none',
      captionColumn: 'txt',
      policy: 'permissive',
    });
    // the 3 clips resume; the 4 broken samples (manifest problems) are found again from the shards as they are
    expect(again.counts).toMatchObject({ resumed: 3, this_run_clips: 0, this_run_errors: 4, clips: 3, errors: 4 });
  });

  it('writes filtered shards: the kept samples, members byte for byte, the decision added to their json', async () => {
    const dest = join(dir, 'filtered');
    const keep = new Map([
      [1, { label_reversed: null, caption_reversed: 'a ball rises', decision: 'reverse_swap_label' }],
      [3, { label_reversed: null, caption_reversed: null, decision: 'reverse_keep_label' }],
      [4, { label_reversed: null, caption_reversed: null, decision: 'reverse_keep_label' }],
    ]);
    const r = await writeFilteredShards(pattern, dest, keep);
    expect(r).toEqual({ dir: dest, shards: 2, samples: 3 });
    expect((await readdir(dest)).sort()).toEqual(['shard-00000.tar', 'shard-00001.tar']);
    const rows = (await collect((await openInput(join(dest, 'shard-0000{0,1}.tar'))).rows())) as InputRow[];
    expect(rows.map((x) => x.id)).toEqual(['000000', LONG_KEY, '000002']);
    expect(rows[0].columns).toMatchObject({
      caption: 'a ball drops',
      meta: '{"fps":24}',
      txt: 'a ball drops onto the floor',
      caption_reversed: 'a ball rises',
      decision: 'reverse_swap_label',
    });
    // A sample without a json member gets one with the decision.
    expect(rows[1].columns).toMatchObject({ txt: 'the camera pans', decision: 'reverse_keep_label' });
    const ref = parseMemberLocator(rows[0].path)!;
    expect((await readFile(ref.shard)).subarray(ref.offset, ref.offset + ref.size).equals(clipA)).toBe(true);
    // Written again with nothing kept: the folder is replaced, not added to.
    expect(await writeFilteredShards(pattern, dest, new Map())).toEqual({ dir: dest, shards: 0, samples: 0 });
    expect(await readdir(dest)).toEqual([]);
  });

  it("draws the report's contact sheets from the members in place", async () => {
    const out = join(dir, 'out-report');
    const s = await scan({
      input: join(dir, 'shard-00000.tar'),
      out,
      workers: 1,
      quiet: true,
      model: TINY_MODEL,
      report: true,
    });
    expect(s.report).toEqual({ file: join(out, 'report.html') });
    expect((await readdir(join(out, 'report'))).filter((f) => f.startsWith('sheet-')).length).toBe(2);
    expect(await readFile(join(out, 'report.html'), 'utf8')).not.toContain('no contact sheet');
  });

  it('runs from the CLI with a brace pattern (exit 3: some rows failed)', async () => {
    const out = join(dir, 'cli-out');
    const r = await runCliProcess(['scan', pattern, '--out', out, '--model', 'none', '--no-report', '-w', '2', '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(3);
    expect((await jsonl(join(out, 'clips.jsonl'))).length).toBe(3);
  });
});
