// Caption rewriting for time-reversed clips: swap counterparts, keep direction-free motion, refuse irreversible words.

import { expected } from '../errors.js';
import {
  CLAUSE_WORDS,
  copyCase,
  NEGATION_GAP,
  NEGATORS,
  OBJECT_START,
  PARTICIPLE_AUX,
  PLURAL_START,
  PRE_NOUN,
  SUBJECT_PRONOUNS,
  type Token,
  Words,
} from './caption-words.js';
import {
  COMPOUND_HEADS,
  IN_REVERSE_NOT_AFTER,
  IN_REVERSE_NOT_BEFORE,
  IRREVERSIBLE,
  LIQUIDS,
  NOT_PLURAL_SUBJECT,
  PHRASE_RULES,
  POSTURE_WORDS,
  QUANTITY_NOUNS,
  QUANTITY_START,
  REVERSED_PLAYBACK,
  SEASON_BEFORE,
  SYMMETRIC,
  VERB_RULES,
  WAVE_FORMS,
  WAVE_NOUN_AFTER,
  WAVE_VERB_NEXT,
  type IrreversibleEntry,
  type Particle,
  type PhraseRule,
  type VerbForm,
  type VerbRule,
} from './lexicon.js';

/** What a caption says about reversing its clip. */
export type CaptionStatus = 'swap' | 'keep' | 'irreversible' | 'unknown';

/** One lexicon word or phrase found in the caption (offsets into the original text, end exclusive). */
export interface CaptionMatch {
  text: string;
  start: number;
  end: number;
  kind: 'swap' | 'symmetric' | 'irreversible';
  /** For swaps: what replaces `text` in the reversed caption ('' when the word is dropped). */
  replacement?: string;
}

/** The result of {@link analyseCaption}. */
export interface CaptionAnalysis {
  /** irreversible beats swap; swap when a counterpart was rewritten; keep when only direction-free motion was found; unknown when no lexicon word was. */
  status: CaptionStatus;
  /** The caption for the reversed clip: rewritten (swap) or unchanged (keep); null for irreversible and unknown. */
  reversed: string | null;
  matches: CaptionMatch[];
  /** Human-readable: `caption says 'falls'`, `'opens' -> 'closes'`, `no known motion word`. */
  reason: string;
}

// Indexes over the lexicon tables, built once.
const FORM_ORDER: readonly VerbForm[] = ['third', 'ing', 'base', 'past', 'participle'];
interface RuleHit {
  rule: VerbRule;
  forms: VerbForm[];
}
const RULES_BY_WORD = new Map<string, RuleHit[]>();
const PARTICLES = new Map<VerbRule, Particle[]>();
for (const rule of VERB_RULES) {
  const byWord = new Map<string, VerbForm[]>();
  for (const tag of FORM_ORDER) {
    if (rule.from.guard?.[tag] === 'never') continue;
    byWord.set(rule.from[tag], [...(byWord.get(rule.from[tag]) ?? []), tag]);
  }
  for (const [word, forms] of byWord) RULES_BY_WORD.set(word, [...(RULES_BY_WORD.get(word) ?? []), { rule, forms }]);
  PARTICLES.set(
    rule,
    [...(rule.particles ?? [])].sort((a, b) => b.match.split(' ').length - a.match.split(' ').length),
  );
}
const IRREVERSIBLE_BY_WORD = new Map<string, IrreversibleEntry[]>();
for (const entry of IRREVERSIBLE)
  for (const w of entry.forms) IRREVERSIBLE_BY_WORD.set(w, [...(IRREVERSIBLE_BY_WORD.get(w) ?? []), entry]);
