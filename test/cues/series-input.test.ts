// The analyser reads the decoder's Uint8 frames as they are: the same series, byte for byte, as from Float32 copies.

import { describe, expect, it } from 'vitest';
import { SeriesAnalyser } from '../../src/cues/series.js';
import type { FlowDirections } from '../../src/cues/series.js';
import type { DisPresetName } from '../../src/flow/dis.js';

/** A textured disc drifting right and down over a slowly brightening textured background, as 8-bit frames. */
function frames(count: number, width: number, height: number): Uint8Array[] {
  return Array.from({ length: count }, (_, t) => {
    const f = new Uint8Array(width * height);
    const cx = 30 + 2.5 * t;
    const cy = 30 + 1.5 * t;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const inside = (x - cx) ** 2 + (y - cy) ** 2 < 15 ** 2;
        const tex = inside
          ? 128 + 100 * Math.sin((x - cx) * 0.7) * Math.cos((y - cy) * 0.5)
          : 60 + 40 * Math.sin(x * 0.3 + y * 0.2);
        f[y * width + x] = Math.max(0, Math.min(255, Math.round(tex + t)));
      }
    }
    return f;
  });
}

describe('SeriesAnalyser input', () => {
  const clip = frames(12, 170, 96);
  for (const preset of ['ultrafast', 'fast', 'medium'] as DisPresetName[]) {
    for (const directions of ['canonical', 'both'] as FlowDirections[]) {
      it(`Uint8 frames give the series of their Float32 copies (${preset}, ${directions})`, () => {
        const a = new SeriesAnalyser({ flowPreset: preset, directions });
        const u8 = a.analyse(
          clip.map((data) => ({ width: 170, height: 96, data })),
          24,
        );
        const f32 = a.analyse(
          clip.map((f) => ({ width: 170, height: 96, data: Float32Array.from(f) })),
          24,
        );
        expect(u8.frames).toBe(11);
        expect(Buffer.from(u8.data.buffer).equals(Buffer.from(f32.data.buffer))).toBe(true);
        expect(u8.data.some((v) => v !== 0)).toBe(true);
      });
    }
  }
});
