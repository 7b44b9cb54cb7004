// Class taxonomies: the shipped verdicts and pairs, the PDDL reader and undo derivation, lookup, and data/code drift.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildJesterTaxonomy,
  buildSsv2Taxonomy,
  buildTaxonomies,
  readTaxonomySources,
  taxonomyJson,
  TaxonomyError,
} from '../../src/labels/taxonomy/build.js';
import { deriveUndoPairs } from '../../src/labels/taxonomy/derive.js';
import {
  counterpartOf,
  findClass,
  loadTaxonomy,
  taxonomyCounts,
  taxonomyFile,
  TAXONOMY_NAMES,
  type Taxonomy,
  type TaxonomyClass,
} from '../../src/labels/taxonomy/index.js';
import { SSV2_OVERRIDES } from '../../src/labels/taxonomy/overrides.js';
import { parseDomain, parseSExpressions, PddlError, showSExpr } from '../../src/labels/taxonomy/pddl.js';
import { directionPairs, matchRule, SSV2_RULES } from '../../src/labels/taxonomy/rules.js';

const SHARED_TAXONOMY = join(
  process.env.REVERSAL_AUDIT_SHARED_DATA ?? fileURLToPath(new URL('../../../shared/data/', import.meta.url)),
  'taxonomy',
);
const haveShared = existsSync(join(SHARED_TAXONOMY, 'ssv2_domain.pddl'));

let ssv2: Taxonomy;
let jester: Taxonomy;
beforeAll(async () => {
  ssv2 = await loadTaxonomy('ssv2');
  jester = await loadTaxonomy('jester');
});

function cls(t: Taxonomy, name: string): TaxonomyClass {
  const c = t.classes.find((x) => x.name === name);
  if (!c) throw new Error(`no class ${name} in ${t.name}`);
  return c;
}

function expectPair(t: Taxonomy, a: string, b: string): void {
  const ca = cls(t, a);
  const cb = cls(t, b);
  expect(ca.verdict, a).toBe('equivariant');
  expect(cb.verdict, b).toBe('equivariant');
  expect(counterpartOf(t, ca)?.name, a).toBe(b);
  expect(counterpartOf(t, cb)?.name, b).toBe(a);
}

