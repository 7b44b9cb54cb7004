// `npm run bench:shards`: peak memory and speed of `audit scan` over WebDataset shards: N shards of M samples of tiny
// synthetic clips (0.5 s, 160x90), each sample a clip with its json and txt members, scanned by the CLI as a user runs
// it (bin/audit.js, the shipped model, the decisions with reverse-safe shards, the report). Prints the scan's peak RSS
// (the kernel's high-water mark of the node process, worker threads included), the peak of the node process plus
// every ffmpeg it started (RSS summed per 250 ms sample, from /proc), RSS over the run, wall time and clips/s.
// Usage: npm run bench:shards [-- --shards 100 --samples 1000 --workers N --model none --no-report --json --keep DIR]
import { spawn } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import tar from 'tar-stream';
import { benchClips } from './bench-clips.js';
import { peakRssBytes } from './lib/proc.js';

const { values } = parseArgs({
  options: {
    shards: { type: 'string', default: '100' },
    samples: { type: 'string', default: '1000' },
    workers: { type: 'string', default: String(availableParallelism()) },
    model: { type: 'string' },
    'no-report': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    keep: { type: 'string' },
  },
});
const nShards = Number(values.shards);
const perShard = Number(values.samples);
if (!(Number.isInteger(nShards) && nShards > 0 && Number.isInteger(perShard) && perShard > 0))
  throw new Error('--shards and --samples must be positive integers');
const log = (/** @type {string} */ line) => values.json || process.stderr.write(`${line}\n`);
const MB = 2 ** 20;

// The corpus: 8 distinct clips cycled over every sample; shards written with tar-stream (an independent tar writer).
// Captions of every kind, so that some samples are reverse-safe and reverse-safe-shards/ gets written.
const CAPTIONS = [
  'a ball is dropped onto the floor',
  'a pendulum swings',
  'someone opens a drawer',
  'the camera pans across a room',
];
const clips = benchClips(join(process.cwd(), '.bench', 'clips'), {
  width: 160,
  height: 90,
  fps: 24,
  seconds: 0.5,
  distinct: 8,
}).map((p) => readFileSync(p));
const work = values.keep ?? mkdtempSync(join(tmpdir(), 'audit-bench-shards-'));
mkdirSync(work, { recursive: true });
const pad = (/** @type {number} */ i) => String(i).padStart(5, '0');
const tSynth = performance.now();
let corpusBytes = 0;
for (let s = 0; s < nShards; s++) {
  const file = join(work, `shard-${pad(s)}.tar`);
  if (existsSync(file)) {
    corpusBytes += statSync(file).size;
    continue;
  }
  const pack = tar.pack();
  const done = pipeline(pack, createWriteStream(`${file}.part`));
  const add = (/** @type {string} */ name, /** @type {Buffer | string} */ data) =>
    /** @type {Promise<void>} */ (new Promise((r, j) => pack.entry({ name }, data, (e) => (e ? j(e) : r()))));
  for (let i = 0; i < perShard; i++) {
    const key = `${pad(s)}-${String(i).padStart(6, '0')}`;
    await add(`${key}.mp4`, clips[(s * perShard + i) % clips.length]);
    await add(`${key}.json`, JSON.stringify({ source: `bench-${s}`, index: i }));
    await add(`${key}.txt`, CAPTIONS[i % CAPTIONS.length]);
  }
  pack.finalize();
  await done;
  renameSync(`${file}.part`, file);
  corpusBytes += statSync(file).size;
}
log(
  `${nShards} shards x ${perShard} samples (${(corpusBytes / 1e6).toFixed(0)} MB) in ${work} (${((performance.now() - tSynth) / 1000).toFixed(0)} s)`,
);

/** @typedef {{ ppid: number, comm: string, rssPages: number }} ProcInfo */
// Every process's parent and RSS, from /proc (Linux); a tree walk from the scan's pid finds its ffmpeg children.
function procTable() {
  /** @type {Map<number, ProcInfo>} */
  const table = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      // Field 24 of stat (rss in pages) is the 22nd after the command's closing parenthesis.
      table.set(Number(name), {
        ppid: Number(fields[1]),
        comm: stat.slice(stat.indexOf('(') + 1, close),
        rssPages: Number(fields[21]),
      });
    } catch {
      // The process ended while the table was read.
    }
  }
  return table;
}
const PAGE = 4096;

