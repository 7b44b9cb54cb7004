// audit report: (re)write report.html of an existing scan folder.

import type { Command } from 'commander';
import { REPORT_HELP } from '../help.js';
import { int } from '../shared-options.js';

export function reportCommand(program: Command): void {
  program
    .command('report')
    .argument('<scan-out>', 'the --out folder of a scan (or of audit physics)')
    .description('(Re)write report.html of an existing scan folder: counts, charts, galleries, the clip table.')
    .option(
      '--max-table-rows <n>',
      'clip rows in the page table (the rest stay in clips.parquet)',
      int('--max-table-rows'),
      2000,
    )
    .option(
      '--galleries <n>',
      'clips in the "most confident irreversible" and "most doubtful" galleries',
      int('--galleries'),
      12,
    )
    .addHelpText('after', REPORT_HELP)
    .action(async (dir: string, flags: { maxTableRows: number; galleries: number }) => {
      const { writeReport } = await import('../../report/index.js');
      process.stderr.write(
        `report: ${await writeReport(dir, { maxTableRows: flags.maxTableRows, galleries: flags.galleries })}\n`,
      );
    });
}
