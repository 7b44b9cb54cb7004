// Batched decoding in the scan: the same rows and series as one ffmpeg per clip, and a thread that dies takes only its own clip.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readJsonl } from '../../src/io/jsonl-log.js';
import { readSeries } from '../../src/outputs/series-file.js';
import { scan } from '../../src/pipeline/scan.js';
import { sceneClip } from '../fixtures/clips.js';
import { tempDir } from '../fixtures/cli.js';

type Row = Record<string, unknown>;

async function rows(path: string): Promise<Row[]> {
  const out: Row[] = [];
  for await (const { value } of readJsonl(path)) out.push(value as Row);
  return out;
}

/** Each clip's row without what differs between runs (timings, where its series sits), with its series values. */
async function byId(out: string): Promise<Map<string, Row>> {
  const m = new Map<string, Row>();
  for (const r of await rows(join(out, 'clips.jsonl'))) {
    const { decode_ms, analyse_ms, series_file, series_offset, ...rest } = r;
    const series = await readSeries(out, r as never);
    m.set(r.id as string, { ...rest, series: Array.from(series.data) });
  }
  return m;
}

let manifest: string;
const SCENES = ['drop', 'pan', 'swing', 'slide', 'zoom'] as const;
const N = 10;

beforeAll(async () => {
  const media = await tempDir('audit-batch-media-');
  for (const s of SCENES) await sceneClip(s, join(media, `${s}.mp4`), { seconds: 1.5 });
  const lines = ['id,path'];
  for (let i = 0; i < N; i++) lines.push(`clip-${i},${SCENES[i % SCENES.length]}.mp4`);
  lines.push('clip-missing,nowhere.mp4');
  manifest = join(media, 'manifest.csv');
  await writeFile(manifest, `${lines.join('\n')}\n`);
});

describe('scan with batched decoding', () => {
  it('writes the same rows and series as one ffmpeg per clip, and records the batch size', async () => {
    const alone = await tempDir();
    const batched = await tempDir();
    await scan({ input: manifest, out: alone, workers: 2, quiet: true, decodeBatch: 1 });
    const summary = await scan({ input: manifest, out: batched, workers: 2, quiet: true, decodeBatch: 4 });
    expect(summary.counts).toMatchObject({ clips: N, errors: 1 });
    expect(summary.settings.decodeBatch).toBe(4);
    expect(await byId(batched)).toEqual(await byId(alone));
    const errors = await rows(join(batched, 'errors.jsonl'));
    expect(errors.map((e) => [e.id, e.code])).toEqual([['clip-missing', 'missing']]);
    const resumed = JSON.parse(await readFile(join(batched, 'summary.json'), 'utf8'));
    expect(resumed.settings.decodeBatch).toBe(4);
  });

  it('a clip that kills its worker thread fails alone: the clips decoded with it are run again on their own', async () => {
    const out = await tempDir();
    process.env.AUDIT_FAULT_CRASH_CLIP = 'clip-3';
    try {
      const summary = await scan({ input: manifest, out, workers: 1, quiet: true, decodeBatch: 4 });
      expect(summary.counts).toMatchObject({ clips: N - 1, errors: 2 });
    } finally {
      delete process.env.AUDIT_FAULT_CRASH_CLIP;
    }
    const errors = await rows(join(out, 'errors.jsonl'));
    expect(errors.map((e) => [e.id, e.code]).sort()).toEqual([
      ['clip-3', 'worker_failed'],
      ['clip-missing', 'missing'],
    ]);
  });
});
