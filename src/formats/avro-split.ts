// Avro decoded by two threads at once: container files split at their blocks, each ended by the file's
// sync marker. The query's thread decodes the blocks that start before a byte offset, the decoding thread
// (msgpack-infer-thread.ts) those from the first that starts at or past it, found by the marker before
// it, and sends their Arrow batches over in shared memory (see msgpack-split.ts). The query's thread
// takes them once its own are out, if the other thread started where it stopped; otherwise (it failed,
// or a marker's bytes turned up inside a block) this thread decodes the rest itself, so answers and
// errors are those of one thread. The query's thread also appends every batch to DuckDB, yet decodes a
// little more than half: the other thread was measured slower at it (1M flights rows, filter and
// aggregate: 245-265 -> 187-225 ms). Only local files of flat columns, small enough that the tail may
// wait in memory.
import type * as arrow from 'apache-arrow';
import type { ArrowDecoded } from './batches.js';
import { decodeAvroFrom } from './avro.js';
import { batchesFromShared, type Tail } from './msgpack-split.js';

/** Files from this size on are split (1 MiB of flights holds ~200k rows). */
export const AVRO_SPLIT_MIN_BYTES = 1 << 20;
/** Files past this size are not: the tail's batches (many times the file's bytes, decoded) wait in memory. */
export const AVRO_SPLIT_MAX_BYTES = 32 << 20;
/** Share of the file the query's thread decodes. */
const HEAD_SHARE = 0.55;

/** Byte offset to split a local Avro file of `size` bytes at, when it is worth splitting. */
export function avroSplitOffset(size: number): number | undefined {
  return size >= AVRO_SPLIT_MIN_BYTES && size <= AVRO_SPLIT_MAX_BYTES ? Math.floor(size * HEAD_SHARE) : undefined;
}

export interface AvroSplit {
  /** The head's batches (from a decode with stopAt); `stopped` tells where it stopped, if it did. */
  head: AsyncIterable<arrow.RecordBatch>;
  stopped: () => number | undefined;
  /** Asks the other thread for the tail (when the batches are first read, not before). */
  startTail: () => Promise<Tail>;
  file: string;
  columns?: string[];
  /** Learns that the rest of the file was read beside the head (for the byte counters). */
  readRest: () => void;
}

/** The head's batches, then the tail's: from the other thread when it began where the head stopped. */
export async function* joinAvroTail(s: AvroSplit): AsyncGenerator<arrow.RecordBatch> {
  const pending = s.startTail();
  pending.catch(() => undefined);
  yield* s.head;
  const stop = s.stopped();
  if (stop === undefined) return;
  s.readRest();
  const tail = await pending.catch(() => undefined);
  if (tail && tail.first === stop) {
    for (const bytes of tail.batches) yield* batchesFromShared(bytes);
    return;
  }
  const rest: ArrowDecoded = await decodeAvroFrom(s.file, stop, { columns: s.columns });
  yield* rest.batches;
}
