// `audit inspect CLIP`: one clip through the scan's own analysis and model, explained, with an optional picture.

import { basename, resolve } from 'node:path';
import { FB_ASYMMETRY, SUMMARIES } from '../cues/summaries.js';
import { DecodeError, UsageError } from '../errors.js';
import type { ArrowHead } from '../model/arrow-head.js';
import { loadModel, type LoadedModel } from '../model/onnx.js';
import { analyseClip } from '../pipeline/analyse-clip.js';
import { isRemotePath } from '../io/object-store.js';
import { ScanOptionsSchema, type ScanOptionsInput } from '../pipeline/options.js';
import type { AnalysisSettings, ClipSuccess } from '../pipeline/task.js';
import { loadRunArrow, modelPath } from '../pipeline/scan.js';
import { modelColumns } from '../pipeline/scan-rows.js';
import { CUE_COLUMNS } from '../cues/index.js';
import { contactSheetImage } from '../report/contact-sheet.js';
import { cueCurvesSvg } from '../report/curves.js';
import { imageFormat, rasteriseSvg, stackImages, writeImage } from '../report/image.js';
import { explainClip, type PredictionCells } from '../report/reasoning.js';

/** Options of {@link inspectClip}: the clip, the picture, and the scan's analysis and model settings. */
export type InspectOptions = Pick<
  ScanOptionsInput,
  | 'shortSide'
  | 'fps'
  | 'maxSeconds'
  | 'timeoutMs'
  | 'flowPreset'
  | 'flowDirections'
  | 'model'
  | 'device'
  | 'arrowHead'
  | 'modelWindows'
  | 'batch'
> & {
  /** The video file. */
  path: string;
  /** Write the contact sheet above the cue curves to this file (.png, or .jpg/.jpeg). */
  png?: string;
};

/** Everything `audit inspect` reports about one clip (the `--json` object). */
export interface InspectResult {
  path: string;
  probe: {
    duration_s: number;
    fps: number;
    width: number;
    height: number;
    rotation: number;
    codec: string;
    pix_fmt: string;
  };
  analysis: {
    fps: number;
    width: number;
    height: number;
    window_start_s: number;
    window_end_s: number;
    frames: number;
    pairs: number;
    warnings: string[];
  };
  /** The clip summaries (src/cues/summaries.ts), as in a clips.jsonl row. */
  summaries: Record<string, number>;
  /** The model's columns of the clip's scan row (verdict, p_*, confidence, doubt, embeddings, ...), or null without a model. */
  prediction: Record<string, unknown> | null;
  model: { path: string; version: string; provider: string } | null;
  reasoning: string[];
  png: { file: string; width: number; height: number } | null;
}

const InspectSettings = ScanOptionsSchema.pick({
  shortSide: true,
  fps: true,
  maxSeconds: true,
  timeoutMs: true,
  flowPreset: true,
  flowDirections: true,
  model: true,
  device: true,
  arrowHead: true,
  modelWindows: true,
  batch: true,
});

type Settings = ReturnType<typeof InspectSettings.parse>;

/** The options checked before any work: the parsed analysis settings and the clip's path. */
function checkOptions(options: InspectOptions): { o: Settings; path: string } {
  const parsed = InspectSettings.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`Invalid option ${issue.path.join('.') || '(options)'}: ${issue.message}`);
  }
  const o = parsed.data;
  if (typeof options.path !== 'string' || options.path === '')
    throw new UsageError('Expected a video file for CLIP but received nothing');
  // A bad picture name fails before minutes of analysis, not after.
  if (options.png !== undefined) imageFormat(options.png);
  // s3:// and http(s):// clips are read as scan reads them (io/remote-clip.ts).
  const path = isRemotePath(options.path) ? options.path : resolve(options.path);
  return { o, path };
}

/** Scan's analysis settings for this clip, forwards. */
function analysisSettings(o: Settings): AnalysisSettings {
  return {
    shortSide: o.shortSide,
    fps: o.fps,
    maxSeconds: o.maxSeconds,
    timeoutMs: o.timeoutMs,
    flowPreset: o.flowPreset,
    flowDirections: o.flowDirections,
    reverse: false,
  };
}

