// `npm run samples`: renders the bundled sample clips with the project's own scene code (small, seeded).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { locateFfmpeg, renderScene, SCENE_NOTES } from '../dist/index.js';

const dir = join(process.cwd(), 'samples');
mkdirSync(dir, { recursive: true });
const { ffmpeg } = locateFfmpeg();
const W = 320;
const H = 180;
const FPS = 24;
const rows = ['id,path,scene,description'];
/** @type {import('../dist/index.js').SceneName[]} */
const SCENES = ['drop', 'pan', 'swing', 'slide', 'spread', 'zoom'];
for (const [i, scene] of SCENES.entries()) {
  const file = `${scene}.mp4`;
  const frames = renderScene(scene, { width: W, height: H, fps: FPS, seconds: 3, seed: 2024 + i });
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
      `${W}x${H}`,
      '-r',
      String(FPS),
      '-i',
      'pipe:0',
      '-c:v',
      'libx264',
      '-preset',
      'slow',
      '-crf',
      '26',
      '-pix_fmt',
      'yuv420p',
      '-movflags',
      '+faststart',
      '-map_metadata',
      '-1',
      join(dir, file),
    ],
    { input: Buffer.concat(frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength))), maxBuffer: 1 << 30 },
  );
  if (r.status !== 0) throw new Error(`ffmpeg failed for ${file}: ${r.stderr}`);
  rows.push(`sample-${scene},${file},${scene},"${SCENE_NOTES[scene].replaceAll('"', '""')}"`);
}
writeFileSync(join(dir, 'manifest.csv'), `${rows.join('\n')}\n`);
console.log(`wrote ${rows.length - 1} clips and manifest.csv to ${dir}`);