const SYMMETRIC_WORDS = new Set(SYMMETRIC.flat().filter((w) => !w.includes(' ')));
const SYMMETRIC_PHRASES = SYMMETRIC.flat().filter((w) => w.includes(' '));
const PHRASES_BY_FIRST = new Map<string, PhraseRule[]>();
for (const rule of [...PHRASE_RULES].sort((a, b) => b.from.split(' ').length - a.from.split(' ').length)) {
  const first = rule.from.split(' ')[0];
  PHRASES_BY_FIRST.set(first, [...(PHRASES_BY_FIRST.get(first) ?? []), rule]);
}
/** Every word the lexicon reads as a verb: a verb's particle is never looked for past another verb. */
const VERB_WORDS = new Set([...RULES_BY_WORD.keys(), ...IRREVERSIBLE_BY_WORD.keys(), ...SYMMETRIC_WORDS]);
/** Object pronouns an inserted particle goes after ("unplugs it" -> "plugs it in"). */
const SHORT_OBJECTS = new Set(['it', 'them', 'him', 'me', 'us', 'you']);
const PASSIVE_AUX = new Set(['is', 'are', 'was', 'were', 'be', 'been', 'being', 'get', 'gets', 'got']);
/** Present copulas: "the shop is closed" at the end of a clause is a state, not an action. */
const PRESENT_COPULA = new Set(['is', 'are', 'am']);

/** A stretch of the caption to replace; `cut` is what is spliced out (a dropped word takes its leading space). */
interface Piece {
  start: number;
  end: number;
  text: string;
  replacement: string;
  cut: [number, number];
}
interface Candidate {
  tokens: number[];
  pieces: Piece[];
  gap: number;
  liquid: boolean;
  vertical?: boolean;
  /** The verb stands after a negator ("does not open"); `verb` names its counterpart pair ("close|open"). */
  negated?: boolean;
  verb?: string;
}

/**
 * Reads a caption for a time-reversed copy of its clip: rewrites direction-bearing words to their
 * counterparts in one pass (case and inflection kept), keeps direction-free motion, and refuses
 * captions whose words make a reversal implausible.
 * @example
 * analyseCaption('A man opens the door').reversed             // 'A man closes the door'
 * analyseCaption('She puts the pen into the cup').reversed    // 'She takes the pen out of the cup'
 * analyseCaption('A glass falls and shatters').status         // 'irreversible'
 */
export function analyseCaption(text: string): CaptionAnalysis {
  if (typeof text !== 'string') throw new TypeError(expected('a string', 'caption', text));
  const words = new Words(text);
  const playback = reversedPlayback(words);
  if (playback) {
    return {
      status: 'unknown',
      reversed: null,
      matches: [],
      reason: `the caption says the clip already plays in reverse ('${playback}'): its words describe the other direction of time`,
    };
  }
  const title = words.titleCase();
  const taken = new Set<number>();
  /** Words read but negated ("does not break"): no evidence either way. */
  const negatedWords: string[] = [];

  const irreversible = findIrreversible(words, taken, negatedWords);
  const accepted = acceptSwaps(swapCandidates(words, title).sort(byStrength), taken, negatedWords);
  const swaps = accepted.flatMap((c) => c.pieces);
  const symmetric = findSymmetric(words, taken, negatedWords);
  const fill = liquidFill(words, accepted);
  const matches: CaptionMatch[] = [...irreversible, ...swaps.map(swapMatch), ...symmetric];
  if (fill)
    matches.push({ text: fill.liquid.text, start: fill.liquid.start, end: fill.liquid.end, kind: 'irreversible' });
  matches.sort((a, b) => a.start - b.start || a.end - b.end);
  return verdict(text, { irreversible, accepted, swaps, symmetric, fill, negatedWords, matches });
}

/**
 * Takes the strongest swap candidates whose tokens are still free, marking them taken. A negated verb is rewritten
 * only with the same verb or its counterpart read plainly elsewhere ("pretends to open it without opening it"); alone
 * ("the cat does not come in") it stays as it is, counts for nothing and is added to `negatedWords`. Up/down alone is
 * no evidence ("the rock rolls downward" must not become "rolls upward"): then nothing is taken.
 */
