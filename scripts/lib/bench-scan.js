// Benchmarks keep their scans under out/ to resume; a scan folder made with another model or other settings
// (an upgraded shipped model, --model none) is refused by scan's resume check, so a benchmark starts it afresh.
import { rm } from 'node:fs/promises';
import { RunMismatchError } from '../../dist/errors.js';
import { scan } from '../../dist/pipeline/scan.js';

/**
 * scan(options), or, when options.out holds a scan of another model or settings, that folder removed and a new scan.
 * @param {import('../../dist/pipeline/options.js').ScanOptionsInput} options
 * @param {(line: string) => void} [log]
 */
export async function benchScan(options, log = () => {}) {
  try {
    return await scan(options);
  } catch (err) {
    if (!(err instanceof RunMismatchError)) throw err;
    log(`${options.out}: cached scan of another model or settings; scanning again`);
    await rm(options.out, { recursive: true, force: true });
    return scan(options);
  }
}
