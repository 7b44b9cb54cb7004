// Reads a finished scan's clips.jsonl and errors.jsonl into a compact per-row index (about 40 bytes a row).

import { join } from 'node:path';
import { ManifestError } from '../errors.js';
import { readJsonl } from '../io/jsonl-log.js';
import { CLIPS_JSONL, ERRORS_JSONL } from '../outputs/layout.js';
import type { ModelOpinion, Verdict } from './policy.js';
import { fnv1a } from '../util/hash.js';

const VERDICTS: readonly Verdict[] = ['invariant', 'equivariant', 'irreversible'];
const NO_MODEL = 255;
const FIELDS = 5;

/** What the scan knows about one input row. */
export type RowResult =
  | { kind: 'clip'; model: ModelOpinion | null; idHash: number; doubt: readonly string[] }
  | { kind: 'error'; error: { code: string; message: string; stage: string }; idHash: number | null };

/** Row number -> result; model outputs live in typed arrays so that millions of rows stay small. */
export interface ScanIndex {
  /** Number of clip rows and error rows indexed. */
  clips: number;
  errors: number;
  /** Original column names seen in any row's `input` (for naming the added columns). */
  inputColumns: Set<string>;
  get(row: number): RowResult | undefined;
}

/** 32-bit FNV-1a of a string (to check that a manifest row still holds the clip the scan saw). */
export function idHash(text: string): number {
  return fnv1a(text);
}

/** A clip row as clips.jsonl holds it (the fields read here). */
export interface ClipLine {
  id: string;
  row: number;
  verdict?: string | null;
  p_invariant?: number | null;
  p_equivariant?: number | null;
  p_irreversible?: number | null;
  confidence?: number | null;
  p_forward?: number | null;
  embedding_forward?: number[] | null;
  embedding_reversed?: number[] | null;
  /** How like the model's training footage the clip is (0..1; null without a reference). */
  in_domain?: number | null;
  /** Why its pixels cannot be trusted (degenerate, out of domain); empty when there is no doubt. */
  doubt?: string[] | null;
  input?: Record<string, unknown> | null;
}

/** The model's opinion of a clip row, or null when the scan ran without a model. */
export function modelOf(c: ClipLine): ModelOpinion | null {
  const v = c.verdict;
  if (v !== 'invariant' && v !== 'equivariant' && v !== 'irreversible') return null;
  const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
  return {
    verdict: v,
    p_invariant: num(c.p_invariant),
    p_equivariant: num(c.p_equivariant),
    p_irreversible: num(c.p_irreversible),
    confidence: num(c.confidence),
    p_forward: typeof c.p_forward === 'number' ? c.p_forward : null,
  };
}

function bad(file: string, line: number, what: string): ManifestError {
  return new ManifestError(
    'scan-output-corrupt',
    `Expected ${what} for ${file} line ${line} but received something else; is this a scan output folder?`,
    { path: file, row: line },
  );
}

/**
 * Indexes the rows of the scan in `out`; `onClip` sees every clip row as it streams by (for class statistics).
 * Throws ManifestError for a row without a row number, or a row number that appears twice.
 */
export async function indexScan(out: string, onClip?: (c: ClipLine) => void): Promise<ScanIndex> {
  const slots = new Map<number, number>();
  let data = new Float32Array(1024 * FIELDS);
  let verdicts = new Uint8Array(1024);
  let hashes = new Uint32Array(1024);
  const errors = new Map<number, { code: string; message: string; stage: string; idHash: number | null }>();
  // Only doubtful clips (a few in a hundred) carry reasons, so they are kept by slot.
  const doubts = new Map<number, readonly string[]>();
  const NO_DOUBT: readonly string[] = Object.freeze([]);
  const inputColumns = new Set<string>();
  let n = 0;
  const twice = (row: number, file: string, line: number) =>
    new ManifestError(
      'scan-output-corrupt',
      `Row ${row} appears twice in ${out} (second time: ${file} line ${line}); every input row must be in exactly one of clips.jsonl and errors.jsonl`,
      { path: file, row: line },
    );
  const add = (row: number, file: string, line: number): number => {
    if (!Number.isInteger(row) || row < 1) throw bad(file, line, 'a positive row number');
    if (slots.has(row) || errors.has(row)) throw twice(row, file, line);
    if (n === verdicts.length) {
      const grow = <T extends Float32Array | Uint8Array | Uint32Array>(a: T, size: number): T => {
        const b = new (a.constructor as new (n: number) => T)(size);
        b.set(a);
        return b;
      };
      data = grow(data, data.length * 2);
      verdicts = grow(verdicts, verdicts.length * 2);
      hashes = grow(hashes, hashes.length * 2);
    }
    slots.set(row, n);
    return n++;
  };
  const clipsFile = join(out, CLIPS_JSONL);
  let clips = 0;
  for await (const { line, value } of readJsonl(clipsFile)) {
    const c = value as ClipLine;
    if (!c || typeof c !== 'object' || typeof c.id !== 'string') throw bad(clipsFile, line, 'a clip row with an id');
    const slot = add(c.row, clipsFile, line);
    const m = modelOf(c);
    verdicts[slot] = m ? VERDICTS.indexOf(m.verdict) : NO_MODEL;
    if (m)
      data.set(
        [m.p_invariant, m.p_equivariant, m.p_irreversible, m.confidence, m.p_forward ?? Number.NaN],
        slot * FIELDS,
      );
    hashes[slot] = idHash(c.id);
    if (Array.isArray(c.doubt) && c.doubt.length > 0) doubts.set(slot, Object.freeze(c.doubt.map(String)));
    for (const k of Object.keys(c.input ?? {})) inputColumns.add(k);
    onClip?.(c);
    clips++;
  }
  const errorsFile = join(out, ERRORS_JSONL);
  for await (const { line, value } of readJsonl(errorsFile)) {
    const e = value as {
      row?: number;
      id?: string;
      code?: string;
      message?: string;
      stage?: string;
      input?: Record<string, unknown>;
    };
    if (!e || typeof e !== 'object' || typeof e.row !== 'number')
      throw bad(errorsFile, line, 'an error row with a row number');
    if (slots.has(e.row) || errors.has(e.row)) throw twice(e.row, errorsFile, line);
    errors.set(e.row, {
      code: String(e.code ?? 'error'),
      message: String(e.message ?? ''),
      stage: String(e.stage ?? 'scan'),
      idHash: typeof e.id === 'string' ? idHash(e.id) : null,
    });
    for (const k of Object.keys(e.input ?? {})) inputColumns.add(k);
  }
  return {
    clips,
    errors: errors.size,
    inputColumns,
    get(row) {
      const e = errors.get(row);
      if (e) return { kind: 'error', error: { code: e.code, message: e.message, stage: e.stage }, idHash: e.idHash };
      const slot = slots.get(row);
      if (slot === undefined) return undefined;
      const v = verdicts[slot];
      const at = slot * FIELDS;
      const p = (k: number) => Math.round(data[at + k] * 1e6) / 1e6;
      const model: ModelOpinion | null =
        v === NO_MODEL
          ? null
          : {
              verdict: VERDICTS[v],
              p_invariant: p(0),
              p_equivariant: p(1),
              p_irreversible: p(2),
              confidence: p(3),
              p_forward: Number.isNaN(data[at + 4]) ? null : p(4),
            };
      return { kind: 'clip', model, idHash: hashes[slot], doubt: doubts.get(slot) ?? NO_DOUBT };
    },
  };
}
