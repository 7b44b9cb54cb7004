// Regenerates the option tables of README.md (the `<!-- options: ... -->` blocks) from the commands' own option texts,
// so that the README and `--help` never disagree. Usage: npm run docs:options [-- --check]
import { readFileSync, writeFileSync } from 'node:fs';
import { buildProgram } from '../dist/cli/main.js';
import { renderOptionBlocks } from '../dist/cli/option-table.js';

const file = new URL('../README.md', import.meta.url);
const before = readFileSync(file, 'utf8');
const after = renderOptionBlocks(before, buildProgram());
if (process.argv.includes('--check')) {
  if (after !== before) {
    console.error('README.md option tables differ from the commands: run npm run docs:options');
    process.exit(1);
  }
  console.log('README.md option tables match the commands');
} else {
  writeFileSync(file, after);
  console.log(after === before ? 'README.md option tables already up to date' : 'README.md option tables rewritten');
}
