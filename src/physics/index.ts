// `physics`: VideoPhy-2 inputs -> scan -> motion checks -> AutoEval-format outputs, physics.jsonl, leaderboard, agreement.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ManifestError, UsageError } from '../errors.js';
import type { FolderLock } from '../io/lock.js';
import { isS3Url } from '../io/object-store.js';
import { lockOutDir, withOutputFolder, withResumableOut } from '../pipeline/out-dir.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { ScanOptionsInput } from '../pipeline/options.js';
import { DEFAULT_MODEL, scan, type ScanHooks, type ScanSummary } from '../pipeline/scan.js';
import { TOOL_VERSION } from '../version.js';
import { readScanRows, rowModel, rowSignals } from './clips.js';
import { readPhysicsInput, type InputFormat, type PhysicsInput, type PhysicsRow } from './inputs.js';
import { writeOutputs, type PcRow, type RuleRow, type VideoResult, type WrittenFiles } from './outputs.js';
import { judgeClip, judgeRule } from './score.js';
import type { ClipContext } from './types.js';

export { CHECKS, checkByName } from './checks/index.js';
export {
  judgeClip,
  judgeRule,
  pcFromViolation,
  ARTEFACT_THRESHOLD,
  type ClipJudgment,
  type RuleJudgment,
} from './score.js';
export { routeRule, ROUTES, type Route, type RouteHit } from './route.js';
export {
  readPhysicsInput,
  detectFormat,
  captionFromFileName,
  parseLawMap,
  type PhysicsInput,
  type PhysicsRow,
  type InputFormat,
} from './inputs.js';
export { parsePythonLiteral, parseRuleList, PythonLiteralError, type PyValue } from './python-literal.js';
export { signalsFromSeries, mirrorSignals, makeSignals, type ClipSignals } from './signals.js';
export { statedDirections, DIRECTION_PHRASES, type Direction } from './checks/caption-direction.js';
export {
  ruleCsv,
  pcCsv,
  leaderboard,
  agreement,
  pearson,
  type VideoResult,
  type LeaderboardRow,
  type Agreement,
} from './outputs.js';
export { renderPlanted, PLANTED_SCENES, type PlantedClip, type PlantedScene } from './planted.js';
export { readScanRows, rowSignals, rowModel } from './clips.js';
export type { CheckResult, CheckName, ClipContext, Evidence, PhysicsCheck, RuleScore, ModelOutputs } from './types.js';

/** Options of {@link physics}. */
export interface PhysicsOptions {
  /** A folder of videos, one video, or a CSV in a VideoPhy-2 format (see readPhysicsInput). */
  input: string;
  /** Output folder; the scan goes to <out>/scan and resumes there. */
  out: string;
  /** ONNX model for the time-direction check: a path, 'none', or unset for the shipped models/reversal-v1.onnx. */
  model?: string;
  device?: ScanOptionsInput['device'];
  workers?: number;
  /** Video path column of a CSV (default: videopath, video_url, path, ...). */
  pathColumn?: string;
  /** Folder where http(s) video URLs of a released CSV are found (the longest end of the URL path there, else the file name; default: the CSV's folder). */
  videosDir?: string;
  /** Analysis settings passed to the scan (size, rate, window, flow preset, timeout). */
  analysis?: Pick<
    ScanOptionsInput,
    'shortSide' | 'fps' | 'maxSeconds' | 'timeoutMs' | 'flowPreset' | 'flowDirections' | 'retryErrors' | 'decodeBatch'
  >;
  quiet?: boolean;
  /** Write report.html (rules with evidence, leaderboard, galleries) into `out` at the end (the CLI does unless --no-report). */
  report?: boolean;
}

