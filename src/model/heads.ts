// How the heads beside the network change its prediction of one clip: the content head averages its verdict in
// (model/content-head.ts, with --content), the arrow head gives p_forward (model/arrow-head.ts). `audit scan` and
// `audit eval` both go through here, so a clip gets the same numbers from either.

import type { CueSeries } from '../cues/series.js';
import { headArrow, type ArrowHeadFile } from './arrow-head.js';
import { contentVerdict, mixVerdict, type ContentHeadFile } from './content-head.js';
import { VERDICTS } from './features.js';
import type { Prediction } from './onnx.js';

/** The heads a run uses: null where the network's own output stands. */
export interface Heads {
  /** With the clip's class scores (--content): the content head whose verdict is averaged with the network's. */
  content: ContentHeadFile | null;
  arrow: ArrowHeadFile | null;
}

/**
 * The network's prediction of a clip with the heads applied. `scores`: the clip's 80 class scores, or null (no
 * --content, or its frame could not be looked at): then the verdict is the network's. Also gives the content head's
 * own verdict before it was averaged (null when it was not).
 */
export function withHeads(
  p: Prediction,
  series: CueSeries,
  heads: Heads,
  scores: readonly number[] | null,
): { prediction: Prediction; own: number[] | null } {
  let prediction = p;
  if (heads.arrow) {
    const { logit, p_forward } = headArrow(heads.arrow, series);
    prediction = { ...prediction, p_forward, arrow_logit: logit };
  }
  if (!heads.content || !scores) return { prediction, own: null };
  const own = contentVerdict(heads.content, series, scores);
  const mixed = mixVerdict(heads.content, [p.p_invariant, p.p_equivariant, p.p_irreversible], own);
  const k = mixed.indexOf(Math.max(...mixed));
  return {
    prediction: {
      ...prediction,
      p_invariant: mixed[0],
      p_equivariant: mixed[1],
      p_irreversible: mixed[2],
      verdict: VERDICTS[k],
      confidence: mixed[k],
    },
    own,
  };
}
