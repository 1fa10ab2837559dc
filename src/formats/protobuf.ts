// Protobuf → Arrow. The object is a stream of messages, each preceded by its length as a varint (the
// framing of Java's writeDelimitedTo and Python's _VarintBytes). Each message's top-level tags are checked
// against the schema's wire types, so data written with another schema fails instead of decoding into
// garbage; then protobufjs decodes it. With a projection, a copy of the message type that declares only
// the wanted fields is decoded, so protobufjs skips the others without building them.
import protobuf from 'protobufjs';
import { S3Error, s3Error } from '../errors.js';
import { columns } from './arrow-columns.js';
import { BatchCutter, MAX_RECORD_BYTES, openSource, projected, type ArrowDecoded, type ByteSource, type DecodeOptions } from './batches.js';
import { ByteCursor } from './byte-cursor.js';
import { findMessageType, messageMembers, wireTypes } from './protobuf-schema.js';

export { findMessageType, loadProtoSchema, type ImportFetcher } from './protobuf-schema.js';

export interface ProtobufDecodeOptions extends DecodeOptions {
  /** The schema, from `loadProtoSchema`. */
  root: protobuf.Root;
  /** Fully qualified message type of every record, e.g. `pkg.Flight`. */
  messageType: string;
}

function fail(message: string): S3Error {
  return s3Error('ProtobufParsingError', message);
}

/**
 * A copy of `t` declaring only `fields`. It is resolved as a sibling of `t` (field types by absolute name)
 * and detached once its decoder is generated, so the caller's schema is left as it was.
 */
function prunedType(t: protobuf.Type, fields: protobuf.Field[]): protobuf.Type {
  const copy = new protobuf.Type(`${t.name}__projection`);
  for (const f of fields) {
    const typeName = f.resolvedType ? f.resolvedType.fullName : f.type;
    const field = f.map
      ? new protobuf.MapField(f.name, f.id, (f as unknown as protobuf.MapField).keyType, typeName, f.options)
      : new protobuf.Field(f.name, f.id, typeName, f.repeated ? 'repeated' : undefined, undefined, f.options);
    copy.add(field);
  }
  const parent = t.parent!;
  const clash = parent.get(copy.name);
  if (clash) parent.remove(clash);
  parent.add(copy);
  try {
    copy.resolveAll();
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
  let plan;
  try {
    plan = decodePlan(opts);
  } catch (e) {
    if (typeof source !== 'function') source.destroy();
    throw e;
  }
  const cur = new ByteCursor(await openSource(source));
  return { schema: plan.cutter.schema, batches: readMessages(cur, plan.decoder, plan.typeName, plan.allowed, plan.cutter) };
}

function decodePlan(opts: ProtobufDecodeOptions) {
  const type = findMessageType(opts.root, opts.messageType);
  const fields = projected(type.fieldsArray, opts.columns);
  let members;
  try {
    members = messageMembers(type, fields);
  } catch (e) {
    throw e instanceof S3Error ? e : fail(`The Protobuf message type cannot be mapped to columns: ${(e as Error).message}`);
  }
  return {
    decoder: fields.length < type.fieldsArray.length ? prunedType(type, fields) : type,
    typeName: type.fullName.slice(1),
    allowed: new Map(type.fieldsArray.map((f) => [f.id, wireTypes(f)])),
    cutter: new BatchCutter(columns.struct(members), opts.batchRows),
  };
}

async function* readMessages(cur: ByteCursor, type: protobuf.Type, typeName: string, allowed: Map<number, number>, cutter: BatchCutter) {
  try {
    for (let index = 0; ; index++) {
      if (!cur.has(10) && (await cur.atEnd())) break;
      const at = cur.offset;
      await cur.want(10);
      const n = Math.min(cur.buffered, 10);
      let { buf, pos } = cur.view(n);
      const len = readVarint(buf, pos, pos + n);
      if (!len) throw fail(`The Protobuf data is truncated: the length of message ${index} at byte ${at} is incomplete.`);
      if (len.value < 0) throw fail(`Bad varint: the length of message ${index} at byte ${at} is longer than 10 bytes.`);
      if (len.value > MAX_RECORD_BYTES) throw fail(`Message ${index} at byte ${at} declares ${len.value} bytes, over the ${MAX_RECORD_BYTES}-byte limit.`);
      const total = len.size + len.value;
      if (!cur.has(total) && !(await cur.want(total))) {
        throw fail(`The Protobuf data is truncated: message ${index} at byte ${at} declares ${len.value} bytes and the data ends first.`);
      }
      ({ buf, pos } = cur.view(total));
      const body = buf.subarray(pos + len.size, pos + total);
      cur.skip(total);
      let batch;
      try {
        checkWire(body, allowed);
        batch = cutter.add(type.decode(body));
      } catch (e) {
        throw fail(`Message ${index} at byte ${at} does not decode as ${typeName}: ${(e as Error).message}`);
      }
      if (batch) yield batch;
    }
    const last = cutter.flush();
    if (last) yield last;
  } finally {
    cur.close();
  }
}

/** The common decoder entry point (see batches.ts); Protobuf also needs the schema and message type. */
export const decodeToArrow = decodeProtobufToArrow;
