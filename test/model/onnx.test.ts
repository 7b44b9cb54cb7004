// onnxruntime-node on the committed tiny model and the shipped model: PyTorch parity, mirror properties by construction, devices, contract.
// The model (test/fixtures/model/tiny.*) is made by test/model/train-chain.test.ts; npm test needs no torch.

import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mirrorSeries } from '../../src/cues/series.js';
import { ModelError } from '../../src/errors.js';
import {
  clipWindows,
  COLUMNS_HASH,
  MODEL_F,
  mirrorInput,
  mirrorMask,
  seriesToModelInput,
  type ModelInput,
} from '../../src/model/features.js';
import { loadModel, mergeWindows, predict, predictClips, type LoadedModel } from '../../src/model/onnx.js';
import { randomSeries } from './helpers.js';

const MODEL = fileURLToPath(new URL('../fixtures/model/tiny.onnx', import.meta.url));
// The shipped model is checked the same way: its parity file holds PyTorch's outputs from models/train.py.
const SHIPPED = fileURLToPath(new URL('../../models/reversal-v1.onnx', import.meta.url));
const MODELS = [
  { name: 'tiny test model', onnx: MODEL },
  { name: 'shipped reversal-v1', onnx: SHIPPED },
];

interface ParitySample {
  x: string;
  mask: string;
  p_forward: number;
  p_verdict: number[];
  embedding: number[];
  arrow_logit: number;
  embedding_forward: number[];
  embedding_reversed: number[];
}

