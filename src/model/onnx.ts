// Runs the reversibility classifier with onnxruntime-node: device choice, contract checks, batching.

import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { expected, ModelError } from '../errors.js';
import { checkDomainReference, inDomain, type DomainReference } from './domain.js';
import { COLUMNS_HASH, MODEL_F, type ModelInput } from './features.js';

/** Where the model runs. 'auto' tries CUDA, then WebGPU, then the CPU. */
export type Device = 'auto' | 'cpu' | 'cuda' | 'webgpu';
export const DEVICES: readonly Device[] = Object.freeze(['auto', 'cpu', 'cuda', 'webgpu']);

/** Options of {@link loadModel}. */
export interface LoadModelOptions {
  /** Default 'auto'. */
  device?: Device;
  /** CPU threads for one inference (default: onnxruntime's choice). */
  threads?: number;
}

/** The model card written by models/train.py beside the .onnx file (the fields read here). */
export interface ModelCard {
  name: string;
  version: string;
  sha256: string;
  input: { T: number; F: number; columns_hash: string; analysis_fps?: number[] };
  [key: string]: unknown;
}

/** A loaded model: which provider runs it and its input contract. */
export interface LoadedModel {
  path: string;
  /** The execution provider the session was created with. */
  provider: 'cpu' | 'cuda' | 'webgpu';
  /** Providers tried before it and why they were passed over (empty for an explicit device). */
  tried: string[];
  /** Rows per input (the T of the contract). */
  T: number;
  F: number;
  /** The card beside the model, when there is one. */
  card: ModelCard | null;
  /** The card's reference of the training footage (model/domain.ts), when it has one: `in_domain` is null without. */
  domain: DomainReference | null;
  /** @internal */
  session: InferenceSession;
  /** @internal */
  ort: typeof import('onnxruntime-node');
}

/** One clip's prediction (docs/design.md, "The model contract"). */
export interface Prediction {
  /** P(the clip plays forwards); far below 0.5 suggests a clip already reversed in the corpus. */
  p_forward: number;
  p_invariant: number;
  p_equivariant: number;
  p_irreversible: number;
  verdict: 'invariant' | 'equivariant' | 'irreversible';
  /** The winning verdict's probability. */
  confidence: number;
  /** Mirror-invariant clip embedding (pooled trunk features): embedding_forward + embedding_reversed. */
  embedding: Float32Array;
  /**
   * Directional embeddings g(x) of the clip as played and g(m(x)) of the clip reversed; mirroring the input
   * swaps them. They place a reversed clip among forward clips (class-level pairs). Null for models that
   * predate these outputs.
   */
  embedding_forward: Float32Array | null;
  embedding_reversed: Float32Array | null;
  /** logit of p_forward (the model's `arrow_logit` output; from p_forward for models without it). */
  arrow_logit: number;
  /** Windows the prediction averages ({@link predictClips}); 1 for a single window. */
  windows: number;
  /**
   * How like the training footage the clip is (model/domain.ts): the share of held-out clips at least as far from
   * the training data; below the card's threshold (0.01) the clip is out of domain. Null when the card has no reference.
   */
  in_domain: number | null;
}

/** p_forward below this flags a clip as probably already playing backwards in the corpus (`reversed_in_corpus`). */
export const REVERSED_IN_CORPUS_P = 0.1;

const ACCELERATORS = ['cuda', 'webgpu'] as const;
const VERDICTS = ['invariant', 'equivariant', 'irreversible'] as const;

function howToGet(device: Device): string {
  const lines = [
    `Possible solutions:`,
    `- use --device cpu (always available) or --device auto (tries ${ACCELERATORS.join(', ')}, then cpu)`,
  ];
  if (device === 'cuda') {
    lines.push(
      '- the npm package ships no CUDA provider; where there is network, reinstall it with CUDA 12 files:',
      '    ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node',
      '  (and an NVIDIA driver with CUDA 12 and cuDNN 9 on the machine)',
    );
  }
  if (device === 'webgpu') lines.push('- WebGPU needs a GPU adapter (Vulkan on Linux) that Dawn can open');
  return lines.join('\n');
}

/**
 * Why 'auto' should not even try an accelerator here, or null to try it. Probing a provider with no GPU
 * behind it costs time and lets Dawn/Vulkan print to stderr, so on Linux we look for the device files
 * first; elsewhere we just try.
 */
