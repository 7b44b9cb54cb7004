// Writes a labelled synthetic corpus: clips, their reversed twins, labels.jsonl and the manifest `audit scan` reads.

import { createReadStream } from 'node:fs';
import { access, appendFile, mkdir, open, readFile, rename, stat, truncate, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { encodeFrames } from '../../decode/encode.js';
import { AuditError, UsageError, expected } from '../../errors.js';
import { lockFolder } from '../../io/lock.js';
import { FAMILIES, prepareCorpus } from './index.js';
import { Rng, hashSeed, loadRealBackgrounds } from './randomise.js';
import type { RealBackground } from './randomise.js';
import type { Family, RenderParams } from './types.js';

/** What to generate. */
export interface SynthOptions {
  /** Output folder: clips/, labels.jsonl, manifest.csv. Running again with the same folder resumes. */
  out: string;
  /** Number of forward clips (families taken in turn). */
  count: number;
  seed: number;
  /** Family names to use (default: all). */
  families?: string[];
  /** Also write every clip played backwards as `<id>_rev.mp4` (default true). */
  reversedTwins?: boolean;
  /** Folder of real footage whose frames may serve as backgrounds (never a dev/test set); default none. */
  backgroundsDir?: string;
  /** Fixed size, rate or length for every clip (tests, quick looks); default drawn per clip. */
  renderParams?: Pick<RenderParams, 'width' | 'height' | 'fps' | 'seconds'>;
  /** Every clip gets the handheld-camera look (see pickHandheld); default off. */
  handheld?: boolean;
  onClip?: (done: number, count: number, id: string) => void;
}

/** One row of labels.jsonl (one per mp4 file). */
export interface LabelRow {
  id: string;
  path: string;
  family: string;
  verdict: Family['verdict'];
  direction: 'forward' | 'backward';
  twin_id: string | null;
  /** The action shown in this file (equivariant families: a backward file shows the counterpart action). */
  action: string | null;
  seed: number;
  corpus_seed: number;
  index: number;
  fps: number;
  width: number;
  height: number;
  frames: number;
  crf: number;
  meta: Record<string, unknown>;
}

/** Read the complete rows of labels.jsonl, first cutting off a partial last line left by a killed run. */
async function readLabels(path: string): Promise<LabelRow[]> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return [];
  }
  if (size > 0) {
    const fh = await open(path, 'r');
    try {
      const tail = Buffer.alloc(Math.min(size, 1 << 16));
      let end = size;
      // Walk back to the last newline; everything after it is an unfinished row.
      while (end > 0) {
        const from = Math.max(0, end - tail.length);
        const { bytesRead } = await fh.read(tail, 0, end - from, from);
        const nl = tail.subarray(0, bytesRead).lastIndexOf(0x0a);
        if (nl >= 0) {
          end = from + nl + 1;
          break;
        }
        end = from;
      }
      if (end < size) await truncate(path, end);
    } finally {
      await fh.close();
    }
  }
  const rows: LabelRow[] = [];
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    try {
      rows.push(JSON.parse(line) as LabelRow);
    } catch (err) {
      throw new AuditError(
        'synth-labels-corrupt',
        `${path} line ${n} is not JSON (${(err as Error).message}): was it edited? Fix or remove that line, or render into a new --out`,
        { path, row: n },
      );
    }
  }
  return rows;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function pickFamilies(names: string[] | undefined): Family[] {
  if (!names || names.length === 0) return [...FAMILIES];
  return names.map((n) => {
    const f = FAMILIES.find((x) => x.name === n);
    if (!f) throw new UsageError(`${expected(`one of ${FAMILIES.map((x) => x.name).join(', ')}`, 'family', n)}`);
    return f;
  });
}

/**
 * Render `count` clips (families in turn, each from its own seed derived from `seed` and its index), encode each
 * with a random CRF of 18-35 and, by default, its reversed twin. Deterministic for a seed; resumable (a clip
 * whose label rows exist is skipped); holds one clip's frames at a time.
 * Returns the files written by this call and their total duration in seconds (twins included), and how many
 * clips were already there.
 */
export async function synthCorpus(options: SynthOptions): Promise<{ clips: number; seconds: number; skipped: number }> {
  const { out, count, seed } = options;
  if (!Number.isInteger(count) || count < 0) throw new UsageError(expected('a whole number >= 0', 'count', count));
  // seeds are mixed in as 32 bits: a larger one would render the same clips as another seed under other ids
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32)
    throw new UsageError(expected('an integer from 0 to 4294967295', 'seed', seed));
  const families = pickFamilies(options.families);
  const twins = options.reversedTwins !== false;
  await prepareCorpus();
  await mkdir(join(out, 'clips'), { recursive: true });
  // Two renders into one folder would append to one labels.jsonl: the second stops, naming the first.
  const lock = await lockFolder(out, { command: `audit synth --out ${out} --seed ${seed}` });
  try {
    return await renderCorpus(options, families, twins);
  } finally {
    await lock.release();
  }
}

