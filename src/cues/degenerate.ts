// Clips too poor to judge from their pixels: too small, blank, or still. Such a clip gets no verdict from the
// model (any number it gave would be noise) and a `doubt` reason instead, so decisions treat it as unsure.

/** A source side under this many pixels is too small to show a motion (the model never saw one). */
export const MIN_SIDE_PX = 16;
/** Largest per-frame standard deviation of gray levels (0..255) under which every frame is blank. */
export const BLANK_SPREAD = 2;
/** Mean whole-frame motion (short sides/s) under which, with no object motion, a clip is still. */
export const STILL_ENERGY = 0.02;
/** Largest object motion of any pair (short sides/s: 0.1 px/s at 96 px) under which nothing in the clip moves. */
export const STILL_RESIDUAL = 0.001;

/** What {@link degenerateReasons} looks at: the source size, the gray analysis frames and the clip summaries. */
export interface DegenerateInput {
  sourceWidth: number;
  sourceHeight: number;
  frames: readonly Uint8Array[];
  summaries: Readonly<Record<string, number>>;
}

/** Largest per-frame standard deviation of the pixels (a fraction of a millisecond for a clip at analysis size). */
export function frameSpread(frames: readonly Uint8Array[]): number {
  let most = 0;
  for (let f = 0; f < frames.length; f++) {
    const px = frames[f];
    if (px.length === 0) continue;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < px.length; i++) {
      sum += px[i];
      sq += px[i] * px[i];
    }
    const mean = sum / px.length;
    most = Math.max(most, Math.sqrt(Math.max(0, sq / px.length - mean * mean)));
  }
  return most;
}

/**
 * Whether a clip row's `doubt` (clips.jsonl) holds a reason {@link degenerateReasons} gave: the clip is tiny, blank or
 * still, so it shows no direction to learn or to score. Out of domain is a doubt, not a degenerate clip.
 */
export function isDegenerateDoubt(doubt: unknown): boolean {
  return Array.isArray(doubt) && doubt.some((d) => /^(tiny|blank|still):/.test(String(d)));
}

/** Why the clip is degenerate (tiny, blank, still), each a reason a person can read; empty for a usable clip. */
export function degenerateReasons(c: DegenerateInput): string[] {
  const out: string[] = [];
  const side = Math.min(c.sourceWidth, c.sourceHeight);
  if (side > 0 && side < MIN_SIDE_PX)
    out.push(`tiny: ${c.sourceWidth}x${c.sourceHeight} px, under ${MIN_SIDE_PX} on a side`);
  const spread = frameSpread(c.frames);
  if (spread < BLANK_SPREAD)
    out.push(`blank: every frame nearly uniform (pixel spread ${spread.toFixed(2)} < ${BLANK_SPREAD} of 255)`);
  else {
    const energy = c.summaries.mean_energy_total ?? Number.NaN;
    const residual = c.summaries.peak_energy_residual ?? Number.NaN;
    if (energy < STILL_ENERGY && residual < STILL_RESIDUAL) {
      out.push(
        `still: nothing moves (object motion at most ${residual.toFixed(4)} < ${STILL_RESIDUAL} short sides/s, whole frame ${energy.toFixed(4)})`,
      );
    }
  }
  return out;
}
