// `npm run bench:after-scan`: peak memory of what `audit scan` does after its clips, on a corpus of millions of rows,
// without decoding millions of clips. The six sample clips are scanned for real; their rows are then repeated under
// new ids into a finished scan of --rows rows (one manifest row each), and the same scan command is run again: every
// row resumes, and the resume pass, clips.parquet, the decisions and the report run over all of them. Memory while
// clips are decoded is flat and measured by bench:memory and bench:shards; this measures the stages that see every row.
//
// Usage: npm run bench:after-scan [-- --rows 2000000 --heap-mb 256 --json]
// --heap-mb runs the scan with NODE_OPTIONS=--max-old-space-size=N (V8 otherwise grows its heap lazily up to a
// limit it derives from the machine's memory). Needs about 3.3 KB of disk per row (6.6 GB for 2,000,000).
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, readdirSync, copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { peakRssBytes } from './lib/proc.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'audit.js');

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '2000000' },
    'heap-mb': { type: 'string' },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const rows = Number(values.rows);
if (!Number.isInteger(rows) || rows < 1) {
  process.stderr.write(`bench-after-scan: --rows must be a whole number >= 1, got ${values.rows}\n`);
  process.exit(2);
}
const log = values.json ? () => {} : (/** @type {string} */ line) => process.stdout.write(`${line}\n`);

/** Scans the samples for real into `seed` and returns their clip rows, in input order. */
function scanSamples(/** @type {string} */ seed) {
  const r = spawnSync(process.execPath, [BIN, 'scan', join(ROOT, 'samples', 'manifest.csv'), '--out', seed, '-q'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`the scan of the samples failed (exit ${r.status}): ${r.stderr}`);
  const lines = readFileSync(join(seed, 'clips.jsonl'), 'utf8').trim().split('\n');
  return lines.map((l) => JSON.parse(l)).sort((a, b) => a.row - b.row);
}

/** Writes a finished scan folder `out` of `n` rows repeating `seedRows`, and the manifest that names them. */
async function fabricate(
  /** @type {string} */ seed,
  /** @type {string} */ out,
  /** @type {any[]} */ seedRows,
  /** @type {number} */ n,
) {
  mkdirSync(join(out, 'series'), { recursive: true });
  for (const f of readdirSync(join(seed, 'series'))) copyFileSync(join(seed, 'series', f), join(out, 'series', f));
  copyFileSync(join(seed, 'run.json'), join(out, 'run.json'));
  const manifest = createWriteStream(join(out, '..', 'manifest.csv'));
  const clips = createWriteStream(join(out, 'clips.jsonl'));
  manifest.write('id,path\n');
  for (let i = 0; i < n; i++) {
    const base = seedRows[i % seedRows.length];
    const id = `clip-${String(i).padStart(8, '0')}`;
    const row = { ...base, id, row: i + 2, input: { ...base.input, id } };
    const waits = [];
    if (!clips.write(`${JSON.stringify(row)}\n`)) waits.push(once(clips, 'drain'));
    if (!manifest.write(`${id},${base.path}\n`)) waits.push(once(manifest, 'drain'));
    if (waits.length > 0) await Promise.all(waits);
  }
  clips.end();
  manifest.end();
  await Promise.all([once(clips, 'finish'), once(manifest, 'finish')]);
  createWriteStream(join(out, 'errors.jsonl')).end();
}

/** Runs the scan again on the finished folder, sampling the process's peak RSS (VmHWM) until it exits. */
async function rescan(/** @type {string} */ work, /** @type {string | undefined} */ heapMb) {
  const env = { ...process.env };
  if (heapMb) env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --max-old-space-size=${heapMb}`.trim();
  const started = process.hrtime.bigint();
  const args = [BIN, 'scan', join(work, 'manifest.csv'), '--out', join(work, 'out'), '-q'];
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  let peak = 0;
  const timer = setInterval(() => {
    if (child.pid !== undefined) peak = Math.max(peak, peakRssBytes(child.pid));
  }, 200);
  const [code] = await once(child, 'exit');
  clearInterval(timer);
  if (code !== 0) throw new Error(`the resumed scan failed (exit ${code}): ${stderr.slice(-2000)}`);
  return { peakMb: Math.round(peak / 2 ** 20), wallS: Number(process.hrtime.bigint() - started) / 1e9 };
}

const work = mkdtempSync(join(tmpdir(), 'audit-bench-after-'));
try {
  log(`scanning the ${'samples'} for real...`);
  const seedRows = scanSamples(join(work, 'seed'));
  log(`writing a finished scan of ${rows} rows into ${work}...`);
  await fabricate(join(work, 'seed'), join(work, 'out'), seedRows, rows);
  log(`resuming it (every row is done; parquet, decisions and report run over all of them)...`);
  const r = await rescan(work, values['heap-mb']);
  const summary = JSON.parse(readFileSync(join(work, 'out', 'summary.json'), 'utf8'));
  const result = {
    rows,
    heap_mb: values['heap-mb'] ? Number(values['heap-mb']) : null,
    peak_rss_mb: r.peakMb,
    wall_s: r.wallS,
    clips: summary.counts.clips,
  };
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else
    log(
      `rows ${rows}, clips in summary ${result.clips}, peak RSS ${r.peakMb} MB, wall ${r.wallS.toFixed(1)} s${result.heap_mb ? `, --max-old-space-size=${result.heap_mb}` : ''}`,
    );
} finally {
  if (!values.keep) rmSync(work, { recursive: true, force: true });
}
