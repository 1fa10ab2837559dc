// Writes decoded Arrow batches to a Parquet file with parquet-wasm, streaming: each batch crosses into
// WebAssembly as an Arrow IPC message (on the Parquet writer thread, see parquet-thread.ts, while the
// caller decodes the next) and the Parquet bytes stream out to disk, so memory holds about one row group
// and a couple of batches. The file appears under its final name only once it is complete.
import * as arrow from 'apache-arrow';
import fs from 'node:fs';
import * as pq from 'parquet-wasm';
import { toIpc, writerProperties, type ParquetSettings } from './parquet-job.js';
import { openParquetWriter, type ParquetWriter } from './parquet-thread.js';

export interface ParquetWriteOptions {
  compression?: 'snappy' | 'zstd' | 'none';
  /** Rows per row group (default 122880, DuckDB's own row-group size). */
  rowGroupRows?: number;
}

export interface ParquetWriteResult {
  rows: number;
  bytes: number;
}

function settings(opts: ParquetWriteOptions): ParquetSettings {
  return { compression: opts.compression ?? 'snappy', rowGroupRows: opts.rowGroupRows ?? 122880 };
}

/**
 * Streams `batches` (all of `schema`) into a Parquet file at `path`. On failure nothing is left at `path`
 * and the batch source is closed.
 */
export async function writeParquetFile(
  path: string,
  schema: arrow.Schema,
  batches: AsyncIterable<arrow.RecordBatch>,
  opts: ParquetWriteOptions = {},
): Promise<ParquetWriteResult> {
  const tmp = `${path}.${process.pid}.${Date.now().toString(36)}.partial`;
  const it = batches[Symbol.asyncIterator]();
  const set = settings(opts);
  let rows = 0;
  let writer: ParquetWriter | undefined;
  try {
    for (let r = await it.next(); !r.done; r = await it.next()) {
      if (r.value.numRows === 0) continue;
      rows += r.value.numRows;
      writer ??= openParquetWriter(tmp, set);
      await writer.push(toIpc(r.value));
    }
    if (writer) await writer.finish();
    else {
      // parquet-wasm's stream writer needs a batch to learn the schema; an empty table carries it instead.
      const empty = pq.Table.fromIPCStream(arrow.tableToIPC(new arrow.Table(schema), 'stream'));
      await fs.promises.writeFile(tmp, pq.writeParquet(empty, writerProperties(set)));
    }
    await fs.promises.rename(tmp, path);
  } catch (e) {
    await writer?.abort(e);
    await fs.promises.rm(tmp, { force: true });
    await it.return?.();
    throw e;
  }
  const { size } = await fs.promises.stat(path);
  return { rows, bytes: size };
}
