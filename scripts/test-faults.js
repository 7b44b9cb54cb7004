// `npm run test:faults`: fault injection against `audit scan` as users run it (the built CLI, real processes).
//
//   a) kill -9 at random points of a scan, each followed by a resume (default 20 kills in 4 rounds of 5)
//   b) a worker thread that dies mid-clip (AUDIT_FAULT_CRASH_CLIP), then a resume with --retry-errors
//   c) a full disk while writing (a small tmpfs; needs root and mount, skipped with a message otherwise),
//      then more space and a resume
//   d) two scans started at once on one --out (default 3 races)
//
// Every case ends with a folder that is compared against a clean single-process scan of the same inputs:
// rows lost (in the clean scan, not in clips/errors), doubled (an id more than once) and corrupt (a complete
// line that is not JSON, a row whose series bytes are missing or differ, or whose cue summaries differ).
// All must be 0; the script exits 1 otherwise (or when a run ends with an unexpected exit code or message).
//
// Usage: npm run test:faults [-- --kills 20 --rounds 4 --races 3 --clips 8 --seed 1 --keep]

import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  openSync,
  readSync,
  closeSync,
  readdirSync,
  statSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '4' },
    races: { type: 'string', default: '3' },
    clips: { type: 'string', default: '8' },
    seed: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
  },
});
const KILLS = Number(values.kills);
const ROUNDS = Math.max(1, Math.min(Number(values.rounds), KILLS));
const RACES = Number(values.races);

const BIN = fileURLToPath(new URL('../bin/audit.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'audit-faults-'));

// Seeded random numbers (mulberry32), so a failing kill schedule can be replayed with --seed.
let rngState = Number(values.seed) >>> 0 || 1;
function random() {
  rngState = (rngState + 0x6d2b79f5) >>> 0;
  let t = rngState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** @typedef {Record<string, any>} JsonRow  one parsed line of a .jsonl file */
/** @typedef {{ code: number | null, signal: NodeJS.Signals | null, stderr: string, wall: number, pid: number | undefined }} AuditRun */

/**
 * Starts `audit ...args`; resolves with code, signal, stderr and the wall time.
 * @param {string[]} args
 * @param {{ env?: Record<string, string>, killAfterMs?: number, killAtRows?: { file: string, rows: number } }} [options]
 */
function audit(args, { env = {}, killAfterMs, killAtRows } = {}) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let timer = null;
  let poll = null;
  if (killAfterMs !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  if (killAtRows !== undefined) {
    // Kill as soon as clips.jsonl holds that many complete rows (looked at every 10 ms): mid-writing.
    poll = setInterval(() => {
      if (countLines(killAtRows.file) >= killAtRows.rows) child.kill('SIGKILL');
    }, 10);
  }
  /** @type {Promise<AuditRun>} */
  const done = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (poll) clearInterval(poll);
      resolve({ code, signal, stderr, wall: (performance.now() - t0) / 1000, pid: child.pid });
    });
  });
  return { child, done };
}

/** @param {string} file */
function countLines(file) {
  try {
    const b = readFileSync(file);
    let n = 0;
    for (const c of b) if (c === 10) n++;
    return n;
  } catch {
    return 0;
  }
}

/** @type {string[]} */
const problems = [];
/** @param {string} text */
function problem(text) {
  problems.push(text);
  console.log(`  PROBLEM: ${text}`);
}

// Fields that differ between runs by design (timings, where the series was stored, the input row number).
const VOLATILE = new Set(['decode_ms', 'analyse_ms', 'series_file', 'series_offset']);
// Model outputs: batched inference may differ in the last bits with the batch's size.
const MODEL = new Set([
  'p_invariant',
  'p_equivariant',
  'p_irreversible',
  'p_forward',
  'confidence',
  'embedding_forward',
  'embedding_reversed',
  'in_domain',
]);

/**
 * @param {unknown} a
 * @param {unknown} b
 * @returns {boolean}
 */
