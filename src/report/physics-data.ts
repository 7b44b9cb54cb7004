// Reads a physics run (physics.jsonl, leaderboard.*) into the report's plain data.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonl } from '../io/jsonl-log.js';
import { readFirstTable } from './tables.js';
import type { PhysicsCheck, PhysicsVideo, ReportData } from './types.js';

type Row = Record<string, unknown>;

const str = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const NAME_KEYS = ['check', 'name', 'id', 'checks'];
const TEXT_KEYS = ['explanation', 'reason', 'message', 'why', 'summary'];
const MAX_EVIDENCE = 600;

function compact(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number'))
    return `${compact(v[0])}–${compact(v[1])}`;
  try {
    return (
      JSON.stringify(v, (_k, x: unknown) =>
        typeof x === 'number' && !Number.isInteger(x) ? Number(x.toPrecision(4)) : x,
      ) ?? String(v)
    );
  } catch {
    return String(v);
  }
}

/**
 * Evidence in words: the explanation first, then nested `evidence`, then the frame range and the measured
 * values as `key=value` (a list of findings is only counted).
 * Unknown shapes fall back to compact JSON, cut at 600 characters.
 */
export function describeEvidence(v: unknown, skip: readonly string[] = []): string {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'object' || Array.isArray(v)) return compact(v).slice(0, MAX_EVIDENCE);
  const o = v as Row;
  const parts: string[] = [];
  for (const k of TEXT_KEYS) if (typeof o[k] === 'string' && o[k]) parts.push(o[k] as string);
  if (o.evidence !== undefined && o.evidence !== null) parts.push(describeEvidence(o.evidence));
  for (const [k, x] of Object.entries(o)) {
    if (TEXT_KEYS.includes(k) || skip.includes(k) || k === 'evidence' || x === null || x === undefined) continue;
    if (k === 'findings' && Array.isArray(x)) parts.push(`${x.length} finding${x.length === 1 ? '' : 's'}`);
    else if (k === 'values' && typeof x === 'object' && !Array.isArray(x))
      parts.push(...Object.entries(x as Row).map(([n, y]) => `${n}=${compact(y)}`));
    else parts.push(`${k}=${compact(x)}`);
  }
  const text = parts.join('; ');
  return text.length > MAX_EVIDENCE ? `${text.slice(0, MAX_EVIDENCE - 1)}…` : text;
}

/** Normalises the `checks` of a physics.jsonl row (an array of check objects, or an object keyed by check name). */
export function normaliseChecks(checks: unknown): PhysicsCheck[] {
  const one = (name: string, c: unknown): PhysicsCheck => {
    if (c === null || typeof c !== 'object' || Array.isArray(c))
      return { name, score: num(c), evidence: num(c) === null ? describeEvidence(c) : '' };
    const o = c as Row;
    return {
      name,
      rule: str(o.rule),
      score: num(o.score),
      evidence: describeEvidence(o, [...NAME_KEYS, 'rule', 'score']),
    };
  };
  if (Array.isArray(checks)) {
    return checks.map((c, i) => {
      const o = (c ?? {}) as Row;
      const name = NAME_KEYS.map((k) => str(o[k])).find((x) => x) ?? `check ${i + 1}`;
      return one(name, c);
    });
  }
  if (checks && typeof checks === 'object') return Object.entries(checks as Row).map(([k, c]) => one(k, c));
  return [];
}

/** Reads `physics.jsonl` (at most `maxVideos` videos) and `leaderboard.*` from a physics output folder; null when it is not one. */
export async function readPhysics(outDir: string, maxVideos = 500): Promise<ReportData['physics']> {
  const file = join(outDir, 'physics.jsonl');
  if (!existsSync(file)) return null;
  const videos: PhysicsVideo[] = [];
  let total = 0;
  for await (const { value } of readJsonl(file)) {
    if (value === null || typeof value !== 'object') continue;
    total++;
    if (videos.length >= maxVideos) continue;
    const r = value as Row;
    videos.push({
      videopath: str(r.videopath) ?? str(r.path) ?? str(r.id) ?? `row ${total}`,
      caption: str(r.caption),
      model: str(r.model_name) ?? str(r.model),
      artefact: typeof r.artefact === 'boolean' ? r.artefact : null,
      artefact_score: num(r.artefact_score),
      pc: num(r.pc),
      checks: normaliseChecks(r.checks ?? r.rules),
    });
  }
  const leaderboard = await readFirstTable(outDir, ['leaderboard.csv', 'leaderboard.jsonl', 'leaderboard.parquet']);
  return { videos, total, leaderboard };
}
