// MessagePack → Arrow. MessagePack has no schema, so column types come from the data (msgpack-infer.ts).
// Given a way to reopen the object, the decoder reads it twice: pass 1 walks the encoded bytes and infers
// every column (a key first seen in the last record still gets its column), pass 2 reads the records into
// Arrow (msgpack-decode.ts), only the wanted keys. Pass 1 can be run once (`inferMsgpack`) and its result
// reused for several decodes of different columns. Given a single stream, the first batch of records (at
// most `batchRows` records or 64 MiB) is held and inferred, and a later record that adds a key or needs a
// wider type fails with MessagePackParsingError rather than being dropped or mistyped.
import { Decoder, ExtensionCodec, decodeTimestampToTimeSpec } from '@msgpack/msgpack';
import type { Readable } from 'node:stream';
import { columns } from './arrow-columns.js';
import { BatchCutter, DEFAULT_BATCH_ROWS, MAX_BATCH_BYTES, MAX_RECORD_BYTES, type ArrowDecoded, type ByteSource, type DecodeOptions } from './batches.js';
import { ByteCursor } from './byte-cursor.js';
import { RecordDecoder, topMember } from './msgpack-decode.js';
import { fail, recordGroups, walkRecords, type RecordGroup } from './msgpack-frame.js';
import { Inference, MsgTimestamp, type Shape } from './msgpack-infer.js';

const extensionCodec = new ExtensionCodec();
extensionCodec.register({
  type: -1,
  encode: () => null,
  decode: (data: Uint8Array) => {
    const { sec, nsec } = decodeTimestampToTimeSpec(data);
    return new MsgTimestamp(BigInt(sec) * 1_000_000n + BigInt(Math.floor(nsec / 1000)));
  },
});

export function newDecoder(): Decoder {
  return new Decoder({
    useBigInt64: true,
    extensionCodec,
    maxStrLength: MAX_RECORD_BYTES,
    maxBinLength: MAX_RECORD_BYTES,
    maxExtLength: MAX_RECORD_BYTES,
  });
}

/** The result of pass 1 over an object: every top-level key's shape, and what was read. */
export interface MsgpackInference {
  readonly fields: ReadonlyMap<string, Shape>;
  readonly records: number;
  readonly bytes: number;
  /** Set when only the first records were read (a sample): a decode then reads on to the end. */
  readonly partial?: boolean;
}

export interface MsgpackDecodeOptions extends DecodeOptions {
  /** Pass 1 already run over this object (from `inferMsgpack`): only pass 2 reads it. */
  inferred?: MsgpackInference;
}

/**
 * Pass 1: infers every top-level key's column from the whole object, or (given `sample`) from the
 * groups of records read until at least that many records were (partial unless that was all of them).
 */
export async function inferMsgpack(source: () => Readable | Promise<Readable>, only?: Set<string>, sample = Infinity): Promise<MsgpackInference> {
  const inference = new Inference(only);
  const cur = new ByteCursor(await source());
  let records = 0;
  let bytes = 0;
  try {
    for await (const g of recordGroups(cur, inference)) {
      records += g.count;
      bytes += g.bytes.length;
      if (records >= sample && !(await cur.atEnd())) return { fields: inference.fields, records, bytes, partial: true };
    }
  } finally {
    cur.close();
  }
  return { fields: inference.fields, records, bytes };
}

function sameShape(a: Shape, b: Shape): boolean {
  if (a.k !== b.k) return false;
  if (a.k === 'list') return sameShape(a.item, (b as typeof a).item);
  if (a.k === 'struct') return sameFields(a.fields, (b as typeof a).fields);
  return true;
}

/** Whether two inferences give the same columns (keys in the same order, shapes alike). */
export function sameFields(a: ReadonlyMap<string, Shape>, b: ReadonlyMap<string, Shape>): boolean {
  if (a.size !== b.size) return false;
  const bs = [...b];
  let i = 0;
  for (const [name, shape] of a) {
    const [otherName, other] = bs[i++]!;
    if (name !== otherName || !sameShape(shape, other)) return false;
  }
  return true;
}

