// Cue: appearance change: how much pixels change, and whether the picture gains or loses detail.

import type { GrayImage } from '../flow/types.js';
import type { PairCue } from './types.js';

const BINS = 32;

function entropyBits(img: GrayImage, hist: Int32Array): number {
  hist.fill(0);
  const d = img.data;
  // 256 gray levels into 32 bins: value >> 3 (values are 0..255; clamp guards odd inputs).
  for (let i = 0; i < d.length; i++) {
    const b = (d[i] | 0) >> 3;
    hist[b < 0 ? 0 : b > BINS - 1 ? BINS - 1 : b] += 1;
  }
  let h = 0;
  for (let k = 0; k < BINS; k++) {
    const p = hist[k] / d.length;
    if (p > 0) h -= p * Math.log2(p);
  }
  return h;
}

function meanGradient(img: GrayImage): number {
  const { width, height, data } = img;
  let s = 0;
  for (let y = 0; y < height - 1; y++) {
    for (let x = 0, i = y * width; x < width - 1; x++, i++) {
      s += Math.abs(data[i + 1] - data[i]) + Math.abs(data[i + width] - data[i]);
    }
  }
  return s / Math.max(1, (width - 1) * (height - 1));
}

const hist = new Int32Array(BINS);

/** Per-frame statistics, computed once per frame however many pairs and directions read them. */
const frameStats = new WeakMap<GrayImage, { entropy: number; gradient: number }>();

function stats(img: GrayImage): { entropy: number; gradient: number } {
  let s = frameStats.get(img);
  if (!s) {
    s = { entropy: entropyBits(img, hist), gradient: meanGradient(img) };
    frameStats.set(img, s);
  }
  return s;
}

export const intensity: PairCue = Object.freeze<PairCue>({
  kind: 'pair',
  name: 'intensity',
  columns: Object.freeze([
    {
      name: 'intensity_change',
      parity: 'even',
      unit: '1/s',
      description: 'Mean absolute gray-level change between frames, as a fraction of full scale per second.',
    },
    {
      name: 'entropy_delta',
      parity: 'odd',
      unit: 'bits/s',
      description:
        'Change of the gray-level histogram entropy (32 bins); + = the picture gets more varied (spreading, mixing).',
    },
    {
      name: 'detail_delta',
      parity: 'odd',
      unit: '1/s',
      description: 'Relative change of mean gradient magnitude; - = the picture gets smoother (smoke, blur, melting).',
    },
  ] as const),
  compute(view, out, offset) {
    const a = view.a.data;
    const b = view.b.data;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff += Math.abs(b[i] - a[i]);
    out[offset] = (diff / a.length / 255) * view.fps;
    const sa = stats(view.a);
    const sb = stats(view.b);
    out[offset + 1] = (sb.entropy - sa.entropy) * view.fps;
    const ga = sa.gradient;
    const gb = sb.gradient;
    const mean = (ga + gb) / 2;
    out[offset + 2] = mean > 1e-6 ? ((gb - ga) / mean) * view.fps : 0;
  },
});
