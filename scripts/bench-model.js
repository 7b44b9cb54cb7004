// `npm run bench:model`: classifier inference speed per device, as a ratio against the CPU provider in the
// same process, plus how far each device's outputs are from the CPU's on the same inputs.
// Usage: npm run bench:model [-- --model models/reversal-v1.onnx --devices cpu,webgpu,cuda --clips 4096 --batches 1,64,512 --json FILE]
import { existsSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadModel, predict } from '../dist/model/onnx.js';
import { MODEL_F, MODEL_T, seriesToModelInput } from '../dist/model/features.js';

const DEFAULT_MODEL = fileURLToPath(new URL('../models/reversal-v1.onnx', import.meta.url));
const TEST_MODEL = fileURLToPath(new URL('../test/fixtures/model/tiny.onnx', import.meta.url));
const { values } = parseArgs({
  options: {
    model: { type: 'string', default: existsSync(DEFAULT_MODEL) ? DEFAULT_MODEL : TEST_MODEL },
    devices: { type: 'string', default: 'cpu,webgpu,cuda' },
    clips: { type: 'string', default: '4096' },
    batches: { type: 'string', default: '1,64,512' },
    threads: { type: 'string' },
    json: { type: 'string' },
  },
});
const clips = Number(values.clips);
const batches = values.batches.split(',').map(Number);
/** @typedef {import('../dist/model/onnx.js').Device} Device */
/** @typedef {import('../dist/model/onnx.js').Prediction} Prediction */
/** @typedef {{ clips_per_s: number, ms_per_clip: number, ratio_vs_cpu?: number }} BatchTiming */
/**
 * @typedef {{ error?: string, provider?: string, load_ms?: number, batches?: Record<number, BatchTiming>,
 *   vs_cpu?: { max_abs_diff_p_forward: number, max_abs_diff_p_verdict: number, verdict_disagreements: number } }} DeviceEntry
 */
// Device names are passed on unchecked: loadModel refuses one it does not know, and that device's entry says why.
const devices = /** @type {Device[]} */ (
  values.devices
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean)
);
if (!devices.includes('cpu')) devices.unshift('cpu'); // the baseline

// Inputs through the real input contract: series of 20-200 pairs (padded, cropped and half-row windows),
// deterministic pseudo-random values in the range the normalisation sees.
let s = 12345;
const rand = () => {
  s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
  return (s / 2 ** 32) * 2 - 1;
};
const inputs = Array.from({ length: clips }, (_, i) => {
  const frames = 20 + ((i * 37) % 181);
  const data = new Float32Array(frames * MODEL_F);
  for (let k = 0; k < data.length; k++) data[k] = rand() * 0.05;
  return seriesToModelInput({ frames, columns: MODEL_F, data });
});

/** @type {Record<string, DeviceEntry>} */
const entries = {};
const result = {
  model: values.model,
  clips,
  T: MODEL_T,
  F: MODEL_F,
  host_cpus: cpus().length,
  cpu_model: cpus()[0]?.model,
  devices: entries,
};
/** @type {{ timings: Record<number, BatchTiming>, outputs: Prediction[] } | null} */
let baseline = null;
for (const device of devices) {
  /** @type {DeviceEntry} */
  const entry = {};
  entries[device] = entry;
  let model;
  const t0 = performance.now();
  try {
    model = await loadModel(values.model, { device, ...(values.threads ? { threads: Number(values.threads) } : {}) });
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    entry.error = error;
    console.log(`${device}: cannot load\n  ${error.replace(/\n/g, '\n  ')}`);
    continue;
  }
  entry.provider = model.provider;
  entry.load_ms = Math.round(performance.now() - t0);
  /** @type {Record<number, BatchTiming>} */
  const timings = {};
  entry.batches = timings;
  /** @type {Prediction[] | null} */
  let outputs = null;
  for (const b of batches) {
    await predict(model, inputs.slice(0, Math.min(b * 2, clips)), { batchSize: b }); // warm-up (shader compilation, allocations)
    const t1 = performance.now();
    const out = await predict(model, inputs, { batchSize: b });
    const s1 = (performance.now() - t1) / 1000;
    outputs ??= out;
    timings[b] = { clips_per_s: Math.round(clips / s1), ms_per_clip: (s1 * 1000) / clips };
  }
  const got = /** @type {Prediction[]} */ (outputs); // set by the first of the batch sizes (never none)
  if (device === 'cpu') baseline = { timings, outputs: got };
  else if (baseline) {
    const cpu = baseline;
    let dp = 0;
    let dv = 0;
    let flips = 0;
    got.forEach((o, i) => {
      const c = cpu.outputs[i];
      dp = Math.max(dp, Math.abs(o.p_forward - c.p_forward));
      dv = Math.max(
        dv,
        Math.abs(o.p_invariant - c.p_invariant),
        Math.abs(o.p_equivariant - c.p_equivariant),
        Math.abs(o.p_irreversible - c.p_irreversible),
      );
      if (o.verdict !== c.verdict) flips++;
    });
    entry.vs_cpu = { max_abs_diff_p_forward: dp, max_abs_diff_p_verdict: dv, verdict_disagreements: flips };
    for (const b of batches) timings[b].ratio_vs_cpu = timings[b].clips_per_s / cpu.timings[b].clips_per_s;
  }
  await model.session.release();
  const line = batches
    .map(
      (b) =>
        `batch ${b}: ${timings[b].clips_per_s} clips/s${timings[b].ratio_vs_cpu ? ` (x${timings[b].ratio_vs_cpu.toFixed(2)} vs cpu)` : ''}`,
    )
    .join(', ');
  console.log(
    `${device} -> ${model.provider}: load ${entry.load_ms} ms; ${line}${entry.vs_cpu ? `; max |diff| vs cpu p_forward ${entry.vs_cpu.max_abs_diff_p_forward.toExponential(1)}, p_verdict ${entry.vs_cpu.max_abs_diff_p_verdict.toExponential(1)}, verdicts differing ${entry.vs_cpu.verdict_disagreements}` : ''}`,
  );
}
if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