function acceptSwaps(candidates: Candidate[], taken: Set<number>, negatedWords: string[]): Candidate[] {
  const accepted: Candidate[] = [];
  const accept = (c: Candidate) => {
    if (c.tokens.some((t) => taken.has(t))) return;
    c.tokens.forEach((t) => {
      taken.add(t);
    });
    accepted.push(c);
  };
  for (const c of candidates) if (!c.negated) accept(c);
  const plain = new Set(accepted.map((c) => c.verb).filter((v) => v !== undefined));
  for (const c of candidates) {
    if (!c.negated) continue;
    if (c.verb !== undefined && plain.has(c.verb)) accept(c);
    else negatedWords.push(c.pieces[0].text);
  }
  if (accepted.every((c) => c.vertical)) {
    accepted
      .flatMap((c) => c.tokens)
      .forEach((t) => {
        taken.delete(t);
      });
    return [];
  }
  return accepted;
}

function swapMatch({ text, start, end, replacement }: Piece): CaptionMatch {
  return { text, start, end, kind: 'swap', replacement };
}

/** An accepted verb of filling and the liquid the caption names ("fills the glass with water"). */
interface LiquidFill {
  verb: Candidate;
  liquid: Token;
}

/** The liquid fill the caption describes, or null when no accepted verb fills or no liquid is named. */
function liquidFill(words: Words, accepted: Candidate[]): LiquidFill | null {
  const verb = accepted.find((c) => c.liquid);
  const liquid = verb ? words.tokens.find((t) => LIQUIDS.has(t.lower)) : undefined;
  return verb && liquid ? { verb, liquid } : null;
}

/** The status, reversed caption and reason from what was found: irreversible beats swap beats keep beats unknown. */
function verdict(
  text: string,
  found: {
    irreversible: CaptionMatch[];
    accepted: Candidate[];
    swaps: Piece[];
    symmetric: CaptionMatch[];
    fill: LiquidFill | null;
    negatedWords: string[];
    matches: CaptionMatch[];
  },
): CaptionAnalysis {
  const { irreversible, accepted, swaps, symmetric, fill, negatedWords, matches } = found;
  if (irreversible.length > 0 || fill) {
    const said = irreversible.map((m) => `'${m.text}'`);
    if (fill) said.push(`'${fill.verb.pieces[0].text}' with '${fill.liquid.text}' (filling with a liquid is pouring)`);
    return { status: 'irreversible', reversed: null, matches, reason: `caption says ${said.join(', ')}` };
  }
  if (accepted.length > 0) {
    const reason = accepted.map(describe).join(', ');
    return { status: 'swap', reversed: splice(text, swaps), matches, reason };
  }
  if (symmetric.length > 0) {
    return {
      status: 'keep',
      reversed: text,
      matches,
      reason: `direction-free motion: ${symmetric.map((m) => `'${m.text}'`).join(', ')}`,
    };
  }
  const reason =
    text.trim() === ''
      ? 'empty caption'
      : negatedWords.length
        ? `only negated motion: ${[...new Set(negatedWords)].map((w) => `'${w}'`).join(', ')}`
        : 'no known motion word';
  return { status: 'unknown', reversed: null, matches, reason };
}

/**
 * The caption for the reversed clip, or null when the caption rules a reversal out or says nothing known.
 * @example reverseCaption('The camera zooms in') // 'The camera zooms out'
 */
export function reverseCaption(text: string): string | null {
  return analyseCaption(text).reversed;
}

const byStrength = (a: Candidate, b: Candidate): number =>
  b.tokens.length - a.tokens.length || a.gap - b.gap || a.tokens[0] - b.tokens[0];

function describe(c: Candidate): string {
  const from = c.pieces.map((p) => p.text).join(' … ');
  const to = c.pieces
    .map((p) => p.replacement)
    .filter((r) => r !== '')
    .join(' … ');
  return `'${from}' -> '${to}'`;
}

function splice(text: string, pieces: Piece[]): string {
  let out = '';
  let at = 0;
  for (const p of [...pieces].sort((a, b) => a.cut[0] - b.cut[0])) {
    out += text.slice(at, p.cut[0]) + p.replacement;
    at = p.cut[1];
  }
  return out + text.slice(at);
}

