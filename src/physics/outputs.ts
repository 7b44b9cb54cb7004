// Writers of `audit physics`: AutoEval-format CSVs, physics.jsonl, the per-model leaderboard and the agreement report.

import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import type { InputFormat } from './inputs.js';
import type { RuleJudgment } from './score.js';
import type { CheckResult, RuleScore } from './types.js';

/** One video's result (a physics.jsonl row): scores and evidence, or the error that stopped it. */
export interface VideoResult {
  videopath: string;
  path: string;
  /** First input row (1-based line) that names this video. */
  row: number;
  caption: string | null;
  caption_source: 'input' | 'file name' | null;
  model_name: string | null;
  is_hard: boolean | null;
  artefact: boolean | null;
  artefact_score: number | null;
  violation_score: number | null;
  pc: number | null;
  p_forward: number | null;
  model_version: string | null;
  checks: CheckResult[];
  rules: (RuleJudgment & { human: RuleScore | null })[];
  human: { sa: number | null; pc: number | null };
  error: { stage: string; code: string; message: string } | null;
}

/** One AutoEval rule row: the input's videopath and rule, and our score (null for a video that failed). */
export interface RuleRow {
  videopath: string;
  rule: string;
  score: RuleScore | null;
}

/** One AutoEval PC row. */
export interface PcRow {
  caption: string;
  videopath: string;
  score: number | null;
}

/** A CSV cell as pandas' to_csv writes it: quoted when it holds a comma, quote or line break. */
export function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = typeof v === 'number' ? (Number.isInteger(v) ? `${v}.0` : String(v)) : v;
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The AutoEval output layout (VideoPhy-2 inference.py: `df.to_csv(path)`): an unnamed index column, the input
 * columns, then `score` as a float (`1.0`). A video that could not be analysed gets an empty score.
 */
export function autoevalCsv(
  columns: readonly string[],
  rows: readonly (readonly (string | number | null)[])[],
): string {
  const lines = [`,${columns.join(',')}`];
  rows.forEach((r, i) => {
    lines.push([String(i), ...r.map(csvCell)].join(','));
  });
  return `${lines.join('\n')}\n`;
}

/** `videopath,rule,score` with the index column (AutoEval rule task output). */
export function ruleCsv(rows: readonly RuleRow[]): string {
  return autoevalCsv(
    ['videopath', 'rule', 'score'],
    rows.map((r) => [r.videopath, r.rule, r.score]),
  );
}

/** `caption,videopath,score` with the index column (AutoEval PC task output; score 1-5). */
export function pcCsv(rows: readonly PcRow[]): string {
  return autoevalCsv(
    ['caption', 'videopath', 'score'],
    rows.map((r) => [r.caption, r.videopath, r.score]),
  );
}

/** One leaderboard line (a model_name of the input). */
export interface LeaderboardRow {
  model: string;
  videos: number;
  errors: number;
  /** Share of analysed videos with our PC >= 4. */
  pc_ge4: number | null;
  /** Share with human SA >= 4 and our PC >= 4 (when the input has SA). */
  joint: number | null;
  /** Share of analysed videos showing a reversal artefact. */
  artefact_rate: number | null;
  mean_artefact_score: number | null;
  /** The same shares from the input's human PC (when given), for comparison. */
  human_pc_ge4: number | null;
  human_joint: number | null;
}

const share = (xs: boolean[]): number | null =>
  xs.length ? Math.round((xs.filter(Boolean).length / xs.length) * 1e4) / 1e4 : null;