/** The model's columns of the clip's scan row (scan's own model step, with its arrow head), and which model gave them. */
async function predictClip(
  model: LoadedModel,
  arrow: ArrowHead | null,
  o: Settings,
  r: ClipSuccess,
): Promise<{ prediction: Record<string, unknown>; modelInfo: NonNullable<InspectResult['model']> }> {
  const version = `${model.card?.name ?? 'model'}@${model.card?.version ?? '?'}`;
  const [prediction] = await modelColumns({ model, modelVersion: version, opts: o, content: null, arrow }, [r]);
  return {
    prediction,
    modelInfo: { path: model.path, version, provider: model.provider },
  };
}

/**
 * The reasoning about the cues and the model's columns. A clip too poor to judge gets no verdict from the model (as in
 * scan): the reasoning then says why instead of reading probabilities there are none of; doubts beside a verdict
 * (out of the model's domain) are said too.
 */
function reasoning(summaries: Record<string, number>, prediction: Record<string, unknown> | null): string[] {
  const doubt = (prediction?.doubt as string[] | undefined) ?? [];
  if (prediction === null || prediction.verdict !== null) {
    const lines = explainClip(summaries, prediction as PredictionCells | null);
    return doubt.length ? [...lines, `Doubt: ${doubt.join('; ')}.`] : lines;
  }
  // Without a prediction explainClip ends on the line that no model ran; here one ran and gave no verdict.
  return [
    ...explainClip(summaries, null).slice(0, -1),
    `Model: no verdict, the clip is too poor to judge: ${doubt.join('; ')}.`,
  ];
}

/** The result without a picture: probe and analysis facts, summaries, prediction and the reasoning. */
function inspectResult(
  path: string,
  r: ClipSuccess,
  prediction: Record<string, unknown> | null,
  modelInfo: InspectResult['model'],
): InspectResult {
  const a = r.analysis;
  return {
    path,
    probe: {
      duration_s: r.probe.durationS,
      fps: r.probe.fps,
      width: r.probe.width,
      height: r.probe.height,
      rotation: r.probe.rotation,
      codec: r.probe.codec,
      pix_fmt: r.probe.pixFmt,
    },
    analysis: {
      fps: a.fps,
      width: a.width,
      height: a.height,
      window_start_s: a.windowStartS,
      window_end_s: a.windowEndS,
      frames: a.frames,
      pairs: r.pairs,
      warnings: a.warnings,
    },
    summaries: r.summaries,
    prediction,
    model: modelInfo,
    reasoning: reasoning(r.summaries, prediction),
    png: null,
  };
}

/** Writes the contact sheet of the analysed window above the cue curves to `file`; returns the picture's size. */
async function writePicture(
  path: string,
  r: ClipSuccess,
  o: Settings,
  file: string,
): Promise<NonNullable<InspectResult['png']>> {
  const a = r.analysis;
  const sheet = await contactSheetImage({
    path,
    windowStartS: a.windowStartS,
    windowEndS: a.windowEndS,
    fps: o.fps,
    shortSide: o.shortSide,
    flowPreset: o.flowPreset,
    timeoutMs: o.timeoutMs,
  });
  const names = CUE_COLUMNS.map((c) => c.name);
  const curves = await rasteriseSvg(
    cueCurvesSvg(
      { frames: r.pairs, columns: names, data: r.series },
      { width: sheet.width, height: 440, fps: a.fps, startS: a.windowStartS, title: basename(path) },
    ),
  );
  const picture = stackImages([sheet, curves]);
  await writeImage(picture, file);
  return { file, width: picture.width, height: picture.height };
}

