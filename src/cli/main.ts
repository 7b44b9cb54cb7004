// The `audit` command line: argv -> typed options -> library call -> exit code.

import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { addAnalysisOptions, analysisOptions, int, withInterrupt, type AnalysisFlags } from './shared-options.js';
import { cueDocRows } from '../cues/docs.js';
import { AuditError, UsageError } from '../errors.js';
import { merge } from '../pipeline/merge.js';
import { scan } from '../pipeline/scan.js';
import { TOOL_VERSION } from '../version.js';
import { EXIT } from './exit-codes.js';
import { CUES_HELP, EVAL_HELP, MERGE_HELP, SCAN_HELP, SYNTH_HELP } from './help.js';

interface ScanFlags extends AnalysisFlags {
  out: string;
  format?: 'folder' | 'file' | 'csv' | 'jsonl' | 'parquet' | 'arrow';
  reverse: boolean;
  model?: string;
  device: 'auto' | 'cpu' | 'cuda' | 'webgpu';
  batch: number;
  shard?: string;
  count: boolean;
}

interface EvalFlags extends AnalysisFlags {
  model?: string;
  out?: string;
  device: 'auto' | 'cpu' | 'cuda' | 'webgpu';
  labelColumn: string;
  directionColumn: string;
  json: boolean;
}

