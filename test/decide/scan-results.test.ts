import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { idHash, indexScan } from '../../src/decide/scan-results.js';

/** A scan folder holding `clips` and `errors` as clips.jsonl / errors.jsonl. */
async function scanFolder(clips: object[], errors: object[] = []): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'scan-results-'));
  const jsonl = (rows: object[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join('');
  await writeFile(join(dir, 'clips.jsonl'), jsonl(clips));
  await writeFile(join(dir, 'errors.jsonl'), jsonl(errors));
  return dir;
}

describe('indexScan', () => {
  it('finds every row by its number: dense rows, a shard of every 7th row, and row numbers far beyond the rest', async () => {
    const rows = [
      ...Array.from({ length: 3000 }, (_, i) => 2 + i),
      ...Array.from({ length: 500 }, (_, i) => 100_000 + 7 * i),
      5_000_000_000,
      2 ** 40,
    ];
    const clips = rows.map((row) => ({
      id: `c${row}`,
      row,
      verdict: 'invariant',
      p_invariant: 0.75,
      p_equivariant: 0.15,
      p_irreversible: 0.1,
      confidence: 0.75,
    }));
    const index = await indexScan(await scanFolder(clips, [{ row: 1, id: 'bad', code: 'decode', message: 'm' }]));
    expect(index.clips).toBe(rows.length);
    expect(index.errors).toBe(1);
    for (const row of rows) {
      const r = index.get(row);
      expect(r?.kind).toBe('clip');
      expect(r?.idHash).toBe(idHash(`c${row}`));
    }
    expect(index.get(1)?.kind).toBe('error');
    for (const row of [3002, 100_001, 4_999_999_999, 2 ** 40 + 1]) expect(index.get(row)).toBeUndefined();
  });

  it('refuses a row number seen twice, also among far rows and between clips and errors', async () => {
    const far = { id: 'a', row: 5_000_000_000 };
    await expect(indexScan(await scanFolder([far, { ...far, id: 'b' }]))).rejects.toThrow(
      /Row 5000000000 appears twice/,
    );
    await expect(indexScan(await scanFolder([{ id: 'a', row: 9 }], [{ row: 9, code: 'x' }]))).rejects.toThrow(
      /Row 9 appears twice/,
    );
  });

  it('refuses a verdict whose probabilities are missing or out of range, or a verdict it does not know, naming the line', async () => {
    const ok = {
      verdict: 'irreversible',
      p_invariant: 0.03,
      p_equivariant: 0.02,
      p_irreversible: 0.95,
      confidence: 0.95,
    };
    const rows = (bad: object) => [
      { id: 'a', row: 2, ...ok },
      { id: 'b', row: 3, ...ok, ...bad },
    ];
    // read as 0, a missing p_irreversible would let this irreversible clip through to reverse-safe
    for (const [bad, why] of [
      [{ p_irreversible: undefined }, /line 2: verdict irreversible but p_irreversible is null/],
      [{ p_irreversible: null }, /line 2: verdict irreversible but p_irreversible is null/],
      [{ p_irreversible: '0.95' }, /p_irreversible is "0.95"/],
      [{ confidence: 1.5 }, /confidence is 1.5/],
      [{ verdict: 'Irreversible' }, /line 2: verdict is "Irreversible", not invariant/],
    ] as const)
      await expect(indexScan(await scanFolder(rows(bad)))).rejects.toThrow(why);
    // no verdict: a scan without a model (its probabilities are null too)
    const index = await indexScan(await scanFolder(rows({ verdict: null, p_irreversible: null })));
    expect(index.get(3)).toMatchObject({ kind: 'clip', model: null });
    expect(index.get(2)).toMatchObject({ kind: 'clip', model: { verdict: 'irreversible', p_irreversible: 0.95 } });
  });
});
