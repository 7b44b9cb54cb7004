// audit merge: combine the output folders of a sharded scan.

import type { Command } from 'commander';
import { merge } from '../../pipeline/merge.js';
import type { ActionResult } from '../action-result.js';
import { EXIT } from '../exit-codes.js';
import { MERGE_HELP } from '../help.js';

export function mergeCommand(program: Command, result: ActionResult): void {
  program
    .command('merge')
    .argument('<shards...>', 'the --out folders of the shards')
    .description('Combine the output folders of a sharded scan.')
    .requiredOption('-o, --out <dir>', 'new folder (or s3://bucket/prefix) for the merged output')
    .addHelpText('after', MERGE_HELP)
    .action(async (shards: string[], flags: { out: string }) => {
      const m = await merge(shards, flags.out);
      process.stderr.write(
        `merged ${m.shards} shards: ${m.clips} clips, ${m.errors} errors of ${m.input_rows} input rows -> ${m.out}\n`,
      );
      result.code = m.errors > 0 ? EXIT.SOME_FAILED : EXIT.OK;
    });
}
