// `merge`: combine the output folders of shards into one, refusing gaps and doubles.

import { copyFile, mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { AuditError, UsageError, withRerunAdvice } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { JsonlLog, readJsonl } from '../io/jsonl-log.js';
import { isS3Url } from '../io/object-store.js';
import { withDownloadedFolders } from '../io/object-store-out.js';
import { lockOutDir, withOutputFolder } from './out-dir.js';
import { CLIPS_JSONL, CUES_JSON, ERRORS_JSONL, SERIES_DIR, SUMMARY_JSON } from '../outputs/layout.js';
import {
  DECISION_SETTINGS,
  INPUT_SETTINGS,
  describeRun,
  readSummary,
  RUN_JSON,
  writeClipsParquet,
  type RunIdentity,
  type ScanSummary,
} from './scan.js';
import { StringTable } from '../util/string-table.js';

export interface MergeSummary {
  shards: number;
  input_rows: number;
  clips: number;
  errors: number;
  out: string;
}

function mismatch(message: string): AuditError {
  return new AuditError('merge_mismatch', message);
}

/**
 * Checks that the shards' rows were made alike (run.json: model, analysis settings, cue columns, heads; summary.json:
 * the manifest's path, id and segment columns) and that they were given the same label and caption columns, taxonomy and label map (the merged folder's decisions use them).
 * Returns the run.json text to write into the merged folder (null when the shards predate run.json).
 */
async function checkSameRuns(dirs: string[], summaries: ScanSummary[]): Promise<string | null> {
  const runs = await Promise.all(
    dirs.map((d) =>
      readFile(join(d, RUN_JSON), 'utf8').then(
        (text) => ({ text, run: JSON.parse(text) as RunIdentity }),
        () => null,
      ),
    ),
  );
  const first = runs[0];
  runs.forEach((r, i) => {
    if (i === 0 || (!r && !first)) return;
    if (!r || !first || describeRun(r.run) !== describeRun(first.run))
      throw mismatch(
        `Shard folder ${dirs[i]} was scanned with ${r ? describeRun(r.run) : `no ${RUN_JSON}`}; ${dirs[0]} with ${first ? describeRun(first.run) : `no ${RUN_JSON}`}. Merging would mix rows measured differently: scan the odd shard again with the others' settings`,
      );
    for (const k of INPUT_SETTINGS) {
      const [a, b] = [summaries[0].settings[k], summaries[i].settings[k]];
      if (a !== b)
        throw mismatch(
          `Shard folder ${dirs[i]} read the manifest with ${k} ${JSON.stringify(b ?? null)} but ${dirs[0]} with ${JSON.stringify(a ?? null)}: its rows would be other clips, or the same clips under other ids; scan the odd shard again with the others' options`,
        );
    }
    for (const k of DECISION_SETTINGS) {
      const [a, b] = [summaries[0].settings[k], summaries[i].settings[k]];
      if (a !== b)
        throw mismatch(
          `Shard folder ${dirs[i]} was scanned with ${k} ${JSON.stringify(b ?? null)} but ${dirs[0]} with ${JSON.stringify(a ?? null)}: the merged decisions need one; scan the odd shard again, or merge and run \`audit decide\` with the option you want`,
        );
    }
  });
  return first?.text ?? null;
}

/** Checks the shard summaries describe one complete, consistent sharded run. */
function checkShards(dirs: string[], summaries: ScanSummary[]): void {
  const first = summaries[0];
  const n = first.shard?.count ?? 1;
  const seen = new Map<number, string>();
  summaries.forEach((s, i) => {
    const dir = dirs[i];
    if (s.status !== 'complete')
      throw mismatch(
        `Shard folder ${dir} is ${s.status}: run the same scan command again with --out ${dir} to finish it`,
      );
    if (s.input.path !== first.input.path)
      throw mismatch(`Shard folder ${dir} scanned ${s.input.path} but ${dirs[0]} scanned ${first.input.path}`);
    if ((s.shard?.count ?? 1) !== n)
      throw mismatch(`Shard folder ${dir} is one of ${s.shard?.count ?? 1} shards but ${dirs[0]} is one of ${n}`);
    if (s.counts.input_rows !== first.counts.input_rows)
      throw mismatch(
        `Shard folder ${dir} saw ${s.counts.input_rows} input rows but ${dirs[0]} saw ${first.counts.input_rows}: the input changed between shards`,
      );
    const idx = s.shard?.index ?? 0;
    const other = seen.get(idx);
    if (other !== undefined) throw mismatch(`Shard ${idx}/${n} appears twice: ${other} and ${dir}`);
    seen.set(idx, dir);
    if (s.counts.clips + s.counts.errors !== s.counts.shard_rows) {
      throw mismatch(
        `Shard folder ${dir} holds ${s.counts.clips} clips + ${s.counts.errors} errors but its shard has ${s.counts.shard_rows} rows`,
      );
    }
  });
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length)
    throw mismatch(
      `Missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${n}`).join(', ')}: run them and merge again`,
    );
  const total = summaries.reduce((a, s) => a + s.counts.shard_rows, 0);
  if (total !== first.counts.input_rows)
    throw mismatch(`The shards hold ${total} rows but the input has ${first.counts.input_rows}`);
}

/**
 * Merges shard output folders into `out` (a new folder): rows are copied once, series files are
 * copied under new names, and clips.parquet and summary.json are written for the whole run.
 * @example
 * await merge(['out/shard-0', 'out/shard-1'], 'out/all');
 */
export async function merge(
  shardDirs: string[],
  outDir: string,
  hooks: { quiet?: boolean; stream?: NodeJS.WritableStream } = {},
): Promise<MergeSummary> {
  if (shardDirs.length === 0) throw new UsageError('Expected at least one shard folder for merge but received none');
  const command = `audit merge ${shardDirs.join(' ')} --out ${outDir}`;
  const stream = hooks.stream ?? process.stderr;
  const log = hooks.quiet ? undefined : (line: string) => void stream.write(`${line}\n`);
  // An s3:// --out is staged and uploaded when the merge is done (nothing when it fails); s3:// shard folders are downloaded first.
  return withOutputFolder(
    outDir,
    (local) => withDownloadedFolders(shardDirs, (dirs) => mergeInto(dirs, local, shardDirs), { command, log }),
    { command, quiet: hooks.quiet, stream, uploadOnFailure: false },
  );
}

/** The merge into the local folder `outDir` of the local shard folders `shardDirs` (`shown`: how summary.json names them). */
async function mergeInto(shardDirs: string[], outDir: string, shown: string[]): Promise<MergeSummary> {
  const out = resolve(outDir);
  // Only the merged folder is locked: the shard folders are only read, and shards never share a folder.
  const lock = await lockOutDir(out, `audit merge ${shown.join(' ')} --out ${outDir}`).catch((err: unknown) =>
    Promise.reject(withRerunAdvice(err, 'Run the same command again once the problem is fixed.', out)),
  );
  try {
    return await mergeLocked(
      shardDirs,
      out,
      shown.map((d) => (isS3Url(d) ? d : resolve(d))),
    );
  } catch (err) {
    throw withRerunAdvice(
      err,
      `Rerunning does not resume a merge: delete ${out} (a partial merge; the shard folders are untouched) and run the same command again.`,
      out,
    );
  } finally {
    await lock.release();
  }
}

async function mergeLocked(shardDirs: string[], out: string, shown: string[]): Promise<MergeSummary> {
  const dirs = shardDirs.map((d) => resolve(d));
  const existing = await stat(join(out, CLIPS_JSONL)).then(
    () => true,
    () => false,
  );
  if (existing)
    throw new UsageError(`Expected a new or empty folder for --out but ${out} already holds ${CLIPS_JSONL}`);
  const summaries: ScanSummary[] = [];
  for (const d of dirs) {
    try {
      summaries.push(await readSummary(d));
    } catch (err) {
      throw mismatch(
        `Cannot read ${join(d, SUMMARY_JSON)}: ${(err as Error).message}. Is ${d} the --out folder of a finished scan?`,
      );
    }
  }
  checkShards(dirs, summaries);
  const runJson = await checkSameRuns(dirs, summaries);
  const { nClips, nErrors, byCode } = await copyRows(dirs, summaries, out);
  await copyFile(join(dirs[0], CUES_JSON), join(out, CUES_JSON));
  if (runJson !== null) await writeFileAtomic(join(out, RUN_JSON), runJson);
  await writeClipsParquet(out);
  // The shards' own decisions and reports cover one shard each: the merged folder has none until `audit decide`.
  const { decisions: _d, report: _r, ...first } = summaries[0];
  const merged: ScanSummary & { merged_from: unknown } = {
    ...first,
    out,
    shard: null,
    merged_from: dirs.map((_d, i) => ({ dir: shown[i], shard: summaries[i].shard, timings: summaries[i].timings })),
    counts: {
      ...first.counts,
      shard_rows: first.counts.input_rows,
      clips: nClips,
      errors: nErrors,
      resumed: 0,
      this_run_clips: nClips,
      this_run_errors: nErrors,
      errors_by_code: Object.fromEntries([...byCode].sort((a, b) => b[1] - a[1])),
    },
    timings: mergedTimings(summaries),
  };
  await writeFileAtomic(join(out, SUMMARY_JSON), `${JSON.stringify(merged, null, 2)}\n`);
  return { shards: dirs.length, input_rows: first.counts.input_rows, clips: nClips, errors: nErrors, out };
}

/**
 * The shards' timings as one run's: wall time summed (the shards may have run side by side, so this is busy time,
 * not elapsed), clips per second of it, and the mean decode and analysis times weighted by the clips each shard ran.
 */
function mergedTimings(summaries: ScanSummary[]): ScanSummary['timings'] {
  let wall = 0;
  let rows = 0;
  let clips = 0;
  let decode = 0;
  let analyse = 0;
  for (const s of summaries) {
    wall += s.timings.wall_s;
    rows += s.counts.this_run_clips + s.counts.this_run_errors;
    clips += s.counts.this_run_clips;
    decode += s.timings.mean_decode_ms * s.counts.this_run_clips;
    analyse += s.timings.mean_analyse_ms * s.counts.this_run_clips;
  }
  return {
    wall_s: wall,
    clips_per_s: rows / Math.max(wall, 1e-9),
    mean_decode_ms: clips ? decode / clips : 0,
    mean_analyse_ms: clips ? analyse / clips : 0,
  };
}

/** Refuses a shard folder whose clip and error rows are not the ones its summary.json counted (a partial copy, say). */
function checkCopied(dir: string, summary: ScanSummary, clips: number, errors: number): void {
  const { clips: wantClips, errors: wantErrors } = summary.counts;
  if (clips !== wantClips || errors !== wantErrors)
    throw mismatch(
      `Shard folder ${dir} holds ${clips} clip rows and ${errors} error rows, but its ${SUMMARY_JSON} counts ${wantClips} and ${wantErrors}: rows were lost or added since it was scanned (a partial copy?); copy the shard folder again, or scan the shard again into a new --out folder`,
    );
}

/**
 * Copies every shard's rows and series files into `out` (series files renamed by shard, rows pointed at them),
 * refusing a clip id or error key seen twice; returns the counts and the error rows per code.
 */
async function copyRows(
  dirs: string[],
  summaries: ScanSummary[],
  out: string,
): Promise<{ nClips: number; nErrors: number; byCode: Map<string, number> }> {
  await mkdir(join(out, SERIES_DIR), { recursive: true });
  const clips = await JsonlLog.open(join(out, CLIPS_JSONL));
  const errors = await JsonlLog.open(join(out, ERRORS_JSONL));
  // Every clip id (-> the index of its shard folder) and error key across the shards: compact tables, as a merge of
  // millions of rows holds them all until the end.
  const ids = new StringTable();
  const keys = new StringTable();
  let nClips = 0;
  let nErrors = 0;
  const byCode = new Map<string, number>();
  let before = { clips: 0, errors: 0 };
  try {
    for (let i = 0; i < dirs.length; i++) {
      const dir = dirs[i];
      const tag = `shard${summaries[i].shard?.index ?? 0}`;
      const seriesFiles = await readdir(join(dir, SERIES_DIR)).catch(() => [] as string[]);
      for (const f of seriesFiles) await copyFile(join(dir, SERIES_DIR, f), join(out, SERIES_DIR, `${tag}-${f}`));
      for await (const { line, value } of readJsonl(join(dir, CLIPS_JSONL))) {
        const row = value as { id: string; series_file: string };
        const prev = ids.putIfAbsent(row.id, i);
        if (prev !== undefined)
          throw mismatch(
            `Clip id ${JSON.stringify(row.id)} is in ${join(dirs[prev] as string, CLIPS_JSONL)} and in ${join(dir, CLIPS_JSONL)} line ${line}`,
          );
        await clips.append({ ...row, series_file: `${SERIES_DIR}/${tag}-${basename(row.series_file)}` });
        nClips++;
      }
      for await (const { line, value } of readJsonl(join(dir, ERRORS_JSONL))) {
        const row = value as { key: string; code?: string };
        // an id key (`id:X`) may not also be a clip's id; a row key (`row:N`, a row that never had an id) may
        const id = row.key.startsWith('id:') ? row.key.slice(3) : null;
        if (keys.putIfAbsent(row.key, 0) !== undefined || (id !== null && ids.has(id)))
          throw mismatch(`Error row ${row.key} of ${join(dir, ERRORS_JSONL)} line ${line} appears twice across shards`);
        await errors.append(row);
        nErrors++;
        byCode.set(String(row.code), (byCode.get(String(row.code)) ?? 0) + 1);
      }
      checkCopied(dir, summaries[i], nClips - before.clips, nErrors - before.errors);
      before = { clips: nClips, errors: nErrors };
    }
  } finally {
    await clips.close();
    await errors.close();
  }
  return { nClips, nErrors, byCode };
}
