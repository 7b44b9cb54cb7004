// Plain data that crosses the worker boundary: a clip task in, an outcome (numbers or an error) out.

import type { ProbeInfo } from '../decode/types.js';
import type { FlowDirections } from '../cues/series.js';
import type { DisPresetName } from '../flow/dis.js';

/** How clips are analysed; identical for every clip of a run and recorded in summary.json. */
export interface AnalysisSettings {
  /** Short side of analysis frames, px (default 96). */
  shortSide: number;
  /** Analysis frame rate, frames/s (default 24; never above the source rate). */
  fps: number;
  /** Longest analysed window, s (default 10; longer clips: the centred window). */
  maxSeconds: number;
  /** Per-clip time limit for probe + decode, ms (default 60000). */
  timeoutMs: number;
  /** DIS optical-flow preset (default 'ultrafast'). */
  flowPreset: DisPresetName;
  /** One flow per pair in a content-chosen order ('canonical', default) or both ways averaged ('both'). */
  flowDirections: FlowDirections;
  /** Analyse the frames in reverse order (for reversal checks; default false). */
  reverse: boolean;
}

export interface ClipTask {
  id: string;
  path: string;
  row: number;
  settings: AnalysisSettings;
  /** The span of the video this row stands for (seconds; endS Infinity: to the end); absent: the whole video. */
  segment?: { startS: number; endS: number };
  /** Clips the worker's ffmpeg decodes together (absent: 1, each alone); not an analysis setting, results are the same. */
  decodeBatch?: number;
  /** Also look at what is in the picture (`--content`: content/detector.ts class scores of one frame). */
  content?: boolean;
}

/** Facts about how a clip was analysed. */
export interface AnalysisFacts {
  width: number;
  height: number;
  fps: number;
  windowStartS: number;
  windowEndS: number;
  frames: number;
  warnings: string[];
  /** Why the clip is too poor to judge from its pixels (cues/degenerate.ts): tiny, blank, still; usually empty. */
  degenerate: string[];
}

export interface ClipSuccess {
  ok: true;
  id: string;
  row: number;
  path: string;
  probe: ProbeInfo;
  analysis: AnalysisFacts;
  /** [pairs x columns] float32, row-major. */
  series: Float32Array;
  pairs: number;
  columns: number;
  summaries: Record<string, number>;
  /**
   * With `content`: the 80 COCO class scores of the clip's frame (content/detector.ts), or why there are none
   * (the frame could not be decoded); absent without `content`.
   */
  content?: { scores: number[] } | { error: string };
  timings: { decodeMs: number; analyseMs: number };
}

export interface ClipFailure {
  ok: false;
  id: string;
  row: number;
  path: string;
  error: { code: string; message: string; stage: 'decode' | 'analyse' };
}

export type ClipOutcome = ClipSuccess | ClipFailure;
