// MessagePack decoded by two threads at once. The schema thread reads every record to learn the object's
// columns (decode-thread.ts); asked in time, it also decodes the records from the first one that
// starts at or past a byte offset (the tail), with the columns the query's thread decodes the head with,
// and sends their Arrow batches over. The query's thread decodes the head, then takes the tail's batches
// once all have come; should the thread refuse (it had walked past the offset), fail to decode a record
// or die, the query's thread decodes the tail itself, so answers and errors are those of one thread.
// Only flat columns are split (their batches cross threads as Arrow IPC), and only objects small enough
// that the tail's batches may wait in memory while the head is decoded.
import type * as arrow from 'apache-arrow';
import type { Readable } from 'node:stream';
import type { BatchCutter } from './batches.js';
import { ByteCursor } from './byte-cursor.js';
import { cutterFor, newDecoder, type MsgpackInference } from './msgpack.js';
import { RecordDecoder } from './msgpack-decode.js';
import { RecordStream, type RecordSink } from './msgpack-frame.js';
import { Inference, type Shape } from './msgpack-infer.js';
import { joinTail, type Tail } from './tail-split.js';

/** Objects from this size on are split (below it, the exchange costs more than it saves). */
export const SPLIT_MIN_BYTES = 4 << 20;
/** Objects past this size are not: the tail's batches wait in memory for the head. */
export const SPLIT_MAX_BYTES = 128 << 20;
/** Share of the object the query's thread decodes: the schema thread also reads the head's records. */
const HEAD_SHARE = 0.65;

/** What the schema thread is asked to decode: the wanted columns, from the first record at or past `from`. */
export interface TailRequest { shapes: [string, Shape][]; from: number; batchRows?: number }

/** The schema thread's side of one object, as the query's thread sees it. */
export interface TailJob {
  /** Asks for the tail; true when the thread will decode it. */
  request(req: TailRequest): Promise<boolean>;
  /** The tail once all of it is decoded; rejects when the thread could not decode it. */
  tail(): Promise<Tail>;
}

const SCALARS = new Set(['null', 'bool', 'int', 'float', 'str', 'bin']);

/** Byte offset to split a local object of `size` bytes at, when its wanted columns may be split. */
export function splitOffset(size: number, shapes: [string, Shape][]): number | undefined {
  if (size < SPLIT_MIN_BYTES || size > SPLIT_MAX_BYTES || !shapes.every(([, s]) => SCALARS.has(s.k))) return undefined;
  return Math.floor(size * HEAD_SHARE);
}

/**
 * The query's thread: decodes the head and joins the tail (or decodes it too, see above). `readRest`
 * learns that the head stopped short of the end (the rest of the object is read all the same).
 */
export async function* decodeWithTail(source: () => Readable | Promise<Readable>, shapes: [string, Shape][], cutter: BatchCutter, job: TailJob, from: number, readRest: () => void = () => undefined, batchRows?: number) {
  const cur = new ByteCursor(await source());
  const records = new RecordStream(cur);
  const sink = new RecordDecoder(shapes, cutter, newDecoder());
  // Each walk ends with the rows it cut short of a batch: the tail's batches, or the rest's, follow them.
  async function* walk(stopAt = Infinity) {
    for await (const _ of records.groups(sink, () => stopAt)) yield* sink.out.splice(0);
    const last = cutter.flush();
    if (last) yield last;
  }
  try {
    yield* joinTail({
      head: walk(from),
      stopped: () => (records.done ? undefined : records.index),
      startTail: async () => {
        if (!(await job.request({ shapes, from, batchRows }))) throw new Error('the schema thread had passed the offset');
        return job.tail();
      },
      rest: async () => walk(),
      readRest,
    });
  } finally {
    cur.close();
  }
}

/** Inference of every record and, once switched on, decoding of each too (a decoding failure only stops the decoding). */
class TailSink implements RecordSink {
  failure: Error | undefined;

  constructor(private readonly inference: Inference, private readonly decoder: RecordDecoder) {}

  fast(buf: Buffer, start: number, end: number, index: number): number {
    const e = this.inference.fast(buf, start, end, index);
    if (e >= 0) this.decode(buf, start, e, index);
    return e;
  }

  careful(buf: Buffer, start: number, end: number, index: number): void {
    this.inference.careful(buf, start, end, index);
    this.decode(buf, start, end, index);
  }

  private decode(buf: Buffer, start: number, end: number, index: number): void {
    if (this.failure) return;
    try {
      if (this.decoder.fast(buf, start, end, index) < 0) this.decoder.careful(buf, start, end, index);
    } catch (e) {
      this.failure = e as Error;
      this.decoder.out.length = 0;
    }
  }
}

export type TailEvent = { kind: 'batch'; batch: arrow.RecordBatch } | { kind: 'done'; first: number; records: number } | { kind: 'failed'; message: string };

/** The schema thread's walk over one object: every record inferred, the tail decoded when asked in time. */
export class TailedInference {
  private request: TailRequest | undefined;
  private readonly cur: ByteCursor;
  private readonly records: RecordStream;
  private decoding = false;

  constructor(stream: Readable, private readonly emit: (e: TailEvent) => void) {
    this.cur = new ByteCursor(stream);
    this.records = new RecordStream(this.cur);
  }

  /** Takes a tail request: true when the walk has not passed its offset yet. */
  offer(req: TailRequest): boolean {
    if (this.request || this.decoding || this.records.done || this.records.offset > req.from) return false;
    this.request = req;
    return true;
  }

  async run(): Promise<MsgpackInference> {
    const inference = new Inference();
    let records = 0;
    let bytes = 0;
    const count = (g: { count: number; bytes: Buffer }) => {
      records += g.count;
      bytes += g.bytes.length;
    };
    try {
      for await (const g of this.records.groups(inference, () => this.request?.from ?? Infinity)) count(g);
      const req = this.request;
      if (req && !this.records.done) {
        this.decoding = true;
        const first = this.records.index;
        const cutter = cutterFor(req.shapes, { batchRows: req.batchRows });
        const decoder = new RecordDecoder(req.shapes, cutter, newDecoder());
        const sink = new TailSink(inference, decoder);
        for await (const g of this.records.groups(sink)) {
          count(g);
          for (const batch of decoder.out.splice(0)) this.emit({ kind: 'batch', batch });
        }
        const last = sink.failure ? undefined : cutter.flush();
        if (last) this.emit({ kind: 'batch', batch: last });
        this.emit(sink.failure ? { kind: 'failed', message: sink.failure.message } : { kind: 'done', first, records: records - first });
      }
    } finally {
      this.cur.close();
    }
    return { fields: inference.fields, records, bytes };
  }
}
