// A reader that closes the pipe early (`audit scan --help | head -5`) ends the CLI quietly: no stack trace, the
// command's own exit code.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCli, tempDir } from '../fixtures/cli.js';

/** Runs the built CLI with its stdout pipe closed before it writes anything, so that its writes fail with EPIPE. */
async function runWithStdoutClosed(args: string[]) {
  const { child, done } = startCli(args);
  child.stdout!.destroy();
  return done;
}

describe('audit with its stdout closed early', () => {
  it.each([
    [['scan', '--help']], // commander writes the help
    [['taxonomy', '--json']], // an action writes its output
  ])('%j exits 0 without a stack trace', async (args) => {
    const r = await runWithStdoutClosed(args);
    expect(r.stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
  });
});

describe('audit with its stderr closed early', () => {
  it('a scan whose progress has nowhere to go still finishes its outputs and exits 0', async () => {
    const out = await tempDir('audit-epipe-');
    const { child, done } = startCli(['scan', 'samples/drop.mp4', '--out', out, '--model', 'none', '--no-report']);
    child.stderr!.destroy();
    const r = await done;
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(existsSync(join(out, 'summary.json'))).toBe(true);
    expect(readFileSync(join(out, 'clips.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
  });
});
