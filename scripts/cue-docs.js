// Prints the Markdown tables of cue columns and clip summaries for the README (from the registry).
import { CUE_COLUMNS, FB_ASYMMETRY, GRID, SUMMARIES } from '../dist/index.js';

const esc = (s) => s.replaceAll('|', '\\|');
const lines = ['| column | reversed | unit | meaning |', '|---|---|---|---|'];
for (const c of CUE_COLUMNS) {
  if (c.name.startsWith('grid_') && !c.name.endsWith('_0_0')) continue;
  const name = c.name.startsWith('grid_') ? c.name.replace(/_0_0$/, '_R_C') : c.name;
  const desc = c.name.startsWith('grid_') ? `${c.description.replace('row 0, column 0', 'row R, column C')} R, C = 0..${GRID - 1}.` : c.description;
  lines.push(`| \`${name}\` | ${c.parity === 'odd' ? 'negated' : 'kept'} | ${esc(c.unit)} | ${esc(desc)} |`);
}
lines.push('', '| summary | reversed | unit | meaning |', '|---|---|---|---|');
for (const s of [...SUMMARIES, FB_ASYMMETRY]) lines.push(`| \`${s.name}\` | ${s.parity === 'odd' ? 'negated' : 'kept'} | ${esc(s.unit)} | ${esc(s.description)} |`);
console.log(lines.join('\n'));
