// Scoring: every check on a clip, the reversal-artefact score, PC on 1-5, and each rule's 0/1/2 from its routed checks.

import { CHECKS, checkByName } from './checks/index.js';
import { routeRule } from './route.js';
import type { CheckResult, ClipContext, RuleScore } from './types.js';

/** A clip judged by every check. */
export interface ClipJudgment {
  checks: CheckResult[];
  /** True when a reversal artefact is found (artefact_score >= 0.5). */
  artefact: boolean;
  /** 0..1: the strongest reversal-artefact evidence of any check (time direction, gravity, caption direction, rebounds). */
  artefact_score: number;
  /** 0..1: the strongest violation evidence of any check (reversal artefacts and the rest). */
  violation_score: number;
  /** Physical commonsense on VideoPhy-2's 1-5 scale, from violation_score (see {@link pcFromViolation}). */
  pc: number;
}

/** artefact_score at or above which a clip counts as showing a reversal artefact. */
export const ARTEFACT_THRESHOLD = 0.5;

/**
 * The most the model's arrow of time alone adds to artefact_score: below the threshold, so it ranks clips but needs
 * a motion check to call an artefact. Set on the planted synthetic benchmark (never real-dev): with reversal-v1 the
 * uncapped arrow raised false alarms on the correct twins from 0 % to 8.3 % at the same 95 % recall (a ball rolling
 * down a slope read as reversed), and its model card measures 0.33 arrow accuracy on real irreversible clips.
 */
export const TIME_DIRECTION_CAP = 0.45;

/**
 * PC (1-5) from the strongest violation evidence v of the checks that could judge the clip:
 * v < 0.15 -> 5, < 0.35 -> 4, < 0.5 -> 3, < 0.75 -> 2, else 1 (so any check answering 0 gives PC <= 2).
 * When no check could judge anything (no motion, no model), PC is 3: no evidence either way.
 */
export function pcFromViolation(v: number, judged: boolean): number {
  if (!judged) return 3;
  if (v < 0.15) return 5;
  if (v < 0.35) return 4;
  if (v < 0.5) return 3;
  if (v < 0.75) return 2;
  return 1;
}

/**
 * Runs every check of the registry on one clip (the caption check against the caption).
 * @example
 * const j = judgeClip({ signals, caption: 'A rock tumbles down a hill', model: null });
 * j.artefact_score; j.pc; j.checks.find((c) => c.check === 'gravity')?.evidence.explanation
 */
export function judgeClip(ctx: ClipContext): ClipJudgment {
  const checks = CHECKS.map((c) => c.run(ctx, ctx.caption));
  const artefactScore = Math.max(
    0,
    ...checks.map((c) =>
      c.check === 'time_direction' ? Math.min(c.reversal_strength, TIME_DIRECTION_CAP) : c.reversal_strength,
    ),
  );
  const violation = Math.max(0, ...checks.map((c) => c.strength));
  const judged = checks.some((c) => c.score !== 2);
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    checks,
    artefact: artefactScore >= ARTEFACT_THRESHOLD,
    artefact_score: round(artefactScore),
    violation_score: round(violation),
    pc: pcFromViolation(violation, judged),
  };
}

/** One rule's answer with the checks that judged it and why. */
export interface RuleJudgment {
  rule: string;
  law: string | null;
  score: RuleScore;
  /** The checks the rule was routed to, each with its answer for this rule. */
  checks: { check: string; because: string; score: RuleScore }[];
  /** One line: the deciding check's explanation, or why nothing could judge it. */
  reason: string;
}

/**
 * Scores one rule on a judged clip: routed to the checks that can judge it (see route.ts); 0 when any of them
 * finds a violation, else 1 when any finds the rule followed, else 2. The caption check is run against the
 * rule's own text. A rule no check can judge scores 2 with the reason "no motion check applies".
 */
export function judgeRule(rule: string, law: string | null, ctx: ClipContext, clip: ClipJudgment): RuleJudgment {
  const hits = routeRule(rule, law);
  if (hits.length === 0) return { rule, law, score: 2, checks: [], reason: 'no motion check applies' };
  const results = hits.map((h) => ({
    hit: h,
    result:
      h.check === 'caption_direction'
        ? checkByName('caption_direction').run(ctx, rule)
        : clip.checks.find((c) => c.check === h.check)!,
  }));
  const violated = results.filter((r) => r.result.score === 0).sort((a, b) => b.result.strength - a.result.strength)[0];
  const followed = results.find((r) => r.result.score === 1);
  const decider = violated ?? followed;
  const score: RuleScore = violated ? 0 : followed ? 1 : 2;
  return {
    rule,
    law,
    score,
    checks: results.map((r) => ({ check: r.hit.check, because: r.hit.because, score: r.result.score })),
    reason: decider
      ? `${decider.hit.check}: ${decider.result.evidence.explanation}`
      : `routed to ${hits.map((h) => h.check).join(', ')}, none could judge it: ${results.map((r) => r.result.evidence.explanation).join('; ')}`,
  };
}
