// Labels the tool does not know: the user's label map (`--label-map`) as class priors, and a warning when a label
// column matches too few rows of the taxonomy in use (the labels then say nothing, and decisions change silently).

import { UsageError } from '../errors.js';
import { labelMapLookup, readLabelMap, type LabelMap } from '../labels/label-map.js';
import type { ClassPrior } from './policy.js';
import { sharesTie } from './text-sources.js';

/** A label column whose labels match less than this share of the taxonomy in use gets a warning. */
export const LABEL_MATCH_MIN = 0.5;

/** A machine-readable warning of the decision step (decisions.json `warnings`); `message` is what the CLI prints. */
export interface DecisionWarning {
  code: string;
  message: string;
  [detail: string]: unknown;
}

/** The labelled rows of a decision pass and how many of them the taxonomy or label map knew. */
export interface LabelTally {
  labelled: number;
  matched: number;
}

/** Counts one row's label into `tally` (rows without a label column or with an empty label do not count). */
export function tallyLabel(
  tally: LabelTally,
  label: { text: string | null; prior: ClassPrior | null } | null | undefined,
): void {
  if (!label?.text) return;
  tally.labelled++;
  if (label.prior) tally.matched++;
}

/**
 * Checks `--label-map` against the other options before any work: it needs a label column and replaces the built-in
 * taxonomies (so an explicit `--taxonomy ssv2|jester|none` with it is a contradiction). Reads and checks the map
 * (bad rows are a UsageError naming the file and line). Returns null without a map.
 */
export async function checkLabelMap(
  file: string | undefined,
  labelColumn: string | undefined,
  taxonomy: string | undefined,
): Promise<LabelMap | null> {
  if (file === undefined) return null;
  if (labelColumn === undefined)
    throw new UsageError(`--label-map ${file} needs --label-column: the map is looked up with each row's label`);
  if (taxonomy !== undefined && taxonomy !== 'auto') {
    throw new UsageError(
      `--label-map replaces the built-in taxonomies; drop --taxonomy ${taxonomy} (or drop --label-map to use ${taxonomy})`,
    );
  }
  return readLabelMap(file);
}

/** The class prior of a corpus label under a label map (memoised per distinct label, up to 100,000 of them). */
export function labelMapPriors(map: LabelMap): (label: string) => ClassPrior | null {
  const find = labelMapLookup(map);
  const memo = new Map<string, ClassPrior | null>();
  return (label) => {
    const hit = memo.get(label);
    if (hit !== undefined) return hit;
    const e = find(label);
    const prior: ClassPrior | null = e
      ? {
          name: e.label,
          verdict: e.verdict,
          counterpart: e.counterpart,
          reason: e.reason ?? `label map line ${e.line}`,
        }
      : null;
    if (memo.size < 100_000) memo.set(label, prior);
    return prior;
  };
}

const pct = (x: number) => `${(Math.round(x * 1000) / 10).toFixed(x > 0 && x < 0.01 ? 1 : 0)} %`;

/**
 * The warning for a label column that matches less than {@link LABEL_MATCH_MIN} of its labelled rows to the taxonomy
 * or label map in use, or that `--taxonomy auto` matched to none; null when the labels match well enough, when there
 * are no labelled rows, or when the user chose `--taxonomy none`. `rates` are the match rates of each taxonomy tried
 * (built-in ones over the first labelled rows; the one in use over every row).
 */
export function labelWarning(o: {
  labelColumn: string;
  source: string | null;
  tally: LabelTally;
  rates: Record<string, number>;
}): DecisionWarning | null {
  const { labelled, matched } = o.tally;
  if (labelled === 0) return null;
  const rate = matched / labelled;
  if (o.source !== null && rate >= LABEL_MATCH_MIN) return null;
  const rates = Object.fromEntries(Object.entries(o.rates).map(([k, v]) => [k, Math.round(v * 1e4) / 1e4]));
  const shown = Object.entries(rates)
    .map(([k, v]) => `${k} ${pct(v)}`)
    .join(', ');
  const what =
    o.source === null && sharesTie(o.rates)
      ? `the labels of column ${JSON.stringify(o.labelColumn)} match more than one taxonomy alike (${shown}; class ids both number, say), so none was picked: name yours with --taxonomy NAME`
      : o.source === null
        ? `no taxonomy matches the labels of column ${JSON.stringify(o.labelColumn)} (${shown}), so they were not used as classes`
        : `only ${matched} of ${labelled} labels of column ${JSON.stringify(o.labelColumn)} (${pct(rate)}) are in the ${o.source === 'label-map' ? 'label map' : `${o.source} taxonomy`}${shown ? ` (${shown})` : ''}`;
  return {
    code: 'labels_unmatched',
    message:
      `${what}: a label no taxonomy knows is silent under balanced and permissive, excludes the clip under strict, and ` +
      'leaves an equivariant clip without a counterpart label. Bring your own classes with --label-map FILE ' +
      '(CSV: label,verdict,counterpart) or leave the labels out (audit decide --no-label-column).',
    label_column: o.labelColumn,
    taxonomy: o.source,
    labelled_rows: labelled,
    matched_rows: matched,
    match_rate: Math.round(rate * 1e4) / 1e4,
    match_rates: rates,
    threshold: LABEL_MATCH_MIN,
  };
}
