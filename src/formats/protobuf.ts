// Protobuf → Arrow. The object is a stream of messages, each preceded by its length as a varint (the
// framing of Java's writeDelimitedTo and Python's _VarintBytes), read without waiting for as long as whole
// messages are buffered. When every wanted field is a singular scalar, messages go straight from the wire
// into the columns (protobuf-flat.ts); otherwise, and for any message that reader leaves alone, each
// message's top-level tags are checked against the schema's wire types, so data written with another
// schema fails instead of decoding into garbage, and protobufjs decodes it. With a projection, a copy of
// the message type that declares only the wanted fields is decoded, so protobufjs skips the others
// without building them.
import type * as arrow from 'apache-arrow';
import fs from 'node:fs';
import protobuf from 'protobufjs';
import { S3Error, s3Error } from '../errors.js';
import { columns } from './arrow-columns.js';
import { BatchCutter, MAX_RECORD_BYTES, openSource, projected, type ArrowDecoded, type ByteSource, type DecodeOptions } from './batches.js';
import { ByteCursor } from './byte-cursor.js';
import { FlatReader } from './protobuf-flat.js';
import { findMessageType, messageMembers, wireTypes } from './protobuf-schema.js';

export { findMessageType, loadProtoSchema, loadProtoTexts, type ImportFetcher, type ProtoTexts } from './protobuf-schema.js';

export interface ProtobufDecodeOptions extends DecodeOptions {
  /** The schema, from `loadProtoSchema`. */
  root: protobuf.Root;
  /** Fully qualified message type of every record, e.g. `pkg.Flight`. */
  messageType: string;
  /** Where the stream starts in the object: the byte offset and index of its first message (see messageAt). */
  start?: MessageAt;
  /** Stop before the first message that starts at or past this byte offset (the rest is read elsewhere). */
  stopAt?: number;
  /** Learns the offset of the message the decoder stopped before (not called when it read to the end). */
  onStop?: (offset: number) => void;
}

/** A message boundary: its byte offset in the object and its index. */
export interface MessageAt { offset: number; index: number }

function fail(message: string): S3Error {
  return s3Error('ProtobufParsingError', message);
}

type Featured = { _features: Record<string, unknown> };

/**
 * A copy of `t` declaring only `fields`. It is resolved as a sibling of `t` (field types by absolute name)
 * and detached once its decoder is generated, so the caller's schema is left as it was. Each copied field
 * takes the original's resolved features (the copy would otherwise get its namespace's proto2 defaults:
 * lenient UTF-8, and presence rules of its own), and a oneof member, which has presence through its
 * oneof, gets explicit presence: the copy decodes every field as the whole type does.
 */
function prunedType(t: protobuf.Type, fields: protobuf.Field[]): protobuf.Type {
  const copy = new protobuf.Type(`${t.name}__projection`);
  const copies: [protobuf.Field, protobuf.Field | protobuf.MapField][] = [];
  for (const f of fields) {
    const typeName = f.resolvedType ? f.resolvedType.fullName : f.type;
    const field = f.map
      ? new protobuf.MapField(f.name, f.id, (f as unknown as protobuf.MapField).keyType, typeName, f.options)
      : new protobuf.Field(f.name, f.id, typeName, f.repeated ? 'repeated' : undefined, undefined, f.options);
    copy.add(field);
    copies.push([f, field]);
  }
  const parent = t.parent!;
  const clash = parent.get(copy.name);
  if (clash) parent.remove(clash);
  parent.add(copy);
  try {
    copy.resolveAll();
    for (const [f, field] of copies) {
      const features = { ...(f as unknown as Featured)._features };
      if (f.hasPresence && features.field_presence === 'IMPLICIT') features.field_presence = 'EXPLICIT';
      (field as unknown as Featured)._features = features;
    }
    copy.setup();
  } finally {
    parent.remove(copy);
    if (clash) parent.add(clash);
  }
  return copy;
}

