// The decision step's outputs in the report: decisions.jsonl joined onto the kept rows, and decisions.json facts.

import { join } from 'node:path';
import { readJsonl } from '../io/jsonl-log.js';
import { readOptionalJsonObject } from './read-json.js';
import { toCell } from './tables.js';
import type { Cell } from './types.js';

type Row = Record<string, unknown>;

/** One row per manifest row with its decision, written by `audit decide` (src/decide/). */
export const DECISIONS_JSONL = 'decisions.jsonl';
export const DECISIONS_JSON = 'decisions.json';
const JOINED = ['reason', 'label', 'caption', 'label_reversed', 'caption_reversed'];

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Streams decisions.jsonl once: counts every decision into `counts`, and copies the decision, reason, label
 * and caption of the matching manifest row onto each of `kept` (fields a row already has are left alone).
 * Memory is bounded by `kept`, not by the run. `any` is false when there is no decisions file.
 */
export async function joinDecisions(
  scanDir: string,
  kept: readonly Row[],
  counts: Map<string, number>,
): Promise<{ any: boolean; labels: boolean }> {
  const byRow = new Map<number, Row[]>();
  for (const r of kept) {
    const n = num(r.row);
    if (n === null) continue;
    const list = byRow.get(n);
    if (list) list.push(r);
    else byRow.set(n, [r]);
  }
  let any = false;
  let labels = false;
  for await (const { value } of readJsonl(join(scanDir, DECISIONS_JSONL))) {
    const d = (value ?? {}) as Row;
    const decision = str(d.decision);
    if (!decision) continue;
    any = true;
    counts.set(decision, (counts.get(decision) ?? 0) + 1);
    for (const r of byRow.get(num(d.row) ?? Number.NaN) ?? []) {
      r.decision = decision;
      for (const k of JOINED) if (r[k] === undefined && d[k] !== null && d[k] !== undefined) r[k] = d[k];
      if (typeof r.label === 'string') labels = true;
    }
  }
  return { any, labels };
}

/**
 * The facts of decisions.json worth a line in the header (policy, label and caption columns, taxonomy,
 * rows kept and excluded, the label match rates when labels went unmatched); its notes go to `notes`, its
 * warnings first. When `counts` is given (no per-row decisions were
 * found), it is filled from the file's counts per decision. A decisions.json that cannot be read leaves the
 * facts out, with a note naming the file and the problem.
 */
export async function readDecisionFacts(
  dir: string,
  notes: string[],
  counts: Map<string, number> | null,
): Promise<Record<string, Cell>> {
  const j = await readOptionalJsonObject(join(dir, DECISIONS_JSON), notes, 'the facts of the decision step');
  if (!j) return {};
  const settings = (j.settings ?? {}) as Row;
  const facts: Record<string, Cell> = {};
  const pairs: Array<[string, unknown]> = [
    ['policy', j.policy],
    ['label column', settings.labelColumn],
    ['caption column', settings.captionColumn],
    ['taxonomy', j.taxonomy],
    ['reverse-safe rows', j.reverse_safe],
    ['excluded rows', j.excluded],
  ];
  for (const [k, v] of pairs) if (v !== null && v !== undefined && typeof v !== 'object') facts[k] = toCell(v);
  // What the decisions rest on (decisions.json `evidence`): pixels alone, and clips whose pixels are in doubt.
  const ev = j.evidence as { pixel_only?: unknown; doubtful?: unknown; doubt?: Record<string, unknown> } | undefined;
  if (ev && typeof ev.pixel_only === 'number' && typeof ev.doubtful === 'number') {
    const rows =
      typeof j.reverse_safe === 'number' && typeof j.excluded === 'number' ? j.reverse_safe + j.excluded : null;
    facts['on pixels alone'] = toCell(
      `${ev.pixel_only}${rows !== null ? ` of ${rows}` : ''} (no label class or caption spoke)`,
    );
    const kinds = Object.entries(ev.doubt ?? {})
      .filter(([, n]) => typeof n === 'number')
      .map(([k, n]) => `${String(n)} ${k}`)
      .join(', ');
    const unsure = (j.by_rule as Record<string, unknown> | undefined)?.['doubtful-pixels'];
    facts['clips in doubt'] = toCell(
      `${ev.doubtful}${kinds ? ` (${kinds})` : ''}${typeof unsure === 'number' && unsure > 0 ? `; ${unsure} excluded as unsure` : ''}`,
    );
  }
  if (Array.isArray(j.notes)) for (const n of j.notes) if (typeof n === 'string') notes.push(`Decisions: ${n}`);
  // Warnings (a label column no taxonomy knows) go on top of the notes, and the match rates into the header.
  const warnings = Array.isArray(j.warnings)
    ? (j.warnings as Row[]).filter((w) => w && typeof w.message === 'string')
    : [];
  notes.unshift(...warnings.map((w) => `Decisions warning: ${w.message as string}`));
  const rates = warnings.map((w) => w.match_rates).find((r): r is Row => !!r && typeof r === 'object');
  if (rates)
    facts['label match'] = Object.entries(rates)
      .filter(([, v]) => typeof v === 'number')
      .map(([k, v]) => `${k} ${Math.round((v as number) * 1000) / 10} %`)
      .join(', ');
  if (counts && j.counts && typeof j.counts === 'object')
    for (const [k, n] of Object.entries(j.counts as Row)) if (typeof n === 'number') counts.set(k, n);
  return facts;
}
