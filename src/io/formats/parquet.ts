// Parquet manifests: streamed one record batch at a time (see ../parquet-read.ts); record numbers are 1-based.

import type { CellValue, FormatContext, FormatHandler, InputRow, InputSource, RowProblem } from '../input-types.js';
import { batchColumns, toCell } from '../arrow-values.js';
import { openParquet, parquetBatches } from '../parquet-read.js';
import type { RecordBatch } from 'apache-arrow';
import { buildRow, checkColumns, setCell } from './common.js';

/** Rows of a stream of Arrow record batches, numbered from 1 across batches (shared with the Arrow IPC reader). */
export async function* rowsOfBatches(
  ctx: FormatContext,
  batches: AsyncIterable<RecordBatch>,
): AsyncGenerator<InputRow | RowProblem> {
  let record = 0;
  for await (const batch of batches) {
    const { names, get } = batchColumns(batch);
    for (let i = 0; i < batch.numRows; i++) {
      record++;
      const columns: Record<string, CellValue> = {};
      for (let j = 0; j < names.length; j++)
        setCell(columns, names[j] as string, toCell((get[j] as (i: number) => unknown)(i)));
      yield buildRow(ctx, record, `record ${record}`, columns);
    }
  }
}

/** Apache Parquet manifest. */
export const parquetFormat: FormatHandler = Object.freeze({
  kind: 'parquet',
  extensions: Object.freeze(['.parquet', '.pq']),
  async open(ctx: FormatContext): Promise<InputSource> {
    const { pf, schema } = await openParquet(ctx.input);
    pf.free();
    const names = schema.fields.map((f) => f.name);
    checkColumns(ctx, '(schema)', names);
    return { kind: 'parquet', input: ctx.input, rows: () => rowsOfBatches(ctx, parquetBatches(ctx.input)) };
  },
});
