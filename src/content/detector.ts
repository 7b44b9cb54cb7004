// What is in the picture: the largest score of each of the 80 COCO classes in an object detector's class heatmap, on
// one frame of the clip. The detector is CenterNet (MobileNet-v3 backbone, 512x512 input) as shipped in the npm
// package @vladmandic/human (MIT; weights from the TensorFlow model zoo), run offline by TensorFlow.js on
// WebAssembly. These packages are optional dependencies: `audit scan --content` needs them, nothing else does.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { decodeFrameSelection, type FrameSelection } from '../decode/frames.js';
import { SetupError } from '../errors.js';
import { COCO_CLASSES } from './coco.js';

/** The detector's input side (it takes square RGB frames of this size only). */
export const DETECTOR_SIZE = 512;
/** Seconds after the analysed window's start of the frame that is looked at (half the window when shorter). */
export const CONTENT_FRAME_AT_S = 1;
/** What produced the scores: cards record it, and a content head refuses scores of another detector. */
export const DETECTOR_ID = 'centernet-coco80@vladmandic-human-3.3.6/frame-at-1s/512-area';

const PACKAGES = [
  '@tensorflow/tfjs-core@4.22.0',
  '@tensorflow/tfjs-converter@4.22.0',
  '@tensorflow/tfjs-backend-wasm@4.22.0',
  '@vladmandic/human@3.3.6',
];
export const CONTENT_INSTALL = `npm install ${PACKAGES.join(' ')}`;

type Tf = typeof import('@tensorflow/tfjs-core');
type GraphModel = import('@tensorflow/tfjs-converter').GraphModel;

interface Detector {
  tf: Tf;
  model: GraphModel;
}

let loading: Promise<Detector> | null = null;

async function optional<T>(name: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (err) {
    throw new SetupError(
      `--content needs the optional package ${name}, which is not installed (${(err as Error).message.split('\n')[0]}).\nPossible solutions:\n- ${CONTENT_INSTALL}\n- or scan without --content`,
      { cause: err },
    );
  }
}

async function load(): Promise<Detector> {
  const tf = await optional<Tf>('@tensorflow/tfjs-core');
  const converter = await optional<typeof import('@tensorflow/tfjs-converter')>('@tensorflow/tfjs-converter');
  const wasm = await optional<typeof import('@tensorflow/tfjs-backend-wasm')>('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  if (!(await tf.setBackend('wasm'))) throw new SetupError('TensorFlow.js could not start its WebAssembly backend');
  // The package's own loader fetches file:// URLs, which Node's fetch does not serve: read the files and hand them over.
  const models = join(dirname(dirname(require.resolve('@vladmandic/human'))), 'models');
  const graph = JSON.parse(await readFile(join(models, 'centernet.json'), 'utf8'));
  const bin = await readFile(join(models, 'centernet.bin'));
  const model = await converter.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: graph.modelTopology,
      weightSpecs: graph.weightsManifest[0].weights,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length),
    }),
  );
  return { tf, model };
}

/** Checks that the optional packages import (without loading the detector); SetupError naming the missing one. */
export async function checkContentPackages(): Promise<void> {
  await optional('@tensorflow/tfjs-core');
  await optional('@tensorflow/tfjs-converter');
  await optional('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  try {
    require.resolve('@vladmandic/human');
  } catch (err) {
    throw new SetupError(
      `--content needs the optional package @vladmandic/human (its detector weights), which is not installed.\nPossible solutions:\n- ${CONTENT_INSTALL}\n- or scan without --content`,
      { cause: err },
    );
  }
}

/** The detector, loaded once per thread; a failed load is not cached, so the next clip gets the same clear error. */
function detector(): Promise<Detector> {
  loading ??= load().catch((err: unknown) => {
    loading = null;
    throw err;
  });
  return loading;
}

/** The 80 class scores (0..1, order of {@link COCO_CLASSES}) of one RGB frame of DETECTOR_SIZE squared. */
export async function classScores(rgb: Uint8Array): Promise<Float32Array> {
  const { tf, model } = await detector();
  const input = tf.tensor4d(Float32Array.from(rgb), [1, DETECTOR_SIZE, DETECTOR_SIZE, 3]);
  const heat = model.execute(input, 'tower_0/keypoints') as import('@tensorflow/tfjs-core').Tensor;
  const top = tf.max(heat, [0, 1, 2]);
  const scores = Float32Array.from(await top.data());
  tf.dispose([input, heat, top]);
  if (scores.length !== COCO_CLASSES.length)
    throw new SetupError(`The object detector gave ${scores.length} class scores, not ${COCO_CLASSES.length}`);
  return scores;
}

/** The time (seconds) of the frame looked at in an analysed window. */
export function contentFrameTime(windowStartS: number, windowEndS: number): number {
  return windowStartS + Math.min(CONTENT_FRAME_AT_S, Math.max(0, (windowEndS - windowStartS) / 2));
}

/** The frame that {@link clipContent} looks at: RGB at the detector's size, at {@link contentFrameTime}. */
export function contentFrameSelection(window: {
  windowStartS: number;
  windowEndS: number;
  timeoutMs?: number;
}): FrameSelection {
  const at = contentFrameTime(window.windowStartS, window.windowEndS);
  return {
    width: DETECTOR_SIZE,
    height: DETECTOR_SIZE,
    fps: 24,
    windowStartS: at,
    windowEndS: at + 0.25,
    indices: [0],
    pixelFormat: 'rgb24',
    ...(window.timeoutMs ? { timeoutMs: window.timeoutMs } : {}),
  };
}

/** Decodes a frame selection as {@link decodeFrameSelection} does (the scan passes one that batches clips). */
export type SelectionDecoder = (path: string, sel: FrameSelection) => Promise<{ frames: Uint8Array[] }>;

/**
 * What is in a clip: the class scores of its frame at {@link contentFrameTime} of the analysed window, scaled to the
 * detector's square (the picture is stretched, as the detector was run in training).
 * @throws DecodeError when that frame cannot be decoded; SetupError when the optional packages are missing.
 */
export async function clipContent(
  path: string,
  window: { windowStartS: number; windowEndS: number; timeoutMs?: number },
  decode: SelectionDecoder = decodeFrameSelection,
): Promise<Float32Array> {
  await detector();
  const { frames } = await decode(path, contentFrameSelection(window));
  return classScores(frames[0]);
}
