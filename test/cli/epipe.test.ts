// A reader that closes the pipe early (`audit scan --help | head -5`) ends the CLI quietly: no stack trace, the
// command's own exit code.

import { describe, expect, it } from 'vitest';
import { startCli } from '../fixtures/cli.js';

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
