// Streams a text file as batches of physical lines (split on bytes, so memory stays at one chunk plus one line).

import { createReadStream } from 'node:fs';
import { ManifestError } from '../errors.js';

/** One physical line: 1-based number, text without the line break (a trailing \r is dropped too). */
export interface TextLine {
  line: number;
  text: string;
  /** False only for a last line that has no line break after it (a partial write). */
  terminated: boolean;
  /**
   * Set, with `text` empty, for a line longer than {@link MAX_LINE_BYTES} that was read past (`longLines: 'mark'`):
   * its length in bytes.
   */
  tooLong?: number;
}

/** What {@link readLineBatches} does with a line longer than {@link MAX_LINE_BYTES}. */
export type LongLines = 'throw' | 'mark';

/** The message for a line longer than {@link MAX_LINE_BYTES}: file, line and what it may be. */
export function tooLongMessage(file: string, line: number, bytes?: number): string {
  const size = bytes === undefined ? 'a longer one' : `one of ${bytes} bytes`;
  return `Expected lines shorter than ${MAX_LINE_BYTES} bytes for ${file} line ${line} but received ${size} (is it a text file?)`;
}

/**
 * Longest line read whole: past it a reader either gives up on the file (its own output files) or, reading a manifest,
 * reads past the line and reports it as a bad row (a binary file named .csv, a row with a file pasted in).
 */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

function decode(buf: Buffer, line: number): string {
  let end = buf.length;
  if (end > 0 && buf[end - 1] === 13) end--;
  let start = 0;
  if (line === 1 && end >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) start = 3; // UTF-8 BOM
  return buf.toString('utf8', start, end);
}

function tooLong(file: string, line: number): ManifestError {
  return new ManifestError('manifest-line-too-long', tooLongMessage(file, line), { path: file, row: line });
}

/**
 * Yields the lines of `file` one read chunk at a time (an array per chunk, in order). Invalid UTF-8
 * becomes U+FFFD. A line longer than {@link MAX_LINE_BYTES} throws ManifestError, or with `longLines: 'mark'` is
 * read past (memory stays bounded) and yielded as an empty line with `tooLong` set, so a manifest reader can make
 * it a bad row and go on.
 */
export async function* readLineBatches(
  file: string,
  chunkBytes = 1 << 16,
  longLines: LongLines = 'throw',
): AsyncGenerator<TextLine[]> {
  const stream = createReadStream(file, { highWaterMark: chunkBytes });
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let line = 0;
  /** Bytes of the too-long line being read past, or -1. */
  let skipped = -1;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const out: TextLine[] = [];
      let start = 0;
      if (skipped >= 0) {
        const nl = chunk.indexOf(10);
        if (nl < 0) {
          skipped += chunk.length;
          continue;
        }
        line++;
        out.push({ line, text: '', terminated: true, tooLong: skipped + nl });
        skipped = -1;
        start = nl + 1;
      }
      for (;;) {
        const nl = chunk.indexOf(10, start);
        if (nl < 0) break;
        let buf = chunk.subarray(start, nl);
        if (carryBytes + buf.length > MAX_LINE_BYTES) {
          if (longLines === 'throw') throw tooLong(file, line + 1);
          line++;
          out.push({ line, text: '', terminated: true, tooLong: carryBytes + buf.length });
          carry = [];
          carryBytes = 0;
          start = nl + 1;
          continue;
        }
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
          if (longLines === 'throw') throw tooLong(file, line + 1);
          skipped = carryBytes;
          carry = [];
          carryBytes = 0;
        }
      }
      if (out.length > 0) yield out;
    }
    if (skipped >= 0) {
      line++;
      yield [{ line, text: '', terminated: false, tooLong: skipped }];
    } else if (carryBytes > 0) {
      line++;
      yield [{ line, text: decode(Buffer.concat(carry), line), terminated: false }];
    }
  } finally {
    stream.destroy();
  }
}