/** What a physics run did; also written to <out>/summary.json. */
export interface PhysicsSummary {
  tool: string;
  version: string;
  status: 'complete' | 'interrupted';
  input: { path: string; format: InputFormat };
  out: string;
  model: string | null;
  counts: {
    input_rows: number;
    videos: number;
    analysed: number;
    /** Input rows that could not be read plus videos that could not be analysed. */
    errors: number;
    rules: number;
    /** Rules answered 0 or 1. */
    rules_judged: number;
    rules_violated: number;
    artefacts: number;
  };
  files: WrittenFiles | null;
  wall_s: number;
  /** report.html when written, or why it could not be (the run itself still counts as done). */
  report?: { file: string } | { error: string };
}

function modelNote(option: string | undefined): string {
  if (option === 'none') return 'no model (--model none): the arrow of time was not measured';
  return `no model: ${DEFAULT_MODEL} is missing (pass --model PATH, or reinstall the package)`;
}

/**
 * Audits generated (or any) videos for physics violations and reversal artefacts: scans every video once
 * (into <out>/scan, resumable), runs the motion checks (time direction, gravity, caption direction, momentum,
 * persistence) and writes output_rule.csv / output_pc.csv in the VideoPhy-2 AutoEval formats, physics.jsonl
 * with every check's evidence, leaderboard.csv/.md per model_name, and agreement.json/.md against human
 * labels when the input has them. A row whose video is missing or unreadable becomes an error row.
 * @example
 * const s = await physics({ input: '../shared/data/videophy2/rule.csv', out: 'out/vp-rule', model: 'none' });
 */
export async function physics(options: PhysicsOptions, hooks: ScanHooks = {}): Promise<PhysicsSummary> {
  return withOutputFolder(
    options.out,
    (out) =>
      withResumableOut(out, (held) =>
        physicsLocked({ ...options, out }, hooks, held, isS3Url(options.out) ? options.out : undefined),
      ),
    {
      command: `audit physics ${options.input} --out ${options.out}`,
      quiet: options.quiet,
      stream: hooks.progressStream,
    },
  );
}

async function physicsLocked(
  options: PhysicsOptions,
  hooks: ScanHooks,
  held: { lock?: FolderLock },
  shownOut?: string,
): Promise<PhysicsSummary> {
  const t0 = performance.now();
  if (!options.out) throw new UsageError('Expected an output folder for --out but received nothing');
  const out = resolve(options.out);
  const parsed = await readPhysicsInput(options.input, {
    pathColumn: options.pathColumn,
    videosDir: options.videosDir,
  });
  // One run per output folder (the scan in <out>/scan takes its own lock too).
  held.lock = await lockOutDir(out, `audit physics ${options.input} --out ${options.out}`);

  const videos = videosOf(parsed.rows);
  const scanOut = join(out, 'scan');
  const summary = await scanVideos(out, scanOut, videos, options, hooks);
  const base = {
    tool: 'reversal-audit physics',
    version: TOOL_VERSION,
    input: { path: parsed.input, format: parsed.format },
    out,
    model: modelUsed(options.model),
  };
  if (summary.status === 'interrupted') {
    return {
      ...base,
      status: 'interrupted',
      counts: {
        input_rows: parsed.rows.length + parsed.problems.length,
        videos: videos.size,
        analysed: 0,
        errors: 0,
        rules: 0,
        rules_judged: 0,
        rules_violated: 0,
        artefacts: 0,
      },
      files: null,
      wall_s: (performance.now() - t0) / 1000,
    };
  }

  const { results, rowPc, errorRows } = await judgeVideos(scanOut, videos, parsed, options.model);
  const { ruleRows, pcRows } = autoEvalRows(parsed, results, rowPc);
  const all = [...results.values()];
  const files = await writeOutputs(out, parsed.format, { videos: all, ruleRows, pcRows, errors: errorRows });
  const result: PhysicsSummary = {
    ...base,
    status: 'complete',
    counts: physicsCounts(parsed, videos, all, errorRows, ruleRows),
    files,
    wall_s: Math.round(((performance.now() - t0) / 1000) * 100) / 100,
  };
  await writeFileAtomic(join(out, 'summary.json'), `${JSON.stringify(result, null, 2)}\n`);
  if (options.report) await reportAfterPhysics(out, result, options.quiet, shownOut);
  return result;
}

