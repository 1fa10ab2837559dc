// Avro and Protobuf decoded by two threads at once. The query's thread decodes the records that start
// before a byte offset; the decoding thread (decode-thread.ts) finds the first record boundary at
// or past it — an Avro block begins after the file's sync marker, a Protobuf message where the length
// prefixes from the start lead — decodes from there, and sends the Arrow batches over in shared memory
// (see msgpack-split.ts). The query's thread takes them once its own are out, if the other thread began
// where it stopped; otherwise (it failed, or an Avro marker's bytes turned up inside a block) this
// thread decodes the rest itself, so answers and errors are those of one thread. The query's thread also
// appends every batch to DuckDB, yet decodes a little more than half: the other thread was measured
// slower at it (1M flights rows in Avro, filter and aggregate: 245-265 -> 187-225 ms). Only local files
// of flat columns, small enough that the tail may wait in memory.
import type * as arrow from 'apache-arrow';
import { batchesFromShared, type Tail } from './msgpack-split.js';

/** Files from this size on are split (1 MiB of Avro flights holds ~200k rows). */
export const TAIL_SPLIT_MIN_BYTES = 1 << 20;
/** Files past this size are not: the tail's batches (many times the file's bytes, decoded) wait in memory. */
export const TAIL_SPLIT_MAX_BYTES = 32 << 20;
/** Share of the file the query's thread decodes. */
const HEAD_SHARE = 0.55;

/** Byte offset to split a local file of `size` bytes at, when it is worth splitting. */
export function tailSplitOffset(size: number): number | undefined {
  return size >= TAIL_SPLIT_MIN_BYTES && size <= TAIL_SPLIT_MAX_BYTES ? Math.floor(size * HEAD_SHARE) : undefined;
}

export interface TailSplit {
  /** The head's batches (from a decode told to stop); `stopped` is where it stopped, if it did. */
  head: AsyncIterable<arrow.RecordBatch>;
  stopped: () => number | undefined;
  /** Asks the other thread for the tail (when the batches are first read, not before). */
  startTail: () => Promise<Tail>;
  /** Decodes the tail on this thread, from the offset the head stopped at. */
  rest: (stop: number) => Promise<AsyncIterable<arrow.RecordBatch>>;
  /** Learns that the rest of the file was read beside the head (for the byte counters). */
  readRest: () => void;
}

/** The head's batches, then the tail's: from the other thread when it began where the head stopped. */
export async function* joinTail(s: TailSplit): AsyncGenerator<arrow.RecordBatch> {
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
  yield* await s.rest(stop);
}
