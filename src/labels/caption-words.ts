// Words of a caption: tokens with their offsets, the closed word classes the rewriter leans on, and case copying.

/** One word of a caption: letters and digits, with inner apostrophes or hyphens ("door's", "close-up"). */
export interface Token {
  readonly text: string;
  readonly lower: string;
  readonly start: number;
  readonly end: number;
}

// A word is a run of letters, marks and digits; an apostrophe or hyphen inside it keeps it one word, so
// "close-up", "push-ups" and "left-to-right" are single tokens and "opener" never contains "open".
const WORD = /[\p{L}\p{M}\p{N}]+(?:['\u2019\u2010-][\p{L}\p{M}\p{N}]+)*/gu;
// Punctuation that ends a clause: a verb never reaches its particle across it.
const BREAK = /[.,;:!?()[\]{}\u2014\u2013\u2026\n]/;

/** Splits a caption into word tokens with their offsets in the original text. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(WORD)) {
    out.push({
      text: m[0],
      lower: m[0].toLowerCase().replace(/\u2019/g, "'"),
      start: m.index,
      end: m.index + m[0].length,
    });
  }
  return out;
}

/** The words of a caption with the gaps between them, for phrase look-ups. */
export class Words {
  readonly tokens: Token[];
  private readonly text: string;
  constructor(text: string) {
    this.text = text;
    this.tokens = tokenize(text);
  }
  get length(): number {
    return this.tokens.length;
  }
  lower(i: number): string | undefined {
    return this.tokens[i]?.lower;
  }
  /** What lies between token i and token i+1. */
  between(i: number): string {
    const a = this.tokens[i];
    const b = this.tokens[i + 1];
    return a && b ? this.text.slice(a.end, b.start) : '';
  }
  /** True when tokens i and i+1 are separated by whitespace only (a phrase may span them). */
  tight(i: number): boolean {
    return i + 1 < this.tokens.length && /^\s+$/.test(this.between(i));
  }
  /** True when clause punctuation (or a line break) separates tokens i and i+1. */
  broken(i: number): boolean {
    return i + 1 >= this.tokens.length || BREAK.test(this.between(i));
  }
  /** Number of tokens of `phrase` (lowercase, single spaces) found at i with whitespace between them; 0 when absent. */
  phraseAt(i: number, phrase: string): number {
    const words = phrase.split(' ');
    for (let k = 0; k < words.length; k++) {
      if (this.lower(i + k) !== words[k]) return 0;
      if (k > 0 && !this.tight(i + k - 1)) return 0;
    }
    return words.length;
  }
  /** The previous word when nothing but whitespace or quotes separates it from token i. */
  previous(i: number): string | undefined {
    return i > 0 && !this.broken(i - 1) ? this.lower(i - 1) : undefined;
  }
  /** The next word at index k when token k-1 runs into it without clause punctuation. */
  nextAt(k: number): string | undefined {
    return k > 0 && k < this.tokens.length && !this.broken(k - 1) ? this.lower(k) : undefined;
  }
  /** The original text from token i to token j (inclusive). */
  slice(i: number, j: number): string {
    return this.text.slice(this.tokens[i].start, this.tokens[j].end);
  }
  /** True when most longer words start with a capital (a Title Case caption: inserted words follow suit). */
  titleCase(): boolean {
    const long = this.tokens.filter((t) => t.text.length >= 4 && t.text !== t.text.toUpperCase());
    return long.length >= 2 && long.every((t) => isCapitalised(t.text));
  }
}

/** Words that start a noun phrase: a verb form right after one of them is a noun or adjective ("an open door"). */
export const PRE_NOUN: ReadonlySet<string> = new Set([
  'a',
  'an',
  'the',
  'my',
  'your',
  'his',
  'her',
  'its',
  'our',
  'their',
  'every',
  'each',
  'another',
  'no',
]);

/** Words that start a verb's object: "open the box", "close it". */
export const OBJECT_START: ReadonlySet<string> = new Set([
  ...PRE_NOUN,
  'this',
  'that',
  'these',
  'those',
  'some',
  'both',
  'all',
  'one',
  'two',
  'three',
  'several',
  'it',
  'them',
  'him',
  'me',
  'us',
  'you',
  'itself',
  'himself',
  'herself',
  'themselves',
  'something',
  'someone',
  'somebody',
  'anything',
  'everything',
  'everyone',
]);

/** Auxiliaries after which a form shared by past and participle ("put") is read as the participle. */
export const PARTICIPLE_AUX: ReadonlySet<string> = new Set([
  'has',
  'have',
  'had',
  'is',
  'are',
  'was',
  'were',
  'be',
  'been',
  'being',
  'get',
  'gets',
  'got',
]);

/** Words that end the stretch between a verb and its particle ("puts the pen down WHILE ..."). */
export const CLAUSE_WORDS: ReadonlySet<string> = new Set([
  'then',
  'while',
  'before',
  'after',
  'when',
  'but',
  'because',
  'until',
  'which',
  'who',
  'whereas',
  'as',
  'so',
]);

/** Words that negate the verb they stand before ("does not open", "never falls", "without dropping"). */
export const NEGATORS: ReadonlySet<string> = new Set([
  'not',
  'never',
  'without',
  'nobody',
  'nothing',
  'neither',
  'nor',
  'cannot',
  "don't",
  "doesn't",
  "didn't",
  "isn't",
  "aren't",
  "wasn't",
  "weren't",
  "won't",
  "can't",
  "couldn't",
  "wouldn't",
  "shouldn't",
  "hasn't",
  "haven't",
  "hadn't",
  'dont',
  'doesnt',
  'didnt',
  'isnt',
  'arent',
  'wasnt',
  'werent',
  'wont',
  'cant',
]);

/** Auxiliaries and degree words that may stand between a negator and its verb ("does not even open"). */
export const NEGATION_GAP: ReadonlySet<string> = new Set([
  'do',
  'does',
  'did',
  'is',
  'are',
  'am',
  'was',
  'were',
  'be',
  'been',
  'being',
  'has',
  'have',
  'had',
  'will',
  'would',
  'shall',
  'should',
  'can',
  'could',
  'may',
  'might',
  'must',
  'to',
  'even',
  'quite',
  'yet',
  'ever',
  'get',
  'gets',
  'got',
  'seem',
  'seems',
  'seemed',
  'try',
  'tries',
  'tried',
  'manage',
  'manages',
  'managed',
]);

/** Subject pronouns: a verb's base form right after one is a verb ("they open", "we close"). */
export const SUBJECT_PRONOUNS: ReadonlySet<string> = new Set([
  'i',
  'we',
  'you',
  'they',
  'he',
  'she',
  'it',
  'who',
  'someone',
  'somebody',
  'everyone',
  'everybody',
]);

/** Determiners and numbers that start a plural noun phrase ("the doors", "two drawers", "both lids"). */
export const PLURAL_START: ReadonlySet<string> = new Set([
  ...PRE_NOUN,
  'these',
  'those',
  'some',
  'both',
  'all',
  'many',
  'several',
  'few',
  'two',
  'three',
  'four',
  'five',
  'six',
]);

function isCapitalised(word: string): boolean {
  const first = word.charAt(0);
  return first !== first.toLowerCase();
}

function isAllCaps(word: string): boolean {
  return word !== word.toLowerCase() && word === word.toUpperCase() && /\p{L}.*\p{L}/u.test(word);
}

const capitalise = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1);

/**
 * Gives `replacement` (lowercase lexicon text) the case of `original`: ALL CAPS stays all caps, a capital
 * stays a capital word for word (Opens -> Closes, From Left To Right -> From Right To Left); when the word
 * counts differ only the first word is capitalised, or every word in a Title Case caption.
 */
export function copyCase(original: string, replacement: string, titleCaption: boolean): string {
  if (isAllCaps(original)) return replacement.toUpperCase();
  const from = original.split(/([\s\-\u2010]+)/);
  const to = replacement.split(/([\s\-\u2010]+)/);
  if (from.length === to.length) {
    return to.map((w, k) => (k % 2 === 0 && isCapitalised(from[k]) ? capitalise(w) : w)).join('');
  }
  if (!isCapitalised(original)) return replacement;
  if (titleCaption || (from.length > 1 && from.every((w, k) => k % 2 === 1 || isCapitalised(w)))) {
    return to.map((w, k) => (k % 2 === 0 ? capitalise(w) : w)).join('');
  }
  return capitalise(replacement);
}
