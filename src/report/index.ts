// writeReport: a scan (or physics) output folder -> report.html plus its contact sheets in report/.

import { join } from 'node:path';
import { toIoError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { collectReportData, type CollectOptions } from './collect.js';
import { renderReport } from './html.js';
import { addPictures, type PictureOptions } from './pictures.js';

export { renderReport, contentSecurityPolicy } from './html.js';
export { collectReportData, KEY_CUES, type CollectOptions, type Collected } from './collect.js';
export { escapeHtml, escapeAttr, jsonForScript } from './escape.js';
export type * from './types.js';

/** The page written into the output folder. */
export const REPORT_HTML = 'report.html';

/** Options of {@link writeReport}: what {@link collectReportData} keeps, and how pictures are made. */
export interface WriteReportOptions extends CollectOptions, PictureOptions {}

/**
 * Writes `outDir/report.html`: one self-contained page (inline CSS, SVG and script; no network) with the run's
 * header, counts, errors, charts, per-class table, galleries with contact sheets (in `outDir/report/`) and cue
 * curves, a sortable and filterable table of the first `maxTableRows` clips (default 2000), and the physics
 * checks when `physics.jsonl` is there. clips.jsonl is streamed, so the memory used does not grow with the run.
 * Returns the path of the page.
 * @example
 * const file = await writeReport('out/samples'); // 'out/samples/report.html'
 */
export async function writeReport(outDir: string, opts: WriteReportOptions = {}): Promise<string> {
  try {
    const { data, scanDir, itemRows } = await collectReportData(outDir, opts);
    if (itemRows.size) data.notes.push(...(await addPictures(outDir, scanDir, itemRows, opts)));
    const file = join(outDir, REPORT_HTML);
    await writeFileAtomic(file, renderReport(data));
    return file;
  } catch (err) {
    // a file-system error (a file where the report/ folder goes, say) named as the tool's other file errors are
    throw toIoError(err);
  }
}