/** The wanted keys' shapes, in the object's first-seen order. */
export function wantedShapes(fields: ReadonlyMap<string, Shape>, wanted: string[] | undefined): [string, Shape][] {
  const want = wanted && new Set(wanted);
  return [...fields].filter(([name]) => !want || want.has(name));
}

export function cutterFor(shapes: [string, Shape][], opts: DecodeOptions): BatchCutter {
  return new BatchCutter(columns.struct(shapes.map(([name, s]) => topMember(name, s))), opts.batchRows);
}

/** Decodes MessagePack records (a stream of maps, or one top-level array of maps) into Arrow batches. */
export async function decodeMsgpackToArrow(source: ByteSource, opts: MsgpackDecodeOptions = {}): Promise<ArrowDecoded> {
  if (typeof source === 'function') {
    const pass1 = opts.inferred ?? (await inferMsgpack(source, opts.columns ? new Set(opts.columns) : undefined));
    const shapes = wantedShapes(pass1.fields, opts.columns);
    const cutter = cutterFor(shapes, opts);
    return { schema: cutter.schema, batches: decodeAll(source, shapes, cutter, pass1) };
  }
  const inference = new Inference(opts.columns ? new Set(opts.columns) : undefined);
  const cur = new ByteCursor(source);
  const it = recordGroups(cur, inference);
  const sample: RecordGroup[] = [];
  let rows = 0;
  let bytes = 0;
  try {
    const limit = opts.batchRows ?? DEFAULT_BATCH_ROWS;
    while (rows < limit && bytes < MAX_BATCH_BYTES) {
      const r = await it.next();
      if (r.done) break;
      sample.push(r.value);
      rows += r.value.count;
      bytes += r.value.bytes.length;
    }
  } catch (e) {
    cur.close();
    throw e;
  }
  const shapes = wantedShapes(inference.fields, undefined);
  const cutter = cutterFor(shapes, opts);
  return { schema: cutter.schema, batches: decodeSampled(cur, it, sample, inference, new RecordDecoder(shapes, cutter, newDecoder()), cutter) };
}

async function* decodeAll(source: () => Readable | Promise<Readable>, shapes: [string, Shape][], cutter: BatchCutter, pass1: MsgpackInference) {
  const cur = new ByteCursor(await source());
  // After a sample, every record is decoded: whether the sample's columns hold is the caller's to check.
  const limit = pass1.partial ? Infinity : pass1.records;
  const sink = new RecordDecoder(shapes, cutter, newDecoder(), limit);
  let records = 0;
  let bytes = 0;
  try {
    for await (const g of recordGroups(cur, sink)) {
      records += g.count;
      bytes += g.bytes.length;
      yield* sink.out.splice(0);
      if (records > limit) break;
    }
    if (!pass1.partial && (records !== pass1.records || bytes !== pass1.bytes)) throw fail('The MessagePack object changed between the schema pass and the decoding pass.');
    const last = cutter.flush();
    if (last) yield last;
  } finally {
    cur.close();
  }
}

/** Decodes a group of records already framed (and inferred). */
function replay(g: RecordGroup, sink: RecordDecoder) {
  walkRecords(g.bytes, 0, g.bytes.length, sink, g.first, g.count);
  return sink.out.splice(0);
}

async function* decodeSampled(cur: ByteCursor, it: AsyncGenerator<RecordGroup>, sample: RecordGroup[], inference: Inference, sink: RecordDecoder, cutter: BatchCutter) {
  try {
    for (const g of sample.splice(0)) yield* replay(g, sink);
    for (;;) {
      inference.changedAt = -1;
      const r = await it.next();
      if (r.done) break;
      if (inference.changedAt >= 0) {
        throw fail(
          `MessagePack record ${inference.changedAt} adds a key or a value type not seen in the records before it; ` +
            'the schema cannot change once batches are produced (decode from a re-readable source to infer from every record).',
        );
      }
      yield* replay(r.value, sink);
    }
    const last = cutter.flush();
    if (last) yield last;
  } finally {
    cur.close();
  }
}

/** The common decoder entry point (see batches.ts). */
export const decodeToArrow = decodeMsgpackToArrow;
