// synthCorpus writes playable clips with reversed twins, labels and a manifest, deterministically and resumably.

import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probeClip } from '../../src/decode/probe.js';
import { decodeClip } from '../../src/decode/frames.js';
import { encodeFrames } from '../../src/decode/encode.js';
import { FolderLockedError, lockFolder } from '../../src/io/lock.js';
import { synthCorpus } from '../../src/synth/corpus/generate.js';
import type { LabelRow } from '../../src/synth/corpus/generate.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'synth-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function labels(out: string): Promise<LabelRow[]> {
  return (await readFile(join(out, 'labels.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as LabelRow);
}

describe('encodeFrames', () => {
  it('encodes gray frames that decode back to the same count and size', async () => {
    const out = await tempDir();
    const frames = Array.from({ length: 12 }, (_, i) =>
      Uint8Array.from({ length: 64 * 48 }, (_, p) => ((p % 64) * 4 + i * 10) & 255),
    );
    const path = join(out, 'g.mp4');
    await encodeFrames(frames, { width: 64, height: 48, fps: 12, crf: 20, path, pixelFormat: 'gray' });
    const clip = await decodeClip(path, { shortSide: 48, fps: 12 });
    expect(clip.frames.length).toBe(12);
    expect([clip.width, clip.height]).toEqual([64, 48]);
    await expect(
      encodeFrames(frames, { width: 63, height: 48, fps: 12, crf: 20, path, pixelFormat: 'gray' }),
    ).rejects.toThrow(/even width/);
  });
});

describe('synthCorpus', () => {
  const families = ['drop_bounce', 'slide_stop', 'carry', 'lid_door', 'pendulum', 'spin'];
  const renderParams = { width: 160, height: 90, fps: 15, seconds: 2 };

  it('writes clips, reversed twins, labels and a manifest; resumes without redoing work', async () => {
    const out = await tempDir();
    const res = await synthCorpus({ out, count: 6, seed: 3, families, renderParams });
    expect(res.clips).toBe(12);
    expect(res.skipped).toBe(0);
    expect(res.seconds).toBeCloseTo(12 * 2, 0);
    const rows = await labels(out);
    expect(rows.length).toBe(12);
    const files = (await readdir(join(out, 'clips'))).sort();
    expect(files).toEqual(rows.map((r) => r.path.replace('clips/', '')).sort());
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const r of rows) {
      expect(['invariant', 'equivariant', 'irreversible']).toContain(r.verdict);
      expect(r.crf).toBeGreaterThanOrEqual(18);
      expect(r.crf).toBeLessThanOrEqual(35);
      const twin = byId.get(r.twin_id!)!;
      expect(twin.twin_id).toBe(r.id);
      expect(twin.direction).not.toBe(r.direction);
      if (r.direction === 'backward') expect(r.id).toBe(`${twin.id}_rev`);
      if (r.verdict === 'equivariant')
        expect(r.action).toBe(r.direction === 'forward' ? r.meta.action : r.meta.reversed_action);
      const probe = await probeClip(join(out, r.path));
      expect([probe.width, probe.height]).toEqual([160, 90]);
      expect(probe.durationS).toBeGreaterThan(1.5);
    }
    expect(new Set(rows.map((r) => r.family))).toEqual(new Set(families));
    const manifest = (await readFile(join(out, 'manifest.csv'), 'utf8')).trim().split('\n');
    expect(manifest[0]).toBe('id,path,family,verdict,direction');
    expect(manifest.length).toBe(13);

    const before = (await stat(join(out, 'clips', files[0]))).mtimeMs;
    const again = await synthCorpus({ out, count: 6, seed: 3, families, renderParams });
    expect(again).toEqual({ clips: 0, seconds: 0, skipped: 6 });
    expect((await stat(join(out, 'clips', files[0]))).mtimeMs).toBe(before);
    expect((await labels(out)).length).toBe(12);
  });

  it('is deterministic for a seed and can skip the twins', async () => {
    const [a, b] = [await tempDir(), await tempDir()];
    await synthCorpus({
      out: a,
      count: 2,
      seed: 9,
      families: ['throw_land', 'wave'],
      reversedTwins: false,
      renderParams,
    });
    await synthCorpus({
      out: b,
      count: 2,
      seed: 9,
      families: ['throw_land', 'wave'],
      reversedTwins: false,
      renderParams,
    });
    const [ra, rb] = [await labels(a), await labels(b)];
    expect(ra.map((r) => r.direction)).toEqual(['forward', 'forward']);
    expect(ra.map((r) => r.twin_id)).toEqual([null, null]);
    expect(JSON.stringify(ra)).toBe(JSON.stringify(rb));
    // the same folder again with the twins: each clip rendered again replaces its rows, so no id is listed twice
    await synthCorpus({ out: a, count: 2, seed: 9, families: ['throw_land', 'wave'], renderParams });
    const ids = (await labels(a)).map((r) => r.id);
    expect(ids.sort()).toEqual([
      'throw_land_s9_000000',
      'throw_land_s9_000000_rev',
      'wave_s9_000001',
      'wave_s9_000001_rev',
    ]);
    expect((await readdir(join(a, 'clips'))).filter((f) => !f.endsWith('.mp4'))).toEqual([]);
    // the same ids with the handheld look would mix two corpora in one folder: refused, nothing rendered
    await expect(
      synthCorpus({ out: a, count: 3, seed: 9, families: ['throw_land', 'wave'], renderParams, handheld: true }),
    ).rejects.toThrow(/holds clips rendered with \{"handheld":false.*this run asks for \{"handheld":true/);
    expect((await labels(a)).length).toBe(4);
  });

  it('locks its folder: a second render into it stops, naming the first, and writes nothing', async () => {
    const out = await tempDir();
    await synthCorpus({ out, count: 0, seed: 1, families, renderParams });
    const other = await lockFolder(out, { command: 'audit synth --out elsewhere' });
    try {
      const second = synthCorpus({ out, count: 1, seed: 1, families, renderParams });
      await expect(second).rejects.toBeInstanceOf(FolderLockedError);
      await expect(second).rejects.toThrow(/audit synth --out elsewhere/);
      expect(await readdir(join(out, 'clips'))).toEqual([]);
    } finally {
      await other.release();
    }
    // Released after the run: the next one takes the lock again.
    expect((await synthCorpus({ out, count: 1, seed: 1, families, renderParams, reversedTwins: false })).clips).toBe(1);
  });

  it('refuses an unknown family, a seed past 32 bits, and names a broken labels.jsonl line', async () => {
    await expect(synthCorpus({ out: await tempDir(), count: 1, seed: 1, families: ['nope'] })).rejects.toThrow(/nope/);
    // seeds are mixed in as 32 bits: 2^32 + 1 would render seed 1's clips under other ids
    await expect(synthCorpus({ out: await tempDir(), count: 1, seed: 2 ** 32 + 1 })).rejects.toThrow(
      /an integer from 0 to 4294967295 for seed/,
    );
    const out = await tempDir();
    await writeFile(join(out, 'labels.jsonl'), '{"id":"a"}\n{not json\n{"id":"b"}\n');
    await expect(synthCorpus({ out, count: 1, seed: 1, families, renderParams })).rejects.toThrow(
      /labels\.jsonl line 2 is not JSON/,
    );
  });
});
