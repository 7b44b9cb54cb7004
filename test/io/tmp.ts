// Test helper: a fresh temp folder per test, removed after the file's tests.

import { tempDir as cliTempDir } from '../fixtures/cli.js';

/** A new empty folder under the OS temp folder (removed after the test file). */
export function tempDir(): Promise<string> {
  return cliTempDir('ra-io-');
}

/** Drains an async iterable into an array. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
