// The whole chain on synthetic scenes: series -> exportDataset -> models/train.py -> ONNX -> predict (needs torch).
//
// Skipped, saying so, without /usr/bin/python3 + torch (apt-get install python3-torch python3-numpy).
// The committed fixture model is made by this file:
//   REVERSAL_AUDIT_WRITE_FIXTURE=1 npx vitest run test/model/train-chain.test.ts
// which trains on more scenes and copies tiny.onnx, tiny.card.json, tiny.parity.json to test/fixtures/model/.

import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { exportDataset } from '../../src/model/dataset.js';
import { mirrorInput, mirrorMask, type ModelInput } from '../../src/model/features.js';
import { loadModel, predict } from '../../src/model/onnx.js';
import { randomSeries, sceneSeries, torchPython, writeFakeScan, type LabelledSeries } from './helpers.js';

const python = torchPython();
const writeFixture = process.env.REVERSAL_AUDIT_WRITE_FIXTURE === '1';
const TRAIN = fileURLToPath(new URL('../../models/train.py', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/model/', import.meta.url));

function decode(b64: string): Float32Array {
  const bytes = Buffer.from(b64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

if (!python) console.warn('train-chain: skipped (no /usr/bin/python3 with torch; apt-get install python3-torch python3-numpy)');

describe.skipIf(!python)('training chain (PyTorch -> ONNX -> onnxruntime-node)', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('trains a tiny model whose ONNX outputs match PyTorch and keep the mirror properties', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ra-train-'));
    // 11 scenes x seeds, each with its mirrored twin; 1.5-4 s, so windows are both padded and cropped.
    const items = sceneSeries(writeFixture ? 6 : 2);
    const { scanOut, labels } = await writeFakeScan(dir, items);
    const data = join(dir, 'data');
    const summary = await exportDataset({ scanOut, labels, out: data });
    expect(summary.rows).toBe(items.length);

    const out = join(dir, 'model');
    const args = [TRAIN, '--data', data, '--holdout-families', 'slide,roll,wave', '--holdout-seed-frac', '0.25', '--epochs', writeFixture ? '40' : '8'];
    args.push('--width', '16', '--threads', '1', '--seed', '0', '--name', 'tiny', '--out', out, '--parity-samples', '2');
    const run = spawnSync(python!, args, { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/samples\/s/);

    const parity = JSON.parse(await readFile(join(out, 'tiny.parity.json'), 'utf8'));
    const card = JSON.parse(await readFile(join(out, 'tiny.card.json'), 'utf8'));
    expect(card.training.holdout_families).toEqual(['slide', 'roll', 'wave']);
    expect(card.metrics.test.confusion).toHaveLength(3);
    const model = await loadModel(join(out, 'tiny.onnx'), { device: 'cpu' });
    const inputs: ModelInput[] = parity.samples.map((s: { x: string; mask: string }) => ({ x: decode(s.x), mask: decode(s.mask) }));
    const preds = await predict(model, inputs);
    preds.forEach((p, i) => {
      const want = parity.samples[i];
      expect(Math.abs(p.p_forward - want.p_forward)).toBeLessThan(1e-4);
      [p.p_invariant, p.p_equivariant, p.p_irreversible].forEach((v, k) => expect(Math.abs(v - want.p_verdict[k])).toBeLessThan(1e-4));
    });
    const mirrored = await predict(model, inputs.map((s) => ({ x: mirrorInput(s.x), mask: mirrorMask(s.mask) })));
    mirrored.forEach((m, i) => expect(Math.abs(m.p_forward - (1 - preds[i]!.p_forward))).toBeLessThan(1e-5));

    if (writeFixture) {
      await mkdir(FIXTURE, { recursive: true });
      for (const f of ['tiny.onnx', 'tiny.card.json', 'tiny.parity.json']) await copyFile(join(out, f), join(FIXTURE, f));
      console.log(run.stdout);
    }
  }, 300_000);

  it('refuses real-dev footage and hold-outs that leave a verdict without an unseen family', async () => {
    const base = await mkdtemp(join(tmpdir(), 'ra-train-guard-'));
    try {
      const items = [...randomItems('drop', 'irreversible'), ...randomItems('pan', 'equivariant'), ...randomItems('spin', 'invariant')];
      for (const [name, prefix] of [['ok', '/corpus/'], ['dev', '/data/real-dev/']] as const) {
        const { scanOut, labels } = await writeFakeScan(join(base, name), items, { pathPrefix: prefix });
        await exportDataset({ scanOut, labels, out: join(base, name, 'data') });
      }
      const train = (data: string, held: string) => spawnSync(python!, [TRAIN, '--data', data, '--holdout-families', held, '--epochs', '1', '--out', join(base, 'm')], { encoding: 'utf8' });
      const uncovered = train(join(base, 'ok', 'data'), 'drop');
      expect(uncovered.status).not.toBe(0);
      expect(uncovered.stderr).toMatch(/at least one family per verdict; none for \['invariant', 'equivariant'\]/);
      const dev = train(join(base, 'dev', 'data'), 'drop,pan,spin');
      expect(dev.status).not.toBe(0);
      expect(dev.stderr).toMatch(/real-dev, which is evaluation-only/);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  }, 120_000);
});

function randomItems(family: string, verdict: string): LabelledSeries[] {
  return [1, 2].map((seed) => ({ id: `${family}_${seed}`, family, verdict, direction: 'forward', seed, series: randomSeries(50, seed) }));
}
