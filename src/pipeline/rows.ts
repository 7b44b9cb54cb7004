// The shape of output rows: clips.jsonl / clips.parquet columns and errors.jsonl rows.

import { COCO_CLASSES } from '../content/coco.js';
import { SUMMARIES } from '../cues/summaries.js';
import type { ColumnSpec } from '../io/parquet-writer.js';
import { IN_DOMAIN_THRESHOLD } from '../model/domain.js';
import { REVERSED_IN_CORPUS_P, type Prediction } from '../model/onnx.js';
import type { ClipFailure, ClipSuccess } from './task.js';

type Cells = Record<string, string | number | boolean | null>;

/** One clips.jsonl row (series reference added by the writer). */
export function clipRow(r: ClipSuccess, input: Cells): Record<string, unknown> {
  const p = r.probe;
  const a = r.analysis;
  return {
    id: r.id,
    path: r.path,
    row: r.row,
    duration_s: p.durationS,
    fps: p.fps,
    width: p.width,
    height: p.height,
    rotation: p.rotation,
    pix_fmt: p.pixFmt,
    codec: p.codec,
    vfr: p.vfr,
    analysis_fps: a.fps,
    analysis_width: a.width,
    analysis_height: a.height,
    window_start_s: a.windowStartS,
    window_end_s: a.windowEndS,
    analysis_frames: a.frames,
    series_pairs: r.pairs,
    series_columns: r.columns,
    ...r.summaries,
    decode_ms: Math.round(r.timings.decodeMs),
    analyse_ms: Math.round(r.timings.analyseMs),
    warnings: a.warnings,
    // why the pixels cannot be trusted; the model's columns add an out-of-domain reason (predictionColumns)
    doubt: a.degenerate,
    input,
  };
}

/** One errors.jsonl row for a clip that failed in a worker. */
export function clipErrorRow(
  r: ClipFailure,
  key: string,
  input: Cells,
): { key: string; code: string } & Record<string, unknown> {
  return {
    key,
    id: r.id,
    path: r.path,
    row: r.row,
    stage: r.error.stage,
    code: r.error.code,
    message: r.error.message,
    input,
  };
}

/** Class scores at least this high are named in the `content` column's `objects`. */
export const OBJECT_SCORE_NAMED = 0.2;

/**
 * The `content` column of a --content scan: the classes seen (score >= OBJECT_SCORE_NAMED, best first, at most 5), all
 * 80 class scores (content/coco.ts order), and the verdict probabilities of the network and of the content head
 * before they were averaged (null when not averaged); or why the frame could not be looked at.
 */
export function contentColumn(
  content: NonNullable<ClipSuccess['content']>,
  network: readonly number[] | null,
  head: readonly number[] | null,
): { content: Record<string, unknown> } {
  if ('error' in content) return { content: { error: content.error } };
  const round = (v: readonly number[] | null) => (v ? v.map((x) => Math.round(x * 1e4) / 1e4) : null);
  const named = content.scores
    .map((score, k) => [COCO_CLASSES[k], score] as const)
    .filter(([, s]) => s >= OBJECT_SCORE_NAMED)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5);
  return {
    content: { objects: Object.fromEntries(named), scores: content.scores, network: round(network), head: round(head) },
  };
}

/** Columns of clips.parquet, in order. `input` holds the manifest's own columns as a JSON object. */
export const CLIP_COLUMNS: readonly ColumnSpec[] = Object.freeze([
  { name: 'id', type: 'string' },
  { name: 'path', type: 'string' },
  { name: 'row', type: 'int64' },
  { name: 'duration_s', type: 'float64' },
  { name: 'fps', type: 'float64' },
  { name: 'width', type: 'int64' },
  { name: 'height', type: 'int64' },
  { name: 'rotation', type: 'int64' },
  { name: 'pix_fmt', type: 'string' },
  { name: 'codec', type: 'string' },
  { name: 'vfr', type: 'bool' },
  { name: 'analysis_fps', type: 'float64' },
  { name: 'analysis_width', type: 'int64' },
  { name: 'analysis_height', type: 'int64' },
  { name: 'window_start_s', type: 'float64' },
  { name: 'window_end_s', type: 'float64' },
  { name: 'analysis_frames', type: 'int64' },
  { name: 'series_pairs', type: 'int64' },
  { name: 'series_columns', type: 'int64' },
  ...SUMMARIES.map((s) => ({ name: s.name, type: 'float64' as const })),
  { name: 'fb_asymmetry', type: 'float64' },
  { name: 'verdict', type: 'string' },
  { name: 'p_invariant', type: 'float64' },
  { name: 'p_equivariant', type: 'float64' },
  { name: 'p_irreversible', type: 'float64' },
  { name: 'p_forward', type: 'float64' },
  { name: 'confidence', type: 'float64' },
  { name: 'reversed_in_corpus', type: 'bool' },
  { name: 'model_version', type: 'string' },
  { name: 'embedding_forward', type: 'json' },
  { name: 'embedding_reversed', type: 'json' },
  { name: 'in_domain', type: 'float64' },
  { name: 'doubt', type: 'json' },
  { name: 'content', type: 'json' },
  { name: 'series_file', type: 'string' },
  { name: 'series_offset', type: 'int64' },
  { name: 'decode_ms', type: 'int64' },
  { name: 'analyse_ms', type: 'int64' },
  { name: 'warnings', type: 'json' },
  { name: 'input', type: 'json' },
]);

/**
 * The model's columns of a clip row. A degenerate clip (`degenerate` reasons from the worker) gets no verdict: its
 * probabilities would be noise. `doubt` lists those reasons and, when the card has a reference of the training
 * footage, that the clip is out of domain (`in_domain` below the card's threshold).
 */
export function predictionColumns(
  p: Prediction,
  modelVersion: string,
  degenerate: readonly string[] = [],
  threshold: number = IN_DOMAIN_THRESHOLD,
): Record<string, unknown> {
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  const vector = (v: Float32Array) => Array.from(v, (x) => Math.round(x * 1e4) / 1e4);
  const inDomain = p.in_domain === null ? null : round(p.in_domain);
  const doubt = [...degenerate];
  if (inDomain !== null && inDomain < threshold)
    doubt.push(`out of domain: unlike the model's training footage (in_domain ${inDomain.toFixed(4)} < ${threshold})`);
  if (degenerate.length > 0) {
    return {
      verdict: null,
      p_invariant: null,
      p_equivariant: null,
      p_irreversible: null,
      p_forward: null,
      confidence: null,
      model_windows: p.windows,
      reversed_in_corpus: null,
      model_version: modelVersion,
      embedding_forward: null,
      embedding_reversed: null,
      in_domain: inDomain,
      doubt,
    };
  }
  return {
    verdict: p.verdict,
    p_invariant: round(p.p_invariant),
    p_equivariant: round(p.p_equivariant),
    p_irreversible: round(p.p_irreversible),
    p_forward: round(p.p_forward),
    confidence: round(p.confidence),
    // windows of the clip the model judged and averaged (model/features.ts clipWindows): 1 up to T pairs
    model_windows: p.windows,
    reversed_in_corpus: p.p_forward < REVERSED_IN_CORPUS_P,
    model_version: modelVersion,
    // Directional embeddings (their sum is the model's mirror-invariant embedding); older models lack them.
    embedding_forward: p.embedding_forward ? vector(p.embedding_forward) : null,
    embedding_reversed: p.embedding_reversed ? vector(p.embedding_reversed) : null,
    in_domain: inDomain,
    doubt,
  };
}
