// The decision step (issue 4): decide which clips may be reversed, write the reverse-safe and excluded
// manifests and the class-level analysis. Runs at the end of `audit scan` and as `audit decide`.

export { checkDecisionColumns } from './manifest-read.js';
export {
  DECISION_TABLE,
  DECISIONS,
  POLICIES,
  POLICY_THRESHOLDS,
  decide,
  formatDecisionTable,
  swapLabel,
} from './policy.js';
export type {
  CaptionInfo,
  ClassPrior,
  Decision,
  DecisionInput,
  DecisionResult,
  ModelOpinion,
  Policy,
  Verdict,
} from './policy.js';
export {
  CLASS_MIN_CLIPS,
  CLASS_VERDICT_SHARE,
  addClassClip,
  classRows,
  newClassStats,
  type ClassRow,
} from './classes.js';
export { ADDED_COLUMNS, neutraliseCell } from './manifests.js';
export { TAXONOMY_CHOICES, type TaxonomyChoice } from './text-sources.js';

export {
  CLASSES_CSV,
  CLASSES_PARQUET,
  DECISIONS_JSON,
  DECISIONS_JSONL,
  summaryDecisions,
  writeDecisions,
  type DecisionOptions,
  type DecisionSummary,
} from './write.js';
export { decideScan, formatDecisionCounts, type DecideOverrides } from './redo.js';
