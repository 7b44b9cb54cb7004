// Progress output: a redrawn bar on a terminal, plain lines for logs, nothing when quiet.

import { describe, expect, it } from 'vitest';
import { ProgressReporter, progressLine } from '../../src/pipeline/progress.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (s: string) => chunks.push(s) > 0 } as unknown as NodeJS.WritableStream & {
    isTTY: boolean;
    chunks: string[];
  };
}

describe('progress', () => {
  it('shows counts, rate, ETA and errors', () => {
    const line = progressLine({ done: 50, errors: 2, skipped: 10, total: 200 }, 10);
    expect(line).toContain('60/200 clips');
    expect(line).toContain('5.0 clips/s');
    expect(line).toContain('ETA 28s');
    expect(line).toContain('2 errors');
    expect(line).toContain('10 resumed');
    expect(line).toMatch(/^\[#+\.+\]/);
  });

  it('says ? for the ETA when the total is unknown', () => {
    expect(progressLine({ done: 5, errors: 0, skipped: 0, total: null }, 1)).toContain('ETA ?');
  });

  it('redraws in place on a terminal and writes whole lines otherwise', () => {
    const tty = sink(true);
    new ProgressReporter(tty, false).finish({ done: 1, errors: 0, skipped: 0, total: 2 });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's erase-line sequence is what is checked
    expect(tty.chunks[0]).toMatch(/^\r\x1b\[K/);
    const log = sink(false);
    const r = new ProgressReporter(log, false, 3600);
    r.update({ done: 1, errors: 0, skipped: 0, total: 2 }, true);
    r.update({ done: 2, errors: 0, skipped: 0, total: 2 }); // within the interval: not printed
    expect(log.chunks).toHaveLength(1);
    expect(log.chunks[0]).toMatch(/\n$/);
    expect(log.chunks[0]).not.toContain('\r');
  });

  it('prints nothing when quiet', () => {
    const s = sink(true);
    const r = new ProgressReporter(s, true);
    r.note('hello');
    r.finish({ done: 1, errors: 0, skipped: 0, total: 1 });
    expect(s.chunks).toHaveLength(0);
  });
});
