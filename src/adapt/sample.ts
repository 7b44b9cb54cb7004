// Which clips `audit adapt` uses from a corpus larger than --max-clips: a uniform sample by clip id, the same whatever
// the order the rows are read in, kept while the scans stream by, so memory grows with the sample, not the corpus.

import { crc32 } from 'node:zlib';

/**
 * Clips used by default. Tensors take about 110 KB a clip on disk and training time grows with the clips, so a corpus
 * of millions is sampled: 10,000 clips adapt in about 4-7 minutes on 2 cores.
 */
export const DEFAULT_MAX_CLIPS = 10_000;
const SAMPLE_SALT = 'adapt-sample:';

interface Entry<T> {
  h: number;
  id: string;
  value: T;
}

/** a after b in the sample's order: crc32(SAMPLE_SALT + id), ties by id. */
const after = <T>(a: Entry<T>, b: Entry<T>): boolean => a.h > b.h || (a.h === b.h && a.id > b.id);

/**
 * The `max` values offered whose ids come first by crc32(SAMPLE_SALT + id) (ties by id): a max-heap of at most `max`
 * entries, so reading a corpus of millions holds only the sample. Two offers of one id sit side by side in that order,
 * so both are kept or both not, except where the sample's last place falls between them: then one is.
 */
export class ClipSample<T> {
  /** Values offered so far. */
  offered = 0;
  private readonly heap: Entry<T>[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`Expected a positive integer max but received ${max}`);
  }

  offer(id: string, value: T): void {
    this.offered++;
    const e = { h: crc32(SAMPLE_SALT + id), id, value };
    const heap = this.heap;
    if (heap.length < this.max) {
      heap.push(e);
      this.up(heap.length - 1);
    } else if (after(heap[0], e)) {
      heap[0] = e;
      this.down(0);
    }
  }

  /** The sample, in no particular order. */
  values(): T[] {
    return this.heap.map((e) => e.value);
  }

  private up(i: number): void {
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!after(heap[i], heap[parent])) return;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private down(i: number): void {
    const heap = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let top = i;
      if (l < heap.length && after(heap[l], heap[top])) top = l;
      if (r < heap.length && after(heap[r], heap[top])) top = r;
      if (top === i) return;
      [heap[i], heap[top]] = [heap[top], heap[i]];
      i = top;
    }
  }
}
