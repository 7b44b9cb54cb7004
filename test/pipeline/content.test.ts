// scan --content: the real object detector (TensorFlow.js on WebAssembly) on one frame of each clip, its class scores in
// the `content` column, and the verdict averaged with the shipped content head's; a scores-only run; the usage errors.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COCO_CLASSES } from '../../src/content/coco.js';
import { DETECTOR_ID, clipContent } from '../../src/content/detector.js';
import { RunMismatchError, UsageError } from '../../src/errors.js';
import { DEFAULT_CONTENT_HEAD, loadContentHead, mixVerdict } from '../../src/model/content-head.js';
import { scan } from '../../src/pipeline/scan.js';

const SAMPLES = fileURLToPath(new URL('../../samples/manifest.csv', import.meta.url));
const CLIP = fileURLToPath(new URL('../../samples/swing.mp4', import.meta.url));

interface Row {
  id: string;
  verdict: string | null;
  p_invariant: number;
  p_equivariant: number;
  p_irreversible: number;
  confidence: number;
  path: string;
  window_start_s: number;
  window_end_s: number;
  content: { objects: Record<string, number>; scores: number[]; network: number[] | null; head: number[] | null };
}

async function rows(out: string): Promise<Row[]> {
  return (await readFile(join(out, 'clips.jsonl'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row);
}

describe('scan --content', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ra-content-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('records 80 class scores a clip and averages the head’s verdict with the network’s', async () => {
    const out = join(dir, 'mixed');
    const summary = await scan({ input: SAMPLES, out, content: true, quiet: true, workers: 2, report: true });
    expect(summary.counts.errors).toBe(0);
    const head = await loadContentHead(fileURLToPath(DEFAULT_CONTENT_HEAD), DETECTOR_ID);
    const all = await rows(out);
    expect(all.length).toBe(summary.counts.clips);
    for (const r of all) {
      const c = r.content;
      expect(c.scores).toHaveLength(COCO_CLASSES.length);
      expect(c.scores.every((s) => s >= 0 && s <= 1)).toBe(true);
      for (const [name, score] of Object.entries(c.objects)) {
        expect(COCO_CLASSES).toContain(name);
        expect(score).toBe(c.scores[COCO_CLASSES.indexOf(name)]);
        expect(score).toBeGreaterThanOrEqual(0.2);
      }
      if (!c.network || !c.head) throw new Error(`${r.id}: no network or head probabilities`);
      const mixed = mixVerdict(head, c.network, c.head);
      expect(r.p_invariant).toBeCloseTo(mixed[0], 3);
      expect(r.p_equivariant).toBeCloseTo(mixed[1], 3);
      expect(r.p_irreversible).toBeCloseTo(mixed[2], 3);
      const p = [r.p_invariant, r.p_equivariant, r.p_irreversible];
      expect(r.verdict).toBe(['invariant', 'equivariant', 'irreversible'][p.indexOf(Math.max(...p))]);
      expect(r.confidence).toBe(Math.max(...p));
    }
    // The scan decodes the frames of the clips a worker holds in one ffmpeg: the scores are those of a clip alone.
    for (const r of all.slice(0, 2)) {
      const alone = await clipContent(r.path, { windowStartS: r.window_start_s, windowEndS: r.window_end_s });
      expect(r.content.scores).toEqual(Array.from(alone, (s) => Math.round(s * 1e4) / 1e4));
    }
    const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
    expect(run.content).toEqual({ detector: DETECTOR_ID, head: `${head.name}@${head.version}` });
    // The report's clip table names what was seen: "class score, ..." for clips with a class at 0.2 or more.
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('seen (--content)');
    const named = all.find((r) => Object.keys(r.content.objects).length > 0);
    if (named) {
      const [name, score] = Object.entries(named.content.objects)[0];
      expect(html).toContain(`${name} ${score.toFixed(2)}`);
    }
  }, 120_000);

  it('--content-head none records the scores and leaves the network’s verdict as it is', async () => {
    const out = join(dir, 'scores');
    await scan({ input: CLIP, out, content: true, contentHead: 'none', quiet: true, workers: 1 });
    const [r] = await rows(out);
    expect(r.content.head).toBeNull();
    expect(r.content.scores).toHaveLength(80);
    expect(r.p_invariant).toBeCloseTo(r.content.network?.[0] ?? Number.NaN, 4);
    // The folder's rows carry class scores: resuming it without --content would mix two kinds of rows.
    await expect(scan({ input: CLIP, out, quiet: true, workers: 1 })).rejects.toThrow(RunMismatchError);
    await expect(scan({ input: CLIP, out, quiet: true, workers: 1 })).rejects.toThrow(/content centernet/);
  }, 60_000);

  it('needs a model, and --content-head needs --content', async () => {
    const out = join(dir, 'usage');
    await expect(scan({ input: CLIP, out, content: true, model: 'none', quiet: true })).rejects.toThrow(UsageError);
    await expect(scan({ input: CLIP, out, content: true, model: 'none', quiet: true })).rejects.toThrow(/--model none/);
    await expect(scan({ input: CLIP, out, contentHead: 'none', quiet: true })).rejects.toThrow(/needs --content/);
  });
});
