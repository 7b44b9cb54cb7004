// The library API: everything the CLI does is available from here.

export { scan, writeClipsParquet, readSummary, type ScanSummary, type ScanHooks } from './pipeline/scan.js';
export { merge, type MergeSummary } from './pipeline/merge.js';
export { parseScanOptions, ScanOptionsSchema, type ScanOptionsInput } from './pipeline/options.js';
export { analyseClip } from './pipeline/analyse-clip.js';
export type { AnalysisSettings, ClipOutcome, ClipTask } from './pipeline/task.js';
export { readSeries } from './pipeline/series-file.js';
export { CUES, CUE_COLUMNS, cueColumnIndex, GRID } from './cues/index.js';
export { SeriesAnalyser, mirrorSeries, type CueSeries } from './cues/series.js';
export { SUMMARIES, FB_ASYMMETRY, summarise } from './cues/summaries.js';
export { cueDocRows, type CueDocRow } from './cues/docs.js';
export { DisFlow, DIS_PRESETS, type DisParams, type DisPresetName } from './flow/dis.js';
export { fitCamera, residualFlow } from './flow/camera.js';
export type { CameraMotion, FlowField, GrayImage } from './flow/types.js';
export { decodeClip, decodeOnly, probeClip, locateFfmpeg } from './decode/index.js';
export { benchDis } from './flow/dis-bench.js';
export type { DecodedClip, DecodeOptions, ProbeInfo } from './decode/types.js';
export { openInput, isRowProblem, type InputRow, type InputSource } from './io/inputs.js';
export { renderScene, SCENE_NOTES, type SceneName } from './synth/scenes.js';
export * from './errors.js';
export { TOOL_VERSION } from './version.js';
export * from './model/index.js';