function close(a, b) {
  if (typeof a === 'number' && typeof b === 'number')
    return Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(a), Math.abs(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => close(x, b[i]));
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The rows of a JSONL file: parsed complete lines, the count of complete lines that are not JSON, a partial tail.
 * @param {string} file
 * @returns {{ rows: JsonRow[], bad: number, partial: boolean }}
 */
function readLog(file) {
  if (!existsSync(file)) return { rows: [], bad: 0, partial: false };
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const partial = lines.pop() !== '';
  const rows = [];
  let bad = 0;
  for (const l of lines) {
    if (!l.trim()) continue;
    try {
      rows.push(JSON.parse(l));
    } catch {
      bad++;
    }
  }
  return { rows, bad, partial };
}

/**
 * @param {string} dir
 * @param {JsonRow} row
 */
function seriesBytes(dir, row) {
  const n = row.series_pairs * row.series_columns * 4;
  const file = join(dir, row.series_file ?? '');
  if (!Number.isInteger(n) || !row.series_file || !existsSync(file) || statSync(file).size < row.series_offset + n)
    return null;
  const buf = Buffer.alloc(n);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, n, row.series_offset);
  } finally {
    closeSync(fd);
  }
  return buf;
}

/**
 * What a scan folder holds: clips by id (with series bytes), error rows by key, corrupt lines.
 * @param {string} dir
 */
function readFolder(dir) {
  const clips = readLog(join(dir, 'clips.jsonl'));
  const errors = readLog(join(dir, 'errors.jsonl'));
  return {
    dir,
    clips: clips.rows,
    errors: errors.rows,
    bad: clips.bad + errors.bad,
    partial: clips.partial || errors.partial,
  };
}

/**
 * Lost, doubled and corrupt rows of `dir` against the clean scan.
 * @param {{ clips: Map<string, { row: JsonRow, bytes: Buffer | null }>, errorKeys: Set<string>, keys: Set<string> }} clean
 * @param {string} dir
 */
function compare(clean, dir) {
  const got = readFolder(dir);
  /** @type {Map<string, number>} */
  const seen = new Map();
  for (const r of got.clips) seen.set(`id:${r.id}`, (seen.get(`id:${r.id}`) ?? 0) + 1);
  for (const r of got.errors) seen.set(r.key, (seen.get(r.key) ?? 0) + 1);
  let lost = 0;
  for (const k of clean.keys) if (!seen.has(k)) lost++;
  let doubled = 0;
  for (const n of seen.values()) if (n > 1) doubled += n - 1;
  let corrupt = got.bad;
  /** @type {string[]} */
  const details = [];
  for (const r of got.clips) {
    const ref = clean.clips.get(r.id);
    if (!ref) {
      corrupt++;
      details.push(`clip ${r.id} is not in the clean scan`);
      continue;
    }
    const bytes = seriesBytes(dir, r);
    // (a clean scan whose own series bytes cannot be read is reported here rather than thrown by Buffer.equals)
    if (!bytes || !ref.bytes || !bytes.equals(ref.bytes)) {
      corrupt++;
      details.push(
        `clip ${r.id}: series ${!bytes ? 'missing or cut' : !ref.bytes ? 'missing or cut in the clean scan' : 'differs'}`,
      );
      continue;
    }
    const bad = Object.keys({ ...ref.row, ...r }).filter(
      (k) =>
        !VOLATILE.has(k) &&
        !(MODEL.has(k) ? close(r[k], ref.row[k]) : JSON.stringify(r[k]) === JSON.stringify(ref.row[k])),
    );
    if (bad.length) {
      corrupt++;
      details.push(`clip ${r.id}: ${bad.join(', ')} differ`);
    }
  }
  // An error row where the clean scan has a clip (or the reverse) is a wrong row, counted as corrupt.
  for (const r of got.errors)
    if (!clean.errorKeys.has(r.key)) {
      corrupt++;
      details.push(`error row ${r.key} (${r.code}) where the clean scan has a clip`);
    }
  return { lost, doubled, corrupt, rows: got.clips.length + got.errors.length, details };
}

/** @typedef {ReturnType<typeof compare>} Comparison */
/** @type {({ name: string, skipped?: false, runs: number, note: string } & Comparison | { name: string, skipped: true })[]} */
const results = [];
/**
 * @param {string} name
 * @param {number} runs
 * @param {Comparison} r
 * @param {string} [note]
 */
