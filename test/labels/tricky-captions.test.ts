// The caption lexicon pinned by a set of tricky captions (test/fixtures/tricky-captions.json): nouns that look like
// verbs, negations, "reverse"/"played backwards", passive voice, plural and -ing forms, several actions. Each case
// names the reading analyseCaption must give; the score (passing N/N) is printed for the record.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyseCaption, type CaptionStatus } from '../../src/labels/captions.js';

interface Case {
  group: string;
  caption: string;
  expect: CaptionStatus;
  /** For 'swap': the caption of the reversed clip; 'keep' implies the caption itself; others imply null. */
  reversed?: string;
}

const FIXTURE = new URL('../fixtures/tricky-captions.json', import.meta.url);
const CASES = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { cases: Case[] }).cases;

/** What the case expects of analyseCaption's status and reversed caption. */
function wanted(c: Case): { status: CaptionStatus; reversed: string | null } {
  return {
    status: c.expect,
    reversed: c.expect === 'swap' ? (c.reversed ?? null) : c.expect === 'keep' ? c.caption : null,
  };
}

describe('tricky captions', () => {
  it('has at least 60 cases in every required group, each well-formed and distinct', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    const groups = new Set(CASES.map((c) => c.group));
    for (const g of [
      'noun that looks like a verb',
      'negation',
      'reverse, rewind, played backwards',
      'passive voice',
      'plural and -ing forms',
      'several actions',
    ]) {
      expect(groups, g).toContain(g);
    }
    expect(new Set(CASES.map((c) => c.caption)).size).toBe(CASES.length);
    for (const c of CASES) {
      expect(['swap', 'keep', 'irreversible', 'unknown'], c.caption).toContain(c.expect);
      expect(
        c.expect === 'swap' ? typeof c.reversed === 'string' && c.reversed !== c.caption : c.reversed === undefined,
        c.caption,
      ).toBe(true);
    }
  });

  it('scores the whole set (printed) and passes every case', () => {
    const failing = CASES.filter((c) => {
      const a = analyseCaption(c.caption);
      const w = wanted(c);
      return a.status !== w.status || a.reversed !== w.reversed;
    });
    console.log(`tricky captions: passing ${CASES.length - failing.length}/${CASES.length}`);
    for (const c of failing) {
      const a = analyseCaption(c.caption);
      console.log(
        `  FAIL [${c.group}] ${JSON.stringify(c.caption)}: want ${JSON.stringify(wanted(c))}, got ${JSON.stringify({ status: a.status, reversed: a.reversed })} (${a.reason})`,
      );
    }
    expect(failing.map((c) => c.caption)).toEqual([]);
  });

  it.each(CASES.map((c) => [c.group, c.caption, c] as const))('[%s] %j', (_group, caption, c) => {
    const a = analyseCaption(caption);
    expect({ status: a.status, reversed: a.reversed }).toEqual(wanted(c));
  });
});