function cueTable(): string {
  const rows = cueDocRows().map((r) => [r.name, r.kind, r.parity, r.unit, r.description]);
  const widths = [0, 1, 2, 3].map((k) => Math.max(...rows.map((r) => r[k]!.length)));
  return rows.map((r) => r.map((cell, k) => (k < 4 ? cell.padEnd(widths[k]!) : cell)).join('  ')).join('\n');
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. Never calls process.exit. */
export async function runCli(argv: string[]): Promise<number> {
  let code: number = EXIT.OK;
  const program = new Command('audit')
    .description('Audit video training corpora for time reversal.')
    .version(TOOL_VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  addAnalysisOptions(
    program
      .command('scan')
      .argument('<input>', 'folder, video file, or manifest (.csv .tsv .jsonl .parquet .arrow)')
      .description('Measure motion and gravity cues of every clip.')
      .requiredOption('-o, --out <dir>', 'output folder (resumes when it already holds a run)')
      .option('--format <kind>', 'input kind instead of guessing from the name: folder|file|csv|jsonl|parquet|arrow'),
  )
    .option('--reverse', 'analyse every clip played backwards (its series is the mirror of the forward one)', false)
    .option('--model <path>', 'ONNX model for verdicts (default: models/reversal-v1.onnx when shipped; "none" to skip)')
    .option('--device <name>', 'where the model runs: auto|cpu|cuda|webgpu (auto tries cuda, webgpu, then cpu)', 'auto')
    .option('--batch <n>', 'clips per model batch', int('--batch'), 64)
    .option('--shard <i/n>', 'only the rows whose id hashes to shard i of n (0-based), for array jobs')
    .option('--no-count', 'skip counting input rows first (no total or ETA in the progress line)')
    .addHelpText('after', SCAN_HELP)
    .action(async (input: string, flags: ScanFlags) => {
      const summary = await withInterrupt(
        (signal) =>
          scan(
            {
              ...analysisOptions(flags),
              input,
              out: flags.out,
              format: flags.format,
              reverse: flags.reverse,
              model: flags.model,
              device: flags.device,
              batch: flags.batch,
              shard: flags.shard,
              count: flags.count,
            },
            { signal },
          ),
        '\nInterrupted: finishing the rows already written; run the same command again to resume.\n',
      );
      const c = summary.counts;
      if (!flags.quiet) {
        process.stderr.write(`${summary.status}: ${c.clips} clips, ${c.errors} errors (${c.resumed} rows from earlier runs) in ${summary.timings.wall_s.toFixed(1)} s -> ${summary.out}\n`);
        if (c.errors > 0) {
          const codes = Object.entries(c.errors_by_code).map(([k, n]) => `${k} ${n}`).join(', ');
          process.stderr.write(`errors by code: ${codes}; each row with its reason is in ${summary.out}/errors.jsonl\n`);
        }
        if (summary.status === 'interrupted') process.stderr.write('run the same command again to resume\n');
      }
      code = summary.status === 'interrupted' ? EXIT.INTERRUPTED : c.errors > 0 ? EXIT.SOME_FAILED : EXIT.OK;
    });

  program
    .command('merge')
    .argument('<shards...>', 'the --out folders of the shards')
    .description('Combine the output folders of a sharded scan.')
    .requiredOption('-o, --out <dir>', 'new folder for the merged output')
    .addHelpText('after', MERGE_HELP)
    .action(async (shards: string[], flags: { out: string }) => {
      const m = await merge(shards, flags.out);
      process.stderr.write(`merged ${m.shards} shards: ${m.clips} clips, ${m.errors} errors of ${m.input_rows} input rows -> ${m.out}\n`);
      code = m.errors > 0 ? EXIT.SOME_FAILED : EXIT.OK;
    });

  program
    .command('synth')
    .description('Render a synthetic physics corpus with ground-truth verdicts (for training and tests).')
    .requiredOption('-o, --out <dir>', 'output folder (resumes: clips already listed in labels.jsonl are skipped)')
    .option('-n, --count <n>', 'number of clips (each also gets its reversed twin)', int('--count'), 100)
    .option('--seed <n>', 'random seed; the same seed renders the same clips', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`Expected a non-negative integer for --seed but received ${JSON.stringify(v)}`);
      return n;
    }, 1)
    .option('--families <names>', 'comma-separated scene families (default: all; unknown names list the known ones)')
    .option('--no-twins', 'do not write the reversed twin of each clip')
    .option('--backgrounds <dir>', 'folder of real clips whose frames become backgrounds (never evaluation data)')
    .option('-q, --quiet', 'no progress output', false)
    .addHelpText('after', SYNTH_HELP)
    .action(async (flags: { out: string; count: number; seed: number; families?: string; twins: boolean; backgrounds?: string; quiet: boolean }) => {
      // Loaded here so that other commands do not pay for the physics engine and canvas at start-up.
      const { FAMILIES } = await import('../synth/corpus/index.js');
      const { synthCorpus } = await import('../synth/corpus/generate.js');
      const families = flags.families?.split(',').map((f) => f.trim()).filter(Boolean);
      const unknown = families?.filter((f) => !FAMILIES.some((x) => x.name === f)) ?? [];
      if (unknown.length) throw new UsageError(`Unknown scene famil${unknown.length > 1 ? 'ies' : 'y'} ${unknown.join(', ')}; known: ${FAMILIES.map((f) => f.name).join(', ')}`);
      const t0 = performance.now();
      const r = await synthCorpus({
        out: flags.out,
        count: flags.count,
        seed: flags.seed,
        families,
        reversedTwins: flags.twins,
        backgroundsDir: flags.backgrounds,
        onClip: flags.quiet ? undefined : (done, count, id) => process.stderr.write(`\r\x1b[K${done}/${count} ${id}`),
      });
      if (!flags.quiet) process.stderr.write(`\nwrote ${r.clips} files (${r.skipped} already there) in ${((performance.now() - t0) / 1000).toFixed(1)} s -> ${flags.out}/manifest.csv\n`);
    });

  addAnalysisOptions(
    program
      .command('eval')
      .argument('<manifest>', 'manifest (.csv .tsv .jsonl .parquet .arrow) with path and label columns')
      .description('Score a model against labelled clips: verdict F1, arrow-of-time accuracy, calibration.')
      .option('-m, --model <path>', 'ONNX model (default: models/reversal-v1.onnx of this package)')
      .option('-o, --out <dir>', 'keep the scan here (resumes; gets eval.json, eval-predictions.jsonl); default a temporary folder')
      .option('--device <name>', 'where the model runs: auto|cpu|cuda|webgpu', 'auto')
      .option('--label-column <name>', 'column with invariant|equivariant|irreversible', 'label')
      .option('--direction-column <name>', 'optional column saying a clip already plays backward (forward|backward)', 'direction'),
  )
    .option('--json', 'print one JSON object instead of the table', false)
    .addHelpText('after', EVAL_HELP)
    .action(async (manifest: string, flags: EvalFlags) => {
      const { evaluate, formatEvalReport } = await import('../model/eval.js');
      const report = await withInterrupt((signal) =>
        evaluate(
          {
            ...analysisOptions(flags),
            manifest,
            model: flags.model,
            out: flags.out,
            device: flags.device,
            labelColumn: flags.labelColumn,
            directionColumn: flags.directionColumn,
          },
          { signal },
        ),
      );
      process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${formatEvalReport(report)}\n`);
      code = report.status === 'interrupted' ? EXIT.INTERRUPTED : report.n_errors > 0 ? EXIT.SOME_FAILED : EXIT.OK;
    });

  program
    .command('cues')
    .description('Print the cue columns and clip summaries with units and meaning.')
    .addHelpText('after', CUES_HELP)
    .action(() => {
      process.stdout.write(`${cueTable()}\n`);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    if (err instanceof UsageError) {
      process.stderr.write(`audit: ${err.message}\n`);
      return EXIT.USAGE;
    }
    const msg = err instanceof AuditError ? err.message : err instanceof Error ? (process.env.AUDIT_DEBUG ? (err.stack ?? err.message) : err.message) : String(err);
    process.stderr.write(`audit: ${msg}\n`);
    if (process.env.AUDIT_DEBUG && err instanceof AuditError && err.stack) process.stderr.write(`${err.stack}\n`);
    return EXIT.FAILURE;
  }
}
