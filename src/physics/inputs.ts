// Reads what `audit physics` is given: a folder or video file, or a CSV in a VideoPhy-2 format, as video rows with rules.

import { existsSync, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ManifestError, UsageError, expected } from '../errors.js';
import { csvHeader } from '../io/formats/csv.js';
import {
  isRowProblem,
  openInput,
  VIDEO_EXTENSIONS,
  type CellValue,
  type InputRow,
  type InputSource,
} from '../io/inputs.js';
import { parsePythonLiteral, parseRuleList, PythonLiteralError, type PyValue } from './python-literal.js';
import type { RuleScore } from './types.js';

/** What the input looked like. */
export type InputFormat = 'folder' | 'file' | 'autoeval_rule' | 'autoeval_sa_pc' | 'videophy2' | 'manifest';

/** One rule of a video, with its law and the human answer when the input has them. */
export interface InputRule {
  text: string;
  law: string | null;
  /** 0 violated, 1 followed, 2 cannot be determined (released CSVs), else null. */
  human: RuleScore | null;
}

/** One input row: a video with what the input says about it. */
export interface PhysicsRow {
  /** 1-based line of the CSV (header = line 1), or the index in the folder. */
  row: number;
  /** The path (or URL) as written in the input; AutoEval outputs repeat it unchanged. */
  videopath: string;
  /** Absolute local path of the video. */
  path: string;
  caption: string | null;
  captionSource: 'input' | 'file name' | null;
  rules: InputRule[];
  /** Human scores when the input has them (released CSVs). */
  sa: number | null;
  pc: number | null;
  modelName: string | null;
  isHard: boolean | null;
  /** Every original column, as read. */
  columns: Record<string, CellValue>;
}

/** A row that could not be read (bad CSV record, empty path, unparseable rule list). */
export interface RowProblemOut {
  row: number;
  code: string;
  message: string;
  /** What the row says, when its record could be read: the AutoEval outputs repeat it with an empty score. */
  written?: { videopath: string; caption: string; rule: string };
}

export interface PhysicsInput {
  format: InputFormat;
  /** Absolute path of the input. */
  input: string;
  rows: PhysicsRow[];
  problems: RowProblemOut[];
}

/** Columns that may hold the video path, in order of preference. */
export const PATH_COLUMNS = Object.freeze([
  'videopath',
  'video_path',
  'video_url',
  'local_path',
  'path',
  'file',
  'video',
  'filename',
]);
const CAPTION_COLUMNS = ['caption', 'prompt', 'text'];
const MODEL_COLUMNS = ['model_name', 'model'];
const RULE_LISTS: readonly [string, RuleScore][] = [
  ['physics_rules_followed', 1],
  ['physics_rules_unfollowed', 0],
  ['physics_rules_cannot_be_determined', 2],
];

/** Format of a CSV from its columns. */
export function detectFormat(columns: readonly string[]): InputFormat {
  const has = (c: string) => columns.includes(c);
  if (RULE_LISTS.some(([c]) => has(c)) || (has('sa') && has('pc') && has('caption'))) return 'videophy2';
  if (has('videopath') && has('rule')) return 'autoeval_rule';
  if (has('videopath') && has('caption')) return 'autoeval_sa_pc';
  return 'manifest';
}

/**
 * A caption read from a file name when the input gives none: VideoPhy-2 names videos after their prompt
 * (`A_rock_tumbles_down_a_hillside_0.mp4`). Underscores become spaces and a trailing `_N` copy number is
 * dropped; names of fewer than five words (`site_wan21_water_balloon.mp4`) are not taken as captions.
 */
export function captionFromFileName(file: string): string | null {
  const stem = path.basename(file, path.extname(file)).replace(/_\d+$/, '');
  const words = stem.split(/[_\s]+/).filter(Boolean);
  if (words.length < 5 || words.filter((w) => /^[a-z]{2,}[.,;]?$/i.test(w)).length < 4) return null;
  return words.join(' ');
}

const norm = (s: string): string =>
  s
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[.\s]+$/, '')
    .trim();

/** Known physical laws (for telling a law from a rule in metadata_rules). */
const LAW_WORDS =
  /\b(?:gravity|gravitation|momentum|inertia|mass|energy|elasticity|friction|buoyancy|reflection|refraction|collision|conservation|thermodynamics|fluid|pressure|tension|torque|newton|impenetrability|solidity|deformation|permanence|continuity|entropy|surface|viscosity|bernoulli|permeability|optics|shadow)\b/i;

/**
 * The rule -> law map of a `metadata_rules` cell (keys normalised: lower case, no trailing period). Accepts a
 * dict rule -> law or law -> [rules], a list of {rule, law}-like dicts or [rule, law] pairs, or "law: rule" strings.
 */
