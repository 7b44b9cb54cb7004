// audit scan: measure the cues of every clip, then the verdicts, decisions and report.

import type { Command } from 'commander';
import type { Policy, TaxonomyChoice } from '../../decide/index.js';
import { evidenceLine } from '../../decide/redo.js';
import type { Device } from '../../model/index.js';
import { scan } from '../../pipeline/scan.js';
import type { ActionResult } from '../action-result.js';
import { EXIT } from '../exit-codes.js';
import { SCAN_HELP } from '../help.js';
import { addAnalysisOptions, analysisOptions, int, withInterrupt, type AnalysisFlags } from '../shared-options.js';

interface ScanFlags extends AnalysisFlags {
  out: string;
  format?: 'folder' | 'file' | 'csv' | 'jsonl' | 'parquet' | 'arrow';
  startColumn?: string;
  endColumn?: string;
  reverse: boolean;
  model?: string;
  device: Device;
  batch: number;
  modelWindows: number;
  content: boolean;
  contentHead?: string;
  arrowHead?: string;
  shard?: string;
  count: boolean;
  report: boolean;
  labelColumn?: string;
  captionColumn?: string;
  taxonomy: TaxonomyChoice;
  labelMap?: string;
  policy: Policy;
  s3Endpoint?: string;
}

type ScanSummary = Awaited<ReturnType<typeof scan>>;

/** The model's options: the classifier, where it runs, and the heads beside it. */
function modelOptions(command: Command): Command {
  return command
    .option(
      '--model <path>',
      'ONNX model that adds the verdict columns; "none" skips it (default: the shipped models/reversal-v1.onnx)',
    )
    .option(
      '--device <name>',
      'where the model runs: auto (tries cuda, webgpu, then cpu, and says which runs), cpu, cuda, webgpu; an explicit device that cannot load fails with the alternatives',
      'auto',
    )
    .option('--batch <n>', 'clips per model batch (the model runs on the main thread)', int('--batch'), 64)
    .option(
      '--model-windows <n>',
      'most windows of 64 frame pairs a clip is judged on, averaged (1 = centred window only)',
      int('--model-windows'),
      8,
    )
    .option(
      '--content',
      "also look at what is in the picture (an object detector on one frame a clip, about 0.3 s a clip more on one core; optional packages) and average the shipped content head's verdict with the model's",
      false,
    )
    .option(
      '--content-head <path>',
      'content head for --content; "none" records the class scores only (default: the shipped models/reversal-content-v1.json)',
    )
    .option(
      '--arrow-head <path>',
      'arrow head that gives p_forward; "none" keeps the model\'s own arrow (default: the shipped models/reversal-arrow-v1.json beside the shipped model; another --model keeps its own arrow)',
    );
}

export function scanCommand(program: Command, result: ActionResult): void {
  modelOptions(
    addAnalysisOptions(
      program
        .command('scan')
        .argument('<input>', 'folder, video file, or manifest (.csv .tsv .jsonl .parquet .arrow)')
        .description('Measure motion and gravity cues of every clip.')
        .requiredOption(
          '-o, --out <dir>',
          'output folder or s3://bucket/prefix (staged locally, uploaded as finished objects); running the same command again with the same folder resumes',
        )
        .option('--format <kind>', 'input kind instead of guessing from the name: folder|file|csv|jsonl|parquet|arrow')
        .option(
          '--start-column <name>',
          "manifest column with each row's segment start (seconds or [HH:]MM:SS[.mmm]): the row is that span of its video; needs --end-column; rows without an id are named path#start-end",
        )
        .option(
          '--end-column <name>',
          "manifest column with each row's segment end (empty: the video's end); the window policy applies inside the segment",
        ),
    ).option('--reverse', 'analyse every clip played backwards (its series is the mirror of the forward one)', false),
  )
    .option('--shard <i/n>', 'only the rows whose id hashes to shard i of n (0-based), for array jobs')
    .option('--no-count', 'skip counting input rows first (no total or ETA in the progress line)')
    .option('--no-report', 'do not write report.html (and its contact sheets) at the end')
    .option(
      '--label-column <name>',
      'the label (action class) of each clip: its taxonomy class decides invariant/equivariant/irreversible, equivariant labels are swapped ("Opening a drawer" -> "Closing a drawer"), and classes.csv/classes.parquet analyse the classes',
    )
    .option(
      '--caption-column <name>',
      'the caption of each clip: rewritten for the reversed clip ("opens" -> "closes"); "falls", "pours", ... exclude it',
    )
    .option(
      '--taxonomy <name>',
      'taxonomy of the labels: ssv2, jester, none, or auto (the one more than half of the labels belong to; none when two match alike)',
      'auto',
    )
    .option(
      '--label-map <csv>',
      'your own taxonomy instead of ssv2/jester: CSV label,verdict,counterpart (needs --label-column)',
    )
    .option(
      '--policy <name>',
      'decision policy: strict (every source must agree, model >= 0.8), balanced, permissive (reverse unless something says irreversible)',
      'balanced',
    )
    .option(
      '--s3-endpoint <url>',
      'endpoint of an S3-compatible store (MinIO, Ceph, ...) for s3:// inputs and paths; default AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS',
    )
    .addHelpText('after', SCAN_HELP)
    .action(async (input: string, flags: ScanFlags) => {
      result.code = await runScan(input, flags);
    });
}

