// A disk that fills while `audit adapt` writes its tensors: the error names the work folder, says how much it needs
// and what to do, and nothing is left behind. The tensor writer is made to fail as a full disk makes it fail.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { torchPython } from '../model/helpers.js';

vi.mock('../../src/model/dataset.js', async (actual) => ({
  ...(await actual<typeof import('../../src/model/dataset.js')>()),
  exportDataset: () =>
    Promise.reject(
      Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' }),
    ),
}));

const { adapt } = await import('../../src/adapt/index.js');
const python = torchPython();
const BASE = fileURLToPath(new URL('../../models/reversal-v1.onnx', import.meta.url));

describe.skipIf(!python)('audit adapt on a full disk', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('names the work folder and what it needs, and leaves nothing behind', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ra-adapt-full-'));
    const scan = join(dir, 'scan');
    await mkdir(scan);
    // 200 clips in 40 folders: enough to hold out, so adapt gets as far as writing its tensors
    const rows = Array.from({ length: 200 }, (_, i) =>
      JSON.stringify({
        id: `c${i}`,
        path: `/corpus/g${i % 40}/c${i}.mp4`,
        input: { path: `/corpus/g${i % 40}/c${i}.mp4` },
      }),
    );
    await writeFile(join(scan, 'clips.jsonl'), `${rows.join('\n')}\n`);
    await writeFile(join(scan, 'summary.json'), JSON.stringify({ status: 'complete' }));
    const out = join(dir, 'models', 'mine');
    const error = await adapt({ scans: [scan], out, base: BASE, quiet: true }).catch((e: unknown) => e);
    expect(String((error as Error).message)).toMatch(
      /^Cannot write the tensors to .*\.mine\.adapt: no space left on device \(ENOSPC\); the disk is full: free some space or choose another --out\.\naudit adapt needs about 22 MB for 200 clips there \(--max-clips uses fewer\)/,
    );
    expect(existsSync(join(dir, 'models')) ? await readdir(join(dir, 'models')) : []).toEqual([]);
  });
});
