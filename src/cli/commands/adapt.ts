// audit adapt: fine-tune the model to a user's corpus from its scans.

import { InvalidArgumentError, type Command } from 'commander';
import type { TaxonomyChoice } from '../../decide/index.js';
import type { ActionResult } from '../action-result.js';
import { EXIT } from '../exit-codes.js';
import { ADAPT_HELP } from '../help.js';
import { int, positive, withInterrupt } from '../shared-options.js';

interface AdaptFlags {
  out: string;
  base?: string;
  groupColumn?: string;
  labelColumn?: string;
  captionColumn?: string;
  taxonomy: TaxonomyChoice;
  holdout: number;
  maxClips?: number;
  epochs: number;
  lr: number;
  verdictWeight: number;
  anchor: number;
  python?: string;
  quiet: boolean;
}

/** A finite number >= 0 for the option `flag` (--verdict-weight 0: the arrow alone; --anchor 0: no anchor). */
function nonNegative(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!(n >= 0 && Number.isFinite(n)))
      throw new InvalidArgumentError(`Expected a number >= 0 for ${flag} but received ${JSON.stringify(v)}`);
    return n;
  };
}

export function adaptCommand(program: Command, result: ActionResult): void {
  program
    .command('adapt')
    .argument('<scan-out...>', 'the --out folders of finished scans of your corpus')
    .description('Fine-tune the model to your own corpus from its scans, without labels (python3 + PyTorch).')
    .requiredOption('-o, --out <dir/name>', 'writes DIR/NAME.onnx, .card.json and .parity.json')
    .option('--base <path>', 'model to start from (default: the shipped models/reversal-v1.onnx)')
    .option(
      '--group-column <name>',
      "manifest column naming each clip's group, e.g. its source video (default: the clip's folder)",
    )
    .option('--label-column <name>', 'manifest column with labels: their taxonomy class gives weak verdicts')
    .option('--caption-column <name>', 'manifest column with captions: their motion words give weak verdicts')
    .option('--taxonomy <name>', 'taxonomy of the labels: auto|ssv2|jester|none', 'auto')
    .option(
      '--holdout <share>',
      'share of the groups held out to compare the base and the adapted model',
      positive('--holdout'),
      0.2,
    )
    .option(
      '--max-clips <n>',
      'most clips used, training and held-out together: a larger corpus is sampled by clip id, the same clips every run (default: 10000)',
      int('--max-clips'),
    )
    .option('--epochs <n>', 'passes over the training clips', int('--epochs'), 8)
    .option('--lr <rate>', 'learning rate', positive('--lr'), 3e-4)
    .option(
      '--verdict-weight <w>',
      'weight of the weak verdicts beside the arrow (0: arrow only)',
      nonNegative('--verdict-weight'),
      0.5,
    )
    .option(
      '--anchor <w>',
      "weight of the squared distance of the weights from the base model's (L2-SP: keeps the adapted model near the base; 0: none)",
      nonNegative('--anchor'),
      1,
    )
    .option('--python <path>', 'python3 with torch and numpy (default: /usr/bin/python3, else python3)')
    .option('-q, --quiet', 'no progress output', false)
    .addHelpText('after', ADAPT_HELP)
    .action(async (scans: string[], flags: AdaptFlags) => {
      const { adapt, formatAdaptTable } = await import('../../adapt/index.js');
      const r = await withInterrupt(
        (signal) =>
          adapt({
            scans,
            out: flags.out,
            base: flags.base,
            groupColumn: flags.groupColumn,
            labelColumn: flags.labelColumn,
            captionColumn: flags.captionColumn,
            taxonomy: flags.taxonomy,
            holdout: flags.holdout,
            maxClips: flags.maxClips,
            epochs: flags.epochs,
            lr: flags.lr,
            verdictWeight: flags.verdictWeight,
            anchor: flags.anchor,
            python: flags.python,
            quiet: flags.quiet,
            signal,
          }),
        '\nInterrupted: stopping the training; nothing is written.\n',
      );
      process.stdout.write(`${formatAdaptTable(r)}\n`);
      if (r.status === 'adapted')
        process.stderr.write(
          `adapted in ${r.seconds.toFixed(0)} s: ${r.reason}\n-> ${r.model} (use it with: audit scan INPUT --out DIR --model ${r.model})\n`,
        );
      else process.stderr.write(`refused, the base model is kept: ${r.reason}\n`);
      result.code = r.status === 'adapted' ? EXIT.OK : EXIT.FAILURE;
    });
}
