// Memory of a running process as Linux reports it in /proc, for the memory benchmarks.
import { readFileSync } from 'node:fs';

/**
 * Peak resident set size so far (VmHWM) of process `pid` in bytes; 0 once it has exited or where /proc is missing.
 * @param {number} pid
 */
export function peakRssBytes(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
