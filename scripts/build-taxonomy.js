// Builds data/taxonomy/ssv2.json and data/taxonomy/jester.json from the shared taxonomy sources.
// Usage: npm run taxonomy [-- DIR]   (DIR defaults to ../shared/data/taxonomy beside the repository)
// The derivation, rules and reviewed overrides live in src/labels/taxonomy/; this script only wires files.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTaxonomies, taxonomyJson } from '../dist/labels/taxonomy/build.js';
import { formatTaxonomyCounts } from '../dist/labels/taxonomy/format.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = resolve(process.argv[2] ?? join(ROOT, '..', 'shared', 'data', 'taxonomy'));
const outDir = join(ROOT, 'data', 'taxonomy');

try {
  const built = await buildTaxonomies(dir);
  await mkdir(outDir, { recursive: true });
  for (const t of [built.ssv2, built.jester]) {
    const file = join(outDir, `${t.name}.json`);
    await writeFile(file, taxonomyJson(t));
    console.log(`${formatTaxonomyCounts(t)}\n  -> ${file}`);
  }
} catch (err) {
  console.error(`build-taxonomy: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