/** Length and size of the varint at buf[pos..end), or undefined when it runs past `end`. */
function readVarint(buf: Buffer, pos: number, end: number): { value: number; size: number } | undefined {
  let value = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= end) return undefined;
    const b = buf[pos + i]!;
    value += (b & 0x7f) * mul;
    if (!(b & 0x80)) return { value, size: i + 1 };
    mul *= 128;
  }
  return { value: -1, size: 10 };
}

/** Throws when a top-level tag has a wire type its field cannot have, or the fields overrun the message. */
function checkWire(msg: Buffer, allowed: Map<number, number>): void {
  const r = protobuf.Reader.create(msg);
  while (r.pos < r.len) {
    const tag = r.uint32();
    const id = tag >>> 3;
    const wt = tag & 7;
    if (id === 0) throw new Error('field number 0');
    const ok = allowed.get(id);
    if (ok !== undefined && !(ok & (1 << wt))) throw new Error(`field ${id} has wire type ${wt}, which its declared type cannot have (is this the right message type?)`);
    r.skipType(wt);
  }
}

/** Decodes a stream of varint-length-delimited messages of one type into Arrow record batches. */
export async function decodeProtobufToArrow(source: ByteSource, opts: ProtobufDecodeOptions): Promise<ArrowDecoded> {
  let plan: Plan;
  try {
    plan = decodePlan(opts);
  } catch (e) {
    if (typeof source !== 'function') source.destroy();
    throw e;
  }
  const cur = new ByteCursor(await openSource(source));
  cur.offset = opts.start?.offset ?? 0;
  return { schema: plan.cutter.schema, batches: readMessages(cur, plan, opts.start?.index ?? 0, opts.stopAt ?? Infinity, opts.onStop) };
}

/**
 * The first message of the local file `file` that starts at or past byte `from`, found by following the
 * length prefixes from the start; the file's size when none does (or the framing breaks before: the
 * decoder reading from the start then reports it).
 */
export async function messageAt(file: string, from: number): Promise<MessageAt> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const chunk = Buffer.allocUnsafe(1 << 20);
    let base = 0;
    let have = 0;
    let offset = 0;
    let index = 0;
    while (offset < from && offset < size) {
      if (offset + 10 > base + have && base + have < size) {
        base = offset;
        have = (await handle.read(chunk, 0, chunk.length, base)).bytesRead;
      }
      const v = readVarint(chunk, offset - base, have);
      if (!v || v.value < 0 || v.value > MAX_RECORD_BYTES) return { offset: size, index };
      offset += v.size + v.value;
      index++;
    }
    return offset < size ? { offset, index } : { offset: size, index };
  } finally {
    await handle.close();
  }
}

interface Plan {
  /** What protobufjs decodes with: the type, or a copy declaring only the wanted fields. */
  decoder: protobuf.Type;
  typeName: string;
  allowed: Map<number, number>;
  cutter: BatchCutter;
  /** The direct reader when every wanted field is a singular scalar. */
  flat: FlatReader | undefined;
}

function decodePlan(opts: ProtobufDecodeOptions): Plan {
  const type = findMessageType(opts.root, opts.messageType);
  const fields = projected(type.fieldsArray, opts.columns);
  let members;
  try {
    members = messageMembers(type, fields);
  } catch (e) {
    throw e instanceof S3Error ? e : fail(`The Protobuf message type cannot be mapped to columns: ${(e as Error).message}`);
  }
  const decoder = fields.length < type.fieldsArray.length ? prunedType(type, fields) : type;
  const cutter = new BatchCutter(columns.struct(members), opts.batchRows);
  return {
    decoder,
    typeName: type.fullName.slice(1),
    allowed: new Map(type.fieldsArray.map((f) => [f.id, wireTypes(f)])),
    cutter,
    flat: FlatReader.create(type, decoder, fields, cutter),
  };
}