/** One scan row per distinct video, in first-appearance order, with the input rows that name it. */
function videosOf(rows: readonly PhysicsRow[]): Map<string, PhysicsRow[]> {
  const videos = new Map<string, PhysicsRow[]>();
  for (const r of rows) videos.set(r.path, [...(videos.get(r.path) ?? []), r]);
  return videos;
}

/**
 * The videos <out>/scan-manifest.jsonl lists: an earlier run's, in their order, then this run's new ones. It only
 * grows, so a rerun with an edited input (rows reordered, added or removed) resumes the scan in <out>/scan, which
 * would refuse a manifest whose rows moved; a video no longer in the input stays scanned and is not judged.
 */
async function scanManifestPaths(manifest: string, videos: Map<string, PhysicsRow[]>): Promise<string[]> {
  const text = await readFile(manifest, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  const earlier = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        row = null;
      }
      const p = (row as { path?: unknown } | null)?.path;
      if (typeof p !== 'string')
        throw new ManifestError(
          'scan-output-corrupt',
          `${manifest} line ${i + 1} is not a row audit physics wrote; remove the output folder to start over`,
          { path: manifest, row: i + 1 },
        );
      return p;
    });
  const seen = new Set(earlier);
  return [...earlier, ...[...videos.keys()].filter((p) => !seen.has(p))];
}

/** Writes <out>/scan-manifest.jsonl (one row per video, earlier runs' first) and scans it into `scanOut` (resuming there). */
async function scanVideos(
  out: string,
  scanOut: string,
  videos: Map<string, PhysicsRow[]>,
  options: PhysicsOptions,
  hooks: ScanHooks,
): Promise<ScanSummary> {
  const manifest = join(out, 'scan-manifest.jsonl');
  const paths = await scanManifestPaths(manifest, videos);
  await writeFileAtomic(manifest, paths.map((p) => `${JSON.stringify({ id: p, path: p })}\n`).join(''));
  return scan(
    {
      input: manifest,
      out: scanOut,
      model: options.model,
      device: options.device,
      workers: options.workers,
      quiet: options.quiet,
      count: false,
      ...options.analysis,
    },
    hooks,
  );
}

/** The model file the scan used, or null. */
function modelUsed(option: string | undefined): string | null {
  return option === 'none'
    ? null
    : option !== undefined
      ? resolve(option)
      : existsSync(DEFAULT_MODEL)
        ? DEFAULT_MODEL
        : null;
}

type VideoFailure = NonNullable<VideoResult['error']>;

/**
 * Runs the checks on every video (in first-appearance order) and judges its rules; a video the scan could not
 * analyse, or whose series cannot be read, gets every rule unjudged and one error row per input row naming it.
 */
async function judgeVideos(
  scanOut: string,
  videos: Map<string, PhysicsRow[]>,
  parsed: PhysicsInput,
  modelOption: string | undefined,
): Promise<{
  results: Map<string, VideoResult>;
  rowPc: Map<number, number | null>;
  errorRows: Record<string, unknown>[];
}> {
  const scanned = await readScanRows(scanOut);
  const results = new Map<string, VideoResult>();
  const rowPc = new Map<number, number | null>();
  const errorRows: Record<string, unknown>[] = parsed.problems.map((p) => ({
    row: p.row,
    stage: 'input',
    code: p.code,
    message: p.message,
  }));
  for (const [path, rows] of videos) {
    const { video: v, pcOf } = await judgeVideo(scanOut, scanned, path, rows, modelOption);
    results.set(path, v);
    for (const r of rows) rowPc.set(r.row, r.caption === v.caption ? v.pc : pcOf(r.caption));
    if (v.error) for (const r of rows) errorRows.push({ row: r.row, videopath: r.videopath, path, ...v.error });
  }
  return { results, rowPc, errorRows };
}

