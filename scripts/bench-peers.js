// `npm run bench:peers`: `audit scan` against the OpenCV-Python script a user would write instead
// (scripts/peer_opencv_dis.py: VideoCapture, gray, short side 96, 24 fps, DIS ultrafast per pair, a pool of
// processes), on the same clips, in the same run; then DisFlow against OpenCV's DIS on the same 160x90 pairs.
// Runs alternate (the order rotates every repeat) so background load falls on all of them alike; medians.
// Usage: npm run bench:peers [-- --clips 48 --seconds 5 --repeats 3 --workers N --no-farneback --model PATH
//   --pair-rounds 7 --json]
// The peer runs with the first of $PEER_PYTHON, /usr/bin/python3, python3 that imports cv2 (Debian:
// apt-get install python3-opencv); without one the peers are skipped, saying so.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DisFlow, locateFfmpeg } from '../dist/index.js';
import { benchClips, benchManifest } from './bench-clips.js';

const { values } = parseArgs({
  options: {
    clips: { type: 'string', default: '48' },
    seconds: { type: 'string', default: '5' },
    repeats: { type: 'string', default: '3' },
    workers: { type: 'string', default: String(availableParallelism()) },
    'no-farneback': { type: 'boolean', default: false },
    'pair-rounds': { type: 'string', default: '7' },
    model: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const clips = Number(values.clips);
const repeats = Math.max(1, Number(values.repeats));
const workers = Number(values.workers);
/** @type {(...a: unknown[]) => void} */
const log = values.json ? () => {} : (...a) => console.log(...a);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * The first interpreter that imports cv2, or null with the reason.
 * @returns {{ python: string, opencv: string, reason?: undefined } | { python: null, opencv?: undefined, reason: string }}
 */
function findPeerPython() {
  /** @type {string[]} */
  const tried = [];
  for (const py of [process.env.PEER_PYTHON, '/usr/bin/python3', 'python3']) {
    if (!py || tried.includes(py)) continue;
    tried.push(py);
    const r = spawnSync(py, ['-c', 'import cv2; print(cv2.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { python: py, opencv: r.stdout.trim() };
  }
  return {
    python: null,
    reason: `no Python with OpenCV (tried ${tried.join(', ')}); install python3-opencv or set PEER_PYTHON`,
  };
}

/**
 * Runs a command, returns wall seconds; throws with its stderr when it fails.
 * @param {string} cmd
 * @param {string[]} args
 */
function timed(cmd, args) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.slice(0, 3).join(' ')} ... exited ${r.status ?? r.signal}: ${r.stderr.slice(-2000)}`,
    );
  return { seconds: s, stdout: r.stdout };
}

const paths = benchClips(join(root, '.bench', 'clips'), { seconds: Number(values.seconds), distinct: clips });
const work = mkdtempSync(join(tmpdir(), 'audit-peers-'));
const manifest = benchManifest(join(work, 'manifest.csv'), paths, clips);
const peer = findPeerPython();
log(
  `${clips} clips of ${values.seconds} s at 640x360 30 fps (H.264), ${workers} workers/processes, ${repeats} repeats, analysis 96 px short side at 24 fps`,
);
log(peer.python ? `peer: ${peer.python} with OpenCV ${peer.opencv}` : `peers skipped: ${peer.reason}`);

const script = join(root, 'scripts', 'peer_opencv_dis.py');
/** @type {Record<string, () => number>} */
const runners = {
  audit: () => {
    const out = join(work, `scan-${Math.random().toString(36).slice(2)}`);
    const args = [
      join(root, 'bin', 'audit.js'),
      'scan',
      manifest,
      '--out',
      out,
      '--no-report',
      '-q',
      '--workers',
      String(workers),
    ];
    if (values.model) args.push('--model', values.model);
    const r = timed(process.execPath, args);
    rmSync(out, { recursive: true, force: true });
    return r.seconds;
  },
};
if (peer.python) {
  const python = peer.python;
  /** @param {string} flow */
  const peerArgs = (flow) => [script, 'scan', '--flow', flow, '--workers', String(workers), ...paths.slice(0, clips)];
  runners.opencv_dis = () => timed(python, peerArgs('dis')).seconds;
  if (!values['no-farneback']) runners.opencv_farneback = () => timed(python, peerArgs('farneback')).seconds;
}
const names = Object.keys(runners);
const seconds = Object.fromEntries(names.map((n) => [n, /** @type {number[]} */ ([])]));
for (let r = 0; r < repeats; r++) {
  for (let k = 0; k < names.length; k++) {
    const name = names[(k + r) % names.length];
    const s = runners[name]();
    seconds[name].push(s);
    log(`  repeat ${r + 1}: ${name.padEnd(16)} ${s.toFixed(2)} s (${(clips / s).toFixed(2)} clips/s)`);
  }
}
/** @type {Record<string, { seconds: number[], median_s: number, clips_per_s: number }>} */
const runs = {};
for (const n of names)
  runs[n] = { seconds: seconds[n], median_s: median(seconds[n]), clips_per_s: clips / median(seconds[n]) };

// DIS alone, one thread each, on the same consecutive 160x90 gray pairs of the first clips (read before timing),
// ultrafast, full-resolution output on both sides (calc); calcNative, what the scan uses, for reference.
const W = 160;
const H = 90;
const raw = join(work, 'pairs.gray');
const ff = locateFfmpeg();
const parts = paths.slice(0, Math.min(8, paths.length)).map((p) => {
  const r = spawnSync(
    ff.ffmpeg,
    ['-v', 'error', '-i', p, '-vf', `fps=24,scale=${W}:${H}`, '-pix_fmt', 'gray', '-f', 'rawvideo', 'pipe:1'],
    { maxBuffer: 1 << 28 },
  );
  if (r.status !== 0) throw new Error(`ffmpeg could not decode ${p}: ${r.stderr}`);
  return r.stdout;
});
writeFileSync(raw, Buffer.concat(parts));
const bytes = readFileSync(raw);
/** @type {import('../dist/index.js').GrayImage[]} */
const frames = [];
for (let o = 0; o + W * H <= bytes.length; o += W * H)
  frames.push({ width: W, height: H, data: Float32Array.from(bytes.subarray(o, o + W * H)) });
const dis = new DisFlow('ultrafast');
const flowOut = { width: W, height: H, u: new Float32Array(W * H), v: new Float32Array(W * H) };
const native = dis.nativeSize(W, H);
const nativeOut = {
  ...native,
  u: new Float32Array(native.width * native.height),
  v: new Float32Array(native.width * native.height),
};
// CPU time rather than wall time (both sides): other processes on the machine then cost neither side anything.
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
/**
 * @param {'calc' | 'calcNative'} method
 * @param {import('../dist/index.js').FlowField} out
 */
const ours = (method, out) => {
  const t0 = cpuMs();
  for (let i = 0; i + 1 < frames.length; i++) dis[method](frames[i], frames[i + 1], out);
  return (cpuMs() - t0) / (frames.length - 1);
};
ours('calc', flowOut);
ours('calcNative', nativeOut);
/** @type {{ audit_calc: number[], audit_calc_native: number[], opencv_calc: number[] }} */
const pairMs = { audit_calc: [], audit_calc_native: [], opencv_calc: [] };
for (let r = 0; r < Math.max(1, Number(values['pair-rounds'])); r++) {
  pairMs.audit_calc.push(ours('calc', flowOut));
  pairMs.audit_calc_native.push(ours('calcNative', nativeOut));
  if (peer.python) {
    const run = timed(peer.python, [
      script,
      'pairs',
      '--raw',
      raw,
      '--width',
      String(W),
      '--height',
      String(H),
      '--repeats',
      '3',
      '--threads',
      '1',
    ]);
    pairMs.opencv_calc.push(median(JSON.parse(run.stdout).ms_per_pair));
  }
}
rmSync(work, { recursive: true, force: true });

const result = {
  clips,
  seconds_per_clip: Number(values.seconds),
  workers,
  repeats,
  model: values.model ?? 'shipped',
  peer_python: peer.python,
  opencv: peer.opencv ?? null,
  peers_skipped: peer.python ? null : peer.reason,
  runs,
  ratio_vs_opencv_dis: runs.opencv_dis ? runs.audit.clips_per_s / runs.opencv_dis.clips_per_s : null,
  ratio_vs_opencv_farneback: runs.opencv_farneback ? runs.audit.clips_per_s / runs.opencv_farneback.clips_per_s : null,
  dis_pairs: {
    size: `${W}x${H}`,
    pairs: frames.length - 1,
    threads: 1,
    clock: 'process CPU time',
    audit_calc_ms: median(pairMs.audit_calc),
    audit_calc_native_ms: median(pairMs.audit_calc_native),
    opencv_calc_ms: peer.python ? median(pairMs.opencv_calc) : null,
    ratio_calc: peer.python ? median(pairMs.audit_calc) / median(pairMs.opencv_calc) : null,
    samples: pairMs,
  },
};
if (values.json) console.log(JSON.stringify(result));
else {
  for (const n of names)
    log(
      `${n.padEnd(16)} ${runs[n].clips_per_s.toFixed(2)} clips/s (median ${runs[n].median_s.toFixed(2)} s of ${repeats})`,
    );
  if (result.ratio_vs_opencv_dis !== null)
    log(`ratio audit / OpenCV-DIS script: ${result.ratio_vs_opencv_dis.toFixed(2)}`);
  if (result.ratio_vs_opencv_farneback !== null)
    log(`ratio audit / OpenCV-Farneback script: ${result.ratio_vs_opencv_farneback.toFixed(2)}`);
  const d = result.dis_pairs;
  log(
    `DIS ultrafast at ${d.size}, one thread, CPU ms per pair (${d.pairs} pairs): DisFlow.calc ${d.audit_calc_ms.toFixed(3)}, calcNative ${d.audit_calc_native_ms.toFixed(3)}` +
      (d.opencv_calc_ms !== null && d.ratio_calc !== null
        ? `, OpenCV calc ${d.opencv_calc_ms.toFixed(3)} (ratio ${d.ratio_calc.toFixed(2)})`
        : ''),
  );
}
