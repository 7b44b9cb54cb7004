// A scan folder holds rows of one analysis: resuming it with another model or other settings is refused.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunMismatchError, UsageError } from '../../src/errors.js';
import { scan } from '../../src/pipeline/scan.js';

const CLIP = fileURLToPath(new URL('../../samples/swing.mp4', import.meta.url));
const TINY = fileURLToPath(new URL('../fixtures/model/tiny.onnx', import.meta.url));

describe('resuming a scan folder', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ra-identity-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('records the model and settings in run.json and resumes with the same ones', async () => {
    const out = join(dir, 'a');
    await scan({ input: CLIP, out, model: 'none', quiet: true, workers: 1 });
    const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
    expect(run.model).toBeNull();
    expect(run.settings.shortSide).toBe(96);
    const again = await scan({ input: CLIP, out, model: 'none', quiet: true, workers: 1 });
    expect(again.counts.resumed).toBe(1);
  });

  it('refuses another model or other settings, naming both and the way out', async () => {
    const out = join(dir, 'b');
    await scan({ input: CLIP, out, model: 'none', quiet: true, workers: 1 });
    const withModel = scan({ input: CLIP, out, model: TINY, device: 'cpu', quiet: true, workers: 1 });
    await expect(withModel).rejects.toThrow(UsageError);
    await expect(scan({ input: CLIP, out, model: TINY, device: 'cpu', quiet: true, workers: 1 })).rejects.toThrow(
      RunMismatchError,
    );
    await expect(scan({ input: CLIP, out, model: TINY, device: 'cpu', quiet: true, workers: 1 })).rejects.toThrow(
      /model none.*this run asks for model tiny@[\s\S]*new --out folder/,
    );
    await expect(scan({ input: CLIP, out, model: 'none', shortSide: 64, quiet: true, workers: 1 })).rejects.toThrow(
      /"shortSide":64/,
    );
  });

  it('the number of model windows is part of a run: another --model-windows is refused', async () => {
    const out = join(dir, 'c');
    const first = await scan({
      input: CLIP,
      out,
      model: TINY,
      device: 'cpu',
      modelWindows: 1,
      quiet: true,
      workers: 1,
    });
    expect(first.counts.clips).toBe(1);
    expect(JSON.parse(await readFile(join(out, 'run.json'), 'utf8')).model.windows).toBe(1);
    const row = JSON.parse((await readFile(join(out, 'clips.jsonl'), 'utf8')).split('\n')[0]);
    expect(row.model_windows).toBe(1);
    await expect(scan({ input: CLIP, out, model: TINY, device: 'cpu', quiet: true, workers: 1 })).rejects.toThrow(
      /1 model window\(s\).*this run asks for .*8 model window\(s\)/s,
    );
  });
});