type ScannedRows = Awaited<ReturnType<typeof readScanRows>>;
/** The fields of a video's result that come from its input rows (the first one, and the first caption). */
type VideoCommon = Pick<
  VideoResult,
  'videopath' | 'path' | 'row' | 'caption' | 'caption_source' | 'model_name' | 'is_hard' | 'human'
>;

/**
 * Runs the checks on one video and judges its rules, or marks them all unjudged when it was not analysed; `pcOf` gives
 * the video's PC against another caption (the same video listed with several prompts).
 */
async function judgeVideo(
  scanOut: string,
  scanned: ScannedRows,
  path: string,
  rows: PhysicsRow[],
  modelOption: string | undefined,
): Promise<{ video: VideoResult; pcOf: (caption: string | null) => number | null }> {
  const common = videoCommon(path, rows);
  const read = await clipContext(scanOut, scanned, path, common.caption, modelOption);
  if ('failure' in read) return { video: unanalysedVideo(common, rows, read.failure), pcOf: () => null };
  const { ctx } = read;
  return { video: judgedVideo(common, rows, ctx), pcOf: (caption) => judgeClip({ ...ctx, caption }).pc };
}

function videoCommon(path: string, rows: PhysicsRow[]): VideoCommon {
  const first = rows[0];
  return {
    videopath: first.videopath,
    path,
    row: first.row,
    caption: rows.find((r) => r.caption)?.caption ?? null,
    caption_source: rows.find((r) => r.caption)?.captionSource ?? null,
    model_name: first.modelName,
    is_hard: first.isHard,
    human: { sa: first.sa, pc: first.pc },
  };
}

/**
 * The checks' view of a scanned video (its signals, caption and model outputs), or why there is none: the scan's
 * error row, no scan row at all, or a series that cannot be read.
 */
async function clipContext(
  scanOut: string,
  scanned: ScannedRows,
  path: string,
  caption: string | null,
  modelOption: string | undefined,
): Promise<{ ctx: ClipContext } | { failure: VideoFailure }> {
  const clip = scanned.clips.get(path);
  if (!clip) {
    const e = scanned.errors.get(path);
    return {
      failure: e
        ? { stage: String(e.stage ?? 'decode'), code: String(e.code ?? 'error'), message: String(e.message ?? '') }
        : { stage: 'scan', code: 'not_scanned', message: `${path} has no row in ${scanOut}` },
    };
  }
  try {
    return {
      ctx: {
        signals: await rowSignals(scanOut, clip),
        caption,
        model: rowModel(clip),
        modelNote: modelNote(modelOption),
      },
    };
  } catch (err) {
    return {
      failure: {
        stage: 'series',
        code: (err as { code?: string }).code ?? 'series_bad',
        message: err instanceof Error ? err.message : String(err),
      },
    };
  }
}

/** A video that was not analysed: every rule unjudged (score 2) with the failure as its reason. */
function unanalysedVideo(common: VideoCommon, rows: PhysicsRow[], failure: VideoFailure): VideoResult {
  return {
    ...common,
    artefact: null,
    artefact_score: null,
    violation_score: null,
    pc: null,
    p_forward: null,
    model_version: null,
    checks: [],
    rules: rows.flatMap((r) =>
      r.rules.map((x) => ({
        rule: x.text,
        law: x.law,
        score: 2 as const,
        checks: [],
        reason: `video not analysed: ${failure.message}`,
        human: x.human,
      })),
    ),
    error: failure,
  };
}

/** An analysed video: the clip's checks and each of its rules judged against them. */
function judgedVideo(common: VideoCommon, rows: PhysicsRow[], ctx: ClipContext): VideoResult {
  const j = judgeClip(ctx);
  const ruleResults = rows.flatMap((r) =>
    r.rules.map((x) => ({ ...judgeRule(x.text, x.law, ctx, j), human: x.human })),
  );
  return {
    ...common,
    artefact: j.artefact,
    artefact_score: j.artefact_score,
    violation_score: j.violation_score,
    pc: j.pc,
    p_forward: ctx.model?.p_forward ?? null,
    model_version: ctx.model?.model_version ?? null,
    checks: j.checks,
    rules: ruleResults,
    error: null,
  };
}