function record(name, runs, r, note = '') {
  results.push({ name, runs, ...r, note });
  console.log(
    `  ${name}: ${r.rows} rows, lost ${r.lost}, doubled ${r.doubled}, corrupt ${r.corrupt}${note ? ` (${note})` : ''}`,
  );
  for (const d of r.details.slice(0, 5)) console.log(`    ${d}`);
  if (r.lost || r.doubled || r.corrupt) problem(`${name}: lost ${r.lost}, doubled ${r.doubled}, corrupt ${r.corrupt}`);
}

/**
 * @param {string} what
 * @param {AuditRun} r
 * @param {(number | null)[]} codes
 */
function expectCode(what, r, codes) {
  if (!codes.includes(r.code))
    problem(
      `${what}: exit ${r.code}${r.signal ? ` (${r.signal})` : ''}, expected ${codes.join(' or ')}:\n    ${r.stderr.trim().split('\n').slice(0, 12).join('\n    ')}`,
    );
}

/**
 * @param {string} what
 * @param {string} dir
 */
function noLockLeft(what, dir) {
  if (existsSync(join(dir, '.audit.lock'))) problem(`${what}: ${dir}/.audit.lock is left after the run ended`);
  const litter = readdirSync(dir).filter((f) => f.startsWith('.audit.lock.'));
  if (litter.length) problem(`${what}: lock litter left: ${litter.join(', ')}`);
}

// ---------------------------------------------------------------------------------------------------------
console.log(`fault injection in ${work} (seed ${values.seed})`);
const corpus = join(work, 'corpus');
console.log(`rendering a corpus: audit synth -n ${values.clips} (each with its reversed twin)...`);
const synth = await audit(['synth', '-n', values.clips, '--seed', '5', '--out', corpus, '-q']).done;
if (synth.code !== 0) throw new Error(`audit synth failed: ${synth.stderr}`);
const manifest = join(corpus, 'manifest.csv');
/**
 * @param {string} out
 * @param {string[]} [extra]
 */
const scanArgs = (out, extra = []) => ['scan', manifest, '--out', out, '--no-report', '-q', ...extra];

console.log('clean single-process scan...');
const cleanDir = join(work, 'clean');
const cleanRun = await audit(scanArgs(cleanDir)).done;
if (cleanRun.code !== 0 && cleanRun.code !== 3)
  throw new Error(`the clean scan failed (exit ${cleanRun.code}): ${cleanRun.stderr}`);
const CLEAN_CODE = cleanRun.code;
const cleanFolder = readFolder(cleanDir);
const clean = {
  clips: new Map(cleanFolder.clips.map((r) => [r.id, { row: r, bytes: seriesBytes(cleanDir, r) }])),
  errorKeys: new Set(cleanFolder.errors.map((r) => r.key)),
  keys: new Set([...cleanFolder.clips.map((r) => `id:${r.id}`), ...cleanFolder.errors.map((r) => r.key)]),
};
const T = cleanRun.wall;
console.log(
  `  ${clean.clips.size} clips, ${clean.errorKeys.size} error rows in ${T.toFixed(1)} s (exit ${CLEAN_CODE})`,
);

