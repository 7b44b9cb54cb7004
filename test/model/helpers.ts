// Test data for the model stage: cue series of synthetic scenes (or random ones) laid out like a scan's output.

import { spawnSync } from 'node:child_process';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CUE_COLUMNS } from '../../src/cues/index.js';
import { mirrorSeries, SeriesAnalyser, type CueSeries } from '../../src/cues/series.js';
import { renderScene, type SceneName } from '../../src/synth/scenes.js';

/** The verdict each synthetic scene shows (src/synth/scenes.ts SCENE_NOTES): one family per scene. */
export const SCENE_VERDICT: Readonly<Record<SceneName, 'invariant' | 'equivariant' | 'irreversible'>> = {
  drop: 'irreversible',
  slide: 'irreversible',
  spread: 'irreversible',
  pan: 'equivariant', // pans left <-> right
  zoom: 'equivariant', // zoom in <-> out
  roll: 'equivariant', // clockwise <-> anticlockwise
  swing: 'invariant',
  wave: 'invariant',
  spin: 'invariant', // "spins", no direction in the caption
  shake: 'invariant',
  still: 'invariant',
};

/** A labelled series: a clip as scanned plus its label row. */
export interface LabelledSeries {
  id: string;
  family: string;
  verdict: string;
  direction: 'forward' | 'backward';
  seed: number;
  series: CueSeries;
}

/** A random series of `frames` rows, seeded (xorshift), values of a few units. */
export function randomSeries(frames: number, seed: number): CueSeries {
  const F = CUE_COLUMNS.length;
  const data = new Float32Array(frames * F);
  let s = seed * 2654435761 + 1;
  for (let i = 0; i < data.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    data[i] = ((s >>> 0) / 2 ** 32 - 0.5) * 4;
  }
  return { frames, columns: F, data };
}

/**
 * Every scene x `seeds` seeds, rendered at 96x64 and 24 fps for 1.5-4 s (so windows are both padded and
 * cropped), analysed, plus each clip's mirror as its backward twin (same seed, so hold-outs keep twins together).
 */
export function sceneSeries(seeds: number): LabelledSeries[] {
  const analyser = new SeriesAnalyser({ flowPreset: 'ultrafast' });
  const out: LabelledSeries[] = [];
  const scenes = Object.keys(SCENE_VERDICT) as SceneName[];
  for (let s = 0; s < seeds; s++) {
    scenes.forEach((scene, k) => {
      const seed = 1000 * s + k + 1;
      const seconds = 1.5 + ((s * 7 + k * 3) % 11) * 0.25;
      const frames = renderScene(scene, { width: 96, height: 64, fps: 24, seconds, seed }).map((f) => ({
        width: 96,
        height: 64,
        data: Float32Array.from(f),
      }));
      const series = analyser.analyse(frames, 24);
      const base = { family: scene, verdict: SCENE_VERDICT[scene], seed };
      out.push({ id: `${scene}_${seed}`, direction: 'forward', series, ...base });
      out.push({ id: `${scene}_${seed}_rev`, direction: 'backward', series: mirrorSeries(series), ...base });
    });
  }
  return out;
}

/** Writes `clips.jsonl` + `series/part-0.f32` (like `audit scan`) and `labels.jsonl` (like the corpus). */
export async function writeFakeScan(
  dir: string,
  items: readonly LabelledSeries[],
  opts: { pathPrefix?: string } = {},
): Promise<{ scanOut: string; labels: string }> {
  const scanOut = join(dir, 'scan');
  await mkdir(join(scanOut, 'series'), { recursive: true });
  const seriesFile = join(scanOut, 'series', 'part-0.f32');
  await writeFile(seriesFile, new Uint8Array(0));
  const clips: string[] = [];
  const labels: string[] = [];
  let offset = 0;
  for (const [i, it] of items.entries()) {
    const path = `${opts.pathPrefix ?? '/corpus/clips/'}${it.id}.mp4`;
    await appendFile(
      seriesFile,
      new Uint8Array(it.series.data.buffer, it.series.data.byteOffset, it.series.data.byteLength),
    );
    clips.push(
      JSON.stringify({
        id: it.id,
        path,
        row: i + 1,
        analysis_fps: 24,
        series_file: 'series/part-0.f32',
        series_offset: offset,
        series_pairs: it.series.frames,
        series_columns: it.series.columns,
      }),
    );
    labels.push(
      JSON.stringify({
        id: it.id,
        path,
        family: it.family,
        verdict: it.verdict,
        direction: it.direction,
        twin_id: null,
        seed: it.seed,
      }),
    );
    offset += it.series.data.byteLength;
  }
  await writeFile(join(scanOut, 'clips.jsonl'), `${clips.join('\n')}\n`);
  const labelsPath = join(dir, 'labels.jsonl');
  await writeFile(labelsPath, `${labels.join('\n')}\n`);
  return { scanOut, labels: labelsPath };
}

/** /usr/bin/python3 with torch and numpy, or null (the Debian packages python3-torch, python3-numpy). */
export function torchPython(): string | null {
  const py = process.env.REVERSAL_AUDIT_PYTHON ?? '/usr/bin/python3';
  const r = spawnSync(py, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  return r.status === 0 ? py : null;
}

/** /usr/bin/python3 with numpy (enough to read .npy files back), or null. */
export function numpyPython(): string | null {
  const py = process.env.REVERSAL_AUDIT_PYTHON ?? '/usr/bin/python3';
  const r = spawnSync(py, ['-c', 'import numpy'], { encoding: 'utf8' });
  return r.status === 0 ? py : null;
}
