// Finding a taxonomy class from a label as it appears in a corpus (class id, template, or raw SSv2 label).

import type { Taxonomy, TaxonomyClass } from './types.js';

/** Stands for a placeholder while a template is normalised (letters only, so normalising keeps it). */
const PLACEHOLDER_WORD = 'zzplaceholderzz';

/** Lower case, placeholders as "something", punctuation dropped (commas kept as words when asked), single spaces. */
function normalise(text: string, commas = false): string {
  const lower = text.replace(/\[[^\]]*\]/g, ' something ').toLowerCase();
  const words = commas
    ? lower.replace(/,/g, ' , ').replace(/[^a-z0-9\s,]+/g, ' ')
    : lower.replace(/[^a-z0-9\s]+/g, ' ');
  return words.replace(/\s+/g, ' ').trim();
}

interface Pattern {
  cls: TaxonomyClass;
  regex: RegExp;
  /** Characters outside the placeholders: the more, the more specific the template. */
  literal: number;
  /** Placeholders: of two templates with as many characters outside them, the one with fewer is more specific. */
  holes: number;
}

const patternCache = new WeakMap<Pick<Taxonomy, 'classes'>, Pattern[][]>();

/**
 * Each template as an anchored pattern whose placeholders match one or more words. With `commas`,
 * a comma is a word of its own that placeholders do not swallow, so "Putting [something], [something]
 * and [something] on the table" and "Putting [something] and [something] on the table" stay apart.
 */
function patterns(t: Pick<Taxonomy, 'classes'>, commas: boolean): Pattern[] {
  let cached = patternCache.get(t);
  if (!cached) {
    cached = [false, true].map((c) => t.classes.map((cls) => compile(cls, c)));
    patternCache.set(t, cached);
  }
  return cached[commas ? 1 : 0];
}

function compile(cls: TaxonomyClass, commas: boolean): Pattern {
  const words = normalise(cls.name.replace(/\[[^\]]*\]/g, ` ${PLACEHOLDER_WORD} `), commas).split(' ');
  const word = commas ? '[^\\s,]+' : '\\S+';
  const parts = words.map((w) =>
    w === PLACEHOLDER_WORD ? `${word}(?: ${word})*?` : w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
  );
  return {
    cls,
    regex: new RegExp(`^${parts.join(' ')}$`),
    literal: words.filter((w) => w !== PLACEHOLDER_WORD).join(' ').length,
    holes: words.filter((w) => w === PLACEHOLDER_WORD).length,
  };
}

/**
 * Finds the class of `label`: by id; else by name ignoring case, spacing, punctuation and SSv2
 * placeholders ("Putting something into something" is "Putting [something] into [something]");
 * else by the template whose placeholders stand for the words of a raw label ("Putting a pen into a
 * cup"), the most specific template winning: the most words outside placeholders, then the fewest placeholders
 * ("Putting a pen onto a cup" is "Putting [something] onto [something]", not "Putting [number of] [something] onto
 * [something]"). Null when none fits.
 * @example findClass(ssv2, 'Opening a drawer')?.name // 'Opening [something]'
 */
export function findClass(t: Pick<Taxonomy, 'classes'>, label: string): TaxonomyClass | null {
  const raw = label.trim();
  const byId = t.classes.find((c) => c.id === raw);
  if (byId) return byId;
  const want = normalise(raw);
  if (!want) return null;
  const byName = t.classes.find((c) => normalise(c.name) === want);
  if (byName) return byName;
  // Commas as words first (they separate the objects of a raw label), then without them.
  for (const commas of [true, false]) {
    const text = normalise(raw, commas);
    let best: Pattern | null = null;
    for (const p of patterns(t, commas))
      if (
        p.regex.test(text) &&
        (!best || p.literal > best.literal || (p.literal === best.literal && p.holes < best.holes))
      )
        best = p;
    if (best) return best.cls;
  }
  return null;
}

/** The counterpart class of an equivariant class, or null (no counterpart, or not equivariant). */
export function counterpartOf(t: Taxonomy, cls: TaxonomyClass): TaxonomyClass | null {
  if (cls.counterpart === null) return null;
  return t.classes.find((c) => c.name === cls.counterpart) ?? null;
}
