// Plain data types of the flow stage: dense flow fields and global (camera) motion.

/**
 * A grayscale image, row-major, values 0..255: the decoder's bytes, or Float32 (pyramid levels and warps are
 * Float32 so they stay exact; a Uint8 frame gives the same flow and cues as its Float32 copy).
 */
export interface GrayImage {
  width: number;
  height: number;
  data: Float32Array | Uint8Array;
}

/**
 * A dense flow field on the pixel grid of the first frame: pixel (x, y) of frame A moves to
 * (x + u, y + v) in frame B. Units: pixels of the image the flow was computed on, per frame pair.
 */
export interface FlowField {
  width: number;
  height: number;
  u: Float32Array;
  v: Float32Array;
}

/**
 * Global motion of the camera between two frames, as a similarity transform about the image centre:
 * p' = c + exp(logScale) * R(rotation) * (p - c) + (tx, ty).
 * tx, ty in pixels per pair (x right, y down); logScale natural log of the zoom factor (> 0 zooms in);
 * rotation in radians (positive = clockwise on screen, since y points down).
 * Under time reversal every parameter is negated to first order (exactly, for the inverse transform).
 */
export interface CameraMotion {
  tx: number;
  ty: number;
  logScale: number;
  rotation: number;
  /** Share of the flow samples the robust fit kept as inliers (0..1). */
  inlierFraction: number;
}
