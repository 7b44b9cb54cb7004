// `audit decide`: redo the decision step of an existing scan folder, with settings from its own files.

import { readFile } from 'node:fs/promises';
import path, { join } from 'node:path';
import { AuditError, UsageError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { InputKind } from '../io/inputs.js';
import { SUMMARY_JSON } from '../outputs/layout.js';
import { DECISIONS, POLICIES, type Policy } from './policy.js';
import type { TaxonomyChoice } from './text-sources.js';
import { DECISIONS_JSON, summaryDecisions, writeDecisions, type DecisionSummary } from './write.js';

/** Overrides for {@link decideScan}; unset ones come from the folder's last decisions.json, then its defaults. */
export interface DecideOverrides {
  policy?: Policy;
  labelColumn?: string | null;
  captionColumn?: string | null;
  taxonomy?: TaxonomyChoice;
  /** A label map CSV (`--label-map`); null: none. Unset: the last one, unless `taxonomy` is given. */
  labelMap?: string | null;
}

/** The parts of a scan's summary.json that deciding reads (and the block it rewrites). */
interface ScanFacts {
  status?: string;
  input: { path: string; kind: InputKind };
  settings?: {
    pathColumn?: string;
    idColumn?: string;
    startColumn?: string;
    endColumn?: string;
    labelColumn?: string;
    captionColumn?: string;
    taxonomy?: TaxonomyChoice;
    labelMap?: string;
  };
  shard?: { index: number; count: number } | null;
  counts?: { input_rows?: number; shard_rows?: number };
  decisions?: unknown;
}

/** summary.json of a finished scan in `dir`; refuses a folder that is no scan, or a scan not finished. */
async function finishedScan(dir: string): Promise<ScanFacts> {
  let summary: Partial<ScanFacts>;
  try {
    summary = JSON.parse(await readFile(join(dir, SUMMARY_JSON), 'utf8'));
  } catch (err) {
    // not a command-line mistake but a folder that is not (yet) a scan: exit 1, like any run that cannot be done
    throw new AuditError(
      'not_a_scan',
      `Expected a scan output folder with ${SUMMARY_JSON} for <scan-out> but received ${JSON.stringify(dir)} (${err instanceof Error ? err.message : String(err)})\nPossible solutions:\n- give the --out folder of a finished \`audit scan\``,
      { path: dir },
      { cause: err },
    );
  }
  if (summary.status !== 'complete')
    throw new AuditError(
      'scan_unfinished',
      `The scan in ${dir} is ${summary.status ?? 'unfinished'}: run the same scan command again to finish it, then decide`,
      { path: dir },
    );
  if (!summary.input?.path || !summary.input.kind)
    throw new AuditError(
      'not_a_scan',
      `Expected input.path and input.kind in ${join(dir, SUMMARY_JSON)} but they are missing`,
      { path: dir },
    );
  return summary as ScanFacts;
}

/**
 * Recomputes the decisions of an existing scan folder without scanning again (`audit decide`): reads the
 * input, its kind and columns from summary.json, and the label/caption columns and taxonomy from the last
 * decisions.json unless given. Refuses an interrupted scan.
 * @example
 * for (const policy of ['strict', 'balanced', 'permissive'] as const) console.log((await decideScan('out/x', { policy })).counts);
 */
export async function decideScan(out: string, overrides: DecideOverrides = {}): Promise<DecisionSummary> {
  const dir = path.resolve(out);
  const summary = await finishedScan(dir);
  // The last decision step's settings; with none (a merge of shards), the ones the scan was given.
  let last: Partial<DecisionSummary['settings']>;
  try {
    last = (JSON.parse(await readFile(join(dir, DECISIONS_JSON), 'utf8')) as DecisionSummary).settings ?? {};
  } catch {
    const { labelColumn, captionColumn, taxonomy, labelMap } = summary.settings ?? {};
    last = { labelColumn, captionColumn, taxonomy, labelMap };
  }
  const pick = (o: string | null | undefined, l: string | null | undefined) =>
    o === null ? undefined : (o ?? l ?? undefined);
  // A label map replaces the taxonomy: a new one goes with --taxonomy (default auto), a new --taxonomy drops the last map.
  const labelMap =
    overrides.labelMap === undefined && overrides.taxonomy !== undefined
      ? undefined
      : pick(overrides.labelMap, last.labelMap);
  const inheritedMap = overrides.labelMap === undefined && labelMap !== undefined;
  const d = await writeDecisions(dir, {
    input: summary.input.path,
    format: summary.input.kind,
    pathColumn: summary.settings?.pathColumn,
    idColumn: summary.settings?.idColumn,
    startColumn: summary.settings?.startColumn,
    endColumn: summary.settings?.endColumn,
    shard: summary.shard ?? null,
    ...(typeof summary.counts?.input_rows === 'number' && typeof summary.counts.shard_rows === 'number'
      ? { rows: { input: summary.counts.input_rows, shard: summary.counts.shard_rows } }
      : {}),
    labelColumn: pick(overrides.labelColumn, last.labelColumn),
    captionColumn: pick(overrides.captionColumn, last.captionColumn),
    taxonomy: overrides.taxonomy ?? (overrides.labelMap ? undefined : last.taxonomy) ?? 'auto',
    labelMap,
    policy: overrides.policy ?? 'balanced',
  }).catch((err: unknown) => {
    // A map taken over from the last decision step that is gone or broken now: say where it came from.
    if (!inheritedMap || !(err instanceof UsageError) || !labelMap || !err.message.includes(labelMap)) throw err;
    throw new UsageError(
      `${err.message}\n(the label map is the one of the last decision step in ${dir}: give --label-map FILE, or --no-label-map to use none)`,
      { cause: err },
    );
  });
  // summary.json names the decisions now in the folder.
  summary.decisions = summaryDecisions(d);
  await writeFileAtomic(join(dir, SUMMARY_JSON), `${JSON.stringify(summary, null, 2)}\n`);
  return d;
}

/** The counts of a decision summary as a few lines for the terminal. */
export function formatDecisionCounts(s: DecisionSummary): string {
  const w = Math.max(...DECISIONS.map((d) => d.length));
  // 'permissive*' is 11 characters: columns 12 wide keep a space between the headers
  const head = `${'decision'.padEnd(w)} ${POLICIES.map((p) => (p === s.policy ? `${p}*` : p).padStart(12)).join('')}`;
  const lines = DECISIONS.map(
    (d) => `${d.padEnd(w)} ${POLICIES.map((p) => String(s.by_policy[p][d]).padStart(12)).join('')}`,
  );
  const ev = evidenceLine(s);
  return [
    head,
    ...lines,
    `(* the policy written: ${s.reverse_safe} reverse-safe, ${s.excluded} excluded of ${s.rows} rows${s.taxonomy ? `; taxonomy ${s.taxonomy}` : ''})`,
    ...(ev ? [ev] : []),
  ].join('\n');
}

/**
 * One line on what the decisions rest on: how many on pixels alone, how many clips in doubt (degenerate or out of
 * domain) and what became of them; null for summaries written before these counts existed.
 */
export function evidenceLine(
  s:
    | Pick<DecisionSummary, 'evidence' | 'rows' | 'by_rule' | 'policy'>
    | Pick<DecisionSummary, 'evidence' | 'reverse_safe' | 'excluded' | 'by_rule' | 'policy'>,
): string | null {
  const e = s.evidence;
  if (!e) return null;
  const kinds = Object.entries(e.doubt)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const unsure = s.by_rule?.['doubtful-pixels'] ?? 0;
  const rows = 'rows' in s ? s.rows : s.reverse_safe + s.excluded;
  return `${e.pixel_only} of ${rows} decisions rest on pixels alone (no label class or caption spoke); ${e.doubtful} clips in doubt${kinds ? ` (${kinds})` : ''}${unsure ? `, ${unsure} of them excluded as unsure under ${s.policy}` : ''}`;
}
