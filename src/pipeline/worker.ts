// Piscina worker entry: one task = one clip; frames never leave this thread, only numbers do.

import { analyseClip } from './analyse-clip.js';

export default analyseClip;
