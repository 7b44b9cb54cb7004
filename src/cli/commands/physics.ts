// audit physics: check generated videos for physics violations and reversal artefacts.

import type { Command } from 'commander';
import type { Device } from '../../model/index.js';
import type { ActionResult } from '../action-result.js';
import { EXIT } from '../exit-codes.js';
import { PHYSICS_HELP } from '../help.js';
import { PATH_COLUMNS } from '../../physics/inputs.js';
import { addAnalysisOptions, clipAnalysisOptions, withInterrupt, type AnalysisFlags } from '../shared-options.js';

interface PhysicsFlags extends Omit<AnalysisFlags, 'pathColumn' | 'idColumn'> {
  /** Unset: physics picks the path column itself. */
  pathColumn?: string;
  out: string;
  model?: string;
  device: Device;
  videos?: string;
  report: boolean;
}

export function physicsCommand(program: Command, result: ActionResult): void {
  addAnalysisOptions(
    program
      .command('physics')
      .argument('<input>', 'folder of videos, a video, or a VideoPhy-2 CSV (rule, SA/PC or released format)')
      .description('Check generated videos for physics violations and reversal artefacts (VideoPhy-2 formats).')
      .requiredOption('-o, --out <dir>', 'output folder or s3://bucket/prefix (the scan in <dir>/scan resumes)')
      .option(
        '--model <path>',
        'ONNX model for the time-direction check (default: the shipped models/reversal-v1.onnx; "none" to skip)',
      )
      .option('--device <name>', 'where the model runs: auto|cpu|cuda|webgpu', 'auto')
      .option(
        '--videos <dir>',
        'folder where the http(s) video URLs of a released CSV are found: by the longest end of the URL path that exists there (wan/X.mp4), else by file name (default: the CSV folder)',
      )
      .option('--no-report', 'do not write report.html (and its contact sheets) at the end'),
    {
      pathColumnPicked: `CSV column with the video path or URL (default: the first of ${PATH_COLUMNS.join(', ')} the CSV has)`,
      noIdColumn: true,
    },
  )
    .addHelpText('after', PHYSICS_HELP)
    .action(async (input: string, flags: PhysicsFlags) => {
      result.code = await runPhysics(input, flags);
    });
}

/** Runs the physics checks (Ctrl-C stops; the scan resumes on the next run), prints the counts and returns the exit code. */
async function runPhysics(input: string, flags: PhysicsFlags): Promise<number> {
  const { physics } = await import('../../physics/index.js');
  const a = clipAnalysisOptions(flags);
  const s = await withInterrupt(
    (signal) =>
      physics(
        {
          input,
          out: flags.out,
          model: flags.model,
          device: flags.device,
          workers: flags.workers,
          // without --path-column physics picks videopath, video_url, ... itself
          pathColumn: flags.pathColumn,
          videosDir: flags.videos,
          analysis: {
            shortSide: a.shortSide,
            fps: a.fps,
            maxSeconds: a.maxSeconds,
            timeoutMs: a.timeoutMs,
            flowPreset: a.flowPreset,
            flowDirections: a.flowDirections,
            retryErrors: flags.retryErrors,
            decodeBatch: flags.decodeBatch,
          },
          quiet: flags.quiet,
          report: flags.report,
        },
        { signal },
      ),
    '\nInterrupted: run the same command again to resume the scan.\n',
  );
  const c = s.counts;
  if (s.status === 'interrupted') {
    process.stderr.write('interrupted: run the same command again to resume\n');
    return EXIT.INTERRUPTED;
  }
  process.stderr.write(
    `physics (${s.input.format}): ${c.analysed}/${c.videos} videos analysed, ${c.artefacts} with a reversal artefact; ${c.rules} rules, ${c.rules_judged} judged (${c.rules_violated} violated); ${c.errors} errors; model ${s.model ?? 'none'} -> ${s.out}\n`,
  );
  if (s.report && 'file' in s.report) process.stderr.write(`report: ${s.report.file}\n`);
  if (c.errors > 0) process.stderr.write(`each failed row with its reason is in ${s.out}/errors.jsonl\n`);
  return s.report && 'error' in s.report ? EXIT.REPORT_FAILED : c.errors > 0 ? EXIT.SOME_FAILED : EXIT.OK;
}
