// Piscina worker entry: one task = one clip (a worker holds up to --decode-batch at once); frames never leave this thread, only numbers do.

import { analyseClip } from './analyse-clip.js';
import type { ClipOutcome, ClipTask } from './task.js';

/**
 * Fault injection for `npm run test:faults` only: AUDIT_FAULT_CRASH_CLIP=<id> makes the worker thread that
 * analyses clip <id> die mid-clip (its decode started), as a crash in native code or an out-of-memory
 * thread would. The scan must turn that into one `worker_failed` error row and go on.
 */
const CRASH_CLIP = process.env.AUDIT_FAULT_CRASH_CLIP;

async function analyseOrCrash(task: ClipTask): Promise<ClipOutcome> {
  if (task.id !== CRASH_CLIP) return analyseClip(task);
  void analyseClip(task);
  await new Promise((r) => setTimeout(r, 50));
  process.exit(70);
}

export default CRASH_CLIP ? analyseOrCrash : analyseClip;
