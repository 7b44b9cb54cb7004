// Bounded-memory helpers for streaming a run of any size: a uniform sample and top-N, both independent of the
// order rows arrive in (workers finish clips in any order).

import { mix32 } from '../util/hash.js';

type Row = Record<string, unknown>;

/** A well-mixed 32-bit key of a row number (the murmur3 finaliser): the sample's random draw, fixed per row. */
function sampleKey(order: number): number {
  return mix32((order ^ Math.floor(order / 2 ** 32)) >>> 0);
}

/**
 * A uniform sample of at most `size` (value, layer) pairs from a stream: the pairs whose rows have the smallest keys
 * (a hash of the row number), so the same rows are kept whatever order they arrive in. Memory stays O(size).
 */
export class Reservoir {
  /** The kept rows: the highest -key, i.e. the smallest keys, ties to the earlier row. */
  private readonly top: TopN;
  constructor(size: number) {
    this.top = new TopN(size);
  }
  /** Rows offered so far. */
  get seen(): number {
    return this.top.count;
  }
  /** Offers a value of the row numbered `order` (each row once). */
  add(value: number, layer: string, order: number): void {
    this.top.add(-sampleKey(order), { row: order, value, layer });
  }
  get values(): number[] {
    return this.top.rows().map((r) => r.value as number);
  }
  get layers(): string[] {
    return this.top.rows().map((r) => r.layer as string);
  }
}

/**
 * Keeps the `n` entries with the highest score; memory stays O(n). Ties go to the earlier input row (the row's `row`
 * number, else the order of arrival), so the choice does not depend on which worker finished a clip first.
 */
export class TopN {
  private items: Array<{ score: number; order: number; row: Row }> = [];
  count = 0;
  constructor(private readonly n: number) {}
  add(score: number, row: Row): void {
    this.count++;
    if (this.n <= 0) return;
    this.items.push({ score, order: typeof row.row === 'number' ? row.row : this.count, row });
    if (this.items.length > 2 * this.n) this.trim();
  }
  private trim(): void {
    this.items.sort((a, b) => b.score - a.score || a.order - b.order);
    this.items.length = Math.min(this.items.length, this.n);
  }
  rows(): Row[] {
    this.trim();
    return this.items.map((i) => i.row);
  }
}