// a) kill -9 at random points, each followed by a resume ------------------------------------------------
console.log(
  `\n(a) ${KILLS} kill -9 at random points, each followed by a resume: half at a random time (uniform over 0..${(0.8 * T).toFixed(1)} s after the start), half once clips.jsonl reaches a random row count`,
);
let killsDone = 0;
let killedMidRun = 0;
for (let round = 0; round < ROUNDS; round++) {
  const out = join(work, `kill-${round}`);
  const kills = Math.floor(KILLS / ROUNDS) + (round < KILLS % ROUNDS ? 1 : 0);
  const points = [];
  for (let k = 0; k < kills; k++) {
    const have = existsSync(join(out, 'clips.jsonl')) ? countLines(join(out, 'clips.jsonl')) : 0;
    const left = clean.clips.size - have;
    // A row count short of the last row while two or more are left; else a time (a finished folder still
    // has its resume's closing writes to hit: parquet, decisions, summary).
    const byRows = left >= 2 && random() < 0.5;
    const target = have + 1 + Math.floor(random() * (left - 1));
    const at = Math.round(random() * (left > 0 ? 0.8 : 0.3) * T * 1000);
    const r = await audit(
      scanArgs(out),
      byRows ? { killAtRows: { file: join(out, 'clips.jsonl'), rows: target } } : { killAfterMs: at },
    ).done;
    killsDone++;
    const state = existsSync(out) ? readFolder(out) : { clips: [], errors: [], bad: 0, partial: false };
    if (r.signal === 'SIGKILL') killedMidRun++;
    else
      expectCode(
        `kill round ${round + 1}, run ${k + 1} (ended before its kill ${byRows ? `at row ${target}` : `at ${at} ms`})`,
        r,
        [CLEAN_CODE],
      );
    points.push(
      `${byRows ? `row ${target}` : `${(at / 1000).toFixed(1)}s`}:${r.signal === 'SIGKILL' ? '' : 'done,'}${state.clips.length + state.errors.length}${state.partial ? '+partial' : ''}`,
    );
    // Between kills the folder may hold a partial last line, never a doubled or broken complete row.
    const mid = compare(clean, out);
    if (mid.doubled || mid.corrupt)
      problem(
        `after kill ${killsDone}: doubled ${mid.doubled}, corrupt ${mid.corrupt}: ${mid.details.slice(0, 3).join('; ')}`,
      );
  }
  const resume = await audit(scanArgs(out)).done;
  expectCode(`kill round ${round + 1}: the final resume`, resume, [CLEAN_CODE]);
  noLockLeft(`kill round ${round + 1}`, out);
  record(
    `kill -9 round ${round + 1} (${kills} kills, then resume)`,
    kills + 1,
    compare(clean, out),
    `kill point:rows on disk after it ${points.join(', ')}`,
  );
}
console.log(`  ${killsDone} kills, ${killedMidRun} of them while the scan was running (the others hit a finished run)`);

// b) a worker that dies mid-clip --------------------------------------------------------------------------
console.log('\n(b) a worker thread that dies mid-clip (AUDIT_FAULT_CRASH_CLIP), then a resume with --retry-errors');
{
  const ids = [...clean.clips.keys()];
  const victim = ids[Math.floor(ids.length / 2)];
  const out = join(work, 'crash');
  const r = await audit(scanArgs(out), { env: { AUDIT_FAULT_CRASH_CLIP: victim } }).done;
  expectCode('worker crash run', r, [3]);
  const after = readFolder(out);
  const row = after.errors.find((e) => e.id === victim);
  if (row?.code !== 'worker_failed')
    problem(`worker crash: expected a worker_failed error row for ${victim}, got ${JSON.stringify(row ?? null)}`);
  const others = compare(clean, out);
  if (others.lost || others.doubled) problem(`worker crash run: lost ${others.lost}, doubled ${others.doubled}`);
  console.log(
    `  crash run: exit ${r.code}, ${after.clips.length} clips, error row for ${victim}: ${row ? `${row.code} (${row.message})` : 'none'}`,
  );
  const again = await audit(scanArgs(out, ['--retry-errors'])).done;
  expectCode('worker crash: the resume with --retry-errors', again, [CLEAN_CODE]);
  noLockLeft('worker crash', out);
  record(
    'worker dies mid-clip, then --retry-errors',
    2,
    compare(clean, out),
    `the crash run itself: lost ${others.lost}, doubled ${others.doubled}, 1 worker_failed row as expected`,
  );
}