/** Adds the message at buf[start..end) to the batch being cut; a full batch goes to `out`. */
function addMessage(plan: Plan, buf: Buffer, start: number, end: number, index: number, at: number, out: arrow.RecordBatch[]): void {
  let batch;
  if (plan.flat?.read(buf, start, end)) {
    batch = plan.cutter.added();
  } else {
    try {
      const body = buf.subarray(start, end);
      checkWire(body, plan.allowed);
      batch = plan.cutter.add(plan.decoder.decode(body));
    } catch (e) {
      throw fail(`Message ${index} at byte ${at} does not decode as ${plan.typeName}: ${(e as Error).message}`);
    }
  }
  if (batch) out.push(batch);
}

/**
 * Every message that is complete in the bytes buffered so far, without waiting; returns how many. A
 * message cut off by the end of the buffer, or with an odd length prefix, is left to `readOne`.
 */
function readBuffered(cur: ByteCursor, plan: Plan, first: number, out: arrow.RecordBatch[], stopAt: number): number {
  if (cur.buffered === 0) return 0;
  const { buf, pos, n: have } = cur.segment();
  const end = pos + have;
  const stop = pos + (stopAt - cur.offset);
  let p = pos;
  let n = 0;
  while (p < end && p < stop) {
    // Lengths below 2^14 inline; longer ones through readVarint.
    let size: number;
    let len = buf[p]!;
    if (len < 0x80) size = 1;
    else if (p + 1 < end && buf[p + 1]! < 0x80) {
      len = (len & 0x7f) | (buf[p + 1]! << 7);
      size = 2;
    } else {
      const v = readVarint(buf, p, end);
      if (!v || v.value < 0) break;
      [len, size] = [v.value, v.size];
    }
    if (len > MAX_RECORD_BYTES || p + size + len > end) break;
    const start = p + size;
    addMessage(plan, buf, start, start + len, first + n, cur.offset + (p - pos), out);
    p = start + len;
    n++;
  }
  cur.skip(p - pos);
  return n;
}

/** One message, waiting for its bytes; reports a truncated or malformed length prefix or body. */
async function readOne(cur: ByteCursor, plan: Plan, index: number, out: arrow.RecordBatch[]): Promise<void> {
  const at = cur.offset;
  await cur.want(10);
  const n = Math.min(cur.buffered, 10);
  const len = readVarint(cur.peek(n), 0, n);
  if (!len) throw fail(`The Protobuf data is truncated: the length of message ${index} at byte ${at} is incomplete.`);
  if (len.value < 0) throw fail(`Bad varint: the length of message ${index} at byte ${at} is longer than 10 bytes.`);
  if (len.value > MAX_RECORD_BYTES) throw fail(`Message ${index} at byte ${at} declares ${len.value} bytes, over the ${MAX_RECORD_BYTES}-byte limit.`);
  const total = len.size + len.value;
  if (!cur.has(total) && !(await cur.want(total))) {
    throw fail(`The Protobuf data is truncated: message ${index} at byte ${at} declares ${len.value} bytes and the data ends first.`);
  }
  const bytes = cur.peek(total);
  cur.skip(total);
  addMessage(plan, bytes, len.size, total, index, at, out);
}

async function* readMessages(cur: ByteCursor, plan: Plan, first: number, stopAt: number, onStop?: (offset: number) => void) {
  try {
    const out: arrow.RecordBatch[] = [];
    for (let index = first; ; ) {
      index += readBuffered(cur, plan, index, out, stopAt);
      yield* out.splice(0);
      if (!cur.has(1) && (await cur.atEnd())) break;
      if (cur.offset >= stopAt) {
        onStop?.(cur.offset);
        break;
      }
      await readOne(cur, plan, index++, out);
    }
    yield* out;
    const last = plan.cutter.flush();
    if (last) yield last;
  } finally {
    cur.close();
  }
}

/** The common decoder entry point (see batches.ts); Protobuf also needs the schema and message type. */
export const decodeToArrow = decodeProtobufToArrow;