function skipReason(provider: 'cuda' | 'webgpu'): string | null {
  if (process.platform !== 'linux') return null;
  const nvidia = existsSync('/dev/nvidiactl') || existsSync('/dev/nvidia0');
  if (provider === 'cuda') {
    if (!nvidia) return 'no NVIDIA device (/dev/nvidia*)';
    // The npm package ships no CUDA provider library; trying anyway makes onnxruntime print a red
    // "Failed to load library" line even with logging off (seen on an H200).
    const lib = cudaProviderLibrary();
    return lib && !existsSync(lib)
      ? `no CUDA provider library (${lib}; install with ONNXRUNTIME_NODE_INSTALL=cuda12)`
      : null;
  }
  let render = false;
  try {
    render = readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  } catch {
    // no /dev/dri at all
  }
  return nvidia || render ? null : 'no GPU device (/dev/dri/renderD*, /dev/nvidia*)';
}

/** Where onnxruntime-node would load its CUDA provider from, or null when the package cannot be located. */
function cudaProviderLibrary(): string | null {
  try {
    const root = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    return join(root, 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so');
  } catch {
    return null;
  }
}

async function readCard(path: string): Promise<ModelCard | null> {
  const cardPath = path.replace(/\.onnx$/i, '') + '.card.json';
  if (!existsSync(cardPath)) return null;
  try {
    return JSON.parse(await readFile(cardPath, 'utf8')) as ModelCard;
  } catch (cause) {
    throw new ModelError('bad_card', expected('a JSON model card', 'card', cardPath), { path: cardPath }, { cause });
  }
}

function contract(session: InferenceSession, card: ModelCard | null, path: string): { T: number; F: number } {
  if (card && card.input.columns_hash !== COLUMNS_HASH) {
    throw new ModelError(
      'input_contract',
      `${expected(`a model trained on the current cue columns (hash ${COLUMNS_HASH.slice(0, 12)})`, 'model', path)}; its card says ${String(card.input.columns_hash).slice(0, 12)}. Retrain it (models/README.md).`,
      { path },
    );
  }
  const meta = session.inputMetadata.find((m) => m.name === 'x');
  const shape = meta?.isTensor ? meta.shape : [];
  const T = typeof shape[1] === 'number' ? shape[1] : card?.input.T;
  const F = typeof shape[2] === 'number' ? shape[2] : card?.input.F;
  if (!session.inputNames.includes('x') || !session.inputNames.includes('mask') || typeof T !== 'number') {
    throw new ModelError(
      'bad_model',
      expected('a model with inputs x [batch, T, F] and mask [batch, T]', 'model', path),
      { path },
    );
  }
  if (F !== MODEL_F)
    throw new ModelError('input_contract', expected(`a model over ${MODEL_F} cue columns`, 'model F', F), { path });
  return { T, F };
}

/**
 * A card's domain reference must measure the model's own embedding: a reference of another width (a card copied from
 * another model) would otherwise load and fail at the first prediction. Checked when the graph names the width.
 */
function checkDomainDims(session: InferenceSession, domain: DomainReference | null, path: string): void {
  const meta = session.outputMetadata.find((m) => m.name === 'embedding');
  const width = meta?.isTensor ? meta.shape[1] : undefined;
  if (domain && typeof width === 'number' && width !== domain.dims)
    throw new ModelError(
      'bad_model',
      `${expected(`a domain reference over the model's ${width}-wide embedding`, `${path} card`, `one over ${domain.dims}`)}\nPossible solutions:\n- use the card written with this model\n- remove the card's domain entry (in_domain is then null)`,
      { path },
    );
}

/**
 * Loads an ONNX classifier (and its `<name>.card.json` when present, whose column hash must match the
 * current cue table). `device: 'auto'` tries CUDA, then WebGPU, then the CPU and says in `provider`
 * which one runs (and in `tried` why the others did not; accelerators without a device file are
 * skipped); an explicit device that cannot be used throws a ModelError saying how to get it.
 * @example
 * const model = await loadModel('models/reversal.onnx', { device: 'auto' });
 * console.log(model.provider); // 'cpu' on a machine without a usable GPU
 */
export async function loadModel(path: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const device = options.device ?? 'auto';
  if (!DEVICES.includes(device))
    throw new ModelError('bad_device', expected(`one of ${DEVICES.join(', ')}`, 'device', device));
  if (!existsSync(path)) {
    throw new ModelError(
      'missing_model',
      `${expected('an ONNX model file', 'model', path)}\nPossible solutions:\n- train one: see models/README.md`,
      { path },
    );
  }
  let ort: typeof import('onnxruntime-node');
  try {
    // Loaded on demand: the rest of the library works where the native binding does not.
    ort = (await import('onnxruntime-node')).default;
  } catch (cause) {
    throw new ModelError(
      'setup',
      `onnxruntime-node could not be loaded\nPossible solutions:\n- ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node`,
      { path },
      { cause },
    );
  }
  const card = await readCard(path);
  const domain = card?.domain !== undefined ? checkDomainReference(card.domain, `${path} card`) : null;
  const tries = device === 'auto' ? [...ACCELERATORS, 'cpu' as const] : [device];
  const failures: string[] = [];
  for (const provider of tries) {
    const skip = device === 'auto' && provider !== 'cpu' ? skipReason(provider) : null;
    if (skip !== null) {
      failures.push(`${provider}: skipped, ${skip}`);
      continue;
    }
    const base: InferenceSession.SessionOptions = { executionProviders: [provider], graphOptimizationLevel: 'all' };
    // Probing an absent accelerator is expected under 'auto': keep onnxruntime's own error log quiet.
    if (device === 'auto' && provider !== 'cpu') base.logSeverityLevel = 4;
    if (options.threads !== undefined) base.intraOpNumThreads = options.threads;
    try {
      const session = await ort.InferenceSession.create(path, base);
      const { T, F } = contract(session, card, path);
      checkDomainDims(session, domain, path);
      return { path, provider, tried: failures, T, F, card, domain, session, ort };
    } catch (error) {
      if (error instanceof ModelError) throw error;
      if (provider === 'cpu') {
        // The CPU provider is always there: a failure here is the file's, not the device's.
        throw new ModelError(
          'bad_model',
          `${expected('an ONNX model onnxruntime can load', 'model', path)}: ${String((error as Error).message ?? error).split('\n')[0]}`,
          { path },
          { cause: error },
        );
      }
      failures.push(`${provider}: ${String((error as Error).message ?? error).split('\n')[0]}`);
    }
  }
  throw new ModelError(
    'device_unavailable',
    `${expected(`a usable ${device === 'auto' ? 'device' : `${device} execution provider`}`, 'device', device)}\n${failures.join('\n')}\n${howToGet(device)}`,
    { path },
  );
}

function toInput(input: Float32Array | ModelInput, n: number, T: number): ModelInput {
  if (input instanceof Float32Array) return { x: input, mask: new Float32Array(T).fill(1) };
  if (input.x.length !== T * MODEL_F || input.mask.length !== T) {
    throw new ModelError(
      'input_contract',
      expected(
        `x of ${T * MODEL_F} and mask of ${T} values`,
        `input ${n}`,
        `x ${input.x.length}, mask ${input.mask.length}`,
      ),
    );
  }
  return input;
}

/**
 * Runs the model on inputs from seriesToModelInput (or bare `[T x F]` arrays, taken as fully measured
 * windows: pass the mask for padded ones), `batchSize` at a time (default 64).
 * @example
 * const [p] = await predict(model, [seriesToModelInput(series)]);
 * if (p.p_forward < 0.1) console.log('probably reversed already');
 */
export async function predict(
  model: LoadedModel,
  inputs: ReadonlyArray<Float32Array | ModelInput>,
  options: { batchSize?: number } = {},
): Promise<Prediction[]> {
  const batchSize = options.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ModelError('bad_option', expected('a positive integer', 'batchSize', batchSize));
  const { T, F, ort, session } = model;
  const out: Prediction[] = [];
  for (let start = 0; start < inputs.length; start += batchSize) {
    const n = Math.min(batchSize, inputs.length - start);
    const x = new Float32Array(n * T * F);
    const mask = new Float32Array(n * T);
    for (let i = 0; i < n; i++) {
      const input = inputs[start + i];
      if (input === undefined || (input instanceof Float32Array && input.length !== T * F)) {
        throw new ModelError(
          'input_contract',
          expected(`${T * F} values (T x F)`, `input ${start + i}`, input?.length),
        );
      }
      const one = toInput(input, start + i, T);
      x.set(one.x, i * T * F);
      mask.set(one.mask, i * T);
    }
    const result = await session.run({
      x: new ort.Tensor('float32', x, [n, T, F]),
      mask: new ort.Tensor('float32', mask, [n, T]),
    });
    for (const p of unpack(result, n)) out.push({ ...p, in_domain: inDomain(model.domain, p.embedding) });
  }
  return out;
}

function unpack(result: InferenceSession.OnnxValueMapType, n: number): Prediction[] {
  const tensor = (name: string): Tensor => {
    const t = result[name];
    if (!t)
      throw new ModelError('bad_model', expected(`an output named ${name}`, 'model outputs', Object.keys(result)));
    return t as Tensor;
  };
  const pf = tensor('p_forward').data as Float32Array;
  const pv = tensor('p_verdict').data as Float32Array;
  const emb = tensor('embedding');
  const E = emb.dims[1] ?? 0;
  const embData = emb.data as Float32Array;
  const optional = (name: string): Float32Array | null =>
    result[name] ? ((result[name] as Tensor).data as Float32Array) : null;
  const logit = optional('arrow_logit');
  const fwd = optional('embedding_forward');
  const rev = optional('embedding_reversed');
  const preds: Prediction[] = [];
  for (let i = 0; i < n; i++) {
    const p = [pv[i * 3], pv[i * 3 + 1], pv[i * 3 + 2]];
    const best = p.indexOf(Math.max(...p));
    preds.push({
      p_forward: pf[i],
      p_invariant: p[0],
      p_equivariant: p[1],
      p_irreversible: p[2],
      verdict: VERDICTS[best],
      confidence: p[best],
      embedding: embData.slice(i * E, (i + 1) * E),
      embedding_forward: fwd ? fwd.slice(i * E, (i + 1) * E) : null,
      embedding_reversed: rev ? rev.slice(i * E, (i + 1) * E) : null,
      arrow_logit: logit ? logit[i] : logitOf(pf[i]),
      windows: 1,
      in_domain: null,
    });
  }
  return preds;
}

function logitOf(p: number): number {
  const q = Math.min(Math.max(p, 1e-7), 1 - 1e-7);
  return Math.log(q / (1 - q));
}

function meanOf(arrays: ReadonlyArray<Float32Array | null>): Float32Array | null {
  if (arrays.some((a) => a === null)) return null;
  const out = new Float32Array(arrays[0]!.length);
  for (const a of arrays) for (let k = 0; k < out.length; k++) out[k] += a![k] / arrays.length;
  return out;
}

/**
 * One prediction for a clip judged on several windows: verdict probabilities and embeddings are averaged,
 * and p_forward is the sigmoid of the mean arrow logit (evidence for a direction adds up across windows,
 * and windows that cannot tell stay near 0). Averages over a mirror-symmetric set of windows
 * ({@link clipWindows}) keep the verdict mirror-invariant and p_forward antisymmetric.
 */
export function mergeWindows(preds: readonly Prediction[]): Prediction {
  if (preds.length === 0) throw new ModelError('input_contract', expected('at least one window', 'predictions', 0));
  if (preds.length === 1) return preds[0];
  const mean = (f: (p: Prediction) => number): number => preds.reduce((s, p) => s + f(p), 0) / preds.length;
  const p = [mean((x) => x.p_invariant), mean((x) => x.p_equivariant), mean((x) => x.p_irreversible)];
  const best = p.indexOf(Math.max(...p));
  const arrow = mean((x) => x.arrow_logit);
  return {
    p_forward: 1 / (1 + Math.exp(-arrow)),
    p_invariant: p[0],
    p_equivariant: p[1],
    p_irreversible: p[2],
    verdict: VERDICTS[best],
    confidence: p[best],
    embedding: meanOf(preds.map((x) => x.embedding))!,
    embedding_forward: meanOf(preds.map((x) => x.embedding_forward)),
    embedding_reversed: meanOf(preds.map((x) => x.embedding_reversed)),
    arrow_logit: arrow,
    windows: preds.reduce((s, x) => s + x.windows, 0),
    in_domain: null,
  };
}

/**
 * Runs the model on whole clips, each given as its windows (see clipWindows), and merges each clip's windows
 * ({@link mergeWindows}); windows of many clips share batches of `batchSize`.
 * @example
 * const [p] = await predictClips(model, [clipWindows(series)]);
 */
export async function predictClips(
  model: LoadedModel,
  clips: ReadonlyArray<ReadonlyArray<ModelInput>>,
  options: { batchSize?: number } = {},
): Promise<Prediction[]> {
  const flat = clips.flat();
  const preds = await predict(model, flat, options);
  const out: Prediction[] = [];
  let at = 0;
  for (const windows of clips) {
    const merged = mergeWindows(preds.slice(at, at + windows.length));
    // judged on the clip's mean embedding, as the verdict is on its mean probabilities
    out.push(windows.length === 1 ? merged : { ...merged, in_domain: inDomain(model.domain, merged.embedding) });
    at += windows.length;
  }
  return out;
}
