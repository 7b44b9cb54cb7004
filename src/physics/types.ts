// Shared types of the physics checks: what a check reads about a clip and what it answers.

import type { ClipSignals } from './signals.js';

/** A VideoPhy-2 rule answer: 0 = violated, 1 = followed, 2 = cannot be determined. */
export type RuleScore = 0 | 1 | 2;

/** Names of the checks (the registry in checks/index.ts lists them). */
export type CheckName = 'time_direction' | 'gravity' | 'caption_direction' | 'momentum' | 'persistence';

/** What the model said about the clip (absent when no model ran). */
export interface ModelOutputs {
  p_forward: number;
  /** P(irreversible): only irreversible motion carries an arrow of time (null from rows without it). */
  p_irreversible: number | null;
  verdict: string | null;
  confidence: number | null;
  model_version: string | null;
}

/** Everything a check may read about one clip. */
export interface ClipContext {
  signals: ClipSignals;
  /** The caption (prompt) of the video, when the input gives one or the file name reads like one. */
  caption: string | null;
  model: ModelOutputs | null;
  /** Why there is no model output (e.g. "no model: --model none"). */
  modelNote?: string;
}

/** One suspicious (or reassuring) event a check found, in analysis pairs. */
export interface Finding {
  kind: string;
  /** 0..1: how strongly this event shows a violation (>= 0.5 makes the check answer 0). */
  strength: number;
  /** True when the event is a reversal artefact (physics running backwards), not another failure. */
  reversal: boolean;
  /** First and last analysis pair involved (pair t spans analysis frames t and t+1). */
  pairs: [number, number];
  values: Record<string, number>;
  explanation: string;
}

/** Where and what, in the units a person can check by scrubbing the video. */
export interface Evidence {
  /** Source frame numbers (0-based, at the source frame rate) of the first and last frame involved. */
  frames: [number, number] | null;
  /** The same range in source seconds. */
  seconds: [number, number] | null;
  values: Record<string, number | string | boolean | null>;
  /** One line: what was measured and why it gives this answer. */
  explanation: string;
}

/** A check's answer for one clip (and one rule text, for the caption check). */
export interface CheckResult {
  check: CheckName;
  score: RuleScore;
  /** Strength of the strongest finding (0 when none): how likely a violation is. */
  strength: number;
  /** Strength of the strongest reversal-artefact finding. */
  reversal_strength: number;
  evidence: Evidence;
  /** Every finding of note (strength > 0), strongest first, at most a few. */
  findings: (Omit<Finding, 'pairs'> & { frames: [number, number]; seconds: [number, number] })[];
}

/** One check: a module with a name, what it judges, and a pure function of the clip. */
export interface PhysicsCheck {
  readonly name: CheckName;
  /** One line for help texts and reports. */
  readonly description: string;
  /** Judges the clip; `text` is the rule or caption to judge against (only the caption check reads it). */
  run(ctx: ClipContext, text?: string | null): CheckResult;
}
