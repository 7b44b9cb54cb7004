// Training tensors from a scan: joins clips.jsonl and its series with labels.jsonl and writes .npy files for numpy.

import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { CUE_COLUMNS } from '../cues/index.js';
import { AuditError, expected, ManifestError, ModelError } from '../errors.js';
import type { CueSeries } from '../cues/series.js';
import { readSeries } from '../outputs/series-file.js';
import {
  clipWindows,
  COLUMNS_HASH,
  MODEL_F,
  MODEL_T,
  seriesToModelInput,
  VERDICTS,
  type ModelInput,
  type VerdictName,
} from './features.js';
import { NpyWriter } from './npy.js';
import { CONFIDENCE_WEIGHT, readRealCorpus, type RealClip } from './real-corpus.js';
import { fnv1a } from '../util/hash.js';

export { VERDICTS, type VerdictName } from './features.js';

/** Options of {@link exportDataset}. */
export interface ExportDatasetOptions {
  /** Output folder of `audit scan` (holds clips.jsonl and series/). */
  scanOut: string;
  /**
   * labels.jsonl of the synthetic corpus (id, family, verdict, direction, seed). Without it every clip
   * is a self-supervised arrow-of-time example: verdict unknown (-1), direction forward (clips as
   * scanned; the model sees their mirror by construction).
   */
  labels?: string;
  /**
   * A real corpus folder (index.csv + labels.csv, see {@link readRealCorpus}) whose clips/ this scan analysed: each
   * clip is a forward arrow-of-time example with its weak verdict (-1 when unclear), and its groups.json row names
   * its source `group`, `repo`, `confidence` and fixed `split` (train / val). Exclusive with `labels`.
   */
  realCorpus?: string;
  /**
   * Labels from the clip rows themselves (exclusive with `labels` and `realCorpus`): called with each clip row (id,
   * path, the manifest's columns `input`), it returns the row's label, or null to leave the clip out. Every clip is a
   * forward example as filmed. `audit adapt` uses it: a weak verdict from the clip's text, its group and its split.
   */
  labelOf?: (row: { id: string; path: string | null; input: Record<string, unknown> | null }) => RowLabel | null;
  /** Folder to write X.npy, mask.npy, y_verdict.npy, y_forward.npy, groups.json, columns.json. */
  out: string;
  /** Stops the export between clips (AuditError `interrupted`); the folder is then incomplete, for the caller to remove. */
  signal?: AbortSignal;
  /** Window length in pairs (default 64). */
  T?: number;
  /**
   * Besides the centred window (row `window: 0`), also the whole-clip windows inference uses
   * ({@link clipWindows} with at most this many windows; the centred one is not repeated), as rows
   * `window: 1..` of the same clip; `judged` marks the rows inference averages ({@link judgedRows}). Default 1: the
   * centred window alone.
   */
  windows?: number;
}

/** A clip's label from {@link ExportDatasetOptions.labelOf}: verdict index (-1 unknown), family, group, split, weight. */
export interface RowLabel {
  verdict: number;
  family: string;
  /** The clip's source group: no group is on both sides of the split. */
  group: string;
  split: 'train' | 'val';
  /** Weight of the verdict in the loss (a weak label weighs less than ground truth). */
  verdict_weight: number;
}

/** What {@link exportDataset} wrote and left out. */
export interface ExportSummary {
  /** Tensor rows: one per clip, plus its extra windows with `windows` > 1. */
  rows: number;
  clips: number;
  /** Scanned clips without a label row (skipped). */
  unlabelled: number;
  /** Label rows without a scanned clip (errors or not scanned yet). */
  unscanned: number;
  /** Scanned clips with no series rows (skipped). */
  empty: number;
  /** Distinct analysis frame rates met (a model is trained for one). */
  analysisFps: number[];
}

interface Label {
  verdict: number;
  forward: number;
  family: string;
  seed: number;
  /** Real corpus and labelOf clips: where they come from, which split they are in, the verdict's weight (groups.json). */
  real?: Partial<Pick<RealClip, 'group' | 'repo' | 'confidence'>> & { split: 'train' | 'val'; verdict_weight: number };
}

