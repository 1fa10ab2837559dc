// Writes decoded Arrow batches to a Parquet file with parquet-wasm, streaming: each batch crosses into
// WebAssembly as an Arrow IPC message and the Parquet bytes stream out to disk, so memory holds about one
// row group. The file appears under its final name only once it is complete.
import * as arrow from 'apache-arrow';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as pq from 'parquet-wasm';

export interface ParquetWriteOptions {
  compression?: 'snappy' | 'zstd' | 'none';
  /** Rows per row group (default 122880, DuckDB's own row-group size). */
  rowGroupRows?: number;
}

export interface ParquetWriteResult {
  rows: number;
  bytes: number;
}

const COMPRESSION = { snappy: pq.Compression.SNAPPY, zstd: pq.Compression.ZSTD, none: pq.Compression.UNCOMPRESSED } as const;

function props(opts: ParquetWriteOptions): pq.WriterProperties {
  return new pq.WriterPropertiesBuilder()
    .setCompression(COMPRESSION[opts.compression ?? 'snappy'])
    .setMaxRowGroupSize(opts.rowGroupRows ?? 122880)
    .setCreatedBy('selectd')
    .build();
}

/** One Arrow JS batch as a parquet-wasm batch (copied through the IPC stream format). */
function toWasm(batch: arrow.RecordBatch): pq.RecordBatch {
  const table = pq.Table.fromIPCStream(arrow.tableToIPC(new arrow.Table([batch]), 'stream'));
  try {
    return table.recordBatch(0)!;
  } finally {
    table.free();
  }
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
  let rows = 0;
  // parquet-wasm ends its output normally when its input stream errors, which would leave a truncated file
  // looking complete: the source's error is kept here and rethrown after the pipeline.
  let failure: { error: unknown } | undefined;
  const input = new ReadableStream<pq.RecordBatch>({
    async pull(controller) {
      try {
        for (;;) {
          const r = await it.next();
          if (r.done) return controller.close();
          if (r.value.numRows === 0) continue;
          rows += r.value.numRows;
          return controller.enqueue(toWasm(r.value));
        }
      } catch (e) {
        failure = { error: e };
        controller.error(e);
      }
    },
    async cancel() {
      await it.return?.();
    },
  });
  try {
    const first = await peekNonEmpty(input);
    if (!first) {
      // parquet-wasm's stream writer needs a batch to learn the schema; an empty table carries it instead.
      const empty = pq.Table.fromIPCStream(arrow.tableToIPC(new arrow.Table(schema), 'stream'));
      await fs.promises.writeFile(tmp, pq.writeParquet(empty, props(opts)));
    } else {
      const out = await pq.transformParquetStream(first, props(opts));
      await pipeline(Readable.fromWeb(out as import('node:stream/web').ReadableStream<Uint8Array>), fs.createWriteStream(tmp));
    }
    if (failure) throw failure.error;
    await fs.promises.rename(tmp, path);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    await it.return?.();
    throw e;
  }
  const { size } = await fs.promises.stat(path);
  return { rows, bytes: size };
}

/** The stream, re-assembled after reading ahead to its first batch; undefined when it has none. */
async function peekNonEmpty(input: ReadableStream<pq.RecordBatch>): Promise<ReadableStream<pq.RecordBatch> | undefined> {
  const reader = input.getReader();
  const head = await reader.read();
  if (head.done) return undefined;
  return new ReadableStream<pq.RecordBatch>({
    start(controller) {
      controller.enqueue(head.value);
    },
    async pull(controller) {
      const r = await reader.read();
      if (r.done) controller.close();
      else controller.enqueue(r.value);
    },
    async cancel(reason) {
      await reader.cancel(reason);
    },
  });
}