export function parseLawMap(cell: CellValue | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof cell !== 'string' || cell.trim() === '' || /^(?:nan|none|null)$/i.test(cell.trim())) return out;
  let v: PyValue;
  try {
    v = parsePythonLiteral(cell.trim());
  } catch {
    // Not a literal: "law: rule" lines.
    for (const line of cell.split(/\n|;/)) {
      const m = /^\s*([^:]{2,40}):\s*(.+)$/.exec(line);
      if (m) out.set(norm(m[2]), m[1].trim());
    }
    return out;
  }
  const pair = (a: string, b: string) => {
    // The law is the short one that names a law; the rule is the sentence.
    const aLaw = LAW_WORDS.test(a) && a.split(/\s+/).length <= 5;
    const bLaw = LAW_WORDS.test(b) && b.split(/\s+/).length <= 5;
    if (aLaw && !bLaw) out.set(norm(b), a.trim());
    else if (bLaw && !aLaw) out.set(norm(a), b.trim());
    else if (a.length <= b.length) out.set(norm(b), a.trim());
    else out.set(norm(a), b.trim());
  };
  const visit = (x: PyValue): void => {
    if (Array.isArray(x)) {
      if (x.length === 2 && typeof x[0] === 'string' && typeof x[1] === 'string') pair(x[0], x[1]);
      else x.forEach(visit);
    } else if (x && typeof x === 'object') {
      const o = x as Record<string, PyValue>;
      const rule = ['rule', 'physical_rule', 'physics_rule', 'text']
        .map((k) => o[k])
        .find((y) => typeof y === 'string') as string | undefined;
      const law = ['law', 'physical_law', 'physics_law', 'category']
        .map((k) => o[k])
        .find((y) => typeof y === 'string') as string | undefined;
      if (rule && law) {
        out.set(norm(rule), law.trim());
        return;
      }
      for (const [k, val] of Object.entries(o)) {
        if (typeof val === 'string') pair(k, val);
        else if (Array.isArray(val)) for (const r of val) if (typeof r === 'string') out.set(norm(r), k.trim());
      }
    } else if (typeof x === 'string') {
      const m = /^\s*([^:]{2,40}):\s*(.+)$/.exec(x);
      if (m) pair(m[1], m[2]);
    }
  };
  visit(v);
  return out;
}

const numberCell = (v: CellValue | undefined): number | null => {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
};

const boolCell = (v: CellValue | undefined): boolean | null => {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v !== 'string' || v.trim() === '') return null;
  return /^(?:true|1|yes)$/i.test(v.trim()) ? true : /^(?:false|0|no)$/i.test(v.trim()) ? false : null;
};

const firstColumn = (columns: readonly string[], names: readonly string[]): string | null =>
  names.find((n) => columns.includes(n)) ?? null;

/**
 * Local file of a video URL in `videosDir` (default the CSV's folder): the longest end of the URL's path that exists
 * there (`wan/X.mp4` for `https://host/videos/wan/X.mp4` when the videos were downloaded into folders per model),
 * else its file name. A URL that does not parse is a ManifestError naming the row.
 */
