// audit inspect: one clip analysed as scan does and explained.

import type { Command } from 'commander';
import type { Device } from '../../model/index.js';
import { INSPECT_HELP } from '../help.js';
import { addClipAnalysisOptions, clipAnalysisOptions, type ClipAnalysisFlags } from '../shared-options.js';

interface InspectFlags extends ClipAnalysisFlags {
  model?: string;
  device: Device;
  arrowHead?: string;
  png?: string;
  json: boolean;
}

export function inspectCommand(program: Command): void {
  const inspect = program
    .command('inspect')
    .argument('<clip>', 'one video file')
    .description('Analyse one clip as scan does and explain it: cue summaries, verdict, reasoning; --png draws it.')
    .option(
      '--model <path>',
      'ONNX model for the verdict (default: the shipped models/reversal-v1.onnx; "none" to skip)',
    )
    .option('--device <name>', 'where the model runs: auto|cpu|cuda|webgpu', 'auto')
    .option(
      '--arrow-head <path>',
      'arrow head that gives p_forward, as scan; "none" keeps the model\'s own arrow (default: the shipped models/reversal-arrow-v1.json beside the shipped model; another --model keeps its own arrow)',
    )
    .option('--png <file>', 'write the contact sheet above the cue curves to this .png (or .jpg) file')
    .option('--json', 'print one JSON object instead of the text', false);
  addClipAnalysisOptions(inspect)
    .addHelpText('after', INSPECT_HELP)
    .action(async (clip: string, flags: InspectFlags) => {
      // Loaded here so that other commands do not pay for sharp at start-up.
      const { formatInspect, inspectClip } = await import('../../inspect/index.js');
      const r = await inspectClip({
        path: clip,
        model: flags.model,
        device: flags.device,
        arrowHead: flags.arrowHead,
        png: flags.png,
        ...clipAnalysisOptions(flags),
      });
      process.stdout.write(flags.json ? `${JSON.stringify(r)}\n` : `${formatInspect(r)}\n`);
    });
}
