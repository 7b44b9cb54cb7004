// Reading a scan's clip rows back as physics-check contexts (signals, model outputs).

import { join } from 'node:path';
import { readJsonl } from '../io/jsonl-log.js';
import { CLIPS_JSONL, ERRORS_JSONL } from '../outputs/layout.js';
import { readClipSeries } from '../outputs/series-file.js';
import { signalsFromSeries, type ClipSignals } from './signals.js';
import type { ModelOutputs } from './types.js';

type Row = Record<string, unknown>;

/** Every row of a scan's clips.jsonl and errors.jsonl, keyed by clip id. */
export async function readScanRows(scanOut: string): Promise<{ clips: Map<string, Row>; errors: Map<string, Row> }> {
  const clips = new Map<string, Row>();
  const errors = new Map<string, Row>();
  for await (const { value } of readJsonl(join(scanOut, CLIPS_JSONL))) {
    const r = value as Row;
    clips.set(String(r.id), r);
  }
  for await (const { value } of readJsonl(join(scanOut, ERRORS_JSONL))) {
    const r = value as Row;
    if (typeof r.id === 'string') errors.set(r.id, r);
  }
  return { clips, errors };
}

const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

/** The signals of one clips.jsonl row (its series, analysis rate and window). */
export async function rowSignals(scanOut: string, row: Row): Promise<ClipSignals> {
  const series = await readClipSeries(scanOut, row);
  const fps = num(row.analysis_fps, 24);
  return signalsFromSeries(
    { frames: series.frames, columns: series.columns.length, data: series.data },
    series.columns,
    {
      fps,
      startS: num(row.window_start_s, 0),
      sourceFps: num(row.fps, fps),
    },
  );
}

/** The model's outputs on a clips.jsonl row, or null when no model ran. */
export function rowModel(row: Row): ModelOutputs | null {
  if (typeof row.p_forward !== 'number') return null;
  return {
    p_forward: row.p_forward,
    p_irreversible: typeof row.p_irreversible === 'number' ? row.p_irreversible : null,
    verdict: typeof row.verdict === 'string' ? row.verdict : null,
    confidence: typeof row.confidence === 'number' ? row.confidence : null,
    model_version: typeof row.model_version === 'string' ? row.model_version : null,
  };
}