describe('shipped SSv2 taxonomy', () => {
  it('has all 174 classes, ids 0..173, each with a verdict, a source and a reason', () => {
    expect(ssv2.name).toBe('ssv2');
    expect(ssv2.classes).toHaveLength(174);
    expect(ssv2.classes.map((c) => c.id)).toEqual(Array.from({ length: 174 }, (_, k) => String(k)));
    expect(new Set(ssv2.classes.map((c) => c.name)).size).toBe(174);
    for (const c of ssv2.classes) {
      expect(['invariant', 'equivariant', 'irreversible'], c.name).toContain(c.verdict);
      expect(['derived', 'override', 'rule'], c.name).toContain(c.source);
      expect(c.reason.length, c.name).toBeGreaterThan(20);
      expect(c.coarse, c.name).toBeTruthy();
    }
  });

  it('pairs opening/closing, covering/uncovering, folding/unfolding, putting into/taking out', () => {
    expectPair(ssv2, 'Opening [something]', 'Closing [something]');
    expectPair(ssv2, 'Covering [something] with [something]', 'Uncovering [something]');
    expectPair(ssv2, 'Folding [something]', 'Unfolding [something]');
    expectPair(ssv2, 'Putting [something] into [something]', 'Taking [something] out of [something]');
    // Three of them come out of the PDDL on their own; covering needs the reviewed table (cover does not hide).
    for (const n of ['Opening [something]', 'Folding [something]', 'Putting [something] into [something]'])
      expect(cls(ssv2, n).source, n).toBe('derived');
    expect(cls(ssv2, 'Covering [something] with [something]').source).toBe('override');
    expectPair(ssv2, 'Moving [something] up', 'Moving [something] down');
    expectPair(ssv2, 'Approaching [something] with your camera', 'Moving away from [something] with your camera');
    expectPair(ssv2, 'Pushing [something] from left to right', 'Pulling [something] from right to left');
  });

  it('makes dropping, throwing, pouring and tearing irreversible', () => {
    const irreversible = ssv2.classes.filter((c) => /^(Dropping|Pouring|Tearing)\b/.test(c.name));
    expect(irreversible.length).toBe(5 + 4 + 2);
    for (const c of irreversible) expect(c.verdict, c.name).toBe('irreversible');
    for (const n of [
      'Throwing [something]',
      'Throwing [something] against [something]',
      'Throwing [something] onto a surface',
      'Throwing [something] in the air and letting it fall',
    ]) {
      expect(cls(ssv2, n).verdict, n).toBe('irreversible');
    }
    for (const n of [
      '[Something] falling like a rock',
      'Bending [something] until it breaks',
      'Spilling [something] onto [something]',
      'Tipping [something] over',
    ]) {
      expect(cls(ssv2, n).verdict, n).toBe('irreversible');
    }
  });

  it('keeps pretences, holding and showing invariant, and the decided debatable cases', () => {
    for (const c of ssv2.classes.filter((x) => /^(Pretending|Holding|Showing)\b/.test(x.name)))
      expect(c.verdict, c.name).toBe('invariant');
    expect(cls(ssv2, 'Pretending to pour [something] out of [something], but [something] is empty').verdict).toBe(
      'invariant',
    );
    expect(cls(ssv2, 'Squeezing [something]').verdict).toBe('invariant');
    expect(cls(ssv2, 'Squeezing [something]').reason).toMatch(/debatable/);
    expect(cls(ssv2, 'Throwing [something] in the air and catching it').verdict).toBe('invariant');
    // Negated events do not trigger the falling rule.
    expect(cls(ssv2, "Pushing [something] so that it almost falls off but doesn't").verdict).not.toBe('irreversible');
    expect(cls(ssv2, 'Lifting [something] up completely without letting it drop down').verdict).not.toBe(
      'irreversible',
    );
  });

  it('has no asymmetric pair, and counterparts only on equivariant classes', () => {
    for (const t of [ssv2, jester]) {
      for (const c of t.classes) {
        if (c.counterpart === null) continue;
        expect(c.verdict, c.name).toBe('equivariant');
        const back = counterpartOf(t, c);
        expect(back, c.name).not.toBeNull();
        expect(back!.counterpart, c.name).toBe(c.name);
        expect(back!.name).not.toBe(c.name);
      }
    }
  });

  it('explains every equivariant class without a counterpart', () => {
    for (const c of ssv2.classes.filter((x) => x.verdict === 'equivariant' && x.counterpart === null)) {
      expect(c.source, c.name).toBe('override');
      expect(c.reason, c.name).toMatch(/no class|already the counterpart/);
    }
  });

  it('gives the counts of the closing note', () => {
    const n = taxonomyCounts(ssv2.classes);
    expect(n.invariant + n.equivariant + n.irreversible).toBe(174);
    expect(n.equivariant).toBe(2 * n.equivariant_pairs + n.equivariant_without_counterpart);
    expect(n).toMatchObject({
      invariant: 55,
      equivariant_pairs: 21,
      equivariant_without_counterpart: 26,
      irreversible: 51,
    });
    expect(ssv2.provenance).toMatchObject({ counts: n });
  });

  it('records the sources with sha256 and upstream repositories', () => {
    const p = ssv2.provenance as {
      sources: { file: string; sha256: string; upstream: string }[];
      generator_version: string;
    };
    expect(p.sources.map((s) => s.file)).toEqual([
      'ssv2_labels.json',
      'ssv2_domain.pddl',
      'ssv2_fine_to_coarse.csv',
      'ssv2_coarse_classes.csv',
    ]);
    for (const s of p.sources) expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(p.sources[1].upstream).toContain('tmigimatsu/grounding-predicates');
    expect(p.sources[2].upstream).toContain('willprice/20bn-something-something-label-hierarchies');
    expect(p.generator_version).toBe(ssv2.version);
  });
});

describe('shipped Jester taxonomy', () => {
  it('has the 27 gestures, each with a verdict and reason', () => {
    expect(jester.classes).toHaveLength(27);
    for (const c of jester.classes) expect(c.reason.length, c.name).toBeGreaterThan(20);
  });

  it('pairs the directed gestures and keeps poses and non-gestures invariant', () => {
    expectPair(jester, 'Swiping Left', 'Swiping Right');
    expectPair(jester, 'Zooming In With Full Hand', 'Zooming Out With Full Hand');
    expectPair(jester, 'Rolling Hand Forward', 'Rolling Hand Backward');
    expectPair(jester, 'Pushing Hand Away', 'Pulling Hand In');
    expectPair(jester, 'Turning Hand Clockwise', 'Turning Hand Counterclockwise');
    for (const n of [
      'No gesture',
      'Doing other things',
      'Thumb Up',
      'Thumb Down',
      'Shaking Hand',
      'Stop Sign',
      'Drumming Fingers',
    ]) {
      expect(cls(jester, n).verdict, n).toBe('invariant');
    }
    expect((jester.provenance as { sources: { upstream: string }[] }).sources[0].upstream).toContain(
      'open-mmlab/mmaction2',
    );
  });
});

