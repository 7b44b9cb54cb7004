// Prints the Markdown tables of cue columns and clip summaries for the README (from the registry).
import { cueDocRows } from '../dist/index.js';

/** @param {string} s */
const esc = (s) => s.replaceAll('|', '\\|');
/** @param {import('../dist/index.js').CueDocRow} r */
const row = (r) =>
  `| \`${r.name}\` | ${r.parity === 'odd' ? 'negated' : 'kept'} | ${esc(r.unit)} | ${esc(r.description)} |`;
const rows = cueDocRows();
const lines = [
  '| column | reversed | unit | meaning |',
  '|---|---|---|---|',
  ...rows.filter((r) => r.kind === 'series').map(row),
];
lines.push(
  '',
  '| summary | reversed | unit | meaning |',
  '|---|---|---|---|',
  ...rows.filter((r) => r.kind === 'summary').map(row),
);
console.log(lines.join('\n'));
