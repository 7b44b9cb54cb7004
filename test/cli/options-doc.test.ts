// One source for option texts: the README's option tables are generated from the commands' own options, so they and
// `--help` cannot drift apart; every command with options has its table; the top-level help has examples and exit codes.

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { documentedOptions, OPTION_BLOCK, optionTable, renderOptionBlocks } from '../../src/cli/option-table.js';
import { runCliProcess } from '../fixtures/cli.js';

const readmeUrl = new URL('../../README.md', import.meta.url);

describe('option documentation', () => {
  it('README option tables are exactly what the commands say (npm run docs:options rewrites them)', async () => {
    const readme = await readFile(readmeUrl, 'utf8');
    expect(renderOptionBlocks(readme, buildProgram())).toBe(readme);
  });

  it('every command with options has a full table in the README', async () => {
    const readme = await readFile(readmeUrl, 'utf8');
    const full = new Set([...readme.matchAll(OPTION_BLOCK)].filter((m) => !m[2].trim()).map((m) => m[1]));
    const commands = buildProgram()
      .commands.filter((c) => documentedOptions(c).length > 0)
      .map((c) => c.name());
    expect(commands).toContain('scan');
    for (const name of commands) expect(full, name).toContain(name);
  });

  it('fills empty blocks and rewrites stale ones without touching the text between them', () => {
    const program = buildProgram();
    const text =
      'a\n<!-- options: merge -->\n<!-- /options -->\nkeep <b>this</b>\n<!-- options: taxonomy -->\n| stale <x> |\n<!-- /options -->\nz';
    const out = renderOptionBlocks(text, program);
    expect(out).toContain('keep <b>this</b>');
    expect(out.startsWith('a\n<!-- options: merge -->\n| option | default | meaning |')).toBe(true);
    expect(out).not.toContain('stale');
    expect(out.endsWith('<!-- /options -->\nz')).toBe(true);
    expect(renderOptionBlocks(out, program)).toBe(out);
    expect(() => renderOptionBlocks('<!-- options: nope -->\n<!-- /options -->', program)).toThrow(
      /unknown command: nope/,
    );
  });

  it('shows defaults and required options as a user reads them, and refuses an unknown option name', () => {
    const scan = buildProgram().commands.find((c) => c.name() === 'scan')!;
    const table = optionTable(scan);
    expect(table).toContain('| `-o, --out DIR` | required |');
    expect(table).toContain('| `--size PX` | 96 |');
    expect(table).toContain('| `--both-ways` | off |');
    expect(table).toContain('| `--no-report` | off |');
    expect(table).toContain('| `--format KIND` | none |');
    expect(table).toContain('| `--model PATH` | the shipped models/reversal-v1.onnx |');
    expect(() => optionTable(scan, ['--nope'])).toThrow(/audit scan has no option --nope/);
  });

  it('scan --help prints every option of the README scan table, with its text', async () => {
    const r = await runCliProcess(['scan', '--help']);
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    for (const o of documentedOptions(buildProgram().commands.find((c) => c.name() === 'scan')!)) {
      expect(help, o.flags).toContain(o.flags);
      expect(help, o.flags).toContain(o.description.split(' ').slice(0, 6).join(' '));
    }
    // flow runs one pass per pair by default; --both-ways averages both directions
    expect(help).not.toMatch(/measures dense optical flow both ways/);
  });

  it('top-level --help gives typical runs and every exit code', async () => {
    const r = await runCliProcess(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Typical runs:/);
    expect(r.stdout).toMatch(/audit scan samples\//);
    for (const code of Object.values(EXIT)) expect(r.stdout, String(code)).toMatch(new RegExp(`^\\s+${code}\\s`, 'm'));
  });
});
