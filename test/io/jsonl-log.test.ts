import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { JsonlLog, readJsonl } from '../../src/io/jsonl-log.js';
import { collect, tempDir } from './tmp.js';

describe('JsonlLog and readJsonl', () => {
  it('creates the file, appends complete lines in order, and reads them back', async () => {
    const dir = await tempDir();
    const file = join(dir, 'clips.jsonl');
    const log = await JsonlLog.open(file);
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.append({ i, text: `é\n"${i}"`, big: 2n ** 40n })));
    await log.sync();
    await log.close();
    const rows = await collect(readJsonl(file));
    expect(rows.map((r) => r.line)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(rows[3]?.value).toEqual({ i: 3, text: 'é\n"3"', big: 2 ** 40 });
    await expect(log.append({})).rejects.toThrow(/closed/);
  });

  it('truncates a partial last line on open and appends after it', async () => {
    const dir = await tempDir();
    const file = join(dir, 'errors.jsonl');
    await writeFile(file, '{"a":1}\n{"a":2}\n{"a":3, "tru');
    expect((await collect(readJsonl(file))).map((r) => r.value)).toEqual([{ a: 1 }, { a: 2 }]); // partial line ignored
    const log = await JsonlLog.open(file);
    expect(await readFile(file, 'utf8')).toBe('{"a":1}\n{"a":2}\n');
    await log.append({ a: 4 });
    await log.close();
    const again = await JsonlLog.open(file);
    await again.append({ a: 5 });
    await again.close();
    expect(await readFile(file, 'utf8')).toBe('{"a":1}\n{"a":2}\n{"a":4}\n{"a":5}\n');
    // A file that is one partial line becomes empty; a complete file is left alone.
    await writeFile(file, '\0\0\0\0');
    await (await JsonlLog.open(file)).close();
    expect(await readFile(file, 'utf8')).toBe('');
  });

  it('finds the last newline beyond one read chunk, and reads a missing file as empty', async () => {
    const dir = await tempDir();
    const file = join(dir, 'big.jsonl');
    await writeFile(file, `{"x":1}\n${'y'.repeat(200_000)}`);
    await (await JsonlLog.open(file)).close();
    expect(await readFile(file, 'utf8')).toBe('{"x":1}\n');
    expect(await collect(readJsonl(join(dir, 'missing.jsonl')))).toEqual([]);
    await writeFile(file, '{"x":1}\nnot json\n');
    await expect(collect(readJsonl(file))).rejects.toThrow(/big\.jsonl line 2: invalid JSON/);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temp files', async () => {
    const dir = await tempDir();
    const file = join(dir, 'summary.json');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, new TextEncoder().encode('two'));
    expect(await readFile(file, 'utf8')).toBe('two');
    expect(await readdir(dir)).toEqual(['summary.json']);
    await expect(writeFileAtomic(join(dir, 'no-such-dir', 'x.json'), 'x')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['summary.json']);
  });
});