/** The phrase saying that the clip already plays backwards ("played in reverse"), or null. */
function reversedPlayback(words: Words): string | null {
  for (let i = 0; i < words.length; i++) {
    for (const phrase of REVERSED_PLAYBACK) {
      const n = words.phraseAt(i, phrase);
      if (n > 0) return words.slice(i, i + n - 1);
    }
    if (words.phraseAt(i, 'in reverse') === 0) continue;
    const next = words.nextAt(i + 2);
    if (next !== undefined && IN_REVERSE_NOT_BEFORE.has(next)) continue;
    let vehicle = false;
    for (let k = i - 1; k >= Math.max(0, i - 3) && !words.broken(k); k--)
      vehicle ||= IN_REVERSE_NOT_AFTER.has(words.lower(k)!);
    if (!vehicle) return words.slice(i, i + 1);
  }
  return null;
}

/** Words after which a new clause, and so a new subject, may start ("the lid opens and no ball falls"). */
const CLAUSE_JOINERS: ReadonlySet<string> = new Set(['and', 'but', 'or', 'so', 'then', 'while', 'when', 'as']);

/**
 * True when token i is the verb of a clause whose subject is "no ..." ("no ball falls", "no glass is broken"): "no"
 * opening the clause at most three words before it. Not "the ball with no spin falls", where "no" opens no clause.
 */
function noSubject(words: Words, i: number): boolean {
  for (let k = i - 1; k >= Math.max(0, i - 4); k--) {
    if (words.broken(k)) return false;
    const w = words.lower(k)!;
    if (CLAUSE_JOINERS.has(w)) return false;
    if (w !== 'no' || k === i - 1) continue;
    const before = k > 0 && !words.broken(k - 1) ? words.lower(k - 1) : undefined;
    return before === undefined || CLAUSE_JOINERS.has(before);
  }
  return false;
}

/** True when a negator stands before token i with only auxiliaries or -ly adverbs between ("does not even open"). */
function negated(words: Words, i: number): boolean {
  if (noSubject(words, i)) return true;
  for (let k = i - 1; k >= Math.max(0, i - 4); k--) {
    if (words.broken(k)) return false;
    const w = words.lower(k)!;
    if (NEGATORS.has(w) || (w === 'one' && words.previous(k) === 'no')) return true;
    if (!NEGATION_GAP.has(w) && !w.endsWith('ly')) return false;
  }
  return false;
}

/**
 * True when token i names a thing rather than a motion: a modifier before a compound head ("a cutting mat", "a rain
 * jacket"; not third-person or past forms), a quantity ("a drop of water") or the season ("in the fall").
 */
function nounUse(words: Words, i: number): boolean {
  const w = words.lower(i)!;
  const next = words.tight(i) ? words.lower(i + 1) : undefined;
  if (next !== undefined && COMPOUND_HEADS.has(next) && !/(s|ed)$/.test(w)) return true;
  const prev = words.previous(i);
  if (QUANTITY_NOUNS.has(w) && words.nextAt(i + 1) === 'of' && prev !== undefined && QUANTITY_START.has(prev))
    return true;
  if (w === 'fall' && prev !== undefined) {
    if (SEASON_BEFORE.has(prev)) return true;
    const prev2 = words.previous(i - 1);
    if (prev === 'the' && prev2 !== undefined && SEASON_BEFORE.has(prev2)) return true;
  }
  return false;
}

/** True when "wave"/"waves" at i is the gesture of a subject ("she waves", "a man waves goodbye"), not water. */
function waveVerb(words: Words, i: number): boolean {
  const prev = words.previous(i);
  if (
    prev === undefined ||
    PRE_NOUN.has(prev) ||
    WAVE_NOUN_AFTER.has(prev) ||
    prev.endsWith('ing') ||
    VERB_WORDS.has(prev)
  )
    return false;
  if (SUBJECT_PRONOUNS.has(prev)) return true;
  const next = words.nextAt(i + 1);
  return next === undefined || WAVE_VERB_NEXT.has(next);
}

