// The `audit` command line: argv -> typed options -> library call -> exit code.

import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { addAnalysisOptions, addClipAnalysisOptions, analysisOptions, clipAnalysisOptions, int, positive, withInterrupt, type AnalysisFlags, type ClipAnalysisFlags } from './shared-options.js';
import { cueDocRows } from '../cues/docs.js';
import { AuditError, UsageError } from '../errors.js';
import { evidenceLine } from '../decide/redo.js';
import { merge } from '../pipeline/merge.js';
import { scan } from '../pipeline/scan.js';
import { TOOL_VERSION } from '../version.js';
import { EXIT } from './exit-codes.js';
import { commandError, lockCommandFolder } from './folder-lock.js';
import type { FolderLock } from '../io/lock.js';
import { TAXONOMY_HELP } from './help.js';
import { ADAPT_HELP, DECIDE_HELP } from './help.js';
import { PHYSICS_HELP } from './help.js';
import { CUES_HELP, EVAL_HELP, TOP_HELP, INSPECT_HELP, MERGE_HELP, REPORT_HELP, SCAN_HELP, SYNTH_HELP } from './help.js';

interface ScanFlags extends AnalysisFlags {
  out: string;
  format?: 'folder' | 'file' | 'csv' | 'jsonl' | 'parquet' | 'arrow';
  startColumn?: string;
  endColumn?: string;
  reverse: boolean;
  model?: string;
  device: 'auto' | 'cpu' | 'cuda' | 'webgpu';
  batch: number;
  modelWindows: number;
  shard?: string;
  count: boolean;
  report: boolean;
  labelColumn?: string;
  captionColumn?: string;
  taxonomy: 'auto' | 'ssv2' | 'jester' | 'none';
  labelMap?: string;
  policy: 'strict' | 'balanced' | 'permissive';
  s3Endpoint?: string;
}

interface EvalFlags extends AnalysisFlags {
  model?: string;
  out?: string;
  device: 'auto' | 'cpu' | 'cuda' | 'webgpu';
  modelWindows: number;
  labelColumn: string;
  directionColumn: string;
  json: boolean;
}

function cueTable(): string {
  const rows = cueDocRows().map((r) => [r.name, r.kind, r.parity, r.unit, r.description]);
  const widths = [0, 1, 2, 3].map((k) => Math.max(...rows.map((r) => r[k]!.length)));
  return rows.map((r) => r.map((cell, k) => (k < 4 ? cell.padEnd(widths[k]!) : cell)).join('  ')).join('\n');
}

/** What an action decided: the exit code, and the lock of the folder it rewrites (released after the action). */
export interface ActionResult {
  code: number;
  folderLock?: FolderLock;
}

/**
 * The `audit` program: every command with its options, help texts and action (actions set `result.code`). The one
 * source of the option texts: `--help` prints them and the README's option tables are generated from them
 * ({@link optionTable}).
 */