interface ClipRow {
  id: string;
  path?: string;
  analysis_fps?: number;
  series_file: string;
  series_offset: number;
  series_pairs: number;
  series_columns: number;
  input?: Record<string, unknown> | null;
}

async function* jsonLines(path: string): AsyncGenerator<{ line: number; value: unknown }> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    if (text.trim() === '') continue;
    try {
      yield { line, value: JSON.parse(text) };
    } catch (cause) {
      throw new ManifestError(
        'bad_json',
        expected('a JSON object', `line ${line} of ${path}`, text),
        { path, row: line },
        { cause },
      );
    }
  }
}

/** FNV-1a of a string: a stable stand-in seed for clips without one, so hold-out splits stay fixed. */
const hashSeed = (s: string): number => fnv1a(s);

async function readLabels(path: string): Promise<Map<string, Label>> {
  const labels = new Map<string, Label>();
  for await (const { line, value } of jsonLines(path)) {
    const r = value as Record<string, unknown>;
    const where = `line ${line} of ${path}`;
    if (typeof r.id !== 'string')
      throw new ManifestError('bad_label', expected('a string id', where, r.id), { path, row: line });
    const verdict = VERDICTS.indexOf(r.verdict as VerdictName);
    if (verdict < 0)
      throw new ManifestError('bad_label', expected(`verdict ${VERDICTS.join('|')}`, where, r.verdict), {
        path,
        row: line,
        id: r.id,
      });
    if (r.direction !== 'forward' && r.direction !== 'backward') {
      throw new ManifestError('bad_label', expected('direction forward|backward', where, r.direction), {
        path,
        row: line,
        id: r.id,
      });
    }
    const seed = typeof r.seed === 'number' ? r.seed : hashSeed(r.id);
    labels.set(r.id, {
      verdict,
      forward: r.direction === 'forward' ? 1 : 0,
      family: String(r.family ?? 'unknown'),
      seed,
    });
  }
  return labels;
}

/** A real corpus's clips as labels keyed by file name: forwards as filmed, weak verdict, family 'real'. */
async function realLabels(dir: string): Promise<Map<string, Label>> {
  const labels = new Map<string, Label>();
  for (const [file, c] of await readRealCorpus(dir)) {
    labels.set(file, {
      verdict: c.verdict,
      forward: 1,
      family: 'real',
      seed: hashSeed(c.group),
      real: {
        group: c.group,
        repo: c.repo,
        confidence: c.confidence,
        verdict_weight: CONFIDENCE_WEIGHT[c.confidence],
        split: c.split,
      },
    });
  }
  return labels;
}

function fromRowLabel(l: RowLabel | null): Label | undefined {
  if (l === null) return undefined;
  return {
    verdict: l.verdict,
    forward: 1,
    family: l.family,
    seed: hashSeed(l.group),
    real: { group: l.group, split: l.split, verdict_weight: l.verdict_weight },
  };
}

function checkClipRow(r: Record<string, unknown>, where: string): ClipRow {
  const ok =
    typeof r.id === 'string' &&
    typeof r.series_file === 'string' &&
    Number.isInteger(r.series_pairs) &&
    r.series_columns !== undefined;
  if (!ok)
    throw new ManifestError('bad_clip_row', expected('a clips.jsonl row with id and series_* columns', where, r));
  if (r.series_columns !== MODEL_F) {
    throw new ManifestError(
      'bad_clip_row',
      expected(`${MODEL_F} series columns (the current cue table)`, `series_columns at ${where}`, r.series_columns),
    );
  }
  return r as unknown as ClipRow;
}

/**
 * The centred window of a series first, then its other whole-clip windows (none when one window covers it, or
 * with `windows` 1), each with whether inference averages it (`judged`). An odd number of whole-clip windows has the
 * centred one in the middle: it is taken from there instead of being computed twice, and is judged; with an even
 * number the centred window is an extra training row that inference never sees.
 */
