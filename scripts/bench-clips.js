// Benchmark media: renders synthetic scenes with the project's own scene code and encodes them once.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { locateFfmpeg, renderScene } from '../dist/index.js';

/** @type {import('../dist/index.js').SceneName[]} */
const SCENES = ['drop', 'pan', 'swing', 'slide', 'spread', 'zoom', 'still', 'drop'];

/**
 * Makes `distinct` clips of `seconds` s at `width`x`height`, `fps`, in `dir` (cached by name); returns their paths.
 * @param {string} dir
 * @param {{ width?: number, height?: number, fps?: number, seconds?: number, distinct?: number }} [options]
 * @returns {string[]}
 */
export function benchClips(dir, { width = 640, height = 360, fps = 30, seconds = 5, distinct = 8 } = {}) {
  mkdirSync(dir, { recursive: true });
  const { ffmpeg } = locateFfmpeg();
  const paths = [];
  for (let i = 0; i < distinct; i++) {
    const scene = SCENES[i % SCENES.length];
    const path = join(dir, `${scene}-${i}-${width}x${height}-${fps}fps-${seconds}s.mp4`);
    paths.push(path);
    if (existsSync(path)) continue;
    const frames = renderScene(scene, { width, height, fps, seconds, seed: 100 + i });
    const r = spawnSync(
      ffmpeg,
      [
        '-v',
        'error',
        '-y',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'gray',
        '-s',
        `${width}x${height}`,
        '-r',
        String(fps),
        '-i',
        'pipe:0',
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-crf',
        '23',
        '-pix_fmt',
        'yuv420p',
        path,
      ],
      {
        input: Buffer.concat(frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength))),
        maxBuffer: 1 << 30,
      },
    );
    if (r.status !== 0) throw new Error(`ffmpeg failed for ${path}: ${r.stderr}`);
  }
  return paths;
}

/**
 * Writes a CSV manifest of `rows` rows cycling over `paths`, with unique ids.
 * @param {string} file
 * @param {string[]} paths
 * @param {number} rows
 * @returns {string}
 */
export function benchManifest(file, paths, rows) {
  const lines = ['id,path'];
  for (let i = 0; i < rows; i++) lines.push(`bench-${i},${paths[i % paths.length]}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