export function buildProgram(result: ActionResult = { code: EXIT.OK }): Command {
  const program = new Command('audit')
    .description('Audit video training corpora for time reversal.')
    .version(TOOL_VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', TOP_HELP);
  // decide and report lock the folder they rewrite (scan, physics and merge lock theirs in the library).
  program.hook('preAction', async (_program, action) => {
    result.folderLock = await lockCommandFolder(action);
  });

  addAnalysisOptions(
    program
      .command('scan')
      .argument('<input>', 'folder, video file, or manifest (.csv .tsv .jsonl .parquet .arrow)')
      .description('Measure motion and gravity cues of every clip.')
      .requiredOption('-o, --out <dir>', 'output folder; running the same command again with the same folder resumes')
      .option('--format <kind>', 'input kind instead of guessing from the name: folder|file|csv|jsonl|parquet|arrow')
      .option('--start-column <name>', "manifest column with each row's segment start (seconds or [HH:]MM:SS[.mmm]): the row is that span of its video; needs --end-column; rows without an id are named path#start-end")
      .option('--end-column <name>', "manifest column with each row's segment end (empty: the video's end); the window policy applies inside the segment"),
  )
    .option('--reverse', 'analyse every clip played backwards (its series is the mirror of the forward one)', false)
    .option('--model <path>', 'ONNX model that adds the verdict columns; "none" skips it (default: the shipped models/reversal-v1.onnx)')
    .option('--device <name>', 'where the model runs: auto (tries cuda, webgpu, then cpu, and says which runs), cpu, cuda, webgpu; an explicit device that cannot load fails with the alternatives', 'auto')
    .option('--batch <n>', 'clips per model batch (the model runs on the main thread)', int('--batch'), 64)
    .option('--model-windows <n>', 'most windows of 64 frame pairs a clip is judged on, averaged (1 = centred window only)', int('--model-windows'), 8)
    .option('--shard <i/n>', 'only the rows whose id hashes to shard i of n (0-based), for array jobs')
    .option('--no-count', 'skip counting input rows first (no total or ETA in the progress line)')
    .option('--no-report', 'do not write report.html (and its contact sheets) at the end')
    .option('--label-column <name>', 'the label (action class) of each clip: its taxonomy class decides invariant/equivariant/irreversible, equivariant labels are swapped ("Opening a drawer" -> "Closing a drawer"), and classes.csv/classes.parquet analyse the classes')
    .option('--caption-column <name>', 'the caption of each clip: rewritten for the reversed clip ("opens" -> "closes"); "falls", "pours", ... exclude it')
    .option('--taxonomy <name>', 'taxonomy of the labels: ssv2, jester, none, or auto (the one more than half of the labels belong to)', 'auto')
    .option('--label-map <csv>', 'your own taxonomy instead of ssv2/jester: CSV label,verdict,counterpart (needs --label-column)')
    .option('--policy <name>', 'decision policy: strict (every source must agree, model >= 0.8), balanced, permissive (reverse unless something says irreversible)', 'balanced')
    .option('--s3-endpoint <url>', 'endpoint of an S3-compatible store (MinIO, Ceph, ...) for s3:// inputs and paths; default AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS')
    .addHelpText('after', SCAN_HELP)
    .action(async (input: string, flags: ScanFlags) => {
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
      const c = summary.counts;
      if (!flags.quiet) {
        process.stderr.write(`${summary.status}: ${c.clips} clips, ${c.errors} errors (${c.resumed} rows from earlier runs) in ${summary.timings.wall_s.toFixed(1)} s -> ${summary.out}\n`);
        if (c.errors > 0) {
          const codes = Object.entries(c.errors_by_code).map(([k, n]) => `${k} ${n}`).join(', ');
          process.stderr.write(`errors by code: ${codes}; each row with its reason is in ${summary.out}/errors.jsonl\n`);
        }
        if (summary.status === 'interrupted') process.stderr.write('run the same command again to resume\n');
        if (summary.report && 'file' in summary.report) process.stderr.write(`report: ${summary.report.file}\n`);
        const d = summary.decisions;
        if (d && 'counts' in d) process.stderr.write(`decisions (${d.policy}): ${d.reverse_safe} reverse-safe (${d.counts.reverse_keep_label ?? 0} keep, ${d.counts.reverse_swap_label ?? 0} swap), ${d.excluded} excluded -> ${summary.out}/reverse-safe.*, excluded.*\n`);
        const ev = d && 'counts' in d ? evidenceLine(d) : null;
        if (ev) process.stderr.write(`${ev}\n`);
      }
      // Warnings about the decisions (labels no taxonomy knows) print even with --quiet.
      const dw = summary.decisions && 'counts' in summary.decisions ? (summary.decisions.warnings ?? []) : [];
      for (const w of dw) process.stderr.write(`warning: ${w.message}\n`);
      result.code = summary.status === 'interrupted' ? EXIT.INTERRUPTED : summary.report && 'error' in summary.report ? EXIT.REPORT_FAILED : c.errors > 0 ? EXIT.SOME_FAILED : EXIT.OK;
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
      result.code = m.errors > 0 ? EXIT.SOME_FAILED : EXIT.OK;
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
    .option('--handheld', 'handheld-camera look for every clip: sway, strong shake, exposure breathing, background things oscillating', false)
    .option('-q, --quiet', 'no progress output', false)
    .addHelpText('after', SYNTH_HELP)
    .action(async (flags: { out: string; count: number; seed: number; families?: string; twins: boolean; backgrounds?: string; handheld: boolean; quiet: boolean }) => {
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
        handheld: flags.handheld,
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
      .option('--model-windows <n>', 'most windows of 64 frame pairs a clip is judged on, averaged (1 = centred window only)', int('--model-windows'), 8)
      .option('--label-column <name>', 'column with invariant|equivariant|irreversible', 'label')
      .option('--direction-column <name>', 'optional column saying a clip already plays backward (forward|backward)', 'direction'),
  )
    .option('--json', 'print one JSON object instead of the table', false)
    .addHelpText('after', EVAL_HELP)
    .action(async (manifest: string, flags: EvalFlags) => {
      const { evaluate, formatEvalReport } = await import('../eval/index.js');
      const report = await withInterrupt((signal) =>
        evaluate(
          {
            ...analysisOptions(flags),
            manifest,
            model: flags.model,
            out: flags.out,
            device: flags.device,
            modelWindows: flags.modelWindows,
            labelColumn: flags.labelColumn,
            directionColumn: flags.directionColumn,
          },
          { signal },
        ),
      );
      process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${formatEvalReport(report)}\n`);
      result.code = report.status === 'interrupted' ? EXIT.INTERRUPTED : report.n_errors > 0 ? EXIT.SOME_FAILED : EXIT.OK;
    });

  program
    .command('report')
    .argument('<scan-out>', 'the --out folder of a scan (or of audit physics)')
    .description('(Re)write report.html of an existing scan folder: counts, charts, galleries, the clip table.')
    .option('--max-table-rows <n>', 'clip rows in the page table (the rest stay in clips.parquet)', int('--max-table-rows'), 2000)
    .option('--galleries <n>', 'clips in the "most confident irreversible" and "most doubtful" galleries', int('--galleries'), 12)
    .addHelpText('after', REPORT_HELP)
    .action(async (dir: string, flags: { maxTableRows: number; galleries: number }) => {
      const { writeReport } = await import('../report/index.js');
      process.stderr.write(`report: ${await writeReport(dir, { maxTableRows: flags.maxTableRows, galleries: flags.galleries })}\n`);
    });

  const inspect = program
    .command('inspect')
    .argument('<clip>', 'one video file')
    .description('Analyse one clip as scan does and explain it: cue summaries, verdict, reasoning; --png draws it.')
    .option('--model <path>', 'ONNX model for the verdict (default: the shipped models/reversal-v1.onnx; "none" to skip)')
    .option('--device <name>', 'where the model runs: auto|cpu|cuda|webgpu', 'auto')
    .option('--png <file>', 'write the contact sheet above the cue curves to this .png (or .jpg) file')
    .option('--json', 'print one JSON object instead of the text', false);
  addClipAnalysisOptions(inspect)
    .addHelpText('after', INSPECT_HELP)
    .action(async (clip: string, flags: ClipAnalysisFlags & { model?: string; device: 'auto' | 'cpu' | 'cuda' | 'webgpu'; png?: string; json: boolean }) => {
      // Loaded here so that other commands do not pay for sharp at start-up.
      const { formatInspect, inspectClip } = await import('../inspect/index.js');
      const r = await inspectClip({
        path: clip,
        model: flags.model,
        device: flags.device,
        png: flags.png,
        ...clipAnalysisOptions(flags),
      });
      process.stdout.write(flags.json ? `${JSON.stringify(r)}\n` : `${formatInspect(r)}\n`);
    });

  program
    .command('taxonomy')
    .argument('[name]', 'ssv2 (Something-Something v2) or jester', 'ssv2')
    .description('Print a class taxonomy: every class with its verdict under time reversal, counterpart and reason.')
    .option('--json', 'print the taxonomy JSON (with provenance) instead of the table', false)
    .addHelpText('after', TAXONOMY_HELP)
    .action(async (name: string, flags: { json: boolean }) => {
      const { TAXONOMY_NAMES, loadTaxonomy, formatTaxonomyTable } = await import('../labels/taxonomy/index.js');
      if (!(TAXONOMY_NAMES as readonly string[]).includes(name)) {
        throw new UsageError(`Unknown taxonomy ${JSON.stringify(name)}; valid names: ${TAXONOMY_NAMES.join(', ')}`);
      }
      const t = await loadTaxonomy(name as (typeof TAXONOMY_NAMES)[number]);
      process.stdout.write(flags.json ? `${JSON.stringify(t, null, 2)}\n` : `${formatTaxonomyTable(t)}\n`);
    });

  program
    .command('decide')
    .argument('<scan-out>', 'the --out folder of a finished scan (or of audit merge)')
    .description('Decide again which clips may be reversed, from an existing scan folder (no rescanning).')
    .option('--policy <name>', 'strict|balanced|permissive', 'balanced')
    .option('--label-column <name>', 'manifest column with labels (default: as the last decision step of the folder)')
    .option('--caption-column <name>', 'manifest column with captions (default: as the last decision step of the folder)')
    .option('--no-label-column', 'use no label column')
    .option('--no-caption-column', 'use no caption column')
    .option('--taxonomy <name>', 'auto|ssv2|jester|none (default: as the last decision step, else auto)')
    .option('--label-map <csv>', 'your own taxonomy instead of ssv2/jester: CSV label,verdict,counterpart (default: as the last decision step)')
    .option('--no-label-map', 'use no label map')
    .option('--json', 'print decisions.json instead of the table', false)
    .addHelpText('after', DECIDE_HELP)
    .action(async (dir: string, flags: { policy: 'strict' | 'balanced' | 'permissive'; labelColumn?: string | false; captionColumn?: string | false; taxonomy?: 'auto' | 'ssv2' | 'jester' | 'none'; labelMap?: string | false; json: boolean }) => {
      const { decideScan, formatDecisionCounts } = await import('../decide/index.js');
      const col = (v: string | false | undefined) => (v === false ? null : v);
      const s = await decideScan(dir, { policy: flags.policy, labelColumn: col(flags.labelColumn), captionColumn: col(flags.captionColumn), taxonomy: flags.taxonomy, labelMap: col(flags.labelMap) });
      process.stdout.write(flags.json ? `${JSON.stringify(s, null, 2)}\n` : `${formatDecisionCounts(s)}\n`);
      for (const w of s.warnings ?? []) process.stderr.write(`warning: ${w.message}\n`);
    });

  program
    .command('adapt')
    .argument('<scan-out...>', 'the --out folders of finished scans of your corpus')
    .description('Fine-tune the model to your own corpus from its scans, without labels (python3 + PyTorch).')
    .requiredOption('-o, --out <dir/name>', 'writes DIR/NAME.onnx, .card.json and .parity.json')
    .option('--base <path>', 'model to start from (default: the shipped models/reversal-v1.onnx)')
    .option('--group-column <name>', "manifest column naming each clip's group, e.g. its source video (default: the clip's folder)")
    .option('--label-column <name>', 'manifest column with labels: their taxonomy class gives weak verdicts')
    .option('--caption-column <name>', 'manifest column with captions: their motion words give weak verdicts')
    .option('--taxonomy <name>', 'taxonomy of the labels: auto|ssv2|jester|none', 'auto')
    .option('--holdout <share>', 'share of the groups held out to compare the base and the adapted model', positive('--holdout'), 0.2)
    .option('--epochs <n>', 'passes over the training clips', int('--epochs'), 8)
    .option('--lr <rate>', 'learning rate', positive('--lr'), 3e-4)
    .option('--verdict-weight <w>', 'weight of the weak verdicts beside the arrow (0: arrow only)', (v: string) => {
      const n = Number(v);
      if (!(n >= 0 && Number.isFinite(n))) throw new InvalidArgumentError(`Expected a number >= 0 for --verdict-weight but received ${JSON.stringify(v)}`);
      return n;
    }, 0.5)
    .option('--python <path>', 'python3 with torch and numpy (default: /usr/bin/python3, else python3)')
    .option('-q, --quiet', 'no progress output', false)
    .addHelpText('after', ADAPT_HELP)
    .action(async (scans: string[], flags: { out: string; base?: string; groupColumn?: string; labelColumn?: string; captionColumn?: string; taxonomy: 'auto' | 'ssv2' | 'jester' | 'none'; holdout: number; epochs: number; lr: number; verdictWeight: number; python?: string; quiet: boolean }) => {
      const { adapt, formatAdaptTable } = await import('../adapt/index.js');
      const r = await withInterrupt(
        (signal) => adapt({ scans, out: flags.out, base: flags.base, groupColumn: flags.groupColumn, labelColumn: flags.labelColumn, captionColumn: flags.captionColumn, taxonomy: flags.taxonomy, holdout: flags.holdout, epochs: flags.epochs, lr: flags.lr, verdictWeight: flags.verdictWeight, python: flags.python, quiet: flags.quiet, signal }),
        '\nInterrupted: stopping the training; nothing is written.\n',
      );
      process.stdout.write(`${formatAdaptTable(r)}\n`);
      if (r.status === 'adapted') process.stderr.write(`adapted in ${r.seconds.toFixed(0)} s: ${r.reason}\n-> ${r.model} (use it with: audit scan INPUT --out DIR --model ${r.model})\n`);
      else process.stderr.write(`refused, the base model is kept: ${r.reason}\n`);
      result.code = r.status === 'adapted' ? EXIT.OK : EXIT.FAILURE;
    });

  addAnalysisOptions(
    program
      .command('physics')
      .argument('<input>', 'folder of videos, a video, or a VideoPhy-2 CSV (rule, SA/PC or released format)')
      .description('Check generated videos for physics violations and reversal artefacts (VideoPhy-2 formats).')
      .requiredOption('-o, --out <dir>', 'output folder (the scan in <dir>/scan resumes)')
      .option('--model <path>', 'ONNX model for the time-direction check (default: the shipped models/reversal-v1.onnx; "none" to skip)')
      .option('--device <name>', 'where the model runs: auto|cpu|cuda|webgpu', 'auto')
      .option('--videos <dir>', 'folder where http(s) video URLs of a released CSV are found by file name (default: the CSV folder)')
      .option('--no-report', 'do not write report.html (and its contact sheets) at the end'),
  )
    .addHelpText('after', PHYSICS_HELP)
    .action(async (input: string, flags: AnalysisFlags & { out: string; model?: string; device: 'auto' | 'cpu' | 'cuda' | 'webgpu'; videos?: string; report: boolean }) => {
      const { physics } = await import('../physics/index.js');
      const a = analysisOptions(flags);
      const s = await withInterrupt(
        (signal) =>
          physics(
            {
              input,
              out: flags.out,
              model: flags.model,
              device: flags.device,
              workers: a.workers,
              // --path-column keeps its scan default "path"; physics picks videopath, video_url, ... itself unless told.
              pathColumn: flags.pathColumn === 'path' ? undefined : flags.pathColumn,
              videosDir: flags.videos,
              analysis: { shortSide: a.shortSide, fps: a.fps, maxSeconds: a.maxSeconds, timeoutMs: a.timeoutMs, flowPreset: a.flowPreset, flowDirections: a.flowDirections, retryErrors: a.retryErrors },
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
        result.code = EXIT.INTERRUPTED;
        return;
      }
      process.stderr.write(
        `physics (${s.input.format}): ${c.analysed}/${c.videos} videos analysed, ${c.artefacts} with a reversal artefact; ${c.rules} rules, ${c.rules_judged} judged (${c.rules_violated} violated); ${c.errors} errors; model ${s.model ?? 'none'} -> ${s.out}\n`,
      );
      if (s.report && 'file' in s.report) process.stderr.write(`report: ${s.report.file}\n`);
      if (c.errors > 0) process.stderr.write(`each failed row with its reason is in ${s.out}/errors.jsonl\n`);
      result.code = s.report && 'error' in s.report ? EXIT.REPORT_FAILED : c.errors > 0 ? EXIT.SOME_FAILED : EXIT.OK;
    });

  program
    .command('cues')
    .description('Print the cue columns and clip summaries with units and meaning.')
    .addHelpText('after', CUES_HELP)
    .action(() => {
      process.stdout.write(`${cueTable()}\n`);
    });
  return program;
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. Never calls process.exit. */
export async function runCli(argv: string[]): Promise<number> {
  const result: ActionResult = { code: EXIT.OK };
  const program = buildProgram(result);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return result.code;
  } catch (caught) {
    const err = commandError(caught, result.folderLock);
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    if (err instanceof UsageError) {
      process.stderr.write(`audit: ${err.message}\n`);
      return EXIT.USAGE;
    }
    const msg = err instanceof AuditError ? err.message : err instanceof Error ? (process.env.AUDIT_DEBUG ? (err.stack ?? err.message) : err.message) : String(err);
    process.stderr.write(`audit: ${msg}\n`);
    if (process.env.AUDIT_DEBUG && err instanceof AuditError && err.stack) process.stderr.write(`${err.stack}\n`);
    return EXIT.FAILURE;
  } finally {
    await result.folderLock?.release();
  }
}