function exportWindows(series: CueSeries, T: number, windows: number): { input: ModelInput; judged: boolean }[] {
  if (windows < 2 || series.frames <= T) return [{ input: seriesToModelInput(series, T), judged: true }];
  const all = clipWindows(series, T, windows).map((input) => ({ input, judged: true }));
  if (all.length % 2 === 0) return [{ input: seriesToModelInput(series, T), judged: false }, ...all];
  const mid = (all.length - 1) / 2;
  return [all[mid], ...all.filter((_, k) => k !== mid)];
}

/** A row of groups.json as far as {@link judgedRows} reads it. */
export interface WindowRow {
  window?: number;
  judged?: boolean;
}

/**
 * Of one clip's tensor rows (indices into `groups`), those inference averages when it judges the whole clip
 * ({@link clipWindows}): the rows marked `judged`; failing those (exports that predate the mark), the whole-clip
 * windows (`window` >= 1); failing those (rows of the centred windows only), the rows given. The same rule is
 * models/train.py's `Predictions.whole`.
 */
export function judgedRows(rows: readonly number[], groups: readonly WindowRow[]): number[] {
  const judged = rows.filter((i) => groups[i]?.judged === true);
  if (judged.length > 0) return judged;
  const windows = rows.filter((i) => (groups[i]?.window ?? 0) >= 1);
  return windows.length > 0 ? windows : [...rows];
}

/** The `windows` option checked, and labels given by at most one source; returns the window count. */
function checkedWindows(options: ExportDatasetOptions): number {
  const windows = options.windows ?? 1;
  if (!Number.isInteger(windows) || windows < 1)
    throw new ModelError('bad_option', expected('a positive integer', 'windows', windows));
  const sources = [options.labels, options.realCorpus, options.labelOf].filter((x) => x !== undefined).length;
  if (sources > 1)
    throw new ModelError(
      'bad_option',
      expected('one of labels, realCorpus and labelOf', 'options', Object.keys(options)),
    );
  return windows;
}

/** The label table of a labels.jsonl or a real corpus, or null when labels come from `labelOf` or nowhere. */
async function labelTable(options: ExportDatasetOptions): Promise<Map<string, Label> | null> {
  return options.labels !== undefined
    ? await readLabels(options.labels)
    : options.realCorpus !== undefined
      ? await realLabels(options.realCorpus)
      : null;
}

/** Real corpus labels are keyed by file name (the scan of its clips/ folder ids rows by path), the others by id. */
function labelKey(row: ClipRow, options: ExportDatasetOptions): string {
  return options.realCorpus === undefined ? row.id : basename(row.path ?? row.id);
}

/** A clip's label: from the table, from `labelOf`, or self-supervised (unknown verdict, forward); undefined = none. */
function clipLabel(
  row: ClipRow,
  key: string,
  labels: Map<string, Label> | null,
  options: ExportDatasetOptions,
): Label | undefined {
  return labels
    ? labels.get(key)
    : options.labelOf
      ? fromRowLabel(options.labelOf({ id: row.id, path: row.path ?? null, input: row.input ?? null }))
      : { verdict: -1, forward: 1, family: 'unlabelled', seed: hashSeed(row.id) };
}

/** The open output files of an export: the four tensors and groups.json. */
interface TensorFiles {
  X: NpyWriter;
  M: NpyWriter;
  yV: NpyWriter;
  yF: NpyWriter;
  groups: FileHandle;
}

async function openTensorFiles(out: string, T: number): Promise<TensorFiles> {
  const X = await NpyWriter.create(join(out, 'X.npy'), 'float32', [T, MODEL_F]);
  const M = await NpyWriter.create(join(out, 'mask.npy'), 'float32', [T]);
  const yV = await NpyWriter.create(join(out, 'y_verdict.npy'), 'int64');
  const yF = await NpyWriter.create(join(out, 'y_forward.npy'), 'int64');
  const groups = await open(join(out, 'groups.json'), 'w');
  return { X, M, yV, yF, groups };
}

async function closeTensorFiles({ X, M, yV, yF, groups }: TensorFiles): Promise<void> {
  await Promise.all([X.close(), M.close(), yV.close(), yF.close(), groups.close()]);
}

