// Test helpers: a scan output folder written by hand (clips.jsonl, errors.jsonl), without decoding any video.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Verdict } from '../../src/decide/policy.js';

/** Model columns of a clip row from three probabilities. */
export function modelColumns(
  pInv: number,
  pEq: number,
  pIrr: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const ps: Record<Verdict, number> = { invariant: pInv, equivariant: pEq, irreversible: pIrr };
  const verdict = (Object.keys(ps) as Verdict[]).reduce((a, b) => (ps[b] > ps[a] ? b : a));
  return {
    verdict,
    p_invariant: pInv,
    p_equivariant: pEq,
    p_irreversible: pIrr,
    confidence: ps[verdict],
    p_forward: 0.7,
    model_version: 'test@1',
    ...extra,
  };
}

/** One clips.jsonl row. */
export function clipRow(
  row: number,
  id: string,
  input: Record<string, unknown>,
  model: Record<string, unknown> | null,
): Record<string, unknown> {
  return { id, path: `/media/${id}.mp4`, row, duration_s: 1, ...(model ?? {}), input };
}

/** One errors.jsonl row (a manifest problem has no id and no input). */
export function errorRow(
  row: number,
  code: string,
  message: string,
  stage: string,
  id?: string,
  input?: Record<string, unknown>,
): Record<string, unknown> {
  return {
    key: id ? `id:${id}` : `row:${row}`,
    ...(id ? { id } : {}),
    row,
    stage,
    code,
    message,
    ...(input ? { input } : {}),
  };
}

/** Writes clips.jsonl and errors.jsonl into `out`, and a complete summary.json naming the input. */
export async function writeScan(
  out: string,
  input: string,
  kind: string,
  clips: Record<string, unknown>[],
  errors: Record<string, unknown>[] = [],
  extra: Record<string, unknown> = {},
): Promise<void> {
  const jsonl = (rows: Record<string, unknown>[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join('');
  await writeFile(join(out, 'clips.jsonl'), jsonl(clips));
  await writeFile(join(out, 'errors.jsonl'), jsonl(errors));
  const summary = {
    tool: 'reversal-audit',
    status: 'complete',
    input: { path: input, kind },
    settings: { pathColumn: 'path', idColumn: 'id' },
    shard: null,
    ...extra,
  };
  await writeFile(join(out, 'summary.json'), JSON.stringify(summary));
}
