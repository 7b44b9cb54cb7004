// `audit eval`: scans a labelled manifest, runs the model on every clip and its mirror, and scores verdicts and arrow of time.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mirrorSeries, type CueSeries } from '../cues/series.js';
import { DETECTOR_ID } from '../content/detector.js';
import { expected, IoError, ManifestError, UsageError } from '../errors.js';
import { isRowProblem, openInput, type CellValue } from '../io/inputs.js';
import { withAtomicFile, writeFileAtomic } from '../io/atomic.js';
import { readJsonl } from '../io/jsonl-log.js';
import { CLIPS_JSONL, ERRORS_JSONL } from '../outputs/layout.js';
import type { ScanOptionsInput } from '../pipeline/options.js';
import { scan, type ScanHooks } from '../pipeline/scan.js';
import { readSeries } from '../outputs/series-file.js';
import { VERDICTS, type VerdictName } from '../model/dataset.js';
import { clipWindows, MAX_WINDOWS, type ModelInput } from '../model/features.js';
import { chooseArrowHead } from '../model/arrow-head.js';
import { withHeads, type Heads } from '../model/heads.js';
import {
  accuracy,
  arrowAccuracy,
  classScores,
  confusionMatrix,
  expectedCalibrationError,
  macroF1,
  meanAbsFromHalf,
  type ArrowPair,
  type CalibrationBin,
  type ClassScores,
} from '../model/metrics.js';
import { loadModel, predictClips, type Device, type LoadedModel } from '../model/onnx.js';
import { DEFAULT_CONTENT_HEAD, loadContentHead, type ContentHead } from '../model/content-head.js';

/** The model `audit eval` uses when none is given: models/reversal-v1.onnx of this package. */
export const DEFAULT_EVAL_MODEL: string = fileURLToPath(new URL('../../models/reversal-v1.onnx', import.meta.url));

/** Options of {@link evaluate}: the manifest, the model, and any `scan` option (size, fps, workers, ...). */
export type EvaluateOptions = Omit<
  ScanOptionsInput,
  'input' | 'out' | 'model' | 'device' | 'batch' | 'modelWindows'
> & {
  /** Manifest (CSV/TSV, JSONL, Parquet, Arrow) with a path column and a label column. */
  manifest: string;
  /** ONNX model (default {@link DEFAULT_EVAL_MODEL}). */
  model?: string;
  /** Scan folder, kept (resumes, and gets eval.json + eval-predictions.jsonl); default a temporary one, removed. */
  out?: string;
  device?: Device;
  /** CPU threads for inference (default: onnxruntime's choice). */
  threads?: number;
  /** Most windows of T pairs a clip is judged on (default MAX_WINDOWS; 1 = the centred window only). */
  modelWindows?: number;
  /** Label column (default 'label'): invariant | equivariant | irreversible. */
  labelColumn?: string;
  /** Optional column saying a clip already plays backwards in the corpus: forward | backward (default 'direction'). */
  directionColumn?: string;
};

/** A manifest row that was not scored, with the reason. */
export interface EvalErrorRow {
  row: number | null;
  id: string | null;
  path: string | null;
  /** 'manifest', 'decode', 'analyse' (from the scan) or 'label'. */
  stage: string;
  code: string;
  message: string;
}

/** What {@link evaluate} measured; NaN-valued metrics (no rows) are null. */
export interface EvalReport {
  status: 'complete' | 'interrupted';
  /** Clips scored. */
  n: number;
  n_errors: number;
  labels: readonly VerdictName[];
  /** Rows true, columns predicted, in `labels` order. */
  confusion: number[][];
  accuracy: number | null;
  macro_f1: number | null;
  per_class: Record<VerdictName, ClassScores>;
  /** Share of correct halves, each clip counted forwards and reversed (see aot_definition). */
  aot_accuracy: number | null;
  aot_accuracy_by_class: Record<VerdictName, number | null>;
  aot_definition: string;
  mean_abs_p_forward_minus_half_by_class: Record<VerdictName, number | null>;
  /** Expected calibration error of the verdict: 10 equal bins of the winning probability. */
  ece: number | null;
  calibration_bins: CalibrationBin[];
  errors_by_code: Record<string, number>;
  errors: EvalErrorRow[];
  model: {
    path: string;
    provider: string;
    name: string | null;
    version: string | null;
    sha256: string | null;
    /** The verdict temperature baked into the graph (the card's calibration), when there is one. */
    verdict_temperature: number | null;
    /** The arrow temperature baked into the graph (p_forward = sigmoid(arrow_logit / Ta)), when there is one. */
    arrow_temperature: number | null;
    /** With --content: the content head averaged with the model's verdict. */
    content_head: { path: string; name: string; version: string } | null;
    /** The arrow head that gave p_forward, or null when the model's own arrow did (--arrow-head none). */
    arrow_head: { path: string; name: string; version: string } | null;
  };
  /** The kept scan folder, or null when a temporary one was used. */
  out: string | null;
  timings: { scan_s: number; predict_s: number };
}