/** Appends one tensor row and one groups.json row per window of a clip, counting them in `summary.rows`. */
async function appendClipRows(
  files: TensorFiles,
  row: ClipRow,
  label: Label,
  inputs: { input: ModelInput; judged: boolean }[],
  markWindows: boolean,
  summary: ExportSummary,
): Promise<void> {
  for (const [window, { input, judged }] of inputs.entries()) {
    await files.X.append(input.x);
    await files.M.append(input.mask);
    await files.yV.append(BigInt64Array.of(BigInt(label.verdict)));
    await files.yF.append(BigInt64Array.of(BigInt(label.forward)));
    const group = {
      id: row.id,
      path: row.path ?? null,
      family: label.family,
      seed: label.seed,
      ...label.real,
      ...(markWindows ? { window, judged } : {}),
    };
    await files.groups.write(`${summary.rows === 0 ? '' : ','}\n${JSON.stringify(group)}`);
    summary.rows += 1;
  }
}

/** Writes columns.json: window length, cue names and parity, their hash, frame rates, windows, verdicts, summary. */
async function writeColumns(out: string, T: number, windows: number, summary: ExportSummary): Promise<void> {
  const columns = {
    T,
    F: MODEL_F,
    columns_hash: COLUMNS_HASH,
    names: CUE_COLUMNS.map((c) => c.name),
    parity: CUE_COLUMNS.map((c) => c.parity),
    analysis_fps: summary.analysisFps,
    windows,
    verdicts: VERDICTS,
    summary,
  };
  await writeFile(join(out, 'columns.json'), `${JSON.stringify(columns, null, 1)}\n`);
}

/**
 * Writes the training tensors of a scan: `X.npy` [N x T x F] float32 (see seriesToInput), `mask.npy`
 * [N x T] float32 (see inputMask), `y_verdict.npy` [N] int64 (0 invariant, 1 equivariant,
 * 2 irreversible, -1 unknown), `y_forward.npy` [N] int64 (1 forward, 0 backward), `groups.json`
 * ([{id, path, family, seed}] per row, for hold-out splits) and `columns.json` (names, parity, hash, T, F).
 * Rows come in clips.jsonl order; one series is held at a time (plus the label table).
 * @example
 * await exportDataset({ scanOut: 'out/corpus-scan', labels: 'out/corpus/labels.jsonl', out: 'out/train' });
 */
export async function exportDataset(options: ExportDatasetOptions): Promise<ExportSummary> {
  const T = options.T ?? MODEL_T;
  const windows = checkedWindows(options);
  const labels = await labelTable(options);
  await mkdir(options.out, { recursive: true });
  const files = await openTensorFiles(options.out, T);
  const summary: ExportSummary = { rows: 0, clips: 0, unlabelled: 0, unscanned: 0, empty: 0, analysisFps: [] };
  const seen = new Set<string>();
  const fps = new Set<number>();
  const clipsPath = join(options.scanOut, 'clips.jsonl');
  try {
    await files.groups.write('[');
    for await (const { line, value } of jsonLines(clipsPath)) {
      if (options.signal?.aborted)
        throw new AuditError('interrupted', `Interrupted while writing the tensors of ${clipsPath}`);
      const row = checkClipRow(value as Record<string, unknown>, `line ${line} of ${clipsPath}`);
      const key = labelKey(row, options);
      const label = clipLabel(row, key, labels, options);
      if (!label) {
        summary.unlabelled += 1;
        continue;
      }
      seen.add(key);
      if (row.series_pairs < 1) {
        summary.empty += 1;
        continue;
      }
      if (typeof row.analysis_fps === 'number') fps.add(row.analysis_fps);
      const series = await readSeries(options.scanOut, row);
      await appendClipRows(files, row, label, exportWindows(series, T, windows), windows > 1, summary);
      summary.clips += 1;
    }
    await files.groups.write('\n]\n');
  } finally {
    await closeTensorFiles(files);
  }
  if (labels) for (const id of labels.keys()) if (!seen.has(id)) summary.unscanned += 1;
  summary.analysisFps = [...fps].sort((a, b) => a - b);
  await writeColumns(options.out, T, windows, summary);
  return summary;
}
