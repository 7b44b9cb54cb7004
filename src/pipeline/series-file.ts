// Reading a clip's cue series back from an output folder.

import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { CueSeries } from '../cues/series.js';

/**
 * Reads the [series_pairs x series_columns] float32 series a clips.jsonl/clips.parquet row points to.
 * (numpy: np.fromfile(out/series_file, '<f4', count=pairs*columns, offset=series_offset).reshape(pairs, columns))
 */
export async function readSeries(out: string, row: { series_file: string; series_offset: number; series_pairs: number; series_columns: number }): Promise<CueSeries> {
  const n = row.series_pairs * row.series_columns;
  const fh = await open(join(out, row.series_file), 'r');
  try {
    const buf = new Uint8Array(n * 4);
    const { bytesRead } = await fh.read(buf, 0, buf.length, Number(row.series_offset));
    if (bytesRead !== buf.length) throw new Error(`${row.series_file}: expected ${buf.length} bytes at offset ${row.series_offset} but read ${bytesRead}`);
    return { frames: row.series_pairs, columns: row.series_columns, data: new Float32Array(buf.buffer) };
  } finally {
    await fh.close();
  }
}