/** Per-model table over videos that have a model_name, sorted by joint (or PC >= 4) share, best first. */
export function leaderboard(videos: readonly VideoResult[]): LeaderboardRow[] {
  const by = new Map<string, VideoResult[]>();
  for (const v of videos) if (v.model_name) by.set(v.model_name, [...(by.get(v.model_name) ?? []), v]);
  const rows = [...by].map(([model, vs]): LeaderboardRow => {
    const ok = vs.filter((v) => !v.error && v.pc !== null);
    const withSa = ok.filter((v) => v.human.sa !== null);
    const withHuman = vs.filter((v) => v.human.pc !== null);
    const withBoth = vs.filter((v) => v.human.pc !== null && v.human.sa !== null);
    const scores = ok.map((v) => v.artefact_score ?? 0);
    return {
      model,
      videos: vs.length,
      errors: vs.length - ok.length,
      pc_ge4: share(ok.map((v) => v.pc! >= 4)),
      joint: withSa.length ? share(withSa.map((v) => v.human.sa! >= 4 && v.pc! >= 4)) : null,
      artefact_rate: share(ok.map((v) => v.artefact === true)),
      mean_artefact_score: scores.length
        ? Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 1e4) / 1e4
        : null,
      human_pc_ge4: withHuman.length ? share(withHuman.map((v) => v.human.pc! >= 4)) : null,
      human_joint: withBoth.length ? share(withBoth.map((v) => v.human.sa! >= 4 && v.human.pc! >= 4)) : null,
    };
  });
  return rows.sort((a, b) => (b.joint ?? b.pc_ge4 ?? 0) - (a.joint ?? a.pc_ge4 ?? 0) || a.model.localeCompare(b.model));
}

const LEADER_COLUMNS: readonly (keyof LeaderboardRow)[] = [
  'model',
  'videos',
  'errors',
  'pc_ge4',
  'joint',
  'artefact_rate',
  'mean_artefact_score',
  'human_pc_ge4',
  'human_joint',
];

/** leaderboard.csv (plain CSV, one row per model). */
export function leaderboardCsv(rows: readonly LeaderboardRow[]): string {
  const cell = (v: string | number | null) => (v === null ? '' : typeof v === 'number' ? String(v) : csvCell(v));
  return `${[LEADER_COLUMNS.join(','), ...rows.map((r) => LEADER_COLUMNS.map((k) => cell(r[k])).join(','))].join('\n')}\n`;
}

const pct = (x: number | null): string => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);

/** leaderboard.md: the same table for people. */
export function leaderboardMd(rows: readonly LeaderboardRow[]): string {
  const head =
    '| model | videos | errors | PC>=4 | SA>=4 & PC>=4 | reversal artefacts | mean artefact score | human PC>=4 | human joint |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|';
  const body = rows.map(
    (r) =>
      `| ${r.model.replace(/\|/g, '\\|')} | ${r.videos} | ${r.errors} | ${pct(r.pc_ge4)} | ${pct(r.joint)} | ${pct(r.artefact_rate)} | ${r.mean_artefact_score?.toFixed(3) ?? '–'} | ${pct(r.human_pc_ge4)} | ${pct(r.human_joint)} |`,
  );
  return `# Physics leaderboard\n\nPC is ours (1-5 from the motion checks, see \`audit physics --help\`); SA and the human columns come from the input.\n\n${head}\n${body.join('\n')}\n`;
}

/** Agreement with human judgments in the input (released VideoPhy-2 CSVs). */
export interface Agreement {
  rules: {
    /** Rules with a human answer. */
    n: number;
    /** Share we answered 0 or 1 (not 2). */
    coverage: number | null;
    /** Of the rules we answered 0 or 1: share equal to the human answer. */
    accuracy_judged: number | null;
    /** Over all rules, 3-way (as AutoEval reports it). */
    accuracy_all: number | null;
    /** confusion[human][ours], answers in order 0, 1, 2. */
    confusion: number[][];
  };
  pc: { n: number; pearson: number | null };
}

/** Pearson correlation (null for fewer than 3 pairs or no spread). */
export function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  const n = xs.length;
  if (n < 3) return null;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? Math.round((sxy / Math.sqrt(sxx * syy)) * 1e4) / 1e4 : null;
}

/** The agreement report, or null when the input carries no human rule answers or PC. */
export function agreement(videos: readonly VideoResult[]): Agreement | null {
  const pairs: [RuleScore, RuleScore][] = [];
  for (const v of videos) if (!v.error) for (const r of v.rules) if (r.human !== null) pairs.push([r.human, r.score]);
  const pcs = videos.filter((v) => !v.error && v.pc !== null && v.human.pc !== null);
  if (pairs.length === 0 && pcs.length === 0) return null;
  const confusion = [0, 1, 2].map(() => [0, 0, 0]);
  for (const [h, o] of pairs) confusion[h][o]++;
  const judged = pairs.filter(([, o]) => o !== 2);
  const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    rules: {
      n: pairs.length,
      coverage: pairs.length ? r4(judged.length / pairs.length) : null,
      accuracy_judged: judged.length ? r4(judged.filter(([h, o]) => h === o).length / judged.length) : null,
      accuracy_all: pairs.length ? r4(pairs.filter(([h, o]) => h === o).length / pairs.length) : null,
      confusion,
    },
    pc: {
      n: pcs.length,
      pearson: pearson(
        pcs.map((v) => v.pc!),
        pcs.map((v) => v.human.pc!),
      ),
    },
  };
}