/**
 * Analyses one video file exactly as `audit scan` does (same decode, flow, camera fit, cues, summaries and
 * model input), runs the model when there is one (default: the shipped model, as scan) through scan's own model
 * step (the same windows, arrow head and doubt, so the prediction equals the clip's scan row), explains the cues in
 * a few sentences and, with `png`, writes the contact sheet above the cue curves.
 * @throws DecodeError (missing, unreadable, not a video, too short, ...), ModelError, UsageError for bad options.
 * @example
 * const r = await inspectClip({ path: 'samples/drop.mp4', model: 'none', png: 'drop.png' });
 * console.log(r.reasoning.join('\n'));
 */
export async function inspectClip(options: InspectOptions): Promise<InspectResult> {
  const { o, path } = checkOptions(options);
  const settings = analysisSettings(o);
  const mp = modelPath(o.model);
  // Before the model, as scan: a bad arrow head fails in a second.
  const arrow = await loadRunArrow(o, mp);
  let model: LoadedModel | null = null;
  try {
    model = mp ? await loadModel(mp, { device: o.device }) : null;
    const r = await analyseClip({ id: options.path, row: 1, path, settings });
    if (!r.ok) throw new DecodeError(r.error.code, r.error.message, { path });
    const { prediction, modelInfo } = model
      ? await predictClip(model, arrow, o, r)
      : { prediction: null, modelInfo: null };
    const result = inspectResult(path, r, prediction, modelInfo);
    if (options.png !== undefined) result.png = await writePicture(path, r, o, options.png);
    return result;
  } finally {
    await model?.session.release();
  }
}

const UNITS = new Map([...SUMMARIES, FB_ASYMMETRY].map((s) => [s.name, s.unit]));

function fixed(x: unknown, digits = 3): string {
  return typeof x === 'number' ? x.toFixed(digits) : String(x);
}

/** The terminal text of an inspect result: facts, verdict, the summaries with units, the reasoning, the picture. */
export function formatInspect(r: InspectResult): string {
  const a = r.analysis;
  const p = r.probe;
  const lines = [
    `clip       ${r.path}`,
    `probe      ${p.width}x${p.height}, ${p.duration_s.toFixed(2)} s at ${fixed(p.fps, 2)} fps, ${p.codec} ${p.pix_fmt}${p.rotation ? `, rotated ${p.rotation}°` : ''}`,
    `analysed   ${a.width}x${a.height} at ${fixed(a.fps, 2)} fps, window ${a.window_start_s.toFixed(2)}-${a.window_end_s.toFixed(2)} s, ${a.frames} frames, ${a.pairs} pairs`,
  ];
  for (const w of a.warnings) lines.push(`warning    ${w}`);
  const q = r.prediction;
  if (q && r.model) {
    if (q.verdict === null) lines.push('verdict    none (too poor to judge, see doubt)');
    else
      lines.push(
        `verdict    ${String(q.verdict)} (p ${fixed(q.confidence, 2)})   invariant ${fixed(q.p_invariant, 2)}  equivariant ${fixed(q.p_equivariant, 2)}  irreversible ${fixed(q.p_irreversible, 2)}`,
        `arrow      p_forward ${fixed(q.p_forward, 2)}${q.reversed_in_corpus ? '  (flag: probably reversed in the corpus)' : ''}`,
      );
    for (const d of (q.doubt as string[] | undefined) ?? []) lines.push(`doubt      ${d}`);
    lines.push(`model      ${r.model.version} on ${r.model.provider} (${r.model.path})`);
  } else {
    lines.push('verdict    none (no model)');
  }
  lines.push('', 'cue summaries');
  const width = Math.max(...Object.keys(r.summaries).map((k) => k.length));
  for (const [name, value] of Object.entries(r.summaries)) {
    lines.push(
      `  ${name.padEnd(width)}  ${value >= 0 ? ' ' : ''}${value.toFixed(4)}  ${UNITS.get(name) ?? ''}`.trimEnd(),
    );
  }
  lines.push('', 'reasoning');
  for (const line of r.reasoning) lines.push(`  - ${line}`);
  if (r.png)
    lines.push('', `picture    ${r.png.file} (${r.png.width}x${r.png.height}: contact sheet above the cue curves)`);
  return lines.join('\n');
}
