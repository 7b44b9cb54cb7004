// The whole chain on synthetic scenes: series -> exportDataset -> models/train.py -> ONNX -> predict (needs torch).
//
// Skipped, saying so, without /usr/bin/python3 + torch (apt-get install python3-torch python3-numpy).
// The committed fixture model is made by this file:
//   REVERSAL_AUDIT_WRITE_FIXTURE=1 npx vitest run test/model/train-chain.test.ts
// which trains on more scenes and copies tiny.onnx, tiny.card.json, tiny.parity.json to test/fixtures/model/.

import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CUE_COLUMNS, GRID } from '../../src/cues/index.js';
import { exportDataset } from '../../src/model/dataset.js';
import { SeriesAnalyser } from '../../src/cues/series.js';
import { mirrorInput, mirrorMask, type ModelInput } from '../../src/model/features.js';
import { renderScene, SCENE_NOTES, type SceneName } from '../../src/synth/scenes.js';
import { loadModel, predict } from '../../src/model/onnx.js';
import { randomSeries, sceneSeries, torchPython, writeFakeScan, type LabelledSeries } from './helpers.js';

const python = torchPython();
const writeFixture = process.env.REVERSAL_AUDIT_WRITE_FIXTURE === '1';
const TRAIN = fileURLToPath(new URL('../../models/train.py', import.meta.url));
const DOMAIN_REFERENCE = fileURLToPath(new URL('../../scripts/domain-reference.js', import.meta.url));
const EVAL_TENSORS = fileURLToPath(new URL('../../scripts/eval-tensors.js', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/model/', import.meta.url));

function decode(b64: string): Float32Array {
  const bytes = Buffer.from(b64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Python lines that import train.py as T and define the cue columns' names and odd mask (names, odd). */
function trainPreamble(): string {
  const names = JSON.stringify(CUE_COLUMNS.map((c) => c.name));
  const parities = JSON.stringify(CUE_COLUMNS.map((c) => c.parity));
  return `
import json, sys, torch, numpy as np
sys.path.insert(0, ${JSON.stringify(dirname(TRAIN))})
import train as T
names = json.loads(${JSON.stringify(names)}); odd = np.array([p == 'odd' for p in json.loads(${JSON.stringify(parities)})], np.float32)`;
}

if (!python)
  console.warn('train-chain: skipped (no /usr/bin/python3 with torch; apt-get install python3-torch python3-numpy)');

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
    // With the whole-clip windows (clips up to 4 s are longer than 64 pairs): the card then also judges whole clips.
    const summary = await exportDataset({ scanOut, labels, out: data, windows: 8 });
    expect(summary.clips).toBe(items.length);
    expect(summary.rows).toBeGreaterThan(items.length);

    const out = join(dir, 'model');
    const args = [
      TRAIN,
      '--data',
      data,
      '--holdout-families',
      'slide,roll,wave',
      '--holdout-seed-frac',
      '0.25',
      '--epochs',
      writeFixture ? '40' : '8',
    ];
    args.push(
      '--width',
      '16',
      '--threads',
      '1',
      '--seed',
      '0',
      '--name',
      'tiny',
      '--out',
      out,
      '--parity-samples',
      '2',
    );
    const run = spawnSync(python!, args, { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/samples\/s/);

    const parity = JSON.parse(await readFile(join(out, 'tiny.parity.json'), 'utf8'));
    const card = JSON.parse(await readFile(join(out, 'tiny.card.json'), 'utf8'));
    expect(card.training.holdout_families).toEqual(['slide', 'roll', 'wave']);
    expect(card.metrics.test.confusion).toHaveLength(3);
    expect(card.metrics.test.n).toBe(card.metrics.heldout_families.n + card.metrics.heldout_seeds.n); // clips, not windows
    expect(card.metrics.whole_clip.heldout_families.n).toBe(card.metrics.heldout_families.n);
    expect(card.metrics.whole_clip.heldout_families.confusion).toHaveLength(3);
    const model = await loadModel(join(out, 'tiny.onnx'), { device: 'cpu' });
    const inputs: ModelInput[] = parity.samples.map((s: { x: string; mask: string }) => ({
      x: decode(s.x),
      mask: decode(s.mask),
    }));
    const preds = await predict(model, inputs);
    preds.forEach((p, i) => {
      const want = parity.samples[i];
      expect(Math.abs(p.p_forward - want.p_forward)).toBeLessThan(1e-4);
      [p.p_invariant, p.p_equivariant, p.p_irreversible].forEach((v, k) => {
        expect(Math.abs(v - want.p_verdict[k])).toBeLessThan(1e-4);
      });
    });
    const mirrored = await predict(
      model,
      inputs.map((s) => ({ x: mirrorInput(s.x), mask: mirrorMask(s.mask) })),
    );
    mirrored.forEach((m, i) => {
      expect(Math.abs(m.p_forward - (1 - preds[i].p_forward))).toBeLessThan(1e-5);
      // The verdict head also sees abs(g(x) - g(m(x))) by default: still the same verdict both ways.
      [m.p_invariant - preds[i].p_invariant, m.p_equivariant - preds[i].p_equivariant].forEach((d) => {
        expect(Math.abs(d)).toBeLessThan(1e-5);
      });
    });
    expect(card.training.recipe).toMatchObject({ verdict_diff: true, hflip: 0.5, flip_average: true });
    // The verdict temperature is fitted on the held-out families (by default) and baked into the graph (the parity above).
    expect(card.calibration.fitted_on).toBe('heldout_families');
    expect(card.calibration.verdict_temperature).toBeGreaterThanOrEqual(0.5);
    expect(card.calibration.verdict_temperature).toBeLessThanOrEqual(20);
    expect(card.calibration.fitting_split_after.nll).toBeLessThanOrEqual(card.calibration.fitting_split_before.nll);
    expect(card.calibration.fitting_split_after.accuracy).toBe(card.calibration.fitting_split_before.accuracy);

    // scripts/eval-tensors.js rebuilds train.py's split in JavaScript: the same held-out clips, scored the same way.
    for (const [split, key] of [
      ['families', 'heldout_families'],
      ['seeds', 'heldout_seeds'],
    ] as const) {
      const ev = spawnSync(
        process.execPath,
        [
          EVAL_TENSORS,
          '--data',
          data,
          '--model',
          join(out, 'tiny.onnx'),
          '--holdout-families',
          'slide,roll,wave',
          '--holdout-seed-frac',
          '0.25',
          '--split',
          split,
          '--json',
        ],
        { encoding: 'utf8' },
      );
      expect(ev.status, ev.stderr).toBe(0);
      const r = JSON.parse(ev.stdout).results[0];
      expect(r.clips, split).toBe(card.metrics.whole_clip[key].n);
      expect(r.confusion, split).toEqual(card.metrics.whole_clip[key].confusion);
      expect(r.accuracy, split).toBeCloseTo(card.metrics.whole_clip[key].accuracy, 6);
    }

    // scripts/domain-reference.js fits the in_domain reference on the same split and writes it into the card.
    const dr = spawnSync(
      process.execPath,
      [
        DOMAIN_REFERENCE,
        '--data',
        data,
        '--model',
        join(out, 'tiny.onnx'),
        '--holdout-families',
        'slide,roll,wave',
        '--holdout-seed-frac',
        '0.25',
        '--write',
        '--json',
      ],
      { encoding: 'utf8' },
    );
    expect(dr.status, dr.stderr).toBe(0);
    const fitted = JSON.parse(dr.stdout);
    const withDomain = JSON.parse(await readFile(join(out, 'tiny.card.json'), 'utf8'));
    expect(withDomain.metrics).toEqual(card.metrics);
    expect(withDomain.domain.fit_clips).toBe(fitted.fit_clips);
    // every clip outside the held-out families once (a reversed twin has the same mirror-invariant embedding)
    const groups: Array<{ id: string; family: string }> = JSON.parse(await readFile(join(data, 'groups.json'), 'utf8'));
    const once = new Set(
      groups.filter((g) => !['slide', 'roll', 'wave'].includes(g.family) && !g.id.endsWith('_rev')).map((g) => g.id),
    );
    expect(once.size).toBeGreaterThan(0);
    expect(withDomain.domain.fit_clips + withDomain.domain.calibration_clips).toBe(once.size);
    expect(withDomain.domain.calibration_clips).toBeGreaterThan(0);
    expect(withDomain.domain.calibration).toHaveLength(withDomain.domain.calibration_clips);
    const judged = await predict(await loadModel(join(out, 'tiny.onnx'), { device: 'cpu' }), inputs.slice(0, 2));
    for (const p of judged) expect(p.in_domain).toBeGreaterThan(0);

    if (writeFixture) {
      await mkdir(FIXTURE, { recursive: true });
      for (const f of ['tiny.onnx', 'tiny.card.json', 'tiny.parity.json'])
        await copyFile(join(out, f), join(FIXTURE, f));
      console.log(run.stdout);
    }
  }, 300_000);

  it('mirrors cue rows left-right the way a flipped clip would measure (an involution that keeps padding at 0)', () => {
    // cue columns from the TypeScript table, so a renamed or added column the flip does not know about shows up here
    const names = JSON.stringify(CUE_COLUMNS.map((c) => c.name));
    const code = `
import json, sys, torch
sys.path.insert(0, ${JSON.stringify(dirname(TRAIN))})
import train as T
names = json.loads(${JSON.stringify(names)})
maps = T.hflip_maps(names)
g = torch.Generator().manual_seed(0)
x = torch.randn(3, 10, len(names), generator=g); m = torch.ones(3, 10); m[:, :2] = 0; m[:, 2] = 0.5
x = x * m.unsqueeze(-1)
i = {n: k for k, n in enumerate(names)}
x[..., i['res_cx']] = 0.3 * m
y = T.hflip(x, m, maps, torch.tensor([True, False, True]))
print(json.dumps({
  'involution': float((T.hflip(y, m, maps, torch.tensor([True, False, True])) - x).abs().max()),
  'untouched': float((y[1] - x[1]).abs().max()),
  'padding': float(y[:, :2].abs().max()),
  'cx': [float(y[0, 5, i['res_cx']]), float(y[0, 2, i['res_cx']])],
  'vx': float(y[0, 5, i['res_vx']] + x[0, 5, i['res_vx']]),
  'vy': float(y[0, 5, i['res_vy']] - x[0, 5, i['res_vy']]),
  'u': float(y[0, 5, i['grid_u_2_0']] + x[0, 5, i['grid_u_2_${GRID - 1}']]),
  'v': float(y[0, 5, i['grid_v_2_0']] - x[0, 5, i['grid_v_2_${GRID - 1}']]),
}))`;
    const run = spawnSync(python!, ['-c', code], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout);
    expect(r.involution).toBeLessThan(1e-6);
    expect(r.untouched).toBe(0);
    expect(r.padding).toBe(0);
    expect(r.cx[0]).toBeCloseTo(0.7, 6); // 0 = left edge: 0.3 from the left is 0.3 from the right
    expect(r.cx[1]).toBeCloseTo(0.35, 6); // a half-padded row holds half a value
    for (const k of ['vx', 'vy', 'u', 'v']) expect(Math.abs(r[k]), k).toBeLessThan(1e-6);
  });

  it('--flip-match keeps the verdict the same for a clip, its reversal and its left-right mirror, and p_forward antisymmetric', () => {
    const code = `${trainPreamble()}
F = len(names)
torch.manual_seed(0)
net = T.ReversalNet(F, odd, np.zeros(F, np.float32), np.ones(F, np.float32), T.NetConfig(width=8, verdict_diff=True, flip_match=True), flip_maps=T.hflip_maps(names)).eval()
x = torch.randn(3, 12, F); m = torch.ones(3, 12); m[0, :2] = 0; m[0, -2:] = 0; m[1, 3] = 0.5; x = x * m.unsqueeze(-1)
a = net(x, m); r = net(torch.flip(x, [1]) * net.sign, torch.flip(m, [1])); h = net(net.hflip_input(x, m), m)
net.flip_match = False
try:
    net(x, m); width_checked = False
except RuntimeError:
    width_checked = True  # the verdict layer really reads the extra features
print(json.dumps({'reversal': float((a[1] - r[1]).abs().max()), 'mirror': float((a[1] - h[1]).abs().max()),
                  'arrow': float((a[0] + r[0] - 1).abs().max()), 'spread': float(a[1].std(0).max()), 'width_checked': width_checked}))`;
    const run = spawnSync(python!, ['-c', code], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout);
    expect(r.reversal).toBeLessThan(1e-6);
    expect(r.mirror).toBeLessThan(1e-6);
    expect(r.arrow).toBeLessThan(1e-6);
    expect(r.spread).toBeGreaterThan(1e-4); // different clips do get different verdicts
    expect(r.width_checked).toBe(true);
  });

  it('--grid-pool: the net sees only block means of the grid (or no grid), and the mirror properties hold', () => {
    const code = `${trainPreamble()}
F = len(names); layout = T.grid_layout(names); index, G = layout
out = {}
for k in (2, 0):
    torch.manual_seed(0)
    net = T.ReversalNet(F, odd, np.zeros(F, np.float32), np.ones(F, np.float32), T.NetConfig(width=8, verdict_diff=True, grid_pool=k), grid=layout, flip_maps=T.hflip_maps(names)).eval()
    x = torch.randn(2, 10, F); m = torch.ones(2, 10)
    y = x.clone()
    if k == 2:  # swap two cells inside the top-left 2x2 block of the u component: same block mean
        a, b = int(index[0]), int(index[G + 1]); y[..., a], y[..., b] = x[..., b], x[..., a]
        z = x.clone(); z[..., a] += 1.0  # changes that block's mean
    else:  # any grid values at all
        y[..., index] = torch.randn(2, 10, len(index)); z = None
    p = net(x, m); q = net(y, m); r = net(torch.flip(x, [1]) * net.sign, torch.flip(m, [1]))
    out[str(k)] = {'same': float((p[1] - q[1]).abs().max() + (p[0] - q[0]).abs().max()),
                   'moved': float((p[1] - net(z, m)[1]).abs().max()) if z is not None else None,
                   'arrow': float((p[0] + r[0] - 1).abs().max())}
try:
    T.grid_pool_matrix(F, layout, 3); out['bad'] = False
except ValueError:
    out['bad'] = True
print(json.dumps(out))`;
    const run = spawnSync(python!, ['-c', code], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout);
    for (const k of ['2', '0']) {
      expect(r[k].same, k).toBeLessThan(1e-6);
      expect(r[k].arrow, k).toBeLessThan(1e-6);
    }
    expect(r['2'].moved).toBeGreaterThan(1e-5);
    expect(r.bad).toBe(true); // 3 does not divide the 8-cell side
  });

  it("train.py's left-right map predicts the cues of a horizontally flipped render", () => {
    const names = CUE_COLUMNS.map((c) => c.name);
    const code = `import json, sys\nsys.path.insert(0, ${JSON.stringify(dirname(TRAIN))})\nimport train as T\nperm, sign, one = T.hflip_maps(json.loads(sys.stdin.read()))\nprint(json.dumps([perm.tolist(), sign.tolist(), one.tolist()]))`;
    const run = spawnSync(python!, ['-c', code], { input: JSON.stringify(names), encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const [perm, sign, one] = JSON.parse(run.stdout) as [number[], number[], number[]];
    const analyser = new SeriesAnalyser({ flowPreset: 'ultrafast' });
    const [W, H, F] = [96, 64, names.length];
    const err = new Float64Array(F);
    const wrong = new Float64Array(F); // the same with the sign left alone: must be far worse where the map negates
    const scale = new Float64Array(F);
    for (const scene of Object.keys(SCENE_NOTES) as SceneName[]) {
      const frames = renderScene(scene, { width: W, height: H, fps: 24, seconds: 2, seed: 7 });
      const flip = (f: Uint8Array): Float32Array =>
        Float32Array.from({ length: W * H }, (_, i) => f[i - (i % W) + W - 1 - (i % W)]);
      const a = analyser.analyse(
        frames.map((f) => ({ width: W, height: H, data: Float32Array.from(f) })),
        24,
      );
      const b = analyser.analyse(
        frames.map((f) => ({ width: W, height: H, data: flip(f) })),
        24,
      );
      for (let t = 0; t < a.frames; t++) {
        for (let k = 0; k < F; k++) {
          const src = a.data[t * F + perm[k]];
          const got = b.data[t * F + k];
          err[k] += Math.abs(sign[k] * src + one[k] - got);
          wrong[k] += Math.abs(src - got);
          scale[k] += Math.abs(got) + Math.abs(a.data[t * F + k]);
        }
      }
    }
    for (let k = 0; k < F; k++) {
      if (scale[k] === 0) continue;
      // DIS is not exactly symmetric under a flip: measured 0.00-0.28 of the column's scale per column
      expect(err[k] / scale[k], names[k]).toBeLessThan(0.35);
      if (sign[k] === -1 && one[k] === 0 && !names[k].startsWith('grid_'))
        expect(wrong[k] / scale[k], `${names[k]} unflipped`).toBeGreaterThan(0.8);
    }
  });

  it('real corpus rows: trained on their split, scored on their validation clips, and the temperature fitted there', async () => {
    const base = await mkdtemp(join(tmpdir(), 'ra-train-real-'));
    try {
      const synth = [
        ...randomItems('drop', 'irreversible'),
        ...randomItems('pan', 'equivariant'),
        ...randomItems('spin', 'invariant'),
      ];
      const { scanOut, labels } = await writeFakeScan(join(base, 'synth'), synth);
      await exportDataset({ scanOut, labels, out: join(base, 'synth', 'data') });
      // 6 real clips from 2 repositories: intel-iot-devkit/sample-videos validates, Phong163/actrecognition trains.
      const repos = ['intel-iot-devkit/sample-videos', 'Phong163/actrecognition'];
      const verdicts = ['irreversible', 'invariant', 'equivariant'];
      const real = Array.from({ length: 6 }, (_, k) => ({
        id: `r${k}`,
        family: 'x',
        verdict: 'invariant',
        direction: 'forward' as const,
        seed: k,
        series: randomSeries(100, 50 + k),
      }));
      const index = real.map((r, k) => `${r.id}.mp4,g${k % 3},github ${repos[k % 2]} @ abc : v${k}.mp4,MIT`).join('\n');
      const weak = real.map((r, k) => `${r.id}.mp4,${verdicts[k % 3]},${k < 3 ? 'high' : 'medium'}`).join('\n');
      await mkdir(join(base, 'corpus'));
      await writeFile(join(base, 'corpus', 'index.csv'), `file,group,source,license\n${index}\n`);
      await writeFile(join(base, 'corpus', 'labels.csv'), `file,label,confidence\n${weak}\n`);
      const scan = await writeFakeScan(join(base, 'real'), real, { pathPrefix: '/x/clips/' });
      await exportDataset({
        scanOut: scan.scanOut,
        realCorpus: join(base, 'corpus'),
        out: join(base, 'real', 'data'),
        windows: 8,
      });
      const out = join(base, 'm');
      const run = spawnSync(
        python!,
        [
          TRAIN,
          '--data',
          join(base, 'synth', 'data'),
          join(base, 'real', 'data'),
          '--holdout-families',
          'drop,pan,spin',
          '--epochs',
          '2',
          '--width',
          '8',
          '--real-arrow',
          'all',
          '--out',
          out,
          '--name',
          'r',
        ],
        { encoding: 'utf8' },
      );
      expect(run.status, run.stderr).toBe(0);
      const card = JSON.parse(await readFile(join(out, 'r.card.json'), 'utf8'));
      // groups g0..g2 alternate repositories: clips 0, 2, 4 come from the validation repository
      expect(card.metrics.real_val.clips).toBe(3);
      expect(card.metrics.real_val.repositories).toBe(1);
      expect(card.metrics.real_train.clips).toBe(3);
      expect(card.metrics.real_val.verdict_high_medium.n).toBe(3);
      expect(card.metrics.real_val.arrow_accuracy_irreversible).not.toBeNull();
      expect(card.metrics.heldout_seeds.n).toBe(0); // real rows never fall into the synthetic seed hold-out
      expect(card.calibration.fitted_on).toBe('real_val');
      expect(card.calibration.arrow_temperature).toBeGreaterThanOrEqual(0.5);
      expect(card.calibration.arrow_fitting_split.bce_after).toBeLessThanOrEqual(
        card.calibration.arrow_fitting_split.bce_before + 1e-12,
      );
      // The graph tempers the arrow: p_forward is the sigmoid of the (tempered) arrow_logit it outputs.
      const parity = JSON.parse(await readFile(join(out, 'r.parity.json'), 'utf8'));
      for (const sample of parity.samples)
        expect(sample.p_forward).toBeCloseTo(1 / (1 + Math.exp(-sample.arrow_logit)), 6);
      expect(card.training.recipe).toMatchObject({ real_arrow: 'all', real_weight: 1 });
      const ev = spawnSync(
        process.execPath,
        [
          EVAL_TENSORS,
          '--data',
          join(base, 'real', 'data'),
          '--model',
          join(out, 'r.onnx'),
          '--split',
          'real',
          '--json',
        ],
        { encoding: 'utf8' },
      );
      expect(ev.status, ev.stderr).toBe(0);
      const r = JSON.parse(ev.stdout).results[0];
      expect(r.clips).toBe(3);
      expect(r.confusion).toEqual(card.metrics.real_val.verdict_all_labels.confusion);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses real-dev footage and hold-outs that leave a verdict without an unseen family', async () => {
    const base = await mkdtemp(join(tmpdir(), 'ra-train-guard-'));
    try {
      const items = [
        ...randomItems('drop', 'irreversible'),
        ...randomItems('pan', 'equivariant'),
        ...randomItems('spin', 'invariant'),
      ];
      for (const [name, prefix] of [
        ['ok', '/corpus/'],
        ['dev', '/data/real-dev/'],
      ] as const) {
        const { scanOut, labels } = await writeFakeScan(join(base, name), items, { pathPrefix: prefix });
        await exportDataset({ scanOut, labels, out: join(base, name, 'data') });
      }
      const train = (data: string, held: string) =>
        spawnSync(
          python!,
          [TRAIN, '--data', data, '--holdout-families', held, '--epochs', '1', '--out', join(base, 'm')],
          { encoding: 'utf8' },
        );
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
  return [1, 2].map((seed) => ({
    id: `${family}_${seed}`,
    family,
    verdict,
    direction: 'forward',
    seed,
    series: randomSeries(50, seed),
  }));
}
