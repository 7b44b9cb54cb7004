// Bounded-memory helpers for streaming a run of any size: a seeded generator, reservoir sampling, top-N.

type Row = Record<string, unknown>;

import { rng } from '../util/random.js';

export { rng };

/** A uniform sample of at most `size` (value, layer) pairs from a stream (reservoir sampling). */
export class Reservoir {
  readonly values: number[] = [];
  readonly layers: string[] = [];
  seen = 0;
  constructor(
    private readonly size: number,
    private readonly random: () => number,
  ) {}
  add(x: number, layer: string): void {
    this.seen++;
    if (this.values.length < this.size) {
      this.values.push(x);
      this.layers.push(layer);
      return;
    }
    const j = Math.floor(this.random() * this.seen);
    if (j < this.size) {
      this.values[j] = x;
      this.layers[j] = layer;
    }
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