/** True when the base form at i follows a plural subject ("the doors open", "the elevator doors close", "they open"). */
function afterPluralSubject(words: Words, i: number): boolean {
  let k = i - 1;
  while (k >= 0 && !words.broken(k) && words.lower(k)!.endsWith('ly')) k--;
  if (k < 0 || words.broken(k)) return false;
  const w = words.lower(k)!;
  if (w === 'they' || w === 'we' || w === 'you' || w === 'i') return true;
  if (!/^[a-z]{3,}s$/.test(w) || /(ss|us|is)$/.test(w) || NOT_PLURAL_SUBJECT.has(w) || VERB_WORDS.has(w)) return false;
  for (let j = k - 1; j >= Math.max(0, k - 3); j--) {
    if (words.broken(j)) return false;
    const d = words.lower(j)!;
    if (PLURAL_START.has(d)) return true;
    if (VERB_WORDS.has(d)) return false;
  }
  return false;
}

function findIrreversible(words: Words, taken: Set<number>, negatedWords: string[]): CaptionMatch[] {
  const out: CaptionMatch[] = [];
  for (let i = 0; i < words.length; i++) {
    const lower = words.lower(i)!;
    // Inside a hyphenated word only the last part counts ("free-falling"), and only for this table.
    const entries = IRREVERSIBLE_BY_WORD.get(lower) ?? IRREVERSIBLE_BY_WORD.get(lower.split(/[-\u2010]/).pop()!);
    for (const entry of entries ?? []) {
      let n = 1;
      if (entry.tails) {
        const tail = entry.tails.map((t) => (words.tight(i) ? words.phraseAt(i + 1, t) : 0)).find((k) => k > 0);
        if (!tail) continue;
        n += tail;
      }
      if (nounUse(words, i)) break;
      if (negated(words, i)) {
        negatedWords.push(words.slice(i, i + n - 1));
        break;
      }
      for (let k = i; k < i + n; k++) taken.add(k);
      const t = words.tokens[i];
      const last = words.tokens[i + n - 1];
      out.push({ text: words.slice(i, i + n - 1), start: t.start, end: last.end, kind: 'irreversible' });
      i += n - 1;
      break;
    }
  }
  return out;
}

function findSymmetric(words: Words, taken: Set<number>, negatedWords: string[]): CaptionMatch[] {
  const out: CaptionMatch[] = [];
  for (let i = 0; i < words.length; i++) {
    let n = SYMMETRIC_PHRASES.map((ph) => words.phraseAt(i, ph)).find((k) => k > 0) ?? 0;
    const w = words.lower(i)!;
    if (n === 0 && (SYMMETRIC_WORDS.has(w) || (WAVE_FORMS.has(w) && waveVerb(words, i)))) {
      // "a swing set", "the swing", "a rocking chair": a thing, not a motion ("a spinning wheel" still reads).
      const prev = words.previous(i);
      if (nounUse(words, i) || (prev !== undefined && PRE_NOUN.has(prev) && !w.endsWith('ing'))) continue;
      if (negated(words, i)) {
        negatedWords.push(words.tokens[i].text);
        continue;
      }
      n = 1;
    }
    if (n === 0 || Array.from({ length: n }, (_, k) => i + k).some((k) => taken.has(k))) continue;
    out.push({
      text: words.slice(i, i + n - 1),
      start: words.tokens[i].start,
      end: words.tokens[i + n - 1].end,
      kind: 'symmetric',
    });
    i += n - 1;
  }
  return out;
}

function swapCandidates(words: Words, title: boolean): Candidate[] {
  const out: Candidate[] = [];
  for (let i = 0; i < words.length; i++) {
    const lower = words.lower(i)!;
    const phrase = phraseCandidate(words, i, title);
    if (phrase) out.push(phrase);
    const fromVerbs: Candidate[] = [];
    let blocked = false;
    for (const hit of RULES_BY_WORD.get(lower) ?? []) {
      const c = verbCandidate(words, i, hit, title);
      if (c === 'blocked') blocked = true;
      else if (c) fromVerbs.push(c);
    }
    if (!blocked) out.push(...fromVerbs);
  }
  return out;
}