const out = join(work, 'out');
rmSync(out, { recursive: true, force: true });
const input = join(work, `shard-{${pad(0)}..${pad(nShards - 1)}}.tar`);
const args = ['bin/audit.js', 'scan', input, '--out', out, '--workers', values.workers, '--caption-column', 'txt'];
if (values.model) args.push('--model', values.model);
if (values['no-report']) args.push('--no-report');
log(`audit ${args.slice(1).join(' ')}`);
const t0 = performance.now();
const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
let tail = '';
child.stderr.setEncoding('utf8');
child.stderr.on('data', (chunk) => {
  tail = (tail + chunk).slice(-4000);
  for (const line of chunk.split('\n')) if (line.trim()) log(`  ${line.trimEnd()}`);
});

/** @type {Array<{ t: number, node_rss: number, ffmpeg_rss: number, procs: number }>} */
const samples = [];
let peak = { node_hwm: 0, node_rss: 0, ffmpeg_rss: 0, total_rss: 0, ffmpeg_procs: 0, largest_ffmpeg_rss: 0 };
const sample = () => {
  const pid = child.pid;
  if (pid === undefined) return;
  const table = procTable();
  const me = table.get(pid);
  if (!me) return;
  /** @type {ProcInfo[]} */
  const kids = [];
  const walk = (/** @type {number} */ parent) => {
    for (const [p, info] of table)
      if (info.ppid === parent) {
        kids.push(info);
        walk(p);
      }
  };
  walk(pid);
  const nodeRss = me.rssPages * PAGE;
  const kidRss = kids.reduce((a, k) => a + k.rssPages * PAGE, 0);
  const h = peakRssBytes(pid);
  samples.push({ t: (performance.now() - t0) / 1000, node_rss: nodeRss, ffmpeg_rss: kidRss, procs: kids.length });
  peak = {
    node_hwm: Math.max(peak.node_hwm, h),
    node_rss: Math.max(peak.node_rss, nodeRss),
    ffmpeg_rss: Math.max(peak.ffmpeg_rss, kidRss),
    total_rss: Math.max(peak.total_rss, nodeRss + kidRss),
    ffmpeg_procs: Math.max(peak.ffmpeg_procs, kids.length),
    largest_ffmpeg_rss: Math.max(peak.largest_ffmpeg_rss, ...kids.map((k) => k.rssPages * PAGE)),
  };
};
const timer = setInterval(sample, 250);
const code = await new Promise((r) => child.on('exit', (c, sig) => r(c ?? sig)));
clearInterval(timer);
const wall = (performance.now() - t0) / 1000;
if (code !== 0 && code !== 3) throw new Error(`audit scan exited ${code}:\n${tail}`);

const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
const at = (/** @type {number} */ f) => {
  const s = samples[Math.min(samples.length - 1, Math.floor(f * samples.length))];
  return s ? +(s.node_rss / MB).toFixed(0) : 0;
};
const n = nShards * perShard;
const result = {
  shards: nShards,
  samples_per_shard: perShard,
  clips: summary.counts.clips,
  errors: summary.counts.errors,
  workers: Number(values.workers),
  model: values.model ?? 'shipped',
  report: !values['no-report'],
  corpus_mb: +(corpusBytes / 1e6).toFixed(0),
  wall_s: +wall.toFixed(1),
  clips_per_s: +(n / wall).toFixed(2),
  scan_clips_per_s: summary.timings.clips_per_s,
  // The kernel's peak RSS of the node process (main thread and workers); the last sample before exit.
  peak_rss_mb: +(peak.node_hwm / MB).toFixed(0),
  // Sampled every 250 ms: node alone, its ffmpeg children summed, and both together at one instant.
  peak_sampled_node_rss_mb: +(peak.node_rss / MB).toFixed(0),
  peak_ffmpeg_rss_mb: +(peak.ffmpeg_rss / MB).toFixed(0),
  peak_total_rss_mb: +(peak.total_rss / MB).toFixed(0),
  largest_ffmpeg_rss_mb: +(peak.largest_ffmpeg_rss / MB).toFixed(0),
  most_ffmpeg_at_once: peak.ffmpeg_procs,
  // Node RSS at 10 / 50 / 90 % of the wall time: flat when memory does not grow with the samples read.
  rss_mb_at_10_50_90_pct: [at(0.1), at(0.5), at(0.9)],
};
if (!values.keep) rmSync(work, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify(result, null, values.json ? 0 : 2)}\n`);
