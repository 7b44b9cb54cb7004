// The files of a scan's output folder: written by the pipeline (pipeline/out-dir.ts), read by the decisions, the
// report, training-tensor export and evaluation. Names only; no behaviour.

export const CLIPS_JSONL = 'clips.jsonl';
export const CLIPS_PARQUET = 'clips.parquet';
export const ERRORS_JSONL = 'errors.jsonl';
export const SUMMARY_JSON = 'summary.json';
export const CUES_JSON = 'cues.json';
export const SERIES_DIR = 'series';
