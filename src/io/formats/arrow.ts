// Arrow IPC manifests (file and stream format): read batch by batch through apache-arrow's RecordBatchReader.

import { open, type FileHandle } from 'node:fs/promises';
import { RecordBatchReader, type RecordBatch, type Schema } from 'apache-arrow';
import { ManifestError, expected } from '../../errors.js';
import type { FormatContext, FormatHandler, InputSource } from '../input-types.js';
import { messageOf, checkColumns } from './common.js';
import { rowsOfBatches } from './parquet.js';

function unreadable(file: string, err: unknown): ManifestError {
  return new ManifestError(
    'manifest-unreadable',
    expected('a readable Arrow IPC file or stream', file, messageOf(err)),
    { path: file },
    { cause: err },
  );
}

/**
 * Opens the reader over a FileHandle rather than a read stream: apache-arrow reads the IPC *file* format
 * from a handle by random access (footer, then one batch at a time), while from a Node stream it would
 * buffer the whole file first. The stream format is read sequentially from the same handle.
 */
async function openReader(file: string): Promise<{ fh: FileHandle; reader: RecordBatchReader; schema: Schema }> {
  const fh = await open(file, 'r');
  try {
    const reader = await RecordBatchReader.from(fh);
    await reader.open();
    const schema = reader.schema as Schema | undefined;
    if (schema === undefined || schema === null) throw new Error('no Arrow schema found');
    return { fh, reader, schema };
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw unreadable(file, err);
  }
}

async function* arrowBatches(file: string): AsyncGenerator<RecordBatch> {
  const { fh, reader } = await openReader(file);
  try {
    for await (const batch of reader as AsyncIterable<RecordBatch>) yield batch;
  } catch (err) {
    throw unreadable(file, err);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** Arrow IPC manifest: .arrow/.feather/.ipc (file format) or .arrows (stream format); either is detected from the bytes. */
export const arrowFormat: FormatHandler = Object.freeze({
  kind: 'arrow',
  extensions: Object.freeze(['.arrow', '.feather', '.ipc', '.arrows']),
  async open(ctx: FormatContext): Promise<InputSource> {
    const { fh, schema } = await openReader(ctx.input);
    await fh.close().catch(() => undefined);
    const names = schema.fields.map((f) => f.name);
    checkColumns(ctx, '(schema)', names);
    return { kind: 'arrow', input: ctx.input, rows: () => rowsOfBatches(ctx, arrowBatches(ctx.input)) };
  },
});