describe('loadTaxonomy', () => {
  it('lists the names and rejects others, naming the valid ones', async () => {
    expect(TAXONOMY_NAMES).toEqual(['ssv2', 'jester']);
    await expect(loadTaxonomy('kinetics' as 'ssv2')).rejects.toThrow(/ssv2, jester/);
    expect(fileURLToPath(taxonomyFile('ssv2'))).toMatch(/data[/\\]taxonomy[/\\]ssv2\.json$/);
  });
});

describe('findClass', () => {
  it('finds by id, by name without placeholders, and by raw SSv2 labels', () => {
    expect(findClass(ssv2, '46')?.name).toBe('Opening [something]');
    expect(findClass(ssv2, 'putting something into something')?.name).toBe('Putting [something] into [something]');
    expect(findClass(ssv2, '  Putting [something]   into [something]. ')?.name).toBe(
      'Putting [something] into [something]',
    );
    expect(findClass(ssv2, 'Putting a pen into a cup')?.name).toBe('Putting [something] into [something]');
    // as many fixed words as "Putting [number of] [something] onto [something]": the fewer placeholders win
    expect(findClass(ssv2, 'Putting a pen onto a cup')?.name).toBe('Putting [something] onto [something]');
    expect(findClass(ssv2, 'taking a pen out of a pencil case')?.name).toBe('Taking [something] out of [something]');
    expect(findClass(ssv2, 'Pushing a toy car from left to right')?.name).toBe(
      'Pushing [something] from left to right',
    );
    expect(findClass(ssv2, 'putting pen, cup and phone on the table')?.name).toBe(
      'Putting [something], [something] and [something] on the table',
    );
    expect(findClass(ssv2, 'Uncovering the red mug')?.name).toBe('Uncovering [something]');
    expect(findClass(ssv2, 'Pretending to pour water out of a bottle, but bottle is empty')?.name).toBe(
      'Pretending to pour [something] out of [something], but [something] is empty',
    );
    expect(findClass(ssv2, 'a dog running in a park')).toBeNull();
    expect(findClass(ssv2, '')).toBeNull();
  });

  it('finds Jester gestures ignoring case and spacing', () => {
    expect(findClass(jester, 'swiping  LEFT')?.name).toBe('Swiping Left');
    expect(findClass(jester, 'no gesture')?.name).toBe('No gesture');
    expect(findClass(jester, '3')?.name).toBe('Swiping Up');
  });
});

const MINI = `
(define (domain mini)
  (:types sth - object)
  (:constants hand - object)
  ; 0 Opening something
  (:action open
    :parameters (?a - sth)
    :precondition (and (closed ?a) (visible ?a))
    :effect (and (open ?a)))
  ; 1 Closing something
  (:action close
    :parameters (?a - sth)
    :precondition (and (open ?a))
    :effect (closed ?a))
  ; 2 Picking something up
  (:action grab
    :parameters (?a - sth)
    :precondition (not (touching ?a hand))
    :effect (touching ?a hand))
  ; 3 Letting go of something
  (:action release
    :parameters (?a - sth)
    :precondition (and (touching ?a hand))
    :effect (and (not (touching ?a hand))))
  (:axiom :vars (?a - sth) :context (open ?a) :implies (not (closed ?a)))
  (:axiom :vars (?a - sth) :context (closed ?a) :implies (not (open ?a)))
)`;