function phraseCandidate(words: Words, i: number, title: boolean): Candidate | null {
  for (const rule of PHRASES_BY_FIRST.get(words.lower(i)!) ?? []) {
    const n = words.phraseAt(i, rule.from);
    if (n === 0) continue;
    const prev = words.previous(i);
    if (rule.direction && n === 1 && prev !== undefined && PRE_NOUN.has(prev)) continue; // "a closer look"
    if (rule.direction && ((prev !== undefined && POSTURE_WORDS.has(prev)) || words.nextAt(i + n) === 'of')) continue;
    const t = words.tokens[i];
    const last = words.tokens[i + n - 1];
    const original = words.slice(i, i + n - 1);
    const piece = {
      start: t.start,
      end: last.end,
      text: original,
      replacement: copyCase(original, rule.to, title),
      cut: [t.start, last.end] as [number, number],
    };
    return {
      tokens: Array.from({ length: n }, (_, k) => i + k),
      pieces: [piece],
      gap: 0,
      liquid: false,
      vertical: rule.vertical === true,
    };
  }
  return null;
}

const objectAt = (words: Words, k: number): boolean => OBJECT_START.has(words.nextAt(k) ?? '');

/** True when a noun phrase (not a clause word, adverb or verb) follows at k: the particle is a preposition there. */
function nounAt(words: Words, k: number): boolean {
  const w = words.nextAt(k);
  return w !== undefined && w !== 'and' && !CLAUSE_WORDS.has(w) && !w.endsWith('ly') && !VERB_WORDS.has(w);
}

function particleAt(words: Words, j: number, particles: readonly Particle[]): { particle: Particle; n: number } | null {
  for (const particle of particles) {
    const n = words.phraseAt(j, particle.match);
    if (n > 0) return { particle, n };
  }
  return null;
}

function chooseForm(forms: VerbForm[], prev: string | undefined): VerbForm {
  if (forms.length > 1 && prev !== undefined && PARTICIPLE_AUX.has(prev) && forms.includes('participle'))
    return 'participle';
  return forms[0];
}

function verbCandidate(words: Words, i: number, hit: RuleHit, title: boolean): Candidate | 'blocked' | null {
  const { rule } = hit;
  const prev = words.previous(i);
  if (prev !== undefined && PRE_NOUN.has(prev)) return null; // "an open door", "the leaves", "a lift"
  if (prev !== undefined && rule.from.notAfter?.includes(prev)) return null;
  const tag = chooseForm(hit.forms, prev);
  // After "is"/"was"/"gets" a participle is passive: its object is the subject, so a preposition may follow it.
  const passive = tag === 'participle' && prev !== undefined && PASSIVE_AUX.has(prev);
  // "The shop is closed." names a state: nothing moves.
  if (tag === 'participle' && prev !== undefined && PRESENT_COPULA.has(prev) && words.broken(i)) return null;

  const found = findParticle(words, i, rule);
  if (!found && rule.particleRequired) return null;
  if (
    rule.from.guard?.[tag] === 'object' &&
    !passive &&
    !objectAt(words, i + 1) &&
    !(found?.j === i + 1 && objectAt(words, i + 1 + found.n)) &&
    !(tag === 'base' && afterPluralSubject(words, i))
  ) {
    return null; // "wide open", "kitchen sinks", "packs of gum"; but "zips up the jacket", "was shut by", "the doors open"
  }
  // The pair a negated verb is matched on: "never opens the door but closes it" rewrites both.
  const pair = [rule.from.base, rule.to.base].sort().join('|');
  const neg: Negation = negated(words, i) ? { negated: true, verb: pair } : { verb: pair };
  const lastUsed = found ? found.j + found.n - 1 : i;
  if (rule.context) {
    const near = words.tokens.slice(Math.max(0, i - 3), lastUsed + 4);
    if (!near.some((t) => rule.context!.has(t.lower))) return null;
  }
  return found
    ? verbWithParticle(words, i, rule, tag, passive, found, title, neg)
    : verbAlone(words, i, rule, tag, title, neg);
}

/** Whether a verb read at a token is negated, and the counterpart pair it belongs to. */
type Negation = Pick<Candidate, 'negated' | 'verb'>;
/** A particle of a rule found at token j, n words long. */
interface FoundParticle {
  j: number;
  n: number;
  particle: Particle;
}