function urlToLocal(url: string, videosDir: string, where: string, row: number): string {
  let parts: string[];
  try {
    parts = new URL(url).pathname
      .split('/')
      .filter((p) => p !== '')
      .map((p) => decodeURIComponent(p));
  } catch (err) {
    throw new ManifestError(
      'manifest-bad-url',
      `${expected('a video URL', where, url)} (${err instanceof Error ? err.message : String(err)})`,
      { row },
    );
  }
  if (
    parts.length === 0 ||
    url.split(/[?#]/)[0]?.endsWith('/') ||
    parts.some((p) => p === '..' || p.includes('/') || p.includes('\\'))
  )
    throw new ManifestError('manifest-bad-url', `${expected('a video URL that ends in a file name', where, url)}`, {
      row,
    });
  for (let k = 0; k < parts.length - 1; k++) {
    const candidate = path.join(videosDir, ...parts.slice(k));
    if (existsSync(candidate)) return candidate;
  }
  return path.join(videosDir, parts[parts.length - 1] as string);
}

/**
 * Rows whose different URLs came to the same local file (two models' videos of one prompt share a file name): the
 * first keeps it, the others become problems naming both rows, since one file cannot be both videos.
 */
function urlClashes(rows: PhysicsRow[], abs: string): { rows: PhysicsRow[]; problems: RowProblemOut[] } {
  const first = new Map<string, PhysicsRow>();
  const kept: PhysicsRow[] = [];
  const problems: RowProblemOut[] = [];
  for (const r of rows) {
    const owner = first.get(r.path);
    if (!owner) first.set(r.path, r);
    const urls = /^https?:\/\//i.test(r.videopath) && owner !== undefined && /^https?:\/\//i.test(owner.videopath);
    if (!owner || owner.videopath === r.videopath || !urls) {
      kept.push(r);
      continue;
    }
    const tail = (url: string) => new URL(url).pathname.split('/').slice(-2).map(decodeURIComponent).join('/');
    problems.push({
      row: r.row,
      written: { videopath: r.videopath, caption: r.caption ?? '', rule: r.rules[0]?.text ?? '' },
      code: 'manifest-url-clash',
      message: `${abs} line ${r.row}: the URL ${r.videopath} and line ${owner.row}'s ${owner.videopath} would both be read from ${r.path}; keep each video under the end of its URL's path in the --videos folder (${tail(owner.videopath)} and ${tail(r.videopath)}) so that each URL finds its own file`,
    });
  }
  return { rows: kept, problems };
}

/** Options of {@link readPhysicsInput}. */
export interface ReadInputOptions {
  /** Column with the video path (default: the first of {@link PATH_COLUMNS} the CSV has). */
  pathColumn?: string;
  /** Where http(s) video URLs are looked up: the longest end of the URL path there, else the file name (default: the CSV's folder). */
  videosDir?: string;
}

/**
 * Every row of `source` through `toRow`: the reader's row problems and the ManifestErrors `toRow` throws become
 * problems (row, code, message), so a bad row is reported and the rest are still read.
 */
async function collectRows(
  source: InputSource,
  toRow: (r: InputRow) => PhysicsRow,
  written?: (columns: Record<string, CellValue>) => RowProblemOut['written'],
): Promise<{ rows: PhysicsRow[]; problems: RowProblemOut[] }> {
  const rows: PhysicsRow[] = [];
  const problems: RowProblemOut[] = [];
  for await (const r of source.rows()) {
    if (isRowProblem(r)) {
      const w = r.columns && written?.(r.columns);
      problems.push({ row: r.row, code: r.error.code, message: r.error.message, ...(w ? { written: w } : {}) });
      continue;
    }
    try {
      rows.push(toRow(r));
    } catch (err) {
      if (!(err instanceof ManifestError)) throw err;
      const w = written?.(r.columns);
      problems.push({ row: r.row, code: err.code, message: err.message, ...(w ? { written: w } : {}) });
    }
  }
  return { rows, problems };
}

/**
 * Reads a folder of videos, one video file, or a CSV: the AutoEval rule input (`videopath,rule`), the SA/PC
 * input (`caption,videopath`), a released VideoPhy-2 CSV (`caption, video_url, sa, pc, physics_rules_*, ...,
 * model_name`; rule lists as stringified Python lists, `metadata_rules` mapping rules to laws), or any CSV
 * with a path column. Relative paths resolve against the CSV's folder. Bad rows become `problems`.
 * @throws ManifestError for a missing or unreadable input or a CSV without a path column; UsageError for
 *   other manifest kinds.
 */
export async function readPhysicsInput(input: string, options: ReadInputOptions = {}): Promise<PhysicsInput> {
  const abs = path.resolve(input);
  const st = await statInput(abs);
  const ext = path.extname(abs).toLowerCase();
  if (st.isDirectory() || (ext !== '.csv' && ext !== '.tsv')) return readVideoFiles(abs, st, ext);
  return readPhysicsCsv(abs, options);
}

async function statInput(abs: string): Promise<Stats> {
  return stat(abs).catch((cause: unknown) => {
    throw new ManifestError(
      'input-missing',
      expected('an existing folder, video file or CSV', 'input', abs),
      { path: abs },
      { cause },
    );
  });
}

/** A folder of videos or one video file: a row per video, captioned from its file name when the name reads as one. */
async function readVideoFiles(abs: string, st: Stats, ext: string): Promise<PhysicsInput> {
  if (!st.isDirectory() && !VIDEO_EXTENSIONS.has(ext)) {
    throw new UsageError(
      expected(
        `a folder, a video file (${[...VIDEO_EXTENSIONS].join(', ')}) or a CSV/TSV (VideoPhy-2 formats)`,
        'input',
        abs,
      ),
    );
  }
  const { rows, problems } = await collectRows(await openInput(abs), (r) => {
    const caption = captionFromFileName(r.path);
    return {
      row: r.row,
      videopath: path.relative(st.isDirectory() ? abs : path.dirname(abs), r.path) || path.basename(r.path),
      path: r.path,
      caption,
      captionSource: caption ? 'file name' : null,
      rules: [],
      sa: null,
      pc: null,
      modelName: null,
      isHard: null,
      columns: { path: r.path },
    };
  });
  return { format: st.isDirectory() ? 'folder' : 'file', input: abs, rows, problems };
}

/** What a CSV's header says about where to read each row: its format and the columns found for each field. */
interface CsvLayout {
  abs: string;
  format: InputFormat;
  pathColumn: string;
  captionColumn: string | null;
  modelColumn: string | null;
  videosDir: string;
}

/** A CSV in one of the VideoPhy-2 formats (or with a path column): a row per CSV record, bad records as problems. */
async function readPhysicsCsv(abs: string, options: ReadInputOptions): Promise<PhysicsInput> {
  const header = await csvHeader(abs);
  const format = detectFormat(header);
  const pathColumn = options.pathColumn ?? firstColumn(header, PATH_COLUMNS);
  if (!pathColumn || !header.includes(pathColumn)) {
    throw new ManifestError(
      'manifest-no-path-column',
      `${expected(`a video path column (${options.pathColumn ?? PATH_COLUMNS.join(', ')})`, `${abs} line 1`, header)} (name it with --path-column)`,
      { path: abs, row: 1 },
    );
  }
  const layout: CsvLayout = {
    abs,
    format,
    pathColumn,
    captionColumn: firstColumn(header, CAPTION_COLUMNS),
    modelColumn: firstColumn(header, MODEL_COLUMNS),
    videosDir: path.resolve(options.videosDir ?? path.dirname(abs)),
  };
  // The io reader does the CSV work (quoting, line numbers, bad records); paths are resolved here because of URLs.
  const source = await openInput(abs, { pathColumn, format: 'csv' });
  const read = await collectRows(
    source,
    (r) => csvRow(r, layout),
    (c) => {
      const cell = (column: string | null) => (column === null ? '' : String(c[column] ?? ''));
      return { videopath: cell(pathColumn), caption: cell(layout.captionColumn), rule: cell('rule') };
    },
  );
  const { rows, problems } = urlClashes(read.rows, abs);
  return { format, input: abs, rows, problems: [...read.problems, ...problems].sort((a, b) => a.row - b.row) };
}

/** The trimmed text of a column when the row has it non-empty, else null. */
function textCell(c: Record<string, CellValue>, column: string | null): string | null {
  return column && typeof c[column] === 'string' && (c[column] as string).trim() !== ''
    ? (c[column] as string).trim()
    : null;
}

/** One CSV record as a video row: its local path (URLs looked up in `videosDir`), rules, caption and human scores. */
function csvRow(r: InputRow, layout: CsvLayout): PhysicsRow {
  const c = r.columns;
  const written = String(c[layout.pathColumn]);
  const local = /^https?:\/\//i.test(written)
    ? urlToLocal(written, layout.videosDir, `column "${layout.pathColumn}" of ${layout.abs} line ${r.row}`, r.row)
    : r.path;
  const rules = csvRules(c, layout.format, `${layout.abs} line ${r.row}`, r.row);
  const given = textCell(c, layout.captionColumn);
  const fromName = given ? null : captionFromFileName(local);
  return {
    row: r.row,
    videopath: written,
    path: local,
    caption: given ?? fromName,
    captionSource: given ? 'input' : fromName ? 'file name' : null,
    rules,
    sa: numberCell(c.sa),
    pc: numberCell(c.pc),
    modelName: textCell(c, layout.modelColumn),
    isHard: boolCell(c.is_hard),
    columns: c,
  };
}

/**
 * The rules of a CSV record with their laws (from `metadata_rules`): the `rule` cell of an AutoEval rule input, else
 * the items of the released CSV's rule-list columns with the human answer each column stands for.
 */
function csvRules(c: Record<string, CellValue>, format: InputFormat, where: string, row: number): InputRule[] {
  const laws = parseLawMap(c.metadata_rules);
  const rules: InputRule[] = [];
  if (format === 'autoeval_rule') {
    const text = typeof c.rule === 'string' ? c.rule.trim() : '';
    if (text === '')
      throw new ManifestError(
        'manifest-empty-rule',
        expected('a non-empty rule', `column "rule" of ${where}`, c.rule ?? null),
        { row },
      );
    rules.push({ text, law: laws.get(norm(text)) ?? null, human: null });
    return rules;
  }
  for (const [column, human] of RULE_LISTS) {
    let items: string[];
    try {
      items = parseRuleList(c[column]);
    } catch (err) {
      if (!(err instanceof PythonLiteralError)) throw err;
      throw new ManifestError(
        'manifest-bad-rule-list',
        `Expected a Python list of rules for column "${column}" of ${where} but received a cell that does not parse: ${err.message}`,
        { row },
      );
    }
    for (const text of items) rules.push({ text, law: laws.get(norm(text)) ?? null, human });
  }
  return rules;
}
