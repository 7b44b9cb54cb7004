// The layer map of src/ (README "Layout"): every import points to the same folder or to a lower layer, so a reader
// can follow a clip from decoding to decisions without meeting a stage that calls back up.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Layer of each folder of src/ (and of the files at its root), lowest first. */
const LAYERS: Readonly<Record<string, number>> = {
  util: 0,
  'errors.ts': 0,
  'version.ts': 0,
  io: 1,
  decode: 2,
  flow: 2,
  labels: 2,
  cues: 3,
  content: 3,
  synth: 3,
  outputs: 4,
  model: 5,
  decide: 6,
  report: 7,
  pipeline: 8,
  physics: 9,
  eval: 9,
  inspect: 9,
  adapt: 9,
  cli: 10,
  'index.ts': 11,
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The src/ folder (or root file) a path belongs to. */
const unit = (abs: string): string => relative(SRC, abs).split('/')[0].replace(/\.js$/, '.ts');

describe('layers', () => {
  const all = files(SRC);

  it('every folder and root file of src/ has a layer', () => {
    for (const f of all) expect(LAYERS[unit(f)], relative(SRC, f)).toBeTypeOf('number');
  });

  it('imports point to the same folder or down', () => {
    const up: string[] = [];
    for (const f of all) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/(?:from\s+|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = join(f, '..', m[1]);
        const a = unit(f);
        const b = unit(target);
        if (a === b) continue;
        if (!(LAYERS[b] < LAYERS[a]))
          up.push(
            `${relative(SRC, f)} (${a}, layer ${LAYERS[a]}) imports ${relative(SRC, target)} (${b}, layer ${LAYERS[b]})`,
          );
      }
    }
    expect(up).toEqual([]);
  });

  it('the README shows the same map', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    const byLayer = new Map<number, string[]>();
    for (const [k, n] of Object.entries(LAYERS)) if (!k.endsWith('.ts')) byLayer.set(n, [...(byLayer.get(n) ?? []), k]);
    for (const [n, folders] of byLayer)
      expect(readme, `layer ${n}`).toContain(`| ${n} | ${folders.map((x) => `\`${x}/\``).join(', ')} |`);
  });
});