function decode(b64: string): Float32Array {
  const bytes = Buffer.from(b64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe.each(MODELS)('$name in onnxruntime-node', ({ onnx }) => {
  let model: LoadedModel;
  let samples: ParitySample[];
  let inputs: ModelInput[];
  beforeAll(async () => {
    model = await loadModel(onnx, { device: 'cpu', threads: 1 });
    samples = JSON.parse(await readFile(onnx.replace(/\.onnx$/, '.parity.json'), 'utf8')).samples;
    inputs = samples.map((s) => ({ x: decode(s.x), mask: decode(s.mask) }));
  });

  it('reads its contract: T = 64 rows of the current F columns, card hash matching', () => {
    expect(model.provider).toBe('cpu');
    expect([model.T, model.F]).toEqual([64, MODEL_F]);
    expect(model.card?.input.columns_hash).toBe(COLUMNS_HASH);
    // Samples of different window lengths (a padded and a cropped clip): padding handling is covered.
    expect(new Set(inputs.map((s) => s.mask.reduce((a, b) => a + b, 0))).size).toBe(inputs.length);
  });

  it('matches the PyTorch outputs stored with the model within 1e-4', async () => {
    const preds = await predict(model, inputs);
    preds.forEach((p, i) => {
      const want = samples[i];
      expect(Math.abs(p.p_forward - want.p_forward)).toBeLessThan(1e-4);
      expect(maxDiff([p.p_invariant, p.p_equivariant, p.p_irreversible], want.p_verdict)).toBeLessThan(1e-4);
      expect(maxDiff(p.embedding, want.embedding)).toBeLessThan(1e-4 * Math.max(1, ...want.embedding.map(Math.abs)));
      expect(maxDiff(p.embedding_forward!, want.embedding_forward)).toBeLessThan(
        1e-4 * Math.max(1, ...want.embedding_forward.map(Math.abs)),
      );
      expect(maxDiff(p.embedding_reversed!, want.embedding_reversed)).toBeLessThan(
        1e-4 * Math.max(1, ...want.embedding_reversed.map(Math.abs)),
      );
      expect(p.confidence).toBe(Math.max(p.p_invariant, p.p_equivariant, p.p_irreversible));
    });
  });

  it('mirrored input: p_forward becomes 1 - p_forward, verdict and embedding stay, directional embeddings swap', async () => {
    // By construction (models/train.py): arrow = a(x) - a(m(x)), verdict and embedding sum over x and m(x).
    const clips = [...inputs, ...[10, 64, 65, 200].map((n, k) => seriesToModelInput(randomSeries(n, k + 1)))];
    const preds = await predict(model, clips);
    const mirrored = await predict(
      model,
      clips.map((c) => ({ x: mirrorInput(c.x), mask: mirrorMask(c.mask) })),
    );
    preds.forEach((p, i) => {
      const m = mirrored[i];
      expect(Math.abs(m.p_forward - (1 - p.p_forward))).toBeLessThan(1e-5);
      expect(m.verdict).toBe(p.verdict);
      expect(Math.abs(m.p_irreversible - p.p_irreversible)).toBeLessThan(1e-6);
      expect(maxDiff(m.embedding, p.embedding)).toBeLessThan(1e-4);
      expect(maxDiff(m.embedding_forward!, p.embedding_reversed!)).toBeLessThan(1e-4);
      expect(maxDiff(m.embedding_reversed!, p.embedding_forward!)).toBeLessThan(1e-4);
      const sum = p.embedding_forward!.map((v, k) => v + p.embedding_reversed![k]);
      expect(maxDiff(sum, p.embedding)).toBeLessThan(1e-4);
    });
  });

  it('a mirrored series (what a reversed clip gives) through the input contract gives 1 - p_forward', async () => {
    const series = randomSeries(97, 9); // odd length difference: the half-row window
    const [p, m] = await predict(model, [seriesToModelInput(series), seriesToModelInput(mirrorSeries(series))]);
    expect(Math.abs(m.p_forward - (1 - p.p_forward))).toBeLessThan(1e-5);
    expect(m.verdict).toBe(p.verdict);
  });

  it('whole clips: windows averaged, the mirror properties kept, a short clip the same as one window', async () => {
    const long = randomSeries(230, 4); // 4 windows
    const short = randomSeries(50, 5);
    const [p, m, one] = await predictClips(
      model,
      [clipWindows(long), clipWindows(mirrorSeries(long)), clipWindows(short)],
      { batchSize: 3 },
    );
    expect(p.windows).toBe(4);
    expect(Math.abs(m.p_forward - (1 - p.p_forward))).toBeLessThan(1e-5);
    expect(Math.abs(m.arrow_logit + p.arrow_logit)).toBeLessThan(1e-4);
    expect(Math.abs(m.p_irreversible - p.p_irreversible)).toBeLessThan(1e-5);
    expect(m.verdict).toBe(p.verdict);
    const per = await predict(model, clipWindows(long));
    expect(Math.abs(p.p_invariant - per.reduce((s, x) => s + x.p_invariant, 0) / 4)).toBeLessThan(1e-6);
    expect(Math.abs(p.arrow_logit - per.reduce((s, x) => s + x.arrow_logit, 0) / 4)).toBeLessThan(1e-5);
    const [single] = await predict(model, [seriesToModelInput(short)]);
    expect(one.windows).toBe(1);
    expect(one.p_forward).toBe(single.p_forward);
    expect(() => mergeWindows([])).toThrow(ModelError);
  });

  it('gives the same answers whatever the batch size; bare arrays count as fully measured', async () => {
    const clips = [10, 40, 64, 90, 130].map((n, k) => seriesToModelInput(randomSeries(n, 20 + k)));
    const a = await predict(model, clips, { batchSize: 2 });
    const b = await predict(model, clips);
    a.forEach((p, i) => {
      expect(Math.abs(p.p_forward - b[i].p_forward)).toBeLessThan(1e-6);
    });
    const [bare] = await predict(model, [clips[4].x]);
    expect(Math.abs(bare.p_forward - b[4].p_forward)).toBeLessThan(1e-6);
    expect(await predict(model, [])).toEqual([]);
  });

  it('rejects inputs of the wrong size', async () => {
    await expect(predict(model, [new Float32Array(10)])).rejects.toThrow(ModelError);
    await expect(predict(model, [{ x: new Float32Array(64 * MODEL_F), mask: new Float32Array(3) }])).rejects.toThrow(
      /mask of 64/,
    );
  });
});

describe('loadModel devices and contract', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ra-onnx-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('auto falls back to a provider that runs and says which', async () => {
    const model = await loadModel(MODEL);
    expect(['cpu', 'cuda', 'webgpu']).toContain(model.provider);
    expect(model.tried.length).toBe(['cuda', 'webgpu', 'cpu'].indexOf(model.provider));
  });

  it('explicit cuda without the CUDA provider throws a ModelError that says how to get it', async () => {
    const error = await loadModel(MODEL, { device: 'cuda' }).then(
      () => null,
      (e: unknown) => e,
    );
    if (error === null) return; // a machine with the CUDA provider installed
    expect(error).toBeInstanceOf(ModelError);
    expect(String((error as Error).message)).toMatch(/ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node/);
    expect(String((error as Error).message)).toMatch(/--device cpu/);
  });

  it("rejects at load a card whose domain reference measures another model's embedding", async () => {
    const shippedCard = JSON.parse(await readFile(SHIPPED.replace(/\.onnx$/, '.card.json'), 'utf8'));
    const card = JSON.parse(await readFile(MODEL.replace(/\.onnx$/, '.card.json'), 'utf8'));
    const tiny = await loadModel(MODEL, { device: 'cpu' });
    const width = (await predict(tiny, [seriesToModelInput(randomSeries(64, 1))]))[0]?.embedding.length;
    await tiny.session.release();
    expect(shippedCard.domain.dims).not.toBe(width);
    card.domain = shippedCard.domain;
    await copyFile(MODEL, join(dir, 'borrowed.onnx'));
    await writeFile(join(dir, 'borrowed.card.json'), JSON.stringify(card));
    await expect(loadModel(join(dir, 'borrowed.onnx'), { device: 'cpu' })).rejects.toThrow(
      new RegExp(`domain reference over the model's ${width}-wide embedding.*one over ${shippedCard.domain.dims}`),
    );
    const shipped = await loadModel(SHIPPED, { device: 'cpu' });
    expect(shipped.domain?.dims).toBe(128);
    await shipped.session.release();
  });

  it('rejects an unknown device, a missing file and a model trained on other columns', async () => {
    await expect(loadModel(MODEL, { device: 'tpu' as never })).rejects.toThrow(/one of auto, cpu, cuda, webgpu/);
    await expect(loadModel(join(dir, 'none.onnx'))).rejects.toThrow(ModelError);
    const card = JSON.parse(await readFile(MODEL.replace(/\.onnx$/, '.card.json'), 'utf8'));
    card.input.columns_hash = '0'.repeat(64);
    await copyFile(MODEL, join(dir, 'old.onnx'));
    await writeFile(join(dir, 'old.card.json'), JSON.stringify(card));
    await expect(loadModel(join(dir, 'old.onnx'), { device: 'cpu' })).rejects.toThrow(/current cue columns/);
    await writeFile(join(dir, 'junk.onnx'), 'not a model');
    await expect(loadModel(join(dir, 'junk.onnx'), { device: 'cpu' })).rejects.toThrow(
      /an ONNX model onnxruntime can load/,
    );
  });
});
