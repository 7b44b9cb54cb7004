// The base model's arrow as a scan gives it, on adapt's held-out clips: the shipped arrow head on each held-out clip's
// whole series, once per clip however many windows it exported, and none of the clips adapt trains on.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { headOnHeldout, type ScannedClips } from '../../src/adapt/default-arrow.js';
import { DEFAULT_ARROW_HEAD, headArrow, loadArrowHead } from '../../src/model/arrow-head.js';
import { mirrorSeries } from '../../src/cues/series.js';
import { randomSeries, writeFakeScan, type LabelledSeries } from '../model/helpers.js';

const dirs: string[] = [];

/** The scan's rows as audit adapt reads them: each clip's id and where its series lies. */
async function scanned(scanOut: string): Promise<ScannedClips> {
  const rows = (await readFile(join(scanOut, 'clips.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string });
  return { scan: scanOut, clips: rows.map((r) => ({ id: r.id, series: r })) };
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('headOnHeldout', () => {
  it('scores the held-out clips only, each once, with the head on its whole series', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ra-default-arrow-'));
    dirs.push(dir);
    const head = await loadArrowHead(fileURLToPath(DEFAULT_ARROW_HEAD));
    // forwards and mirrored copies of random series, so the head leans both ways
    const items: LabelledSeries[] = Array.from({ length: 12 }, (_, i) => {
      const s = randomSeries(40 + i, i + 1);
      return {
        id: `c${i}`,
        family: 'random',
        verdict: 'irreversible',
        direction: 'forward',
        seed: i,
        series: i % 2 ? mirrorSeries(s) : s,
      };
    });
    const { scanOut } = await writeFakeScan(dir, items);
    const data = join(dir, 'tensors');
    await mkdir(data, { recursive: true });
    const heldIds = ['c1', 'c4', 'c5', 'c8', 'c11'];
    // two windows a clip, as an export writes them
    const groups = items.flatMap((it) =>
      [0, 1].map((window) => ({ id: it.id, split: heldIds.includes(it.id) ? 'val' : 'train', window })),
    );
    await writeFile(join(data, 'groups.json'), JSON.stringify(groups));

    const got = await headOnHeldout(head, [await scanned(scanOut)], [data]);
    // a Ctrl-C stops it at the next held-out clip
    await expect(headOnHeldout(head, [await scanned(scanOut)], [data], AbortSignal.abort())).rejects.toThrow(
      /Interrupted while measuring the arrow head on the held-out clips; nothing was written/,
    );
    const p = items.filter((it) => heldIds.includes(it.id)).map((it) => headArrow(head, it.series).p_forward);
    expect(got.clips).toBe(5);
    expect(got.arrow_accuracy).toBeCloseTo(p.filter((x) => x > 0.5).length / 5, 12);
    expect(got.mean_abs_p_forward_minus_half).toBeCloseTo(p.reduce((a, x) => a + Math.abs(x - 0.5), 0) / 5, 12);
    // it leans both ways on these clips, so the accuracy is neither 0 nor 1 by accident of selection
    expect(new Set(p.map((x) => x > 0.5)).size).toBe(2);
  });

  it('no held-out clip: no accuracy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ra-default-arrow-'));
    dirs.push(dir);
    const head = await loadArrowHead(fileURLToPath(DEFAULT_ARROW_HEAD));
    const items: LabelledSeries[] = [
      { id: 'a', family: 'random', verdict: 'invariant', direction: 'forward', seed: 1, series: randomSeries(30, 1) },
    ];
    const { scanOut } = await writeFakeScan(dir, items);
    await mkdir(join(dir, 't'), { recursive: true });
    await writeFile(join(dir, 't', 'groups.json'), JSON.stringify([{ id: 'a', split: 'train' }]));
    expect(await headOnHeldout(head, [await scanned(scanOut)], [join(dir, 't')])).toEqual({
      clips: 0,
      arrow_accuracy: null,
      mean_abs_p_forward_minus_half: null,
    });
  });
});
