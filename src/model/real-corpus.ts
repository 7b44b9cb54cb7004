// A folder of real footage with weak labels (index.csv + labels.csv) as training rows, and its fixed validation split.
//
// Layout: `clips/*.mp4`; `index.csv` with `file, group, source, license, ...` (`group` names the source video, `source`
// reads `github OWNER/NAME @ COMMIT : PATH`); `labels.csv` with `file, label, confidence, ...` (`label` invariant /
// equivariant / irreversible / unclear, `confidence` high / medium / low).

import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { expected, ManifestError } from '../errors.js';
import { isRowProblem, openInput } from '../io/inputs.js';
import { VERDICTS, type VerdictName } from './features.js';

/**
 * The validation split of a real corpus, fixed once: a clip is a validation clip when crc32(`SALT` + its repository)
 * mod 100 < `PERCENT`. Keyed by repository, not only by source video, because several repositories contribute many
 * similar source videos (one lab's robot arm, one street camera): every piece of one source video, and every source
 * of one repository, lands on the same side. The salt was picked once, before any model was scored on it, as the one
 * of 50 whose per-verdict shares came closest to 20 %.
 */
export const REAL_VALIDATION = Object.freeze({ salt: 'real-val-17:', percent: 20 });

/** Whether clips of this repository (or source key) belong to the validation split. */
export function isRealValidation(key: string): boolean {
  return crc32(REAL_VALIDATION.salt + key) % 100 < REAL_VALIDATION.percent;
}

/** What a weak verdict label weighs in the verdict loss, by its confidence. */
export const CONFIDENCE_WEIGHT: Readonly<Record<string, number>> = Object.freeze({ high: 1, medium: 0.7, low: 0.3 });

/** One clip of a real corpus. */
export interface RealClip {
  file: string;
  /** The source video (every piece of one source shares it). */
  group: string;
  /** The repository the source came from: the split key. */
  repo: string;
  license: string;
  /** Index into VERDICTS, or -1 (unclear, or no label row). */
  verdict: number;
  confidence: string;
  split: 'train' | 'val';
}

/** The repository of a `source` cell (`github OWNER/NAME @ COMMIT : PATH` -> `OWNER/NAME`), or the cell itself. */
export function repositoryOf(source: string): string {
  const m = /^\s*(?:github\s+)?([^\s@]+)\s*@/.exec(source);
  return m ? m[1] : source.trim();
}

/** The rows of a CSV keyed by its `file` column, each with its line number; a malformed row stops the read, naming it. */
async function readCsv(
  path: string,
  need: readonly string[],
): Promise<Map<string, { line: number; cells: Record<string, string> }>> {
  const out = new Map<string, { line: number; cells: Record<string, string> }>();
  const source = await openInput(path, { pathColumn: 'file', format: 'csv' });
  for await (const row of source.rows()) {
    if (isRowProblem(row)) throw row.error;
    const cells = Object.fromEntries(Object.entries(row.columns).map(([k, v]) => [k, v === null ? '' : String(v)]));
    for (const k of need) {
      if (!(k in cells))
        throw new ManifestError(
          'bad_real_corpus',
          expected(`a column ${k}`, `line ${row.row} of ${path}`, Object.keys(cells)),
          { path, row: row.row },
        );
    }
    out.set(cells.file, { line: row.row, cells });
  }
  return out;
}

/**
 * Reads a real corpus's index.csv and labels.csv, keyed by clip file name (the name `audit scan` of its clips/ folder
 * gives each row's path). A clip without a label row, or labelled `unclear`, gets verdict -1 (an arrow-of-time
 * example only); an unknown label or confidence is an error naming the line.
 */
export async function readRealCorpus(dir: string): Promise<Map<string, RealClip>> {
  const labelsPath = join(dir, 'labels.csv');
  const index = await readCsv(join(dir, 'index.csv'), ['file', 'group', 'source']);
  const labels = await readCsv(labelsPath, ['file', 'label', 'confidence']);
  const clips = new Map<string, RealClip>();
  for (const [file, { cells: r }] of index) {
    const l = labels.get(file);
    const label = l?.cells.label ?? 'unclear';
    const confidence = l?.cells.confidence ?? 'low';
    const where = `${file} (line ${l?.line}) in ${labelsPath}`;
    const verdict = VERDICTS.indexOf(label as VerdictName);
    if (verdict < 0 && label !== 'unclear') {
      throw new ManifestError('bad_label', expected(`label ${VERDICTS.join('|')}|unclear`, where, label), {
        path: labelsPath,
        row: l?.line,
      });
    }
    if (!(confidence in CONFIDENCE_WEIGHT)) {
      throw new ManifestError(
        'bad_label',
        expected(`confidence ${Object.keys(CONFIDENCE_WEIGHT).join('|')}`, where, confidence),
        { path: labelsPath, row: l?.line },
      );
    }
    const repo = repositoryOf(r.source);
    clips.set(file, {
      file,
      group: r.group,
      repo,
      license: r.license ?? 'unknown',
      verdict,
      confidence,
      split: isRealValidation(repo) ? 'val' : 'train',
    });
  }
  return clips;
}