/**
 * AutoEval rows keep the input's order: one rule row per input rule, one PC row per input row (per video for rule
 * inputs). A row that could not be read keeps its place with an empty score, as a video that failed does, so the
 * outputs' index lines up with the input's rows.
 */
function autoEvalRows(
  parsed: PhysicsInput,
  results: Map<string, VideoResult>,
  rowPc: Map<number, number | null>,
): { ruleRows: RuleRow[]; pcRows: PcRow[] } {
  const ruleRows: RuleRow[] = [];
  const pcRows: PcRow[] = [];
  const used = new Map<string, number>();
  const pcSeen = new Set<string>();
  const ordered = [...parsed.rows, ...parsed.problems].sort((a, b) => a.row - b.row);
  const perVideo = parsed.format === 'autoeval_rule';
  // rule inputs have one PC row per video: a bad row of a video that has good ones, or a second bad one, adds none
  const goodVideos = new Set(parsed.rows.map((r) => r.videopath));
  for (const r of ordered) {
    if (!('path' in r)) {
      const w = r.written ?? { videopath: '', caption: '', rule: '' };
      if (perVideo) ruleRows.push({ videopath: w.videopath, rule: w.rule, score: null });
      const seen = w.videopath !== '' && (goodVideos.has(w.videopath) || pcSeen.has(`\u0000${w.videopath}`));
      if (perVideo && seen) continue;
      pcSeen.add(`\u0000${w.videopath}`);
      pcRows.push({ caption: w.caption, videopath: w.videopath, score: null });
      continue;
    }
    const v = results.get(r.path)!;
    for (const x of r.rules) {
      // The k-th occurrence of the same rule text on this video takes the k-th judgment.
      const key = `${r.path}\u0000${x.text}`;
      const k = used.get(key) ?? 0;
      used.set(key, k + 1);
      const judged = v.rules.filter((y) => y.rule === x.text)[k];
      ruleRows.push({ videopath: r.videopath, rule: x.text, score: v.error ? null : (judged?.score ?? 2) });
    }
    if (perVideo && pcSeen.has(r.path)) continue;
    pcSeen.add(r.path);
    pcRows.push({ caption: r.caption ?? '', videopath: r.videopath, score: rowPc.get(r.row) ?? null });
  }
  return { ruleRows, pcRows };
}

function physicsCounts(
  parsed: PhysicsInput,
  videos: Map<string, PhysicsRow[]>,
  all: VideoResult[],
  errorRows: unknown[],
  ruleRows: RuleRow[],
): PhysicsSummary['counts'] {
  const ruleJudgments = all.filter((v) => !v.error).flatMap((v) => v.rules);
  return {
    input_rows: parsed.rows.length + parsed.problems.length,
    videos: videos.size,
    analysed: all.filter((v) => !v.error).length,
    errors: errorRows.length,
    rules: ruleRows.length,
    rules_judged: ruleJudgments.filter((r) => r.score !== 2).length,
    rules_violated: ruleJudgments.filter((r) => r.score === 0).length,
    artefacts: all.filter((v) => v.artefact).length,
  };
}

/** report.html of the run; a failed report must not cost the user the run's outputs, which are all written by now. */
async function reportAfterPhysics(
  out: string,
  result: PhysicsSummary,
  quiet: boolean | undefined,
  shownOut: string | undefined,
): Promise<void> {
  try {
    const { writeReport } = await import('../report/index.js');
    // the report names the s3:// prefix the outputs go to, not the staging folder it is written in
    result.report = { file: await writeReport(out, shownOut ? { outLabel: shownOut } : {}) };
  } catch (err) {
    result.report = { error: String((err as Error)?.message ?? err) };
    if (!quiet) process.stderr.write(`warning: report.html could not be written: ${result.report.error}\n`);
  }
  await writeFileAtomic(join(out, 'summary.json'), `${JSON.stringify(result, null, 2)}\n`);
}
