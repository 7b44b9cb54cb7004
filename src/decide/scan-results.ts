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

/**
 * The model's opinion of a clip row, or null when the scan ran without a model (no verdict). A verdict that is not one
 * of the three, or one whose probabilities are missing or not in [0, 1], is refused naming the file and line: read as
 * 0, a missing `p_irreversible` would send a clip the model calls irreversible to the reverse-safe manifest.
 */
export function modelOf(c: ClipLine, file = CLIPS_JSONL, line = 0): ModelOpinion | null {
  const v = c.verdict;
  if (v === null || v === undefined) return null;
  if (v !== 'invariant' && v !== 'equivariant' && v !== 'irreversible')
    throw badModel(file, line, `verdict is ${JSON.stringify(v)}, not invariant, equivariant or irreversible`);
  const p = (k: 'p_invariant' | 'p_equivariant' | 'p_irreversible' | 'confidence'): number => {
    const x = c[k];
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0 || x > 1)
      throw badModel(file, line, `verdict ${v} but ${k} is ${JSON.stringify(x ?? null)}, not a number from 0 to 1`);
    return x;
  };
  return {
    verdict: v,
    p_invariant: p('p_invariant'),
    p_equivariant: p('p_equivariant'),
    p_irreversible: p('p_irreversible'),
    confidence: p('confidence'),
    p_forward: typeof c.p_forward === 'number' && Number.isFinite(c.p_forward) ? c.p_forward : null,
  };
}

/** A clip row whose model fields cannot be trusted (a hand edit, another tool's output). */
function badModel(file: string, line: number, what: string): ManifestError {
  return new ManifestError(
    'scan-output-corrupt',
    `${file} line ${line}: ${what}; the decision needs the model's probabilities as the scan wrote them (was the row edited?)`,
    { path: file, row: line },
  );
}

function bad(file: string, line: number, what: string): ManifestError {
  return new ManifestError(
    'scan-output-corrupt',
    `Expected ${what} for ${file} line ${line} but received something else; is this a scan output folder?`,
    { path: file, row: line },
  );
}

/** Only doubtful clips (a few in a hundred) carry reasons; the rest share this empty list. */
const NO_DOUBT: readonly string[] = Object.freeze([]);

/**
 * Row number -> slot, for millions of rows: row numbers are positions in the input (dense from 1 or 2, or every
 * n-th of a shard), so they index a growing Int32Array (4 bytes a row) instead of a Map (about 40 bytes an entry,
 * live through the whole decision pass). A row number far beyond the rows seen goes to a Map instead.
 */
class RowSlots {
  private dense = new Int32Array(1024).fill(-1);
  private readonly sparse = new Map<number, number>();

  has(row: number): boolean {
    return this.get(row) !== undefined;
  }

  get(row: number): number | undefined {
    if (row < this.dense.length) {
      const slot = this.dense[row] as number;
      return slot < 0 ? undefined : slot;
    }
    return this.sparse.get(row);
  }

  /** Records `slot` for `row` (a positive whole number); slots are handed out 0, 1, 2..., so `slot` also bounds how
   * far the dense array may grow: up to 16 entries per slot in use (plus a first million). */
  set(row: number, slot: number): void {
    if (row >= this.dense.length && row < 16 * (slot + 65_536)) {
      let size = this.dense.length;
      while (size <= row) size *= 2;
      const grown = new Int32Array(size).fill(-1);
      grown.set(this.dense);
      this.dense = grown;
    }
    if (row < this.dense.length) this.dense[row] = slot;
    else this.sparse.set(row, slot);
  }
}

/** The index being built: clip rows by slot in growing typed arrays, error rows in a map. */
interface ScanTable {
  /** The scan folder (named in errors). */
  out: string;
  /** Clip rows' slots by row number (see {@link RowSlots}). */
  slots: RowSlots;
  data: Float32Array;
  verdicts: Uint8Array;
  hashes: Uint32Array;
  errors: Map<number, { code: string; message: string; stage: string; idHash: number | null }>;
  /** Doubt reasons by slot, for the doubtful clips only. */
  doubts: Map<number, readonly string[]>;
  inputColumns: Set<string>;
  /** Slots used. */
  n: number;
}

function emptyTable(out: string): ScanTable {
  return {
    out,
    slots: new RowSlots(),
    data: new Float32Array(1024 * FIELDS),
    verdicts: new Uint8Array(1024),
    hashes: new Uint32Array(1024),
    errors: new Map(),
    doubts: new Map(),
    inputColumns: new Set(),
    n: 0,
  };
}