/** Renders the clips of {@link synthCorpus} into its locked folder, skipping those labels.jsonl already lists. */
async function renderCorpus(
  options: SynthOptions,
  families: Family[],
  twins: boolean,
): Promise<{ clips: number; seconds: number; skipped: number }> {
  const { out, count, seed } = options;
  const labelsPath = join(out, 'labels.jsonl');
  const done = new Set((await readLabels(labelsPath)).map((r) => r.id));
  await checkLook(out, options, done.size > 0);
  const backgrounds: RealBackground[] = options.backgroundsDir ? await loadRealBackgrounds(options.backgroundsDir) : [];

  let clips = 0;
  let seconds = 0;
  let skipped = 0;
  for (let i = 0; i < count; i++) {
    const family = families[i % families.length];
    const id = `${family.name}_s${seed}_${String(i).padStart(6, '0')}`;
    const revId = `${id}_rev`;
    const paths = [join(out, 'clips', `${id}.mp4`), join(out, 'clips', `${revId}.mp4`)] as const;
    if (done.has(id) && (await exists(paths[0])) && (!twins || (done.has(revId) && (await exists(paths[1]))))) {
      skipped++;
      options.onClip?.(i + 1, count, id);
      continue;
    }
    const clipSeed = hashSeed(seed, `clip:${i}`);
    const rng = new Rng(clipSeed);
    const crf = rng.fork('crf').int(18, 35);
    const result = family.render(rng.fork('render'), {
      ...options.renderParams,
      backgrounds,
      ...(options.handheld ? { handheld: true } : {}),
    });
    const enc = { width: result.width, height: result.height, fps: result.fps, crf, pixelFormat: 'rgba' as const };
    await encodeFrames(result.frames, { ...enc, path: paths[0] });
    const action = typeof result.meta.action === 'string' ? result.meta.action : null;
    const reversedAction = typeof result.meta.reversed_action === 'string' ? result.meta.reversed_action : action;
    const base = {
      family: family.name,
      verdict: family.verdict,
      seed: clipSeed,
      corpus_seed: seed,
      index: i,
      fps: result.fps,
      width: result.width,
      height: result.height,
      frames: result.frames.length,
      crf,
      meta: result.meta,
    };
    const rows: LabelRow[] = [
      { id, path: `clips/${id}.mp4`, direction: 'forward', twin_id: twins ? revId : null, action, ...base },
    ];
    if (twins) {
      // In place: the forward frames are no longer needed, and a copy would double the clip's memory.
      result.frames.reverse();
      await encodeFrames(result.frames, { ...enc, path: paths[1] });
      rows.push({
        id: revId,
        path: `clips/${revId}.mp4`,
        direction: 'backward',
        twin_id: id,
        action: reversedAction,
        ...base,
      });
    }
    // Rows only after both files exist: a run killed in between re-renders the clip. A clip rendered again (its twin
    // was missing, say) replaces its earlier rows, so no id is listed twice.
    if (done.has(id) || done.has(revId)) await dropRows(labelsPath, new Set([id, revId]));
    await appendFile(labelsPath, rows.map((r) => JSON.stringify(r) + '\n').join(''));
    clips += rows.length;
    seconds += (rows.length * result.frames.length) / result.fps;
    options.onClip?.(i + 1, count, id);
  }
  await writeManifest(out, labelsPath);
  return { clips, seconds, skipped };
}

/** What shapes a clip beyond its id: a folder's clips must all have it alike, or a resume mixes two corpora. */
function lookOf(options: SynthOptions): Record<string, unknown> {
  return {
    handheld: options.handheld === true,
    backgrounds: options.backgroundsDir ? resolve(options.backgroundsDir) : null,
    render: options.renderParams ?? {},
  };
}

/**
 * synth.json records the look the folder's clips were rendered with; a resume asking for another one (`--handheld`
 * into a folder of steady clips, say) is refused, as the ids would not tell the two apart. A folder from before
 * synth.json takes this run's.
 */
async function checkLook(out: string, options: SynthOptions, hasClips: boolean): Promise<void> {
  const file = join(out, 'synth.json');
  const now = JSON.stringify(lookOf(options));
  const before = await readFile(file, 'utf8').catch(() => null);
  if (before !== null && hasClips && before.trim() !== now)
    throw new UsageError(
      `${out} holds clips rendered with ${before.trim()}; this run asks for ${now}, and a resume would mix the two under one naming: use another --out, or the earlier options`,
    );
  if (before === null || !hasClips) await writeFile(file, `${now}\n`);
}

/** Rewrites labels.jsonl without the rows of `ids` (written whole, then renamed into place). */
async function dropRows(labelsPath: string, ids: ReadonlySet<string>): Promise<void> {
  const kept = (await readLabels(labelsPath)).filter((r) => !ids.has(r.id));
  const tmp = `${labelsPath}.part`;
  await writeFile(tmp, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
  await rename(tmp, labelsPath);
}

/** manifest.csv (id,path,family,verdict,direction) from every label row; written whole, then renamed into place. */
async function writeManifest(out: string, labelsPath: string): Promise<void> {
  const lines = ['id,path,family,verdict,direction'];
  // Ids and family names are [a-z0-9_]: nothing to quote.
  for (const r of await readLabels(labelsPath)) lines.push(`${r.id},${r.path},${r.family},${r.verdict},${r.direction}`);
  const tmp = join(out, 'manifest.csv.part');
  await writeFile(tmp, lines.join('\n') + '\n');
  await rename(tmp, join(out, 'manifest.csv'));
}