/** agreement.md: the agreement report as a readable table. */
export function agreementMd(a: Agreement): string {
  const c = a.rules.confusion;
  const f = (x: number | null) => (x === null ? '–' : x.toFixed(3));
  return [
    '# Agreement with the human judgments of the input',
    '',
    `Rules with a human answer: ${a.rules.n}. Coverage (answered 0 or 1): ${pct(a.rules.coverage)}. Accuracy on the rules we judged: ${pct(a.rules.accuracy_judged)}; 3-way accuracy on all of them: ${pct(a.rules.accuracy_all)}.`,
    `PC: Pearson with human PC ${f(a.pc.pearson)} over ${a.pc.n} videos.`,
    '',
    '| human \\ ours | 0 violated | 1 followed | 2 cannot tell |',
    '|---|---:|---:|---:|',
    ...['0 violated', '1 followed', '2 cannot tell'].map(
      (label, h) => `| ${label} | ${c[h][0]} | ${c[h][1]} | ${c[h][2]} |`,
    ),
    '',
  ].join('\n');
}

/** Which files a run wrote, relative to its --out. */
export interface WrittenFiles {
  physics: string;
  errors: string;
  rule_csv: string | null;
  pc_csv: string | null;
  leaderboard_csv: string | null;
  leaderboard_md: string | null;
  agreement_json: string | null;
  agreement_md: string | null;
}

/**
 * Writes every output of a run into `out` (each file whole, atomically): physics.jsonl, errors.jsonl,
 * output_rule.csv (when there are rules), output_pc.csv, leaderboard.csv/.md (when videos have a
 * model_name), agreement.json/.md (when the input has human answers).
 */
export async function writeOutputs(
  out: string,
  format: InputFormat,
  data: { videos: VideoResult[]; ruleRows: RuleRow[]; pcRows: PcRow[]; errors: Record<string, unknown>[] },
): Promise<WrittenFiles> {
  const files: WrittenFiles = {
    physics: 'physics.jsonl',
    errors: 'errors.jsonl',
    rule_csv: null,
    pc_csv: null,
    leaderboard_csv: null,
    leaderboard_md: null,
    agreement_json: null,
    agreement_md: null,
  };
  await writeFileAtomic(join(out, files.physics), data.videos.map((v) => `${JSON.stringify(v)}\n`).join(''));
  await writeFileAtomic(join(out, files.errors), data.errors.map((e) => `${JSON.stringify(e)}\n`).join(''));
  if (data.ruleRows.length > 0 || format === 'autoeval_rule') {
    files.rule_csv = 'output_rule.csv';
    await writeFileAtomic(join(out, files.rule_csv), ruleCsv(data.ruleRows));
  }
  files.pc_csv = 'output_pc.csv';
  await writeFileAtomic(join(out, files.pc_csv), pcCsv(data.pcRows));
  const board = leaderboard(data.videos);
  if (board.length > 0) {
    files.leaderboard_csv = 'leaderboard.csv';
    files.leaderboard_md = 'leaderboard.md';
    await writeFileAtomic(join(out, files.leaderboard_csv), leaderboardCsv(board));
    await writeFileAtomic(join(out, files.leaderboard_md), leaderboardMd(board));
  }
  const agree = agreement(data.videos);
  if (agree) {
    files.agreement_json = 'agreement.json';
    files.agreement_md = 'agreement.md';
    await writeFileAtomic(join(out, files.agreement_json), `${JSON.stringify(agree, null, 2)}\n`);
    await writeFileAtomic(join(out, files.agreement_md), agreementMd(agree));
  }
  return files;
}
