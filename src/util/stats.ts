// Small statistics shared across stages.

/** Median of the values (the mean of the middle two for an even count); null when there are none. */
export function median(values: ArrayLike<number>): number | null {
  const a = Array.from(values).sort((x, y) => x - y);
  if (a.length === 0) return null;
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}