describe('PDDL reader', () => {
  it('parses s-expressions with comments attached to the next list', () => {
    const [top] = parseSExpressions('; first\n(a (b c) ; inside\n (d))');
    expect(top.leading).toEqual(['first']);
    expect(showSExpr(top)).toBe('(a (b c) (d))');
    expect((top.items[2] as { leading: string[] }).leading).toEqual(['inside']);
  });

  it('reads actions, typed parameters, literals, constants and axioms', () => {
    const d = parseDomain(MINI);
    expect(d.name).toBe('mini');
    expect(d.types).toEqual({ sth: 'object' });
    expect(d.constants).toEqual([{ name: 'hand', type: 'object' }]);
    expect(d.actions.map((a) => a.name)).toEqual(['open', 'close', 'grab', 'release']);
    const open = d.actions[0];
    expect(open.comments).toEqual(['0 Opening something']);
    expect(open.parameters).toEqual([{ name: '?a', type: 'sth' }]);
    expect(open.precondition).toEqual([
      { predicate: 'closed', args: ['?a'], positive: true },
      { predicate: 'visible', args: ['?a'], positive: true },
    ]);
    expect(d.actions[3].effect).toEqual([{ predicate: 'touching', args: ['?a', 'hand'], positive: false }]);
    expect(d.axioms).toHaveLength(2);
  });

  it('rejects broken text and constructs outside the subset, with the line', () => {
    expect(() => parseSExpressions('(a (b c)')).toThrow(PddlError);
    expect(() => parseSExpressions('(a))')).toThrow(/line 1/);
    const forall =
      '(define (domain x)\n (:action a :parameters (?a)\n  :precondition (forall (?b) (p ?b))\n  :effect (q ?a)))';
    expect(() => parseDomain(forall)).toThrow(/conjunctions of literals only.*line 3/);
    expect(() => parseDomain('(foo)')).toThrow(/define/);
  });

  it('derives open/close as an undo pair but not the bare grasp/release', () => {
    const pairs = deriveUndoPairs(parseDomain(MINI));
    expect(pairs.map((p) => [p.a, p.b])).toEqual([['open', 'close']]);
    expect(pairs[0].extra).toBe(0);
    expect(pairs[0].restoredByB.sort()).toEqual(['!open(?a)', 'closed(?a)']);
    // Counting hand literals as changes of their own pairs grab with release too.
    const all = deriveUndoPairs(parseDomain(MINI), { incidental: () => false });
    expect(all.map((p) => [p.a, p.b])).toEqual([
      ['open', 'close'],
      ['grab', 'release'],
    ]);
  });
});

describe('name rules', () => {
  it('keeps negated events out of the falling rule', () => {
    expect(matchRule(SSV2_RULES, 'Dropping [something] into [something]')?.name).toBe('falling');
    expect(matchRule(SSV2_RULES, 'Moving [something] across a surface without it falling down')).toBeNull();
    expect(matchRule(SSV2_RULES, 'Pretending to throw [something]')?.verdict).toBe('invariant');
  });

  it('pairs names that differ only by direction words, and refuses two partners', () => {
    expect(directionPairs(['Swiping Left', 'Swiping Right', 'Shaking Hand'])).toEqual([
      { a: 'Swiping Left', b: 'Swiping Right', words: [['left', 'right']] },
    ]);
    expect(directionPairs(['Pushing Hand Away', 'Pulling Hand In'])[0].words).toEqual([
      ['pushing', 'pulling'],
      ['away', 'in'],
    ]);
    expect(() => directionPairs(['Go In', 'Go Out', 'Go Away'])).toThrow(/at most one direction partner/);
  });

  it('has overrides that each name a real class, once', () => {
    const names = new Set(ssv2.classes.map((c) => c.name));
    for (const o of SSV2_OVERRIDES) expect(names.has(o.class), o.class).toBe(true);
    expect(new Set(SSV2_OVERRIDES.map((o) => o.class)).size).toBe(SSV2_OVERRIDES.length);
  });
});

describe.skipIf(!haveShared)('data/taxonomy/*.json against the shared sources', () => {
  it('equals what the derivation produces now (data and code cannot drift)', async () => {
    const built = await buildTaxonomies(SHARED_TAXONOMY);
    for (const t of [built.ssv2, built.jester]) {
      const committed = await readFile(taxonomyFile(t.name), 'utf8');
      expect(JSON.parse(committed)).toEqual(JSON.parse(taxonomyJson(t)));
      expect(committed, `${t.name}.json is stale: run npm run taxonomy`).toBe(taxonomyJson(t));
    }
  });

  it('reports broken sources naming the file and place', async () => {
    const texts = await readTaxonomySources(SHARED_TAXONOMY);
    expect(() => buildSsv2Taxonomy({ ...texts, ssv2Labels: '[{"id": 0}]' })).toThrow(/entry 0 of ssv2_labels.json/);
    const wrongComment = texts.ssv2Domain.replace('; 5 Closing something', '; 5 Shutting something');
    expect(() => buildSsv2Taxonomy({ ...texts, ssv2Domain: wrongComment })).toThrow(/before action close/);
    expect(() => buildSsv2Taxonomy({ ...texts, ssv2Domain: texts.ssv2Domain.slice(0, -3) })).toThrow(TaxonomyError);
    expect(() => buildJesterTaxonomy({ ...texts, jesterLabels: `${texts.jesterLabels}Waving Hand\n` })).toThrow(
      /received none for "Waving Hand"/,
    );
    await expect(readTaxonomySources('/nonexistent/taxonomy')).rejects.toThrow(/ssv2_labels.json/);
  });
});
