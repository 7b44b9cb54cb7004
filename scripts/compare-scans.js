// Compares the output folder of a single-process scan with another scan folder of the same input (a merged
// sharded run): every input row must be in exactly one of clips.jsonl and errors.jsonl of both, once; each clip's
// numbers and series bytes and each error's stage and code must be equal. Used by scripts/test-cluster.sh.
//
// Usage: node scripts/compare-scans.js SINGLE_DIR OTHER_DIR [--json]
// Exit 0 when the folders hold the same rows, 1 when they differ (what differs is printed), 2 on a usage error.
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';

// Per-clip columns compared. Probe facts and cue summaries are deterministic (the same decode and analysis per clip,
// whatever the shard); the model's columns are compared within TOLERANCE because a model batch holds other clips
// in a shard than in a single run, and batched float arithmetic may differ in the last bits.
const EXACT = [
  'path',
  'row',
  'duration_s',
  'fps',
  'width',
  'height',
  'analysis_frames',
  'series_pairs',
  'series_columns',
  'window_start_s',
  'window_end_s',
  'mean_energy_total',
  'mean_energy_residual',
  'peak_energy_residual',
  'camera_share',
  'onset_decay_asymmetry',
  'periodicity',
  'fb_asymmetry',
  'verdict',
  'doubt',
  'reversed_in_corpus',
];
const CLOSE = ['p_forward', 'p_invariant', 'p_equivariant', 'p_irreversible', 'confidence', 'in_domain'];
const TOLERANCE = 1e-5;

/** @typedef {Record<string, any>} JsonRow  one parsed line of a .jsonl file */
/** @typedef {{ kind: 'clip' | 'error', row: JsonRow }} Entry */

/**
 * @param {string} message
 * @returns {never}
 */
function usage(message) {
  process.stderr.write(`${message}\nUsage: node scripts/compare-scans.js SINGLE_DIR OTHER_DIR [--json]\n`);
  process.exit(2);
}

/**
 * @param {string} file
 * @returns {JsonRow[]}
 */
function readJsonl(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l);
      } catch {
        throw new Error(`${file} line ${i + 1} is not JSON`);
      }
    });
}

/**
 * Rows keyed as the scan keys them: a clip by `id:<id>`, an error by its `key` (`id:<id>` or `row:<n>`).
 * @param {string} dir
 */
function rowsOf(dir) {
  /** @type {Map<string, Entry[]>} */
  const rows = new Map(); // key -> list of { kind, row }
  /**
   * @param {string} key
   * @param {Entry['kind']} kind
   * @param {JsonRow} row
   */
  const add = (key, kind, row) => rows.set(key, [...(rows.get(key) ?? []), { kind, row }]);
  for (const r of readJsonl(join(dir, 'clips.jsonl'))) add(`id:${r.id}`, 'clip', r);
  for (const r of readJsonl(join(dir, 'errors.jsonl'))) add(r.key, 'error', r);
  return rows;
}

/**
 * @param {string} dir
 * @param {JsonRow} row
 */
function seriesBytes(dir, row) {
  const n = row.series_pairs * row.series_columns * 4;
  const buf = Buffer.alloc(n);
  const fd = openSync(join(dir, row.series_file), 'r');
  try {
    const got = readSync(fd, buf, 0, n, row.series_offset);
    if (got !== n)
      throw new Error(`${join(dir, row.series_file)}: ${got} of ${n} series bytes at ${row.series_offset}`);
  } finally {
    closeSync(fd);
  }
  return buf;
}

/**
 * @param {unknown} a
 * @param {unknown} b
 */
function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A field's difference as the report lists it.
 * @param {string} key
 * @param {string} f
 * @param {unknown} u
 * @param {unknown} v
 */
function fieldDiff(key, f, u, v) {
  return `${key}: ${f} ${JSON.stringify(u)} vs ${JSON.stringify(v)}`;
}

/**
 * The differences of one clip row present once in both folders: EXACT columns equal, CLOSE ones within TOLERANCE,
 * then the series bytes. Returns whether the series bytes were equal.
 * @param {string} key
 * @param {Entry} x
 * @param {Entry} y
 * @param {string} singleDir
 * @param {string} otherDir
 * @param {string[]} differ  appended to
 */
function compareClip(key, x, y, singleDir, otherDir, differ) {
  for (const f of EXACT) if (!same(x.row[f], y.row[f])) differ.push(fieldDiff(key, f, x.row[f], y.row[f]));
  for (const f of CLOSE) {
    const u = x.row[f];
    const v = y.row[f];
    const ok = typeof u === 'number' && typeof v === 'number' ? Math.abs(u - v) <= TOLERANCE : same(u, v);
    if (!ok) differ.push(fieldDiff(key, f, u, v));
  }
  if (!seriesBytes(singleDir, x.row).equals(seriesBytes(otherDir, y.row))) {
    differ.push(`${key}: the cue series differ`);
    return false;
  }
  return true;
}

/**
 * Each row of the single scan against its one counterpart in the other (rows lost or doubled there are skipped):
 * the same kind, an error's id, stage and code, a clip's columns and series (compareClip).
 * @param {Map<string, Entry[]>} a
 * @param {Map<string, Entry[]>} b
 * @param {string} singleDir
 * @param {string} otherDir
 * @param {string[]} differ  appended to
 */
