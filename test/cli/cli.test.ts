// The CLI as users run it: help, the cue table, and the README staying in step with the registry.

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CUE_COLUMNS } from '../../src/cues/index.js';
import { FB_ASYMMETRY, SUMMARIES } from '../../src/cues/summaries.js';
import { TOOL_VERSION } from '../../src/version.js';
import { runCliProcess } from '../fixtures/cli.js';

const root = new URL('../../', import.meta.url);

describe('audit CLI', () => {
  it('prints help for scan with the exit codes and examples', async () => {
    const r = await runCliProcess(['scan', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--path-column/);
    expect(r.stdout).toMatch(/Exit codes/);
    expect(r.stdout).toMatch(/audit merge/);
  });

  it('exits 2 on an unknown command', async () => {
    const r = await runCliProcess(['scna']);
    expect(r.code).toBe(2);
  });

  it('exits 1 (not 2: the command line is fine) when decide is given a folder that is not a finished scan', async () => {
    const r = await runCliProcess(['decide', '/nonexistent/scan-out']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Expected a scan output folder with summary\.json.*\/nonexistent\/scan-out/);
    expect(r.stderr).toMatch(/finished `audit scan`/);
  });

  it('prints the cue table', async () => {
    const r = await runCliProcess(['cues']);
    expect(r.code).toBe(0);
    for (const c of CUE_COLUMNS.filter((c) => !c.name.startsWith('grid_'))) expect(r.stdout).toContain(c.name);
    expect(r.stdout).toContain('grid_u_R_C');
    expect(r.stdout).toContain('fb_asymmetry');
  });

  it('README documents every output column and summary; versions agree', async () => {
    const readme = await readFile(new URL('README.md', root), 'utf8');
    for (const c of CUE_COLUMNS.filter((c) => !c.name.startsWith('grid_')))
      expect(readme, c.name).toContain(`\`${c.name}\``);
    expect(readme).toContain('`grid_u_R_C`');
    for (const s of [...SUMMARIES, FB_ASYMMETRY]) expect(readme, s.name).toContain(`\`${s.name}\``);
    const pkg = JSON.parse(await readFile(new URL('package.json', root), 'utf8'));
    expect(pkg.version).toBe(TOOL_VERSION);
  });
});
