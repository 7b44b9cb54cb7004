// The base model's arrow as `audit scan` gives it: beside the shipped model that is the shipped arrow head's
// p_forward (model/arrow-head.ts), not the network's. `audit adapt` measures it on the held-out groups too, so an
// adapted model is kept only when its arrow beats what the user already gets.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditError } from '../errors.js';
import { headArrow, type ArrowHeadFile } from '../model/arrow-head.js';
import { readSeries, type SeriesRef } from '../outputs/series-file.js';

/** The arrow head's accuracy on the held-out clips (all play forwards as filmed) and how far from 0.5 it leans. */
export interface HeadHeldout {
  clips: number;
  arrow_accuracy: number | null;
  mean_abs_p_forward_minus_half: number | null;
}

/** A scan folder and its clip rows (id, and where each series lies), as `audit adapt` read them. */
export interface ScannedClips {
  scan: string;
  clips: readonly { id: string; series: SeriesRef }[];
}

/**
 * The arrow head on the held-out clips of exported tensors: `data[k]` was exported from `scans[k]`, and its
 * groups.json names each row's clip and split ('val': held out), the same clips models/adapt.py scores. The head
 * reads each clip's whole series, as a scan does. A `signal` that fires stops it at the next clip (AuditError
 * 'interrupted').
 */
export async function headOnHeldout(
  head: ArrowHeadFile,
  scans: readonly ScannedClips[],
  data: string[],
  signal?: AbortSignal,
): Promise<HeadHeldout> {
  let clips = 0;
  let right = 0;
  let lean = 0;
  for (const [k, folder] of data.entries()) {
    const groups = JSON.parse(await readFile(join(folder, 'groups.json'), 'utf8')) as { id: string; split: string }[];
    const held = new Set(groups.filter((g) => g.split === 'val').map((g) => g.id));
    for (const clip of scans[k].clips) {
      if (!held.delete(clip.id)) continue;
      if (signal?.aborted)
        throw new AuditError(
          'interrupted',
          'Interrupted while measuring the arrow head on the held-out clips; nothing was written',
        );
      const { p_forward } = headArrow(head, await readSeries(scans[k].scan, clip.series));
      clips++;
      if (p_forward > 0.5) right++;
      lean += Math.abs(p_forward - 0.5);
    }
  }
  return {
    clips,
    arrow_accuracy: clips ? right / clips : null,
    mean_abs_p_forward_minus_half: clips ? lean / clips : null,
  };
}