function compareRows(a, b, singleDir, otherDir, differ) {
  let clips = 0;
  let errors = 0;
  let seriesChecked = 0;
  for (const [key, [x]] of a) {
    const ys = b.get(key);
    if (ys?.length !== 1) continue;
    const [y] = ys;
    if (x.kind !== y.kind) {
      differ.push(`${key}: ${x.kind} in ${singleDir} but ${y.kind} in ${otherDir}`);
      continue;
    }
    if (x.kind === 'error') {
      errors++;
      for (const f of ['id', 'stage', 'code'])
        if (!same(x.row[f], y.row[f])) differ.push(fieldDiff(key, f, x.row[f], y.row[f]));
      continue;
    }
    clips++;
    if (compareClip(key, x, y, singleDir, otherDir, differ)) seriesChecked++;
  }
  return { clips, errors, seriesChecked };
}

/**
 * Decisions (decisions.jsonl, when both folders have one): the same decision per input row. Returns how many
 * agree, or null without both files.
 * @param {string} singleDir
 * @param {string} otherDir
 * @param {string[]} differ  appended to
 */
function compareDecisions(singleDir, otherDir, differ) {
  if (!existsSync(join(singleDir, 'decisions.jsonl')) || !existsSync(join(otherDir, 'decisions.jsonl'))) return null;
  const da = new Map(readJsonl(join(singleDir, 'decisions.jsonl')).map((r) => [`row ${r.row} (${r.id})`, r.decision]));
  const db = new Map(readJsonl(join(otherDir, 'decisions.jsonl')).map((r) => [`row ${r.row} (${r.id})`, r.decision]));
  let decisions = 0;
  for (const [id, d] of da) {
    if (db.get(id) !== d) differ.push(`decision of ${id}: ${d} vs ${db.get(id) ?? 'none'}`);
    else decisions++;
  }
  for (const id of db.keys()) if (!da.has(id)) differ.push(`decision of ${id}: none vs ${db.get(id)}`);
  return decisions;
}

/**
 * Rows, clips and errors of a folder, every entry counted (a doubled key twice).
 * @param {Map<string, Entry[]>} m
 */
function countsOf(m) {
  /** @param {Entry['kind']} kind */
  const countKind = (kind) => [...m.values()].flat().filter((e) => e.kind === kind).length;
  return {
    rows: [...m.values()].reduce((s, v) => s + v.length, 0),
    clips: countKind('clip'),
    errors: countKind('error'),
  };
}

/**
 * @param {string} singleDir
 * @param {string} otherDir
 */
export function compareScans(singleDir, otherDir) {
  const a = rowsOf(singleDir);
  const b = rowsOf(otherDir);
  const lost = [...a.keys()].filter((k) => !b.has(k));
  const extra = [...b.keys()].filter((k) => !a.has(k));
  const doubled = [...b.entries()].filter(([, v]) => v.length > 1).map(([k]) => k);
  const doubledSingle = [...a.entries()].filter(([, v]) => v.length > 1).map(([k]) => k);
  /** @type {string[]} */
  const differ = [];
  const { clips, errors, seriesChecked } = compareRows(a, b, singleDir, otherDir, differ);
  const decisions = compareDecisions(singleDir, otherDir, differ);
  const single = countsOf(a);
  return {
    single,
    other: countsOf(b),
    lost,
    extra,
    doubled,
    doubled_in_single: doubledSingle,
    equal_clips: clips,
    equal_errors: errors,
    series_checked: seriesChecked,
    equal_decisions: decisions,
    differ,
    ok:
      lost.length === 0 &&
      extra.length === 0 &&
      doubled.length === 0 &&
      doubledSingle.length === 0 &&
      differ.length === 0 &&
      single.rows > 0,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const dirs = args.filter((x) => x !== '--json');
  if (dirs.length !== 2) usage(`Expected two scan folders but received ${dirs.length}`);
  for (const d of dirs)
    if (!existsSync(join(d, 'clips.jsonl'))) usage(`Expected a scan folder with clips.jsonl but ${d} has none`);
  const r = compareScans(dirs[0], dirs[1]);
  if (json) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
  } else {
    /** @param {string[]} xs */
    const list = (xs) => (xs.length ? ` (${xs.slice(0, 5).join(', ')}${xs.length > 5 ? ', ...' : ''})` : '');
    process.stdout.write(
      `rows: ${r.single.rows} in ${dirs[0]} (${r.single.clips} clips + ${r.single.errors} errors), ` +
        `${r.other.rows} in ${dirs[1]} (${r.other.clips} clips + ${r.other.errors} errors)\n` +
        `lost ${r.lost.length}${list(r.lost)}, extra ${r.extra.length}${list(r.extra)}, doubled ${r.doubled.length}${list(r.doubled)}\n` +
        `equal: ${r.equal_clips} clips (series bytes: ${r.series_checked}), ${r.equal_errors} errors` +
        `${r.equal_decisions === null ? '' : `, ${r.equal_decisions} decisions`}; ${r.differ.length} differences\n` +
        r.differ
          .slice(0, 20)
          .map((d) => `  differs: ${d}\n`)
          .join(''),
    );
  }
  process.exit(r.ok ? 0 : 1);
}