// c) a full disk while writing ---------------------------------------------------------------------------
console.log('\n(c) a full disk while writing (tmpfs)');
{
  const mnt = join(work, 'disk');
  mkdirSync(mnt);
  // The clean folder's written bytes; the disk gets about half, so it fills in the middle of the clips.
  const used =
    ['clips.jsonl', 'errors.jsonl', 'cues.json', 'run.json']
      .map((f) => (existsSync(join(cleanDir, f)) ? statSync(join(cleanDir, f)).size : 0))
      .reduce((a, b) => a + b, 0) +
    readdirSync(join(cleanDir, 'series')).reduce((a, f) => a + statSync(join(cleanDir, 'series', f)).size, 0);
  const size = Math.ceil((used * 0.5) / 4096) * 4096;
  const isRoot = process.getuid?.() === 0;
  const mounted =
    isRoot && spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mnt], { encoding: 'utf8' });
  if (!isRoot || !mounted || mounted.status !== 0) {
    console.log(
      `  skipped: ${isRoot ? `mount -t tmpfs failed (${(mounted ? mounted.stderr?.trim() : '') || 'no mount'})` : 'needs root to mount a small tmpfs'}`,
    );
    results.push({ name: 'full disk', skipped: true });
  } else {
    try {
      const out = join(mnt, 'out');
      const r = await audit(scanArgs(out)).done;
      expectCode(`scan onto a ${size}-byte disk`, r, [1]);
      const msg = r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('audit:') || l.startsWith('Run the same'));
      console.log(`  disk of ${size} bytes (clean folder: ${used}): exit ${r.code}\n    ${msg.join('\n    ')}`);
      if (!/no space left on device \(ENOSPC\)/.test(r.stderr) || !/Cannot \w[^:]* \/\S+: no space/.test(r.stderr))
        problem(`full disk: the message does not name the file and ENOSPC: ${r.stderr.trim()}`);
      if (!r.stderr.includes('Run the same command again to resume; finished clips are kept.'))
        problem('full disk: the message does not say that a rerun resumes');
      const mid = compare(clean, out);
      console.log(
        `  on the full disk: ${mid.rows} rows kept, doubled ${mid.doubled}, corrupt ${mid.corrupt}${readFolder(out).partial ? ' (a partial last line, cut on resume)' : ''}`,
      );
      if (mid.doubled || mid.corrupt)
        problem(
          `full disk, before the resume: doubled ${mid.doubled}, corrupt ${mid.corrupt}: ${mid.details.slice(0, 3).join('; ')}`,
        );
      const grow = spawnSync('mount', ['-o', 'remount,size=256m', mnt], { encoding: 'utf8' });
      if (grow.status !== 0) throw new Error(`remount failed: ${grow.stderr}`);
      const again = await audit(scanArgs(out)).done;
      expectCode('full disk: the resume after freeing space', again, [CLEAN_CODE]);
      noLockLeft('full disk', out);
      record(
        'full disk while writing, then space and resume',
        2,
        compare(clean, out),
        `${mid.rows} rows were on disk when it filled`,
      );
    } finally {
      spawnSync('umount', [mnt]);
    }
  }
}

// d) two scans racing for one folder ---------------------------------------------------------------------
console.log(`\n(d) two scans started at once on one --out (${RACES} races)`);
for (let i = 0; i < RACES; i++) {
  const out = join(work, `race-${i}`);
  const a = audit(scanArgs(out));
  const b = audit(scanArgs(out));
  const [ra, rb] = await Promise.all([a.done, b.done]);
  const loser = ra.code === 1 ? ra : rb.code === 1 ? rb : null;
  const winner = loser === ra ? rb : ra;
  let note;
  if (loser && winner.code === CLEAN_CODE) {
    if (!loser.stderr.includes(`is in use by another audit run (pid ${winner.pid} `))
      problem(`race ${i + 1}: the refused scan does not name the other's pid ${winner.pid}: ${loser.stderr.trim()}`);
    note = `exits ${ra.code} and ${rb.code}; refused: "${loser.stderr
      .trim()
      .split('\n')[0]
      .replace(/^audit: /, '')
      .slice(0, 160)}..."`;
  } else if (ra.code === CLEAN_CODE && rb.code === CLEAN_CODE) {
    note = 'both finished: they did not overlap';
  } else {
    problem(`race ${i + 1}: exits ${ra.code} and ${rb.code}: ${ra.stderr.trim()} | ${rb.stderr.trim()}`);
    note = `exits ${ra.code} and ${rb.code}`;
  }
  noLockLeft(`race ${i + 1}`, out);
  record(`race ${i + 1}: two scans at once`, 2, compare(clean, out), note);
}

// ---------------------------------------------------------------------------------------------------------
console.log('\ncase                                              runs  rows  lost  doubled  corrupt');
for (const r of results) {
  if (r.skipped) console.log(`${r.name.padEnd(50)}  skipped`);
  else
    console.log(
      `${r.name.padEnd(50)}  ${String(r.runs).padStart(4)}  ${String(r.rows).padStart(4)}  ${String(r.lost).padStart(4)}  ${String(r.doubled).padStart(7)}  ${String(r.corrupt).padStart(7)}`,
    );
}
if (!values.keep) rmSync(work, { recursive: true, force: true });
else console.log(`kept: ${work}`);
if (problems.length) {
  console.log(`\nFAILED: ${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
  process.exitCode = 1;
} else {
  console.log('\nall cases: 0 rows lost, 0 doubled, 0 corrupt');
}
