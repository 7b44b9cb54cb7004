// `npm run bench:memory`: peak RSS of a scan over a long manifest of repeated short clips (memory must stay flat).
// Usage: npm run bench:memory [-- --rows 100000 --workers N --decode-batch 8 --json]
import { availableParallelism, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { scan } from '../dist/index.js';
import { benchClips, benchManifest } from './bench-clips.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    workers: { type: 'string', default: String(availableParallelism()) },
    'decode-batch': { type: 'string', default: '8' },
    json: { type: 'boolean', default: false },
  },
});
const rows = Number(values.rows);
const paths = benchClips(join(process.cwd(), '.bench', 'clips'), {
  width: 160,
  height: 90,
  fps: 24,
  seconds: 0.5,
  distinct: 8,
});
const work = mkdtempSync(join(tmpdir(), 'audit-bench-mem-'));
const manifest = benchManifest(join(work, 'manifest.csv'), paths, rows);

/** @type {{ t: number, rss: number, heap: number }[]} */
const samples = [];
let done = 0;
const sampler = setInterval(
  () => samples.push({ t: performance.now(), rss: process.memoryUsage.rss(), heap: process.memoryUsage().heapUsed }),
  1000,
);
// scan writes progress lines with write() and reads isTTY, nothing else of a stream.
const progressStream = /** @type {NodeJS.WritableStream} */ (
  /** @type {unknown} */ ({
    isTTY: false,
    write: (/** @type {string} */ line) => {
      const m = /^(?:\[[#.]+\] )?(\d+)/.exec(line);
      if (m) done = Number(m[1]);
      if (!values.json)
        process.stderr.write(`${line.trimEnd()} | rss ${(process.memoryUsage.rss() / 2 ** 20).toFixed(0)} MB\n`);
      return true;
    },
  })
);
const t0 = performance.now();
const summary = await scan(
  {
    input: manifest,
    out: join(work, 'out'),
    workers: Number(values.workers),
    decodeBatch: Number(values['decode-batch']),
    fps: 24,
    count: true,
  },
  { progressStream },
);
clearInterval(sampler);
const wall = (performance.now() - t0) / 1000;
const rss = samples.map((s) => s.rss / 2 ** 20);
/** @param {number} f */
const q = (f) => rss[Math.min(rss.length - 1, Math.floor(f * rss.length))] ?? 0;
const result = {
  rows,
  clips: summary.counts.clips,
  errors: summary.counts.errors,
  wall_s: wall,
  clips_per_s: rows / wall,
  peak_rss_mb: Math.max(0, ...rss),
  rss_mb_at_10pct: q(0.1),
  rss_mb_at_50pct: q(0.5),
  rss_mb_at_90pct: q(0.9),
  peak_heap_mb: Math.max(0, ...samples.map((s) => s.heap / 2 ** 20)),
};
rmSync(work, { recursive: true, force: true });
console.log(values.json ? JSON.stringify(result) : result);
void done;
