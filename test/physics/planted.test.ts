// Planted renders: three violations and their correct twins, rendered to mp4 with a manifest, resumable.

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLANTED_SCENES, renderPlanted } from '../../src/physics/planted.js';
import { Rng } from '../../src/synth/corpus/randomise.js';
import { tempDir } from '../io/tmp.js';

const params = { width: 96, height: 64, fps: 12, seconds: 1.5, clean: true };

describe('planted scenes', () => {
  it('has a violation and at least one correct twin per setting', () => {
    for (const setting of ['slope', 'floor', 'midair']) {
      expect(PLANTED_SCENES.filter((s) => s.setting === setting && s.violation)).toHaveLength(1);
      expect(PLANTED_SCENES.filter((s) => s.setting === setting && !s.violation).length).toBeGreaterThanOrEqual(1);
    }
  });

  it('moves the ball the way each scene says', () => {
    const up = PLANTED_SCENES.find((s) => s.name === 'slope_accelerates_up')!.render(new Rng(3), params);
    const down = PLANTED_SCENES.find((s) => s.name === 'slope_rolls_down')!.render(new Rng(3), params);
    expect(up.meta.accel_along_slope as number).toBeGreaterThan(0);
    expect(down.meta.accel_along_slope as number).toBeLessThan(0);
    expect(up.frames).toHaveLength(18);
    expect(up.frames[0].length).toBe(96 * 64 * 4);
    const slows = PLANTED_SCENES.find((s) => s.name === 'fall_slows_midair')!.render(new Rng(5), params);
    expect(slows.meta.decel as number).toBeGreaterThan(0);
    // The frames change while the body moves: the first and middle frames differ.
    expect(Buffer.compare(Buffer.from(slows.frames[0]), Buffer.from(slows.frames[9]))).not.toBe(0);
  });

  it('renders every scene to mp4 with a manifest, and resumes without rendering again', async () => {
    const out = await tempDir();
    const clips = await renderPlanted({ out, perScene: 1, seed: 7, params });
    expect(clips).toHaveLength(6);
    expect(
      clips
        .filter((c) => c.violation)
        .map((c) => c.scene)
        .sort(),
    ).toEqual(['fall_slows_midair', 'floor_launch_from_rest', 'slope_accelerates_up']);
    for (const c of clips) expect((await stat(c.path)).size).toBeGreaterThan(500);
    const before = (await stat(join(out, `${clips[0].id}.mp4`))).mtimeMs;
    const again = await renderPlanted({ out, perScene: 1, seed: 7, params });
    expect(again.map((c) => c.id)).toEqual(clips.map((c) => c.id));
    expect((await stat(join(out, `${clips[0].id}.mp4`))).mtimeMs).toBe(before);
    await expect(renderPlanted({ out, perScene: 0 })).rejects.toThrow(/positive integer/);
  });
});