/**
 * The nearest of the rule's particles after the verb at i, within its gap, in the same clause and before another
 * verb (a verb after a determiner-like word, "the swing", does not stop the search).
 */
function findParticle(words: Words, i: number, rule: VerbRule): FoundParticle | null {
  const maxGap = rule.maxGap ?? 5;
  for (let j = i + 1; rule.particles && j <= i + 1 + maxGap && j < words.length; j++) {
    if (words.broken(j - 1)) break;
    const part = particleAt(words, j, PARTICLES.get(rule)!);
    if (part) return { j, ...part };
    const w = words.lower(j)!;
    if (CLAUSE_WORDS.has(w) || (VERB_WORDS.has(w) && !PRE_NOUN.has(words.lower(j - 1)!))) break;
  }
  return null;
}

/** The verb rewritten on its own, with the rule's inserted particle ("unplugs it" -> "plugs it in") if any. */
function verbAlone(words: Words, i: number, rule: VerbRule, tag: VerbForm, title: boolean, neg: Negation): Candidate {
  const verbToken = words.tokens[i];
  let end = i;
  let replacement = rule.to[tag];
  if (rule.insertBeforeObject && objectAt(words, i + 1)) replacement += ` ${rule.insertBeforeObject}`;
  if (rule.insert) {
    const next = words.nextAt(i + 1);
    if (next !== undefined && SHORT_OBJECTS.has(next) && words.tight(i)) {
      end = i + 1;
      replacement += ` ${next} ${rule.insert}`;
    } else replacement += ` ${rule.insert}`;
  }
  const original = words.slice(i, end);
  const endOffset = words.tokens[end].end;
  return {
    tokens: end > i ? [i, end] : [i],
    pieces: [
      {
        start: verbToken.start,
        end: endOffset,
        text: original,
        replacement: copyCase(original, replacement, title),
        cut: [verbToken.start, endOffset],
      },
    ],
    gap: 0,
    liquid: rule.liquid === true,
    ...neg,
  };
}

/**
 * The verb and its particle rewritten together: right after the verb the particle reads as an adverb (or blocks the
 * rule), further away as a preposition when a noun phrase follows it.
 */
function verbWithParticle(
  words: Words,
  i: number,
  rule: VerbRule,
  tag: VerbForm,
  passive: boolean,
  found: FoundParticle,
  title: boolean,
  neg: Negation,
): Candidate | 'blocked' {
  const { j, n, particle } = found;
  const gap = j - i - 1;
  let particleText: string;
  if (gap === 0 && passive) particleText = nounAt(words, j + n) ? particle.prep : particle.adverb;
  else if (gap === 0) {
    if (particle.adjacent === 'block') return 'blocked';
    if (particle.adjacent === 'object' && !objectAt(words, j + n)) return 'blocked';
    particleText = particle.adverb;
  } else particleText = nounAt(words, j + n) ? particle.prep : particle.adverb;
  const target = particle.to ?? rule.to;
  const verbToken = words.tokens[i];
  const first = words.tokens[j];
  const last = words.tokens[j + n - 1];
  const original = words.slice(j, j + n - 1);
  // A dropped particle takes the whitespace before it ("plugs the lamp in." -> "unplugs the lamp.").
  const cutStart = particleText === '' && words.tight(j - 1) ? words.tokens[j - 1].end : first.start;
  return {
    tokens: [i, ...Array.from({ length: n }, (_, k) => j + k)],
    pieces: [
      {
        start: verbToken.start,
        end: verbToken.end,
        text: verbToken.text,
        replacement: copyCase(verbToken.text, target[tag], title),
        cut: [verbToken.start, verbToken.end],
      },
      {
        start: first.start,
        end: last.end,
        text: original,
        replacement: particleText === '' ? '' : copyCase(original, particleText, title),
        cut: [cutStart, last.end],
      },
    ],
    gap,
    liquid: rule.liquid === true,
    ...neg,
  };
}
