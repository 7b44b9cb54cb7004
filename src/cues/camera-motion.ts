// Cue: the fitted global (camera) motion per pair: pan, zoom and roll.

import type { PairCue } from './types.js';
import { cameraDisplacement } from '../flow/camera.js';
import type { CameraMotion } from '../flow/types.js';
import { speedScale } from './units.js';

const d = new Float64Array(2);

/** Mean |camera displacement| over the frame, px per pair; a coarse grid is exact enough (it is smooth). */
function cameraSpeed(c: CameraMotion, width: number, height: number): number {
  let s = 0;
  let n = 0;
  for (let gy = 0; gy < 8; gy++) {
    for (let gx = 0; gx < 8; gx++) {
      cameraDisplacement(c, width, height, ((gx + 0.5) * width) / 8 - 0.5, ((gy + 0.5) * height) / 8 - 0.5, d);
      s += Math.hypot(d[0], d[1]);
      n++;
    }
  }
  return s / n;
}

export const cameraMotion: PairCue = Object.freeze<PairCue>({
  kind: 'pair',
  name: 'camera-motion',
  columns: Object.freeze([
    {
      name: 'cam_tx',
      parity: 'odd',
      unit: 'short sides/s',
      description: 'Camera-induced image translation, + = content moves right.',
    },
    {
      name: 'cam_ty',
      parity: 'odd',
      unit: 'short sides/s',
      description: 'Camera-induced image translation, + = content moves down.',
    },
    {
      name: 'cam_zoom',
      parity: 'odd',
      unit: '1/s (log scale)',
      description: 'Rate of log zoom; + = zooming in (content grows).',
    },
    { name: 'cam_rot', parity: 'odd', unit: 'rad/s', description: 'Image rotation rate; + = clockwise on screen.' },
    {
      name: 'cam_speed',
      parity: 'even',
      unit: 'short sides/s',
      description: 'Mean speed of the image motion the camera fit predicts (pan, zoom and roll together).',
    },
    {
      name: 'cam_inliers',
      parity: 'even',
      unit: 'fraction',
      description: 'Share of flow samples the robust camera fit kept (low = little static background).',
    },
  ] as const),
  compute(view, out, offset) {
    const c = view.camera;
    const k = speedScale(view);
    out[offset] = c.tx * k;
    out[offset + 1] = c.ty * k;
    out[offset + 2] = c.logScale * view.fps;
    out[offset + 3] = c.rotation * view.fps;
    out[offset + 4] = cameraSpeed(c, view.flow.width, view.flow.height) * k;
    out[offset + 5] = c.inlierFraction;
  },
});