const AOT_DEFINITION =
  'each clip counted twice: the version that plays forwards must get p_forward > 0.5 and the reversed one (the mirrored series) < 0.5; ' +
  'accuracy = correct halves / (2 x clips). Clips marked backward in the direction column swap the two. Invariant clips carry no arrow, so about 0.5 is right for them.';

interface ClipRef {
  id: string;
  path: string;
  row: number;
  /** With --content: the class scores of the clip's frame (or why there are none). */
  content?: { scores?: number[]; error?: string };
  series_file: string;
  series_offset: number;
  series_pairs: number;
  series_columns: number;
}

interface Scored {
  ref: ClipRef;
  truth: number;
  forward: boolean;
}

const BATCH_CLIPS = 256; // series read and predicted at a time: bounds memory on large manifests

function nullIfNaN(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Fails before a long scan when the manifest has no label column (a folder or a misspelt --label-column). */
async function checkLabelColumn(manifest: string, opts: EvaluateOptions, labelColumn: string): Promise<void> {
  const source = await openInput(resolve(manifest), {
    pathColumn: opts.pathColumn,
    idColumn: opts.idColumn,
    format: opts.format,
  });
  for await (const r of source.rows()) {
    if (isRowProblem(r)) continue;
    if (!(labelColumn in r.columns)) {
      const msg = `${expected(`a manifest with a "${labelColumn}" column (invariant|equivariant|irreversible)`, 'manifest', manifest)}; row ${r.row} has columns ${Object.keys(r.columns).join(', ')}\nPossible solutions:\n- name the column with --label-column`;
      throw new ManifestError('missing_label_column', msg, { path: manifest, row: r.row });
    }
    return;
  }
}

/** The label and direction cells of a manifest row as the manifest holds them now, with the row's id. */
interface LabelCells {
  id: string;
  label: CellValue | undefined;
  direction: CellValue | undefined;
}

/**
 * Reads the label and direction cells of the manifest's rows `rows` (those the scan analysed; the others are not
 * kept) as it is now, by row number (the scan refuses a resume whose rows moved, so a row number still names the row
 * it scanned). Labels fixed since an earlier run into the same --out, or another --label-column, are scored without
 * scanning again.
 */
async function readLabelCells(
  manifest: string,
  opts: EvaluateOptions,
  labelColumn: string,
  directionColumn: string,
  rows: ReadonlySet<number>,
): Promise<Map<number, LabelCells>> {
  const source = await openInput(resolve(manifest), {
    pathColumn: opts.pathColumn,
    idColumn: opts.idColumn,
    format: opts.format,
    startColumn: opts.startColumn,
    endColumn: opts.endColumn,
  });
  const cells = new Map<number, LabelCells>();
  for await (const r of source.rows()) {
    if (isRowProblem(r) || !rows.has(r.row)) continue;
    cells.set(r.row, { id: r.id, label: r.columns[labelColumn], direction: r.columns[directionColumn] });
  }
  return cells;
}

/** Names for the messages of {@link labelOf}: the manifest and the two columns. */
interface LabelSource {
  manifest: string;
  labelColumn: string;
  directionColumn: string;
}

function labelOf(ref: ClipRef, cells: LabelCells | undefined, src: LabelSource): Scored | EvalErrorRow {
  const err = (code: string, message: string): EvalErrorRow => ({
    row: ref.row,
    id: ref.id,
    path: ref.path,
    stage: 'label',
    code,
    message,
  });
  const at = `row ${ref.row} (${ref.id}) of ${src.manifest}`;
  if (cells === undefined || cells.id !== ref.id)
    return err(
      'row_changed',
      `The scan found ${ref.id} at row ${ref.row} of ${src.manifest}, which now holds ${cells === undefined ? 'no clip' : cells.id}: the manifest changed while eval ran\nPossible solutions:\n- run the same command again`,
    );
  const raw = cells.label;
  const label = typeof raw === 'string' ? raw.trim().toLowerCase() : raw;
  const truth = VERDICTS.indexOf(label as VerdictName);
  if (truth < 0)
    return err('bad_label', expected(VERDICTS.join('|'), `column "${src.labelColumn}" of ${at}`, raw ?? null));
  const dir = cells.direction;
  const d = typeof dir === 'string' ? dir.trim().toLowerCase() : dir;
  if (d !== undefined && d !== null && d !== '' && d !== 'forward' && d !== 'backward') {
    return err(
      'bad_direction',
      expected('forward|backward (or empty)', `column "${src.directionColumn}" of ${at}`, dir),
    );
  }
  if (ref.series_pairs < 1)
    return err('empty_series', `Row ${ref.row} (${ref.id}): the clip gave no frame pairs to score`);
  return { ref, truth, forward: d !== 'backward' };
}

function calibrationValue(
  card: { [key: string]: unknown } | null | undefined,
  key: 'verdict_temperature' | 'arrow_temperature',
): number | null {
  const value = (card?.calibration as Record<string, unknown> | undefined)?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The verdict temperature a card records (models/train.py `calibration`), or null. */
export function verdictTemperature(card: { [key: string]: unknown } | null | undefined): number | null {
  return calibrationValue(card, 'verdict_temperature');
}

/** The arrow temperature a card records (models/train.py `calibration`, fitted on real validation clips), or null. */
export function arrowTemperature(card: { [key: string]: unknown } | null | undefined): number | null {
  return calibrationValue(card, 'arrow_temperature');
}

/**
 * The scan's error rows, then its clips, labelled from the current manifest: those with a usable label are scored,
 * the rest become error rows (both by row).
 */
async function readScanResults(
  scanOut: string,
  options: EvaluateOptions,
  src: LabelSource,
): Promise<{ scored: Scored[]; errors: EvalErrorRow[] }> {
  const errors: EvalErrorRow[] = [];
  for await (const { value } of readJsonl(join(scanOut, ERRORS_JSONL))) {
    const e = value as Record<string, unknown>;
    const s = (k: string): string | null => (typeof e[k] === 'string' ? (e[k] as string) : null);
    errors.push({
      row: typeof e.row === 'number' ? e.row : null,
      id: s('id'),
      path: s('path'),
      stage: s('stage') ?? 'scan',
      code: s('code') ?? 'error',
      message: s('message') ?? '',
    });
  }
  const refs: ClipRef[] = [];
  for await (const { value } of readJsonl(join(scanOut, CLIPS_JSONL))) {
    // The labels come from the manifest as it is now, not from the cells the scan stored with the clip.
    const { input: _stored, ...ref } = value as ClipRef & { input?: unknown };
    refs.push(ref);
  }
  const rows = new Set(refs.map((r) => r.row));
  const cells = await readLabelCells(src.manifest, options, src.labelColumn, src.directionColumn, rows);
  const scored: Scored[] = [];
  for (const ref of refs) {
    const r = labelOf(ref, cells.get(ref.row), src);
    if ('ref' in r) scored.push(r);
    else errors.push(r);
  }
  scored.sort((a, b) => a.ref.row - b.ref.row);
  errors.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
  return { scored, errors };
}

/** What the model said of each scored clip, forwards and mirrored, plus its eval-predictions.jsonl line. */
interface Predictions {
  pred: number[];
  conf: number[];
  pairs: ArrowPair[];
  lines: string[];
}

/** Predicts every scored clip and its mirror, BATCH_CLIPS clips (their series read from the scan) at a time. */
async function predictPairs(
  model: LoadedModel,
  scanOut: string,
  scored: Scored[],
  modelWindows: number,
  heads: Heads,
): Promise<Predictions> {
  const out: Predictions = { pred: [], conf: [], pairs: [], lines: [] };
  for (let start = 0; start < scored.length; start += BATCH_CLIPS) {
    const batch = scored.slice(start, start + BATCH_CLIPS);
    const inputs: ModelInput[][] = [];
    const series: { forward: CueSeries; mirrored: CueSeries }[] = [];
    for (const s of batch) {
      const forward = await readSeries(scanOut, s.ref);
      const mirrored = mirrorSeries(forward);
      series.push({ forward, mirrored });
      inputs.push(clipWindows(forward, model.T, modelWindows), clipWindows(mirrored, model.T, modelWindows));
    }
    const p = await predictClips(model, inputs);
    batch.forEach((s, i) => {
      // The heads as audit scan applies them (model/heads.ts), to the clip and to its mirror. The content head's
      // inputs are unchanged by reversal, so only the clip's verdict is scored; the arrow head's mirror gets 1 - p.
      const { forward, mirrored } = series[i];
      const { prediction: f, own } = withHeads(p[2 * i], forward, heads, s.ref.content?.scores ?? null);
      const m = withHeads(p[2 * i + 1], mirrored, { content: null, arrow: heads.arrow }, null).prediction;
      out.pred.push(VERDICTS.indexOf(f.verdict));
      out.conf.push(f.confidence);
      out.pairs.push({ pForward: f.p_forward, pMirrored: m.p_forward, forward: s.forward });
      const probs = {
        p_invariant: f.p_invariant,
        p_equivariant: f.p_equivariant,
        p_irreversible: f.p_irreversible,
        ...(own ? { p_content_head: own } : {}),
      };
      out.lines.push(
        JSON.stringify({
          row: s.ref.row,
          id: s.ref.id,
          path: s.ref.path,
          label: VERDICTS[s.truth],
          direction: s.forward ? 'forward' : 'backward',
          verdict: f.verdict,
          ...probs,
          p_forward: f.p_forward,
          p_forward_mirrored: m.p_forward,
        }),
      );
    });
  }
  return out;
}

/** The scores of the report: confusion, per-class scores, arrow of time overall and per class, calibration, error counts. */
function scoreReport(
  scored: Scored[],
  errors: EvalErrorRow[],
  { pred, conf, pairs }: Predictions,
): Omit<EvalReport, 'status' | 'model' | 'out' | 'timings'> {
  const truth = scored.map((s) => s.truth);
  const confusion = confusionMatrix(truth, pred, VERDICTS.length);
  const scores = classScores(confusion);
  const byClass = <T>(f: (idx: number[]) => T): Record<VerdictName, T> =>
    Object.fromEntries(VERDICTS.map((v, c) => [v, f(truth.flatMap((t, i) => (t === c ? [i] : [])))])) as Record<
      VerdictName,
      T
    >;
  const calibration = expectedCalibrationError(
    conf,
    truth.map((t, i) => t === pred[i]),
  );
  const errorsByCode: Record<string, number> = {};
  for (const e of errors) errorsByCode[e.code] = (errorsByCode[e.code] ?? 0) + 1;
  return {
    n: scored.length,
    n_errors: errors.length,
    labels: VERDICTS,
    confusion,
    accuracy: nullIfNaN(accuracy(confusion)),
    macro_f1: nullIfNaN(macroF1(scores)),
    per_class: Object.fromEntries(VERDICTS.map((v, c) => [v, scores[c]])) as Record<VerdictName, ClassScores>,
    aot_accuracy: nullIfNaN(arrowAccuracy(pairs)),
    aot_accuracy_by_class: byClass((idx) => nullIfNaN(arrowAccuracy(idx.map((i) => pairs[i])))),
    aot_definition: AOT_DEFINITION,
    mean_abs_p_forward_minus_half_by_class: byClass((idx) =>
      nullIfNaN(meanAbsFromHalf(idx.map((i) => pairs[i].pForward))),
    ),
    ece: nullIfNaN(calibration.ece),
    calibration_bins: calibration.bins,
    errors_by_code: errorsByCode,
    errors,
  };
}

function modelFacts(model: LoadedModel, modelPath: string): Omit<EvalReport['model'], 'content_head' | 'arrow_head'> {
  const card = model.card;
  return {
    path: resolve(modelPath),
    provider: model.provider,
    name: card?.name ?? null,
    version: card?.version ?? null,
    sha256: card?.sha256 ?? null,
    verdict_temperature: verdictTemperature(card),
    arrow_temperature: arrowTemperature(card),
  };
}

const WRITE_LINES = 1024; // eval-predictions.jsonl lines written at a time

/**
 * eval-predictions.jsonl, then eval.json, in the kept scan folder: each replaced atomically (temp file + rename),
 * so an interruption while writing leaves the earlier file whole, never half of one.
 */
export async function writeEvalFiles(scanOut: string, report: EvalReport, lines: string[]): Promise<void> {
  await withAtomicFile(join(scanOut, 'eval-predictions.jsonl'), async (fh) => {
    for (let i = 0; i < lines.length; i += WRITE_LINES)
      await fh.write(
        lines
          .slice(i, i + WRITE_LINES)
          .map((l) => `${l}\n`)
          .join(''),
      );
  });
  await writeFileAtomic(join(scanOut, 'eval.json'), `${JSON.stringify(report, null, 1)}\n`);
}

/** The content head eval averages in: none without --content, the shipped one, or the file given. */
async function evalContentHead(content: boolean, path: string | undefined): Promise<ContentHead | null> {
  if (!content) {
    if (path !== undefined) throw new UsageError('--content-head needs --content');
    return null;
  }
  if (path === 'none')
    throw new UsageError('audit eval --content scores the averaged verdict: give a content head, not none');
  return loadContentHead(path === undefined ? fileURLToPath(DEFAULT_CONTENT_HEAD) : resolve(path), DETECTOR_ID);
}

/** What rerunning does after a failure when the scan went to a temporary folder (removed as eval ends). */
export const TEMPORARY_SCAN_ADVICE =
  'The scan went to a temporary folder, now removed: a rerun starts over; give --out DIR to keep the scan so that a rerun resumes.';

/** What `audit eval` prints on Ctrl-C: whether a rerun resumes depends on whether the scan is kept in `out`. */
export function evalInterruptMessage(out: string | undefined): string {
  return out === undefined
    ? '\nInterrupted: scoring the clips scanned so far; the scan went to a temporary folder, removed as eval ends, so a rerun starts over (give --out DIR to keep the scan so that a rerun resumes).\n'
    : `\nInterrupted: scoring the clips scanned so far; run the same command again (same --out ${out}) to resume the scan.\n`;
}

/**
 * Scans `manifest` (into `out`, resuming, or a temporary folder), predicts every clip forwards and
 * mirrored (exactly what analysing the reversed clip gives) and scores the verdicts against the label
 * column and the arrow of time against the clip's direction. Rows with a label other than
 * invariant/equivariant/irreversible, and rows the scan could not analyse, are error rows in the report.
 * With `out`, also writes eval.json and eval-predictions.jsonl there. Labels and directions are read from the
 * manifest as it is after the scan, so a rerun into the same `out` with fixed labels (or another label column)
 * scores them without scanning the clips again.
 * @example
 * const r = await evaluate({ manifest: 'dev/manifest.csv', model: 'models/reversal-v1.onnx', out: 'out/dev' });
 * console.log(r.macro_f1, r.aot_accuracy_by_class.irreversible);
 */
export async function evaluate(options: EvaluateOptions, hooks: ScanHooks = {}): Promise<EvalReport> {
  const {
    manifest,
    out,
    device,
    threads,
    modelWindows = MAX_WINDOWS,
    labelColumn = 'label',
    directionColumn = 'direction',
    model: modelPath = DEFAULT_EVAL_MODEL,
    content = false,
    contentHead,
    arrowHead,
    ...scanOptions
  } = options;
  // Load the model and check the labels first: a wrong path must not cost a whole scan.
  const model = await loadModel(modelPath, { device, threads });
  const head = await evalContentHead(content, contentHead);
  const arrow = await chooseArrowHead(arrowHead, modelPath, DEFAULT_EVAL_MODEL);
  await checkLabelColumn(manifest, options, labelColumn);
  const scanOut = out ?? (await mkdtemp(join(tmpdir(), 'audit-eval-')));
  try {
    const t0 = performance.now();
    // The scan must not run a model of its own: eval predicts with the one it was given.
    // With --content the scan records each clip's class scores; the head is averaged in below, as for the model.
    const summary = await scan(
      {
        ...scanOptions,
        model: 'none',
        ...(content ? { content, contentHead: 'none' } : {}),
        input: manifest,
        out: scanOut,
      },
      hooks,
    );
    const scanS = (performance.now() - t0) / 1000;
    const { scored, errors } = await readScanResults(scanOut, options, { manifest, labelColumn, directionColumn });

    const t1 = performance.now();
    const predictions = await predictPairs(model, scanOut, scored, modelWindows, { content: head, arrow });
    const predictS = (performance.now() - t1) / 1000;

    const report: EvalReport = {
      status: summary.status,
      ...scoreReport(scored, errors, predictions),
      model: {
        ...modelFacts(model, modelPath),
        content_head: head ? { path: head.path, name: head.name, version: head.version } : null,
        arrow_head: arrow ? { path: arrow.path, name: arrow.name, version: arrow.version } : null,
      },
      out: out === undefined ? null : resolve(out),
      timings: { scan_s: scanS, predict_s: predictS },
    };
    if (out !== undefined) await writeEvalFiles(scanOut, report, predictions.lines);
    return report;
  } catch (err) {
    // The scan's own advice ("run the same command again to resume") is wrong for a folder removed below.
    if (out === undefined && err instanceof IoError) throw err.replacingRerun(TEMPORARY_SCAN_ADVICE);
    throw err;
  } finally {
    if (out === undefined) await rm(scanOut, { recursive: true, force: true });
  }
}

const pct = (x: number | null): string => (x === null ? '   -  ' : `${(100 * x).toFixed(1).padStart(5)}%`);
const num = (x: number | null, d = 3): string => (x === null ? '-' : x.toFixed(d));

/** The report as a readable table (what `audit eval` prints without --json). */
export function formatEvalReport(r: EvalReport): string {
  const w = Math.max(...VERDICTS.map((v) => v.length));
  const out: string[] = [];
  const cal =
    (r.model.verdict_temperature === null
      ? 'verdicts uncalibrated'
      : `verdicts calibrated, T ${r.model.verdict_temperature.toFixed(2)}`) +
    (r.model.arrow_head !== null
      ? `; arrow from ${r.model.arrow_head.name}@${r.model.arrow_head.version}`
      : r.model.arrow_temperature === null
        ? ''
        : `; arrow calibrated, T ${r.model.arrow_temperature.toFixed(2)}`);
  const name =
    r.model.name === null ? r.model.path : `${r.model.name}${r.model.version === null ? '' : `@${r.model.version}`}`;
  out.push(
    `model ${name} (${r.model.provider}; ${cal}); ${r.n} clips scored, ${r.n_errors} error rows${r.status === 'interrupted' ? ' (scan interrupted: partial)' : ''}`,
  );
  out.push('', `confusion (rows true, columns predicted)`);
  out.push(`${''.padEnd(w)}  ${VERDICTS.map((v) => v.slice(0, 5).padStart(6)).join('')}`);
  VERDICTS.forEach((v, t) => {
    out.push(`${v.padEnd(w)}  ${r.confusion[t].map((n) => String(n).padStart(6)).join('')}`);
  });
  out.push('', `${'class'.padEnd(w)}  support  precision  recall      F1     AoT  |p_fwd-0.5|`);
  for (const v of VERDICTS) {
    const s = r.per_class[v];
    out.push(
      `${v.padEnd(w)}  ${String(s.support).padStart(7)}     ${pct(s.precision)}  ${pct(s.recall)}  ${pct(s.f1)}  ${pct(r.aot_accuracy_by_class[v])}  ${num(r.mean_abs_p_forward_minus_half_by_class[v], 4).padStart(10)}`,
    );
  }
  out.push('');
  out.push(
    `accuracy ${pct(r.accuracy)}   macro-F1 ${pct(r.macro_f1)}   arrow-of-time accuracy ${pct(r.aot_accuracy)}   ECE ${num(r.ece)}`,
  );
  out.push(
    '(AoT: every clip counted forwards and reversed; about 50% is right for invariant clips, which carry no arrow)',
  );
  if (r.n_errors > 0) {
    out.push(
      '',
      `error rows: ${Object.entries(r.errors_by_code)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
    );
    for (const e of r.errors.slice(0, 10))
      out.push(`  row ${e.row ?? '?'} ${e.id ?? ''}: ${e.code}: ${e.message.split('\n')[0]}`);
    if (r.errors.length > 10) out.push(`  ... ${r.errors.length - 10} more (--json lists them all)`);
  }
  return out.join('\n');
}
