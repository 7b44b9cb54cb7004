// Cue: the fitted global (camera) motion per pair: pan, zoom and roll.

import type { PairCue } from './types.js';
import { speedScale } from './units.js';

export const cameraMotion: PairCue = Object.freeze<PairCue>({
  kind: 'pair',
  name: 'camera-motion',
  columns: Object.freeze([
    { name: 'cam_tx', parity: 'odd', unit: 'short sides/s', description: 'Camera-induced image translation, + = content moves right.' },
    { name: 'cam_ty', parity: 'odd', unit: 'short sides/s', description: 'Camera-induced image translation, + = content moves down.' },
    { name: 'cam_zoom', parity: 'odd', unit: '1/s (log scale)', description: 'Rate of log zoom; + = zooming in (content grows).' },
    { name: 'cam_rot', parity: 'odd', unit: 'rad/s', description: 'Image rotation rate; + = clockwise on screen.' },
    { name: 'cam_inliers', parity: 'even', unit: 'fraction', description: 'Share of flow samples the robust camera fit kept (low = little static background).' },
  ] as const),
  compute(view, out, offset) {
    const c = view.camera;
    const k = speedScale(view);
    out[offset] = c.tx * k;
    out[offset + 1] = c.ty * k;
    out[offset + 2] = c.logScale * view.fps;
    out[offset + 3] = c.rotation * view.fps;
    out[offset + 4] = c.inlierFraction;
  },
});
