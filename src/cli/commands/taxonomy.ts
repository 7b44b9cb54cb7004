// audit taxonomy: print a class taxonomy with the verdict of every class.

import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { TAXONOMY_HELP } from '../help.js';

export function taxonomyCommand(program: Command): void {
  program
    .command('taxonomy')
    .argument('[name]', 'ssv2 (Something-Something v2) or jester', 'ssv2')
    .description('Print a class taxonomy: every class with its verdict under time reversal, counterpart and reason.')
    .option('--json', 'print the taxonomy JSON (with provenance) instead of the table', false)
    .addHelpText('after', TAXONOMY_HELP)
    .action(async (name: string, flags: { json: boolean }) => {
      const { TAXONOMY_NAMES, loadTaxonomy, formatTaxonomyTable } = await import('../../labels/taxonomy/index.js');
      if (!(TAXONOMY_NAMES as readonly string[]).includes(name)) {
        throw new UsageError(`Unknown taxonomy ${JSON.stringify(name)}; valid names: ${TAXONOMY_NAMES.join(', ')}`);
      }
      const t = await loadTaxonomy(name as (typeof TAXONOMY_NAMES)[number]);
      process.stdout.write(flags.json ? `${JSON.stringify(t, null, 2)}\n` : `${formatTaxonomyTable(t)}\n`);
    });
}
