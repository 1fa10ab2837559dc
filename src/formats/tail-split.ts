// Decodes split between two threads, and Avro and Protobuf's. The query's thread decodes the records that
// start before a byte offset; the decoding thread (decode-thread.ts) finds the first record boundary at
// or past it — an Avro block begins after the file's sync marker, a Protobuf message where the length
// prefixes from the start lead, a MessagePack record where its own walk reaches (msgpack-split.ts) —
// decodes from there, and sends the Arrow batches over in shared memory. The query's thread takes them
// once its own are out, if the other thread began where it stopped; otherwise (it failed, refused, or an
// Avro marker's bytes turned up inside a block) this thread decodes the rest itself, so answers and
// errors are those of one thread. For Avro and Protobuf the query's thread, which also appends every
// batch to DuckDB, still decodes a little more than half: the other thread was measured slower at it
// (1M flights rows in Avro, filter and aggregate: 245-265 -> 187-225 ms). Only local files of flat
// columns, small enough that the tail may wait in memory.
import * as arrow from 'apache-arrow';

/**
 * The decoded tail: `records` records from `first` on — a record index (MessagePack) or a byte offset
 * (Avro, Protobuf), as the head reports where it stopped — as Arrow IPC streams in shared memory. They
 * are copied out one at a time as they are appended: ArrayBuffers moved between threads and held while
 * the head is decoded made V8 collect the whole heap over and over (external memory pressure).
 */
export interface Tail { first: number; records: number; batches: Uint8Array[] }

/** A batch as an Arrow IPC stream in shared memory, for the other thread. */
export function batchToShared(batch: arrow.RecordBatch): Uint8Array {
  const bytes = arrow.tableToIPC(new arrow.Table([batch]), 'stream');
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
  shared.set(bytes);
  return shared;
}

/** The batches of such a stream, in memory of this thread's own (the appender takes no shared memory). */
export function batchesFromShared(bytes: Uint8Array): arrow.RecordBatch[] {
  return arrow.tableFromIPC(bytes.slice()).batches;
}

/** Avro and Protobuf files from this size on are split (1 MiB of Avro flights holds ~200k rows). */
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
