// Streams a text file as batches of physical lines (split on bytes, so memory stays at one chunk plus one line).

import { createReadStream } from 'node:fs';
import { ManifestError } from '../errors.js';

/** One physical line: 1-based number, text without the line break (a trailing \r is dropped too). */
export interface TextLine {
  line: number;
  text: string;
  /** False only for a last line that has no line break after it (a partial write). */
  terminated: boolean;
}

/** Longest line accepted before giving up on the file (protects against binary files named .csv). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

function decode(buf: Buffer, line: number): string {
  let end = buf.length;
  if (end > 0 && buf[end - 1] === 13) end--;
  let start = 0;
  if (line === 1 && end >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) start = 3; // UTF-8 BOM
  return buf.toString('utf8', start, end);
}

/**
 * Yields the lines of `file` one read chunk at a time (an array per chunk, in order). Invalid UTF-8
 * becomes U+FFFD. Throws ManifestError for a line longer than {@link MAX_LINE_BYTES}.
 */
export async function* readLineBatches(file: string, chunkBytes = 1 << 16): AsyncGenerator<TextLine[]> {
  const stream = createReadStream(file, { highWaterMark: chunkBytes });
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let line = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const out: TextLine[] = [];
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(10, start);
        if (nl < 0) break;
        let buf = chunk.subarray(start, nl);
        if (carry.length > 0) {
          carry.push(buf);
          buf = Buffer.concat(carry);
          carry = [];
          carryBytes = 0;
        }
        line++;
        out.push({ line, text: decode(buf, line), terminated: true });
        start = nl + 1;
      }
      if (start < chunk.length) {
        carry.push(chunk.subarray(start));
        carryBytes += chunk.length - start;
        if (carryBytes > MAX_LINE_BYTES) {
          throw new ManifestError(
            'manifest-line-too-long',
            `Expected lines shorter than ${MAX_LINE_BYTES} bytes for ${file} line ${line + 1} but received a longer one (is it a text file?)`,
            { path: file, row: line + 1 },
          );
        }
      }
      if (out.length > 0) yield out;
    }
    if (carryBytes > 0) {
      line++;
      yield [{ line, text: decode(Buffer.concat(carry), line), terminated: false }];
    }
  } finally {
    stream.destroy();
  }
}