function twice(t: ScanTable, row: number, file: string, line: number): ManifestError {
  return new ManifestError(
    'scan-output-corrupt',
    `Row ${row} appears twice in ${t.out} (second time: ${file} line ${line}); every input row must be in exactly one of clips.jsonl and errors.jsonl`,
    { path: file, row: line },
  );
}

/** A copy of `a` in a new array of `size` elements. */
function grow<T extends Float32Array | Uint8Array | Uint32Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/** Takes the next slot for a clip row (doubling the arrays when full); throws for a bad or repeated row number. */
function addSlot(t: ScanTable, row: number, file: string, line: number): number {
  if (!Number.isInteger(row) || row < 1) throw bad(file, line, 'a positive row number');
  if (t.slots.has(row) || t.errors.has(row)) throw twice(t, row, file, line);
  if (t.n === t.verdicts.length) {
    t.data = grow(t.data, t.data.length * 2);
    t.verdicts = grow(t.verdicts, t.verdicts.length * 2);
    t.hashes = grow(t.hashes, t.hashes.length * 2);
  }
  t.slots.set(row, t.n);
  return t.n++;
}

/** Indexes clips.jsonl, handing every row to `onClip`; returns the number of clip rows. */
async function readClips(t: ScanTable, onClip?: (c: ClipLine) => void): Promise<number> {
  const clipsFile = join(t.out, CLIPS_JSONL);
  let clips = 0;
  for await (const { line, value } of readJsonl(clipsFile)) {
    const c = value as ClipLine;
    if (!c || typeof c !== 'object' || typeof c.id !== 'string') throw bad(clipsFile, line, 'a clip row with an id');
    const slot = addSlot(t, c.row, clipsFile, line);
    const m = modelOf(c, clipsFile, line);
    t.verdicts[slot] = m ? VERDICTS.indexOf(m.verdict) : NO_MODEL;
    if (m)
      t.data.set(
        [m.p_invariant, m.p_equivariant, m.p_irreversible, m.confidence, m.p_forward ?? Number.NaN],
        slot * FIELDS,
      );
    t.hashes[slot] = idHash(c.id);
    if (Array.isArray(c.doubt) && c.doubt.length > 0) t.doubts.set(slot, Object.freeze(c.doubt.map(String)));
    for (const k of Object.keys(c.input ?? {})) t.inputColumns.add(k);
    onClip?.(c);
    clips++;
  }
  return clips;
}

/** Indexes errors.jsonl. */
async function readErrors(t: ScanTable): Promise<void> {
  const errorsFile = join(t.out, ERRORS_JSONL);
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
    if (t.slots.has(e.row) || t.errors.has(e.row)) throw twice(t, e.row, errorsFile, line);
    t.errors.set(e.row, {
      code: String(e.code ?? 'error'),
      message: String(e.message ?? ''),
      stage: String(e.stage ?? 'scan'),
      idHash: typeof e.id === 'string' ? idHash(e.id) : null,
    });
    for (const k of Object.keys(e.input ?? {})) t.inputColumns.add(k);
  }
}

/** The result of one row, rebuilt from the table (probabilities rounded to 6 decimals). */
function lookup(t: ScanTable, row: number): RowResult | undefined {
  const e = t.errors.get(row);
  if (e) return { kind: 'error', error: { code: e.code, message: e.message, stage: e.stage }, idHash: e.idHash };
  const slot = t.slots.get(row);
  if (slot === undefined) return undefined;
  const { data } = t;
  const v = t.verdicts[slot];
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
  return { kind: 'clip', model, idHash: t.hashes[slot], doubt: t.doubts.get(slot) ?? NO_DOUBT };
}

/**
 * Indexes the rows of the scan in `out`; `onClip` sees every clip row as it streams by (for class statistics).
 * Throws ManifestError for a row without a row number, or a row number that appears twice.
 */
export async function indexScan(out: string, onClip?: (c: ClipLine) => void): Promise<ScanIndex> {
  const t = emptyTable(out);
  const clips = await readClips(t, onClip);
  await readErrors(t);
  return {
    clips,
    errors: t.errors.size,
    inputColumns: t.inputColumns,
    get(row) {
      return lookup(t, row);
    },
  };
}
