// Shared types of the synthetic corpus: a scene family, what it is given and what it renders.

import type { Rng, RealBackground } from './randomise.js';

/** How a clip behaves under time reversal (invariant, equivariant or irreversible; see the README). */
export type Verdict = 'invariant' | 'equivariant' | 'irreversible';

/** Overrides for one render; anything left out is drawn at random from the clip's rng. */
export interface RenderParams {
  width?: number;
  height?: number;
  fps?: number;
  /** Length of the rendered clip in seconds (2-5 when drawn). */
  seconds?: number;
  /** No camera motion, overlays, noise, blur or lighting drift: for tests and debugging. */
  clean?: boolean;
  /** Handheld-camera look: sway, strong shake, exposure breathing, background things oscillating (see pickHandheld). */
  handheld?: boolean;
  /** Frames of real footage to use as backgrounds sometimes (see loadRealBackgrounds). */
  backgrounds?: readonly RealBackground[];
}

/** One rendered clip: RGBA frames (width*height*4 bytes each) and what was drawn. */
export interface RenderResult {
  frames: Uint8Array[];
  width: number;
  height: number;
  fps: number;
  /** Physical parameters of the scene, the look, and for equivariant families `action`/`reversed_action`. */
  meta: Record<string, unknown>;
}

/** A scene family of the corpus. */
export interface Family {
  readonly name: string;
  /** What the family's clips become when played backwards (docs/design.md, "The three verdicts"). */
  readonly verdict: Verdict;
  /** The motion shown and why the verdict holds, one line. */
  readonly description: string;
  render(rng: Rng, params?: RenderParams): RenderResult;
}
