// audit cues: the cue columns and clip summaries with units and meaning.

import type { Command } from 'commander';
import { cueDocRows } from '../../cues/docs.js';
import { CUES_HELP } from '../help.js';

/** One row per cue or summary: name, kind, parity and unit in padded columns, then the description. */
function cueTable(): string {
  const rows = cueDocRows().map((r) => [r.name, r.kind, r.parity, r.unit, r.description]);
  const widths = [0, 1, 2, 3].map((k) => Math.max(...rows.map((r) => r[k].length)));
  return rows.map((r) => r.map((cell, k) => (k < 4 ? cell.padEnd(widths[k]) : cell)).join('  ')).join('\n');
}

export function cuesCommand(program: Command): void {
  program
    .command('cues')
    .description('Print the cue columns and clip summaries with units and meaning.')
    .addHelpText('after', CUES_HELP)
    .action(() => {
      process.stdout.write(`${cueTable()}\n`);
    });
}
