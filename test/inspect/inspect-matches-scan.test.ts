// `audit inspect CLIP` analyses one clip as scan does: its model columns must be the clip's scan row, arrow head,
// model windows and doubt included (a still clip gets no verdict from either).

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatInspect, inspectClip } from '../../src/inspect/index.js';
import { readJsonl } from '../../src/io/jsonl-log.js';
import { scan } from '../../src/pipeline/scan.js';
import { runCliInProcess, tempDir } from '../fixtures/cli.js';
import { sceneClip } from '../fixtures/clips.js';

const root = new URL('../../', import.meta.url).pathname;
const DROP = join(root, 'samples/drop.mp4');

/** The model columns of a clip row that inspect reports. */
const COLUMNS = [
  'verdict',
  'p_invariant',
  'p_equivariant',
  'p_irreversible',
  'p_forward',
  'confidence',
  'model_windows',
  'reversed_in_corpus',
  'model_version',
  'in_domain',
  'doubt',
] as const;

/** The columns above, numbers to 5 decimals (the model may batch the windows of one clip with others in scan). */
function modelCells(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    COLUMNS.map((k) => [k, typeof row[k] === 'number' ? Math.round((row[k] as number) * 1e5) / 1e5 : row[k]]),
  );
}

let still: string;
let rows: Map<string, Record<string, unknown>>;

beforeAll(async () => {
  const dir = await tempDir('audit-inspect-scan-');
  still = await sceneClip('still', join(dir, 'still.mp4'), { seconds: 1.5 });
  const manifest = join(dir, 'clips.csv');
  await writeFile(manifest, `id,path\ndrop,${DROP}\nstill,${still}\n`);
  // The shipped model and its arrow head, scan's defaults.
  await scan({ input: manifest, out: join(dir, 'out'), workers: 1, device: 'cpu', quiet: true });
  rows = new Map();
  for await (const { value } of readJsonl(join(dir, 'out', 'clips.jsonl'))) {
    const row = value as Record<string, unknown>;
    rows.set(String(row.id), row);
  }
});

describe('inspect gives the scan row', () => {
  it('a sample clip: the same verdict, probabilities and p_forward of the arrow head', async () => {
    const row = rows.get('drop') ?? {};
    expect(row.verdict).toBeTypeOf('string');
    const r = await inspectClip({ path: DROP, device: 'cpu' });
    expect(r.prediction).not.toBeNull();
    expect(modelCells(r.prediction ?? {})).toEqual(modelCells(row));
    expect(formatInspect(r)).toContain(`p_forward ${(row.p_forward as number).toFixed(2)}`);
  });

  it('a still clip: no verdict, and the same doubt', async () => {
    const row = rows.get('still') ?? {};
    const doubt = row.doubt as string[];
    expect(row.verdict).toBeNull();
    expect(doubt[0]).toMatch(/^still: /);
    const r = await inspectClip({ path: still, device: 'cpu' });
    expect(modelCells(r.prediction ?? {})).toEqual(modelCells(row));
    // The text and the reasoning say why there is no verdict, and read no probabilities.
    const text = formatInspect(r);
    expect(text).toContain('verdict    none (too poor to judge, see doubt)');
    expect(text).toContain(`doubt      ${doubt[0]}`);
    expect(r.reasoning.at(-1)).toMatch(/^Model: no verdict, the clip is too poor to judge: still: /);
    expect(r.reasoning.join('\n')).not.toMatch(/No model ran/);
  });

  it("--arrow-head none keeps the network's own arrow, as scan's option does; it needs a model", async () => {
    const row = rows.get('drop') ?? {};
    const own = await inspectClip({ path: DROP, device: 'cpu', arrowHead: 'none' });
    const p = own.prediction ?? {};
    expect(p.p_forward).not.toBeCloseTo(row.p_forward as number, 3);
    // The arrow head gives p_forward only: the verdict stays the network's.
    for (const k of ['verdict', 'p_invariant', 'p_equivariant', 'p_irreversible'] as const)
      expect(modelCells(p)[k]).toEqual(modelCells(row)[k]);
    const bad = await runCliInProcess(['inspect', DROP, '--model', 'none', '--arrow-head', 'models/x.json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--arrow-head gives p_forward beside the model's verdict/);
  });
});
