// Test helper: WebDataset shards written with tar-stream (an independent tar writer for the reader under test).

import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';

/** One member: its name in the tar and its bytes. */
export interface Member {
  name: string;
  data: Buffer | string;
}

/** Writes a tar of `members` (in order) to `file`. */
export async function writeShard(file: string, members: Member[]): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, createWriteStream(file));
  for (const m of members) {
    await new Promise<void>((resolve, reject) => {
      pack.entry({ name: m.name }, typeof m.data === 'string' ? Buffer.from(m.data) : m.data, (err) =>
        err ? reject(err) : resolve(),
      );
    });
  }
  pack.finalize();
  await done;
}
