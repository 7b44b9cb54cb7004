// audit eval: score a model against labelled clips.

import type { Command } from 'commander';
import type { Device } from '../../model/index.js';
import type { ActionResult } from '../action-result.js';
import { EXIT } from '../exit-codes.js';
import { EVAL_HELP } from '../help.js';
import { addAnalysisOptions, analysisOptions, int, withInterrupt, type AnalysisFlags } from '../shared-options.js';

interface EvalFlags extends AnalysisFlags {
  model?: string;
  out?: string;
  device: Device;
  modelWindows: number;
  content: boolean;
  contentHead?: string;
  arrowHead?: string;
  labelColumn: string;
  directionColumn: string;
  json: boolean;
}

export function evalCommand(program: Command, result: ActionResult): void {
  addAnalysisOptions(
    program
      .command('eval')
      .argument('<manifest>', 'manifest (.csv .tsv .jsonl .parquet .arrow) with path and label columns')
      .description('Score a model against labelled clips: verdict F1, arrow-of-time accuracy, calibration.')
      .option('-m, --model <path>', 'ONNX model (default: models/reversal-v1.onnx of this package)')
      .option(
        '-o, --out <dir>',
        'keep the scan here (resumes; gets eval.json, eval-predictions.jsonl); default a temporary folder',
      )
      .option('--device <name>', 'where the model runs: auto|cpu|cuda|webgpu', 'auto')
      .option(
        '--model-windows <n>',
        'most windows of 64 frame pairs a clip is judged on, averaged (1 = centred window only)',
        int('--model-windows'),
        8,
      )
      .option(
        '--content',
        "score the verdict averaged with the content head's, as audit scan --content gives it (an object detector on one frame a clip; optional packages)",
        false,
      )
      .option(
        '--content-head <path>',
        'content head for --content (default: the shipped models/reversal-content-v1.json)',
      )
      .option(
        '--arrow-head <path>',
        'arrow head that gives p_forward; "none" scores the model\'s own arrow (default: the shipped models/reversal-arrow-v1.json beside the shipped model; another --model keeps its own arrow)',
      )
      .option('--label-column <name>', 'column with invariant|equivariant|irreversible', 'label')
      .option(
        '--direction-column <name>',
        'optional column saying a clip already plays backward (forward|backward)',
        'direction',
      ),
  )
    .option('--json', 'print one JSON object instead of the table', false)
    .addHelpText('after', EVAL_HELP)
    .action(async (manifest: string, flags: EvalFlags) => {
      const { evaluate, evalInterruptMessage, formatEvalReport } = await import('../../eval/index.js');
      const report = await withInterrupt(
        (signal) =>
          evaluate(
            {
              ...analysisOptions(flags),
              manifest,
              model: flags.model,
              out: flags.out,
              device: flags.device,
              modelWindows: flags.modelWindows,
              content: flags.content,
              contentHead: flags.contentHead,
              arrowHead: flags.arrowHead,
              labelColumn: flags.labelColumn,
              directionColumn: flags.directionColumn,
            },
            { signal },
          ),
        // a rerun resumes only where the scan is kept (--out); the temporary one is removed
        evalInterruptMessage(flags.out),
      );
      process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${formatEvalReport(report)}\n`);
      result.code =
        report.status === 'interrupted' ? EXIT.INTERRUPTED : report.n_errors > 0 ? EXIT.SOME_FAILED : EXIT.OK;
    });
}
