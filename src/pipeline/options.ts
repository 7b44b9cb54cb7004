// Scan options: the one zod schema every caller (CLI or library) goes through.

import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { UsageError } from '../errors.js';

/** Parses "i/n" (0-based i) into a shard selector. */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m)
    throw new UsageError(
      `Expected a shard like 0/8 (index/count, index from 0) for --shard but received ${JSON.stringify(text)}`,
    );
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count)
    throw new UsageError(`Expected 0 <= index < count for --shard but received ${JSON.stringify(text)}`);
  return { index, count };
}

export const ScanOptionsSchema = z.object({
  /** A folder, a video file, or a manifest (CSV, TSV, JSONL, Parquet, Arrow IPC). */
  input: z.string().min(1),
  /** Output folder; running again with the same folder resumes. */
  out: z.string().min(1),
  pathColumn: z.string().min(1).default('path'),
  idColumn: z.string().min(1).default('id'),
  /** Segment columns: each row is the span [start, end] of its video (seconds or [HH:]MM:SS[.mmm]); both or neither. */
  startColumn: z.string().min(1).optional(),
  endColumn: z.string().min(1).optional(),
  format: z.enum(['folder', 'file', 'csv', 'jsonl', 'parquet', 'arrow']).optional(),
  workers: z
    .number()
    .int()
    .min(1)
    .max(512)
    .default(() => availableParallelism()),
  /**
   * Clips one ffmpeg decodes together in a worker (1 = one ffmpeg per clip). Process start-up is most of a short
   * clip's decode cost; the results are the same either way.
   */
  decodeBatch: z.number().int().min(1).max(64).default(8),
  shortSide: z.number().int().min(32).max(720).default(96),
  fps: z.number().positive().max(240).default(24),
  maxSeconds: z.number().positive().max(3600).default(10),
  timeoutMs: z.number().int().positive().default(60_000),
  flowPreset: z.enum(['ultrafast', 'fast', 'medium']).default('ultrafast'),
  flowDirections: z.enum(['canonical', 'both']).default('canonical'),
  reverse: z.boolean().default(false),
  shard: z.union([z.string(), z.object({ index: z.number().int().min(0), count: z.number().int().min(1) })]).optional(),
  /** Count the input rows first so progress can show a total and an ETA. */
  count: z.boolean().default(true),
  /** Write clips.parquet at the end (default true). */
  parquet: z.boolean().default(true),
  /**
   * Write report.html (and its contact sheets in report/) at the end of a complete run. The CLI turns it on
   * (`--no-report` turns it off); library callers (eval, physics, tests) opt in, as its contact sheets cost time (about
   * 0.1 s each on 2 cores; a 500-clip scan's 24 about 2 s).
   */
  report: z.boolean().default(false),
  /** Try the clips that failed in an earlier run again. */
  retryErrors: z.boolean().default(false),
  quiet: z.boolean().default(false),
  /** ONNX model for verdicts: a path, 'none', or unset for the shipped models/reversal-v1.onnx when present. */
  model: z.string().min(1).optional(),
  /** Where the model runs: auto tries cuda, webgpu, then cpu. */
  device: z.enum(['auto', 'cpu', 'cuda', 'webgpu']).default('auto'),
  /** Clips per inference batch (main thread). */
  batch: z.number().int().min(1).max(4096).default(64),
  /** Most model windows of 64 pairs a clip is judged on and averaged over (1 = its centred window only). */
  modelWindows: z.number().int().min(1).max(64).default(8),
  /**
   * Look at what is in the picture too (an object detector on one frame a clip; optional packages, about 0.3 s a clip
   * more on one core) and average the content head's verdict with the model's. Needs a model.
   */
  content: z.boolean().default(false),
  /** Content head for `content`: a path, 'none' (class scores recorded, verdict from the model alone), or unset for the shipped one. */
  contentHead: z.string().min(1).optional(),
  /**
   * Arrow head (model/arrow-head.ts) that gives p_forward instead of the model's own arrow: a path, 'none' (the
   * model's arrow), or unset: the shipped one with the shipped model, the model's own arrow with another model.
   */
  arrowHead: z.string().min(1).optional(),
  /** Manifest column with each clip's label (action class), for the decisions and the class table. */
  labelColumn: z.string().min(1).optional(),
  /** Manifest column with each clip's caption, rewritten for reversed clips. */
  captionColumn: z.string().min(1).optional(),
  /** Taxonomy of the labels: auto picks ssv2 or jester when most labels are its classes. */
  taxonomy: z.enum(['auto', 'ssv2', 'jester', 'none']).default('auto'),
  /** The user's own taxonomy instead of the built-in ones: a CSV of label,verdict,counterpart (needs labelColumn). */
  labelMap: z.string().min(1).optional(),
  /** Decision policy for reverse-safe / excluded (see src/decide/README.md). */
  policy: z.enum(['strict', 'balanced', 'permissive']).default('balanced'),
});

export type ScanOptionsInput = z.input<typeof ScanOptionsSchema>;
export type ScanOptions = z.output<typeof ScanOptionsSchema> & { shardSel: { index: number; count: number } | null };

/** Validates user options; throws UsageError naming the first bad option. */
export function parseScanOptions(input: ScanOptionsInput): ScanOptions {
  const parsed = ScanOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`Invalid option ${issue.path.join('.') || '(options)'}: ${issue.message}`);
  }
  const shard = parsed.data.shard;
  const shardSel = shard === undefined ? null : typeof shard === 'string' ? parseShard(shard) : shard;
  if (shardSel && shardSel.index >= shardSel.count)
    throw new UsageError(`Expected 0 <= index < count for shard but received ${shardSel.index}/${shardSel.count}`);
  return { ...parsed.data, shardSel };
}
