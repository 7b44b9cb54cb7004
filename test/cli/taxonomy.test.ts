// `audit taxonomy`: the table with its count line, --json, and unknown names as usage errors.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCliInProcess } from '../fixtures/cli.js';

const run = runCliInProcess;

afterEach(() => vi.restoreAllMocks());

describe('audit taxonomy', () => {
  it('prints the SSv2 table by default, with the count line', async () => {
    const r = await run(['taxonomy']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[2]).toMatch(/^id\s+class\s+verdict\s+counterpart\s+source\s+reason$/);
    const opening = lines.find((l) => l.startsWith('46 '));
    expect(opening).toMatch(/Opening \[something\]\s+equivariant\s+5 Closing \[something\]\s+derived\s+reversed it is/);
    expect(lines.find((l) => l.startsWith('151 '))).toMatch(/Throwing \[something\]\s+irreversible\s+-\s+rule/);
    expect(lines.filter((l) => /^\d+ /.test(l))).toHaveLength(174);
    expect(lines.at(-1)).toMatch(
      /^ssv2: 174 classes: 55 invariant, 68 equivariant \(21 pairs, 26 without a counterpart class\), 51 irreversible/,
    );
  });

  it('prints Jester as JSON with --json', async () => {
    const r = await run(['taxonomy', 'jester', '--json']);
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout);
    expect(t.name).toBe('jester');
    expect(t.classes).toHaveLength(27);
    expect(t.classes.find((c: { name: string }) => c.name === 'Swiping Left').counterpart).toBe('Swiping Right');
    expect(t.provenance.sources[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects an unknown name with exit 2, listing the valid names', async () => {
    const r = await run(['taxonomy', 'kinetics']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Unknown taxonomy "kinetics"; valid names: ssv2, jester/);
  });

  it('documents the verdicts and sources in its help', async () => {
    const r = await run(['taxonomy', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/equivariant/);
    expect(r.stdout).toMatch(/audit taxonomy jester/);
  });
});
