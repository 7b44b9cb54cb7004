// Test helper: a fresh temp folder per test, removed after the file's tests.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map((d) => rm(d, { recursive: true, force: true })));
});

/** A new empty folder under the OS temp folder (removed after the test file). */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ra-io-'));
  made.push(dir);
  return dir;
}

/** Drains an async iterable into an array. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
