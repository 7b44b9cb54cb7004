// audit decide: decide again which clips may be reversed, from an existing scan folder.

import type { Command } from 'commander';
import type { Policy, TaxonomyChoice } from '../../decide/index.js';
import { DECIDE_HELP } from '../help.js';

interface DecideFlags {
  policy: Policy;
  labelColumn?: string | false;
  captionColumn?: string | false;
  taxonomy?: TaxonomyChoice;
  labelMap?: string | false;
  json: boolean;
}

export function decideCommand(program: Command): void {
  program
    .command('decide')
    .argument('<scan-out>', 'the --out folder of a finished scan (or of audit merge)')
    .description('Decide again which clips may be reversed, from an existing scan folder (no rescanning).')
    .option('--policy <name>', 'strict|balanced|permissive', 'balanced')
    .option('--label-column <name>', 'manifest column with labels (default: as the last decision step of the folder)')
    .option(
      '--caption-column <name>',
      'manifest column with captions (default: as the last decision step of the folder)',
    )
    .option('--no-label-column', 'use no label column')
    .option('--no-caption-column', 'use no caption column')
    .option('--taxonomy <name>', 'auto|ssv2|jester|none (default: as the last decision step, else auto)')
    .option(
      '--label-map <csv>',
      'your own taxonomy instead of ssv2/jester: CSV label,verdict,counterpart (default: as the last decision step)',
    )
    .option('--no-label-map', 'use no label map')
    .option('--json', 'print decisions.json instead of the table', false)
    .addHelpText('after', DECIDE_HELP)
    .action(async (dir: string, flags: DecideFlags) => {
      const { decideScan, formatDecisionCounts } = await import('../../decide/index.js');
      const col = (v: string | false | undefined) => (v === false ? null : v);
      const s = await decideScan(dir, {
        policy: flags.policy,
        labelColumn: col(flags.labelColumn),
        captionColumn: col(flags.captionColumn),
        taxonomy: flags.taxonomy,
        labelMap: col(flags.labelMap),
      });
      process.stdout.write(flags.json ? `${JSON.stringify(s, null, 2)}\n` : `${formatDecisionCounts(s)}\n`);
      for (const w of s.warnings ?? []) process.stderr.write(`warning: ${w.message}\n`);
    });
}
