// MessagePack → Arrow. MessagePack has no schema, so column types come from the data (msgpack-infer.ts).
// Given a way to reopen the object, the decoder reads it twice: pass 1 scans the encoded bytes and infers
// every column (a key first seen in the last record still gets its column), pass 2 decodes the records
// with @msgpack/msgpack into Arrow. Given a single stream, the first batch of records (at most
// `batchRows` records or 64 MiB) is held and inferred, and a later record that adds a key or needs a
// wider type fails with MessagePackParsingError rather than being dropped or mistyped.
import type * as arrow from 'apache-arrow';
import { DecodeError, Decoder, ExtensionCodec, decodeTimestampToTimeSpec } from '@msgpack/msgpack';
import type { Readable } from 'node:stream';
import { S3Error } from '../errors.js';
import { columns } from './arrow-columns.js';
import { BatchCutter, DEFAULT_BATCH_ROWS, MAX_BATCH_BYTES, MAX_RECORD_BYTES, type ArrowDecoded, type ByteSource, type DecodeOptions } from './batches.js';
import { ByteCursor } from './byte-cursor.js';
import { fail, recordGroups, type RecordGroup } from './msgpack-frame.js';
import { Inference, MsgTimestamp, shapeColumn } from './msgpack-infer.js';

const extensionCodec = new ExtensionCodec();
extensionCodec.register({
  type: -1,
  encode: () => null,
  decode: (data: Uint8Array) => {
    const { sec, nsec } = decodeTimestampToTimeSpec(data);
    return new MsgTimestamp(BigInt(sec) * 1_000_000n + BigInt(Math.floor(nsec / 1000)));
  },
});

function newDecoder(): Decoder {
  return new Decoder({
    useBigInt64: true,
    extensionCodec,
    maxStrLength: MAX_RECORD_BYTES,
    maxBinLength: MAX_RECORD_BYTES,
    maxExtLength: MAX_RECORD_BYTES,
  });
}

function decodeError(e: unknown, index: number): Error {
  if (e instanceof S3Error) return e;
  const why = e instanceof DecodeError || e instanceof RangeError || e instanceof Error ? e.message : String(e);
  return fail(`MessagePack record ${index} does not decode: ${why}`);
}

interface Pass1 {
  records: number;
  bytes: number;
}

/** Infers from a group's records; returns the index of the first that changed the schema, or -1. */
function inferGroup(inference: Inference, g: RecordGroup): number {
  let changed = -1;
  let start = 0;
  g.ends.forEach((end, i) => {
    if (inference.add(g.bytes, start, end, g.first + i) && changed < 0) changed = g.first + i;
    start = end;
  });
  return changed;
}

async function inferAll(stream: Readable, inference: Inference): Promise<Pass1> {
  const cur = new ByteCursor(stream);
  let records = 0;
  let bytes = 0;
  try {
    for await (const g of recordGroups(cur)) {
      inferGroup(inference, g);
      records += g.ends.length;
      bytes += g.bytes.length;
    }
  } finally {
    cur.close();
  }
  return { records, bytes };
}

/** Decodes MessagePack records (a stream of maps, or one top-level array of maps) into Arrow batches. */
export async function decodeMsgpackToArrow(source: ByteSource, opts: DecodeOptions = {}): Promise<ArrowDecoded> {
  const inference = new Inference(opts.columns ? new Set(opts.columns) : undefined);
  if (typeof source === 'function') {
    const pass1 = await inferAll(await source(), inference);
    const cutter = cutterFor(inference, opts);
    return { schema: cutter.schema, batches: decodeAll(source, cutter, pass1) };
  }
  const cur = new ByteCursor(source);
  const it = recordGroups(cur);
  const sample: RecordGroup[] = [];
  let rows = 0;
  let bytes = 0;
  try {
    const limit = opts.batchRows ?? DEFAULT_BATCH_ROWS;
    while (rows < limit && bytes < MAX_BATCH_BYTES) {
      const r = await it.next();
      if (r.done) break;
      inferGroup(inference, r.value);
      sample.push(r.value);
      rows += r.value.ends.length;
      bytes += r.value.bytes.length;
    }
  } catch (e) {
    cur.close();
    throw e;
  }
  const cutter = cutterFor(inference, opts);
  return { schema: cutter.schema, batches: decodeSampled(cur, it, sample, inference, cutter) };
}

function cutterFor(inference: Inference, opts: DecodeOptions): BatchCutter {
  const members = [...inference.fields].map(([name, shape]) => ({ name, column: shapeColumn(shape) }));
  return new BatchCutter(columns.struct(members), opts.batchRows);
}

/** Decodes a group's records into the cutter, returning the batches completed on the way. */
function decodeGroup(decoder: Decoder, g: RecordGroup, cutter: BatchCutter): arrow.RecordBatch[] {
  const out: arrow.RecordBatch[] = [];
  let index = g.first;
  try {
    for (const value of decoder.decodeMulti(g.bytes)) {
      const batch = cutter.add(value);
      if (batch) out.push(batch);
      index++;
    }
  } catch (e) {
    throw decodeError(e, index);
  }
  return out;
}

async function* decodeAll(source: () => Readable | Promise<Readable>, cutter: BatchCutter, pass1: Pass1) {
  const cur = new ByteCursor(await source());
  const decoder = newDecoder();
  let records = 0;
  let bytes = 0;
  try {
    for await (const g of recordGroups(cur)) {
      records += g.ends.length;
      bytes += g.bytes.length;
      if (records > pass1.records) break;
      yield* decodeGroup(decoder, g, cutter);
    }
    if (records !== pass1.records || bytes !== pass1.bytes) throw fail('The MessagePack object changed between the schema pass and the decoding pass.');
    const last = cutter.flush();
    if (last) yield last;
  } finally {
    cur.close();
  }
}

async function* decodeSampled(cur: ByteCursor, it: AsyncGenerator<RecordGroup>, sample: RecordGroup[], inference: Inference, cutter: BatchCutter) {
  const decoder = newDecoder();
  try {
    for (const g of sample.splice(0)) yield* decodeGroup(decoder, g, cutter);
    for (let r = await it.next(); !r.done; r = await it.next()) {
      const changed = inferGroup(inference, r.value);
      if (changed >= 0) {
        throw fail(
          `MessagePack record ${changed} adds a key or a value type not seen in the records before it; ` +
            'the schema cannot change once batches are produced (decode from a re-readable source to infer from every record).',
        );
      }
      yield* decodeGroup(decoder, r.value, cutter);
    }
    const last = cutter.flush();
    if (last) yield last;
  } finally {
    cur.close();
  }
}

/** The common decoder entry point (see batches.ts). */
export const decodeToArrow = decodeMsgpackToArrow;
