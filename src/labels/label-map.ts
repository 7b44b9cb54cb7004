// A user's own taxonomy (`--label-map FILE`): a CSV of label, verdict and counterpart, used instead of SSv2/Jester.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { CsvRecordSplitter, type CsvRecord } from '../io/formats/csv-records.js';
import { findClass } from './taxonomy/lookup.js';
import type { ClassVerdict, TaxonomyClass } from './taxonomy/types.js';

/** The columns of a label map; `reason` is optional (notes on the entry, as the built-in taxonomies keep them). */
export const LABEL_MAP_COLUMNS = Object.freeze(['label', 'verdict', 'counterpart'] as const);
const OPTIONAL_COLUMNS = Object.freeze(['reason'] as const);
const VERDICTS: readonly ClassVerdict[] = Object.freeze(['invariant', 'equivariant', 'irreversible'] as const);
/** At most this many bad rows are listed in the error (the count says how many there are). */
const MAX_LISTED = 20;

/** One label of the map. */
export interface LabelMapEntry {
  /** The label as written in the map (trimmed). */
  label: string;
  verdict: ClassVerdict;
  /** For equivariant: the label the reversed clip should carry; null otherwise. */
  counterpart: string | null;
  /** The reason column (notes; the decisions do not read it), or null. */
  reason: string | null;
  /** Line of the file (1-based) the entry is on. */
  line: number;
}

/** A parsed label map. */
export interface LabelMap {
  /** The file as given, resolved to an absolute path. */
  file: string;
  sha256: string;
  entries: LabelMapEntry[];
}

