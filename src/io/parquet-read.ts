// Streams the record batches of a Parquet file from disk through parquet-wasm, row group by row group.

import { openAsBlob } from 'node:fs';
import { tableFromIPC, type RecordBatch, type Schema } from 'apache-arrow';
import { ParquetFile, type RecordBatch as WasmRecordBatch } from 'parquet-wasm';
import { ManifestError, expected } from '../errors.js';

/** Rows per decoded batch: memory stays at one row group's compressed column chunks plus one batch. */
export const PARQUET_READ_BATCH = 4096;

/** The error of a Parquet file that parquet-wasm could not open or decode. */
function unreadable(file: string, err: unknown): ManifestError {
  const cause = err instanceof Error ? err.message : String(err);
  return new ManifestError(
    'manifest-unreadable',
    expected('a readable Parquet file', file, cause),
    { path: file },
    { cause: err },
  );
}

/**
 * Opens a Parquet file lazily: `fs.openAsBlob` gives a file-backed Blob and parquet-wasm only reads the
 * footer now, then the byte ranges of one row group at a time.
 */
export async function openParquet(file: string): Promise<{ pf: ParquetFile; schema: Schema }> {
  try {
    const pf = await ParquetFile.fromFile(await openAsBlob(file));
    const schema = tableFromIPC(pf.schema().intoIPCStream()).schema;
    return { pf, schema };
  } catch (err) {
    throw unreadable(file, err);
  }
}

/** Number of row groups and rows recorded in the footer. */
export function parquetShape(pf: ParquetFile): { rowGroups: number; rows: number } {
  const meta = pf.metadata();
  return { rowGroups: meta.numRowGroups(), rows: meta.fileMetadata().numRows() };
}

/** Yields the file's record batches in order (Arrow JS batches of at most {@link PARQUET_READ_BATCH} rows). */
export async function* parquetBatches(file: string): AsyncGenerator<RecordBatch> {
  const { pf } = await openParquet(file);
  try {
    const stream = await pf.stream({ batchSize: PARQUET_READ_BATCH, concurrency: 1 });
    for await (const wasmBatch of stream as AsyncIterable<WasmRecordBatch>) {
      // intoIPCStream hands the batch over to JS memory and frees it in wasm memory.
      yield* tableFromIPC(wasmBatch.intoIPCStream()).batches;
    }
  } catch (err) {
    if (err instanceof ManifestError) throw err;
    throw unreadable(file, err);
  } finally {
    pf.free();
  }
}
