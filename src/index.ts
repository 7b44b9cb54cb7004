// The library API: everything the CLI does is available from here.

export { scan, writeClipsParquet, readSummary, type ScanSummary, type ScanHooks } from './pipeline/scan.js';
export { merge, type MergeSummary } from './pipeline/merge.js';
export { parseScanOptions, ScanOptionsSchema, type ScanOptionsInput } from './pipeline/options.js';
export { analyseClip } from './pipeline/analyse-clip.js';
export type { AnalysisSettings, ClipOutcome, ClipTask } from './pipeline/task.js';
export { readSeries } from './outputs/series-file.js';
export { CUES, CUE_COLUMNS, cueColumnIndex, GRID } from './cues/index.js';
export { SeriesAnalyser, mirrorSeries, type CueSeries } from './cues/series.js';
export { SUMMARIES, FB_ASYMMETRY, summarise } from './cues/summaries.js';
export { cueDocRows, type CueDocRow } from './cues/docs.js';
export { DisFlow, DIS_PRESETS, type DisParams, type DisPresetName } from './flow/dis.js';
export { fitCamera, residualFlow } from './flow/camera.js';
export type { CameraMotion, FlowField, GrayImage } from './flow/types.js';
export { decodeClip, decodeClips, decodeOnly, probeClip, locateFfmpeg } from './decode/index.js';
export { benchDis } from './flow/dis-bench.js';
export type { DecodedClip, DecodeOptions, ProbeInfo } from './decode/types.js';
export { openInput, isRowProblem, type InputRow, type InputSource } from './io/inputs.js';
export { renderScene, SCENE_NOTES, type SceneName } from './synth/scenes.js';
export * from './errors.js';
export { TOOL_VERSION } from './version.js';
export * from './model/index.js';
export { evaluate, formatEvalReport, DEFAULT_EVAL_MODEL } from './eval/index.js';
export * from './labels/taxonomy/index.js';
export {
  analyseCaption,
  reverseCaption,
  type CaptionAnalysis,
  type CaptionMatch,
  type CaptionStatus,
} from './labels/captions.js';
export * from './decide/index.js';
export { writeReport, renderReport, collectReportData } from './report/index.js';
export { renderContactSheet } from './report/contact-sheet.js';
export { cueCurvesSvg } from './report/curves.js';
export { readClipSeries, seriesColumnNames, type NamedSeries } from './outputs/series-file.js';
export { inspectClip, formatInspect } from './inspect/index.js';
export { physics } from './physics/index.js';