/** Runs the scan (Ctrl-C finishes the rows already written), prints its summary and returns the exit code. */
async function runScan(input: string, flags: ScanFlags): Promise<number> {
  // Read by the S3 client of every thread (io/object-store.ts), as the AWS tools read it.
  if (flags.s3Endpoint) process.env.AWS_ENDPOINT_URL_S3 = flags.s3Endpoint;
  const summary = await withInterrupt(
    (signal) =>
      scan(
        {
          ...analysisOptions(flags),
          input,
          out: flags.out,
          format: flags.format,
          startColumn: flags.startColumn,
          endColumn: flags.endColumn,
          reverse: flags.reverse,
          model: flags.model,
          device: flags.device,
          batch: flags.batch,
          modelWindows: flags.modelWindows,
          content: flags.content,
          contentHead: flags.contentHead,
          arrowHead: flags.arrowHead,
          shard: flags.shard,
          count: flags.count,
          report: flags.report,
          labelColumn: flags.labelColumn,
          captionColumn: flags.captionColumn,
          taxonomy: flags.taxonomy,
          labelMap: flags.labelMap,
          policy: flags.policy,
        },
        { signal },
      ),
    '\nInterrupted: finishing the rows already written; run the same command again to resume.\n',
  );
  if (!flags.quiet) printScanSummary(summary);
  // Warnings about the decisions (labels no taxonomy knows) print even with --quiet.
  const dw = summary.decisions && 'counts' in summary.decisions ? (summary.decisions.warnings ?? []) : [];
  for (const w of dw) process.stderr.write(`warning: ${w.message}\n`);
  const c = summary.counts;
  return summary.status === 'interrupted'
    ? EXIT.INTERRUPTED
    : summary.report && 'error' in summary.report
      ? EXIT.REPORT_FAILED
      : c.errors > 0
        ? EXIT.SOME_FAILED
        : EXIT.OK;
}

/** The lines on stderr after a scan: counts, errors by code, the report, the decisions and their evidence. */
function printScanSummary(summary: ScanSummary): void {
  const c = summary.counts;
  process.stderr.write(
    `${summary.status}: ${c.clips} clips, ${c.errors} errors (${c.resumed} rows from earlier runs) in ${summary.timings.wall_s.toFixed(1)} s -> ${summary.out}\n`,
  );
  if (c.errors > 0) {
    const codes = Object.entries(c.errors_by_code)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    process.stderr.write(`errors by code: ${codes}; each row with its reason is in ${summary.out}/errors.jsonl\n`);
  }
  if (summary.status === 'interrupted') process.stderr.write('run the same command again to resume\n');
  if (summary.report && 'file' in summary.report) process.stderr.write(`report: ${summary.report.file}\n`);
  const d = summary.decisions;
  if (d && 'counts' in d)
    process.stderr.write(
      `decisions (${d.policy}): ${d.reverse_safe} reverse-safe (${d.counts.reverse_keep_label ?? 0} keep, ${d.counts.reverse_swap_label ?? 0} swap), ${d.excluded} excluded -> ${summary.out}/reverse-safe.*, excluded.*\n`,
    );
  const ev = d && 'counts' in d ? evidenceLine(d) : null;
  if (ev) process.stderr.write(`${ev}\n`);
}
