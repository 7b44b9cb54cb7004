// The base model's arrow as `audit scan` gives it: beside the shipped model that is the shipped arrow head's
// p_forward (model/arrow-head.ts), not the network's. `audit adapt` measures it on the held-out groups too, so an
// adapted model is kept only when its arrow beats what the user already gets.

import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { headArrow, type ArrowHeadFile } from '../model/arrow-head.js';
import { readSeries, type SeriesRef } from '../outputs/series-file.js';

/** The arrow head's accuracy on the held-out clips (all play forwards as filmed) and how far from 0.5 it leans. */
export interface HeadHeldout {
  clips: number;
  arrow_accuracy: number | null;
  mean_abs_p_forward_minus_half: number | null;
}

/**
 * The arrow head on the held-out clips of exported tensors: `data[k]` was exported from the scan `scans[k]`, and its
 * groups.json names each row's clip and split ('val': held out), the same clips models/adapt.py scores. The head
 * reads each clip's whole series, as a scan does.
 */
export async function headOnHeldout(head: ArrowHeadFile, scans: string[], data: string[]): Promise<HeadHeldout> {
  let clips = 0;
  let right = 0;
  let lean = 0;
  for (const [k, folder] of data.entries()) {
    const groups = JSON.parse(await readFile(join(folder, 'groups.json'), 'utf8')) as { id: string; split: string }[];
    const held = new Set(groups.filter((g) => g.split === 'val').map((g) => g.id));
    const file = join(scans[k], 'clips.jsonl');
    for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      if (!text.trim()) continue;
      const row = JSON.parse(text) as SeriesRef & { id: string };
      if (!held.delete(row.id)) continue;
      const { p_forward } = headArrow(head, await readSeries(scans[k], row));
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