/** How labels are compared: Unicode NFC, trimmed, single spaces, lower case ("Opening  a Drawer" = "opening a drawer"). */
export function labelKey(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

function records(text: string): CsvRecord[] {
  const splitter = new CsvRecordSplitter(',', false);
  const out: CsvRecord[] = [];
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  body.split('\n').forEach((t, k) => {
    splitter.push({ line: k + 1, text: t.replace(/\r$/, ''), terminated: true }, out);
  });
  splitter.end(out);
  return out;
}

/**
 * Parses and checks a label map. Every bad row is found before anything is used: a verdict other than invariant,
 * equivariant or irreversible, an equivariant label without a counterpart (or with itself as counterpart), a
 * counterpart on a label that is not equivariant, the same label twice with another verdict or counterpart, and a
 * pair that does not come back (A -> B but B is not equivariant with counterpart A). Throws a UsageError that names
 * the file and the line of each bad row.
 * @example parseLabelMap('label,verdict,counterpart\nopening,equivariant,closing\nclosing,equivariant,opening\n', 'map.csv').entries.length // 2
 */
export function parseLabelMap(text: string, file: string): LabelMap {
  const where = resolve(file);
  const problems: string[] = [];
  const bad = (line: number, what: string) => problems.push(`${file} line ${line}: ${what}`);
  const recs = records(text);
  const header = labelMapHeader(recs[0], file);
  const entries: LabelMapEntry[] = [];
  const byKey = new Map<string, LabelMapEntry>();
  for (const r of recs.slice(1)) {
    const entry = rowEntry(r, header);
    if (typeof entry === 'string') {
      bad(r.line, entry);
      continue;
    }
    const key = labelKey(entry.label);
    const seen = byKey.get(key);
    if (seen) {
      const same =
        seen.verdict === entry.verdict && labelKey(seen.counterpart ?? '') === labelKey(entry.counterpart ?? '');
      if (!same)
        bad(
          r.line,
          `label ${JSON.stringify(entry.label)} is ${describe(entry)} here but ${describe(seen)} on line ${seen.line}`,
        );
      continue;
    }
    byKey.set(key, entry);
    entries.push(entry);
  }
  // Reversing twice gives the clip back: a counterpart in the map must pair back.
  for (const e of entries) {
    if (e.verdict !== 'equivariant') continue;
    const other = byKey.get(labelKey(e.counterpart!));
    if (other && (other.verdict !== 'equivariant' || labelKey(other.counterpart!) !== labelKey(e.label))) {
      bad(
        e.line,
        `label ${JSON.stringify(e.label)} pairs with ${JSON.stringify(e.counterpart)}, but line ${other.line} makes ${JSON.stringify(other.label)} ${describe(other)}; reversed twice a clip is itself again, so it must pair back`,
      );
    }
  }
  if (!problems.length && entries.length === 0) notALabelMap(file, 'has no label rows under its header');
  if (problems.length) {
    const listed = problems
      .slice(0, MAX_LISTED)
      .map((p) => `  ${p}`)
      .join('\n');
    const more = problems.length > MAX_LISTED ? `\n  ... and ${problems.length - MAX_LISTED} more` : '';
    throw new UsageError(
      `The label map ${file} has ${problems.length} bad row${problems.length === 1 ? '' : 's'} (columns ${LABEL_MAP_COLUMNS.join(',')}; verdict ${VERDICTS.join('|')}; counterpart only, and always, for equivariant):\n${listed}${more}`,
    );
  }
  return { file: where, sha256: createHash('sha256').update(text).digest('hex'), entries };
}

function notALabelMap(file: string, what: string): never {
  throw new UsageError(
    `Expected a label map for --label-map (a CSV file with the header ${LABEL_MAP_COLUMNS.join(',')}) but ${file} ${what}`,
  );
}

/** A label map's header: its column count and where each known column is (-1 for an absent reason column). */
interface LabelMapHeader {
  width: number;
  label: number;
  verdict: number;
  counterpart: number;
  reason: number;
}

/** Reads the header record: the three columns present, nothing unknown (case and spaces ignored). */
function labelMapHeader(first: CsvRecord | undefined, file: string): LabelMapHeader {
  if (!first) notALabelMap(file, 'is empty');
  if ('error' in first) notALabelMap(file, `line ${first.line} is not CSV: ${first.error}`);
  const header = (first as { fields: string[] }).fields.map((h) => h.trim().toLowerCase());
  const missing = LABEL_MAP_COLUMNS.filter((c) => !header.includes(c));
  const unknown = header.filter(
    (h) =>
      !(LABEL_MAP_COLUMNS as readonly string[]).includes(h) && !(OPTIONAL_COLUMNS as readonly string[]).includes(h),
  );
  if (missing.length || unknown.length) {
    notALabelMap(
      file,
      `line ${first.line} has the columns ${JSON.stringify(header.join(','))}${missing.length ? `, without ${missing.join(', ')}` : ''}${unknown.length ? `; unknown: ${unknown.join(', ')} (allowed besides: ${OPTIONAL_COLUMNS.join(', ')})` : ''}`,
    );
  }
  const col = (name: string) => header.indexOf(name);
  return {
    width: header.length,
    label: col('label'),
    verdict: col('verdict'),
    counterpart: col('counterpart'),
    reason: col('reason'),
  };
}

/** One row as an entry, or what is wrong with it (duplicates and pairs are checked across rows by the caller). */
function rowEntry(r: CsvRecord, header: LabelMapHeader): LabelMapEntry | string {
  if ('error' in r) return `not CSV: ${r.error}`;
  if (r.fields.length > header.width)
    return `${r.fields.length} fields, but the header has ${header.width} (quote a label that holds a comma)`;
  const cell = (k: number) => (k >= 0 ? (r.fields[k] ?? '').trim() : '');
  const label = cell(header.label);
  const verdictText = cell(header.verdict);
  const counterpart = cell(header.counterpart);
  if (label === '') return 'the label is empty';
  const verdict = verdictText.toLowerCase() as ClassVerdict;
  if (!VERDICTS.includes(verdict))
    return `label ${JSON.stringify(label)} has the verdict ${JSON.stringify(verdictText)}; expected ${VERDICTS.join(', ')}`;
  if (verdict === 'equivariant' && counterpart === '') {
    return `label ${JSON.stringify(label)} is equivariant but has no counterpart (the label its reversed clip should carry)`;
  }
  if (verdict !== 'equivariant' && counterpart !== '') {
    return `label ${JSON.stringify(label)} is ${verdict} but has the counterpart ${JSON.stringify(counterpart)}; only equivariant labels have one (leave it empty)`;
  }
  if (verdict === 'equivariant' && labelKey(counterpart) === labelKey(label)) {
    return `label ${JSON.stringify(label)} is its own counterpart; a label that stays the same reversed is invariant`;
  }
  return {
    label,
    verdict,
    counterpart: counterpart === '' ? null : counterpart,
    reason: cell(header.reason) || null,
    line: r.line,
  };
}

function describe(e: LabelMapEntry): string {
  return e.verdict === 'equivariant' ? `equivariant with the counterpart ${JSON.stringify(e.counterpart)}` : e.verdict;
}

/** Reads and checks a label map file (see {@link parseLabelMap}); an unreadable file is a UsageError naming it. */
export async function readLabelMap(file: string): Promise<LabelMap> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(
      `Expected a readable CSV file for --label-map but received ${JSON.stringify(file)} (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  return parseLabelMap(text, file);
}

/**
 * A lookup from a corpus label to its entry: the same text up to case and spacing, else, for entries written as
 * SSv2-style templates ("Opening [something]"), a raw label the template fits ("Opening a drawer"). Null when none.
 * @example const find = labelMapLookup(map); find('Opening a Drawer')?.verdict
 */
export function labelMapLookup(map: LabelMap): (label: string) => LabelMapEntry | null {
  const byKey = new Map(map.entries.map((e) => [labelKey(e.label), e]));
  const templates = map.entries.filter((e) => /\[[^\]]*\]/.test(e.label));
  const asClass = new Map<TaxonomyClass, LabelMapEntry>();
  const classes = templates.map((e) => {
    const cls: TaxonomyClass = {
      id: e.label,
      name: e.label,
      verdict: e.verdict,
      counterpart: e.counterpart,
      reason: e.reason ?? '',
      source: 'override',
    };
    asClass.set(cls, e);
    return cls;
  });
  return (label) => {
    const hit = byKey.get(labelKey(label));
    if (hit) return hit;
    if (!classes.length) return null;
    const cls = findClass({ classes }, label);
    return cls ? (asClass.get(cls) ?? null) : null;
  };
}
