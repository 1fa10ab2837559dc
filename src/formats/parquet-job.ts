// One Parquet file being written by parquet-wasm from Arrow IPC batches pushed to it, on whichever
// thread holds the job (the Parquet writer thread, or the caller's when that thread is unavailable).
import * as arrow from 'apache-arrow';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as pq from 'parquet-wasm';

/** Writer settings, plain data so they can cross to the writer thread. */
export interface ParquetSettings {
  compression: 'snappy' | 'zstd' | 'none';
  rowGroupRows: number;
}

const COMPRESSION = { snappy: pq.Compression.SNAPPY, zstd: pq.Compression.ZSTD, none: pq.Compression.UNCOMPRESSED } as const;

export function writerProperties(s: ParquetSettings): pq.WriterProperties {
  return new pq.WriterPropertiesBuilder()
    .setCompression(COMPRESSION[s.compression])
    .setMaxRowGroupSize(s.rowGroupRows)
    .setCreatedBy('selectd')
    .build();
}

/** One Arrow IPC stream (a schema and one batch) as a parquet-wasm batch. */
function fromIpc(ipc: Uint8Array): pq.RecordBatch {
  const table = pq.Table.fromIPCStream(ipc);
  try {
    return table.recordBatch(0)!;
  } finally {
    table.free();
  }
}

/** The IPC stream of one batch (the bytes are the caller's alone, so they can be transferred). */
export function toIpc(batch: arrow.RecordBatch): Uint8Array {
  return arrow.tableToIPC(new arrow.Table([batch]), 'stream');
}

export class ParquetJob {
  private readonly queue: Uint8Array[] = [];
  private ended = false;
  private failure: { error: unknown } | undefined;
  private wake: (() => void) | undefined;
  /** Settles once the file is complete (or the job failed and its file handle is closed). */
  readonly done: Promise<void>;

  /** `taken` is called as each pushed batch goes into parquet-wasm. */
  constructor(path: string, settings: ParquetSettings, taken: () => void) {
    const input = new ReadableStream<pq.RecordBatch>({
      pull: async (controller) => {
        while (this.queue.length === 0 && !this.ended && !this.failure) await new Promise<void>((r) => (this.wake = r));
        if (this.failure) return controller.error(this.failure.error);
        const ipc = this.queue.shift();
        if (!ipc) return controller.close();
        controller.enqueue(fromIpc(ipc));
        taken();
      },
    });
    this.done = (async () => {
      const out = await pq.transformParquetStream(input, writerProperties(settings));
      await pipeline(Readable.fromWeb(out as import('node:stream/web').ReadableStream<Uint8Array>), fs.createWriteStream(path));
      // parquet-wasm ends its output normally when its input errors: a truncated file must not pass.
      if (this.failure) throw this.failure.error;
    })();
  }

  push(ipc: Uint8Array): void {
    this.queue.push(ipc);
    this.poke();
  }

  end(): void {
    this.ended = true;
    this.poke();
  }

  abort(error: unknown): void {
    this.failure ??= { error };
    this.poke();
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
