// Avro object container files → Arrow. The container framing (header, blocks, sync markers) is read here
// from the stream block by block, with caps and truncation checks; avsc decodes the records of each block,
// each wanted field straight into its column (a string's bytes copied as they are when valid UTF-8).
// avsc's own BlockDecoder is not used: it joins every incoming chunk onto the unread remainder (quadratic
// on large blocks), buffers a block of any declared size, and ends quietly on a truncated last block.
import * as arrow from 'apache-arrow';
import avro from 'avsc';
import fs from 'node:fs';
import { S3Error, s3Error } from '../errors.js';
import { columns, NumberColumn, VarColumn, type Column, type StructMember } from './arrow-columns.js';
import { avroColumn, avroTypeOptions, readExactLong, Tap } from './avro-types.js';
import { BatchCutter, MAX_RECORD_BYTES, openSource, projected, type ArrowDecoded, type ByteSource, type DecodeOptions } from './batches.js';
import { ByteCursor } from './byte-cursor.js';
import { CodecError, crc32, inflateRaw, snappyUncompress, zstdDecompress } from './codecs.js';
import { validUtf8 } from './utf8.js';

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]); // "Obj" 1
const MAX_HEADER_BYTES = 16 * 1024 * 1024;
/** Name of the single column when the file's top-level schema is not a record. */
export const AVRO_VALUE_COLUMN = 'value';

function fail(message: string): S3Error {
  return s3Error('AvroParsingError', message);
}

class Incomplete extends Error {}

/** Zig-zag varint from a buffer; throws Incomplete past `end`. */
function readLong(buf: Buffer, at: { pos: number }, end: number): number {
  let n = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (at.pos >= end) throw new Incomplete();
    const b = buf[at.pos++]!;
    n += (b & 0x7f) * mul;
    if (!(b & 0x80)) return n % 2 ? -(n + 1) / 2 : n / 2;
    mul *= 128;
  }
  throw fail('malformed varint in the container framing');
}

function readBytes(buf: Buffer, at: { pos: number }, end: number): Buffer {
  const len = readLong(buf, at, end);
  if (len < 0) throw fail('negative length in the file header');
  if (at.pos + len > end) throw new Incomplete();
  at.pos += len;
  return buf.subarray(at.pos - len, at.pos);
}

interface Header {
  meta: Map<string, Buffer>;
  sync: Buffer;
}

/** Parses the header from the buffered bytes, or throws Incomplete. */
function parseHeader(buf: Buffer, start: number, end: number): { header: Header; length: number } {
  const at = { pos: start + MAGIC.length };
  const meta = new Map<string, Buffer>();
  for (let n = readLong(buf, at, end); n !== 0; n = readLong(buf, at, end)) {
    if (n < 0) {
      n = -n;
      readLong(buf, at, end);
    }
    for (let i = 0; i < n; i++) {
      const key = readBytes(buf, at, end).toString('utf8');
      meta.set(key, readBytes(buf, at, end));
    }
  }
  if (at.pos + 16 > end) throw new Incomplete();
  const sync = Buffer.from(buf.subarray(at.pos, at.pos + 16));
  return { header: { meta, sync }, length: at.pos + 16 - start };
}

async function readHeader(cur: ByteCursor): Promise<Header> {
  const head = (await cur.want(MAGIC.length)) ? cur.view(MAGIC.length) : undefined;
  if (!head || !head.buf.subarray(head.pos, head.pos + MAGIC.length).equals(MAGIC)) {
    throw fail('The object is not an Avro object container file (bad magic bytes).');
  }
  for (let want = 4096; ; want *= 2) {
    const complete = !(await cur.want(want));
    const n = cur.buffered;
    const { buf, pos } = cur.view(n);
    try {
      const { header, length } = parseHeader(buf, pos, pos + n);
      cur.skip(length);
      return header;
    } catch (e) {
      if (!(e instanceof Incomplete)) throw e;
      if (complete) throw fail('The Avro file header is truncated.');
      if (n > MAX_HEADER_BYTES) throw fail(`The Avro file header is larger than ${MAX_HEADER_BYTES} bytes.`);
    }
  }
}

type Decompress = (data: Buffer) => Buffer;

function codecOf(name: string): Decompress {
  switch (name) {
    case 'null':
      return (d) => d;
    case 'deflate':
      return (d) => inflateRaw(d, MAX_RECORD_BYTES);
    case 'snappy':
      return (d) => {
        // Avro appends the big-endian CRC32 of the uncompressed bytes to each snappy block.
        if (d.length < 4) throw new CodecError('snappy block shorter than its checksum');
        const out = snappyUncompress(d.subarray(0, d.length - 4), MAX_RECORD_BYTES);
        if (crc32(out) !== d.readUInt32BE(d.length - 4)) throw new CodecError('snappy block checksum mismatch');
        return out;
      };
    case 'zstandard':
      return (d) => zstdDecompress(d, MAX_RECORD_BYTES);
    default:
      throw fail(`Unsupported Avro codec '${name}' (supported: null, deflate, snappy, zstandard).`);
  }
}

type Reader = (tap: InstanceType<typeof Tap>) => unknown;

type AvroTap = InstanceType<typeof Tap>;

/**
 * How one record is read: which top-level fields are decoded, straight into their columns (the caller
 * then completes the row), and which are skipped.
 */
interface RecordPlan {
  members: StructMember[];
  read(tap: AvroTap): void;
}

/**
 * A string field read as avsc's Tap#readString reads it, its bytes copied into the column as they are
 * when they are valid UTF-8 (then decoding and encoding again would give the same bytes).
 */
function readStringInto(tap: AvroTap, column: Column): void {
  const len = tap.readLong();
  if (len < 0) {
    (tap as unknown as { _invalidate(): void })._invalidate();
    return column.append('');
  }
  const pos = tap.pos;
  tap.pos += len;
  if (tap.pos > tap.buf.length) return column.append(undefined);
  if (validUtf8(tap.buf, pos, tap.pos)) (column as VarColumn).appendBytes(tap.buf, pos, tap.pos);
  else column.append(tap.buf.toString('utf8', pos, tap.pos));
}

/**
 * A long into an Int64 column (or an int into an Int32 one): as two int32 halves, without a BigInt, when
 * it fits in 32 bits (the common case); otherwise as the generic path appends it.
 */
function readIntInto(tap: AvroTap, column: NumberColumn, is64: boolean): void {
  const v = readExactLong(tap);
  if (typeof v !== 'number' || (v | 0) !== v) return column.append(v);
  if (is64) column.appendHalves(v, v < 0 ? -1 : 0);
  else column.appendNumber(v);
}

/** A double or float into its column; past the block's end the record check fails the block. */
function readFloatInto(tap: AvroTap, column: NumberColumn, width: 4 | 8): void {
  const pos = tap.pos;
  tap.pos += width;
  if (tap.pos > tap.buf.length) return column.append(null);
  column.appendNumber(width === 8 ? tap.buf.readDoubleLE(pos) : tap.buf.readFloatLE(pos));
}

/** The direct reader of a field of a primitive Avro type whose column takes its values as they are. */
function directReader(type: avro.Type, column: Column): Reader | undefined {
  if (!(column instanceof NumberColumn)) return undefined;
  switch ((type as unknown as { typeName: string }).typeName) {
    case 'long': return column.type.typeId === arrow.Type.Int && (column.type as arrow.Int).bitWidth === 64 ? (tap) => readIntInto(tap, column, true) : undefined;
    case 'int': return column.type.typeId === arrow.Type.Int && (column.type as arrow.Int).bitWidth === 32 ? (tap) => readIntInto(tap, column, false) : undefined;
    case 'double': return column.type.typeId === arrow.Type.Float ? (tap) => readFloatInto(tap, column, 8) : undefined;
    case 'float': return column.type.typeId === arrow.Type.Float ? (tap) => readFloatInto(tap, column, 4) : undefined;
    default: return undefined;
  }
}

function recordPlan(type: avro.Type, wanted: string[] | undefined): RecordPlan {
  const t = type as avro.Type & { typeName: string; fields?: { name: string; type: avro.Type & { _read: Reader; _skip: Reader } }[] };
  if (t.typeName !== 'record') {
    const column = avroColumn(type);
    const keep = !wanted || wanted.includes(AVRO_VALUE_COLUMN);
    const codec = type as unknown as { _read: Reader; _skip: Reader };
    if (!keep) return { members: [], read: (tap) => codec._skip(tap) };
    return {
      members: [{ name: AVRO_VALUE_COLUMN, column: column.column, nullable: column.nullable }],
      read: (tap) => column.column.append(codec._read(tap)),
    };
  }
  const fields = t.fields!;
  const keepNames = new Set(projected(fields, wanted).map((f) => f.name));
  const members: StructMember[] = [];
  // Per field: how it is read (or skipped), and its column (none when skipped).
  const steps: { fn: Reader; column: Column | undefined; string: boolean; direct?: Reader }[] = [];
  for (const f of fields) {
    if (keepNames.has(f.name)) {
      const c = avroColumn(f.type, new Set([type]));
      members.push({ name: f.name, column: c.column, nullable: c.nullable });
      const string = (f.type as unknown as { typeName: string }).typeName === 'string' && c.column instanceof VarColumn;
      steps.push({ fn: f.type._read.bind(f.type), column: c.column, string, direct: directReader(f.type, c.column) });
    } else {
      steps.push({ fn: f.type._skip.bind(f.type), column: undefined, string: false });
    }
  }
  return {
    members,
    read(tap) {
      for (let i = 0; i < steps.length; i++) {
        const s = steps[i]!;
        if (s.direct) s.direct(tap);
        else if (s.string) readStringInto(tap, s.column!);
        else if (s.column) s.column.append(s.fn(tap));
        else s.fn(tap);
      }
    },
  };
}

function typeFromHeader(header: Header): avro.Type {
  const raw = header.meta.get('avro.schema');
  if (!raw) throw fail('The Avro file header has no avro.schema entry.');
  try {
    return avro.Type.forSchema(JSON.parse(raw.toString('utf8')), avroTypeOptions());
  } catch (e) {
    throw fail(`The Avro file's schema is invalid: ${(e as Error).message}`);
  }
}

export interface AvroDecodeOptions extends DecodeOptions {
  /** Stop before the first block that starts at or past this byte offset (the rest is read elsewhere). */
  stopAt?: number;
  /** Learns the offset of the block the decoder stopped before (not called when it read to the end). */
  onStop?: (offset: number) => void;
}

/** What every decode of the file needs from its header. */
interface Prepared { header: Header; decompress: Decompress; plan: RecordPlan; cutter: BatchCutter }

function prepare(header: Header, opts: DecodeOptions): Prepared {
  const decompress = codecOf(header.meta.get('avro.codec')?.toString('utf8') || 'null');
  const type = typeFromHeader(header);
  let plan: RecordPlan;
  try {
    plan = recordPlan(type, opts.columns);
  } catch (e) {
    throw fail(`The Avro schema cannot be mapped to columns: ${(e as Error).message}`);
  }
  return { header, decompress, plan, cutter: new BatchCutter(columns.struct(plan.members), opts.batchRows) };
}

/** Decodes an Avro object container file into Arrow record batches, streaming block by block. */
export async function decodeAvroToArrow(source: ByteSource, opts: AvroDecodeOptions = {}): Promise<ArrowDecoded> {
  const cur = new ByteCursor(await openSource(source));
  let p: Prepared;
  try {
    p = prepare(await readHeader(cur), opts);
  } catch (e) {
    cur.close();
    throw e;
  }
  return { schema: p.cutter.schema, batches: readBlocks(cur, p, opts.stopAt ?? Infinity, opts.onStop) };
}

/**
 * Decodes the blocks of the local file `file` from the first that starts at or past byte `from` (found
 * by the sync marker that ends the block before it); `start` is that block's offset, the file's size
 * when none does.
 */
export async function decodeAvroFrom(file: string, from: number, opts: DecodeOptions = {}): Promise<ArrowDecoded & { start: number }> {
  const head = new ByteCursor(fs.createReadStream(file, { highWaterMark: 1 << 16 }));
  let p: Prepared;
  let headerEnd: number;
  try {
    p = prepare(await readHeader(head), opts);
    headerEnd = head.offset;
  } finally {
    head.close();
  }
  const start = await blockStartFrom(file, p.header.sync, Math.max(from, headerEnd));
  const cur = new ByteCursor(fs.createReadStream(file, { start, highWaterMark: 1 << 20 }));
  cur.offset = start;
  return { schema: p.cutter.schema, start, batches: readBlocks(cur, p, Infinity) };
}

/** Offset of the first block starting at or past `from` (past the header): just after a sync marker. */
async function blockStartFrom(file: string, sync: Buffer, from: number): Promise<number> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const chunk = Buffer.allocUnsafe(1 << 16);
    // A marker ending at `from` or later starts 16 bytes before it at the earliest.
    for (let pos = from - 16; pos < size; pos += chunk.length - 15) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, pos);
      const at = chunk.subarray(0, bytesRead).indexOf(sync);
      if (at >= 0) return pos + at + 16;
      if (bytesRead < chunk.length) break;
    }
    return size;
  } finally {
    await handle.close();
  }
}

async function* readBlocks(cur: ByteCursor, { header, decompress, plan, cutter }: Prepared, stopAt: number, onStop?: (offset: number) => void) {
  const sync = header.sync;
  try {
    while (!(await cur.atEnd())) {
      const at = cur.offset;
      if (at >= stopAt) {
        onStop?.(at);
        break;
      }
      const { count, data } = await readBlock(cur, sync);
      let raw: Buffer;
      try {
        raw = decompress(data);
      } catch (e) {
        throw fail(`Avro block at byte ${at}: ${(e as Error).message}`);
      }
      const tap = new Tap(raw, 0);
      for (let i = 0; i < count; i++) {
        const before = tap.pos;
        let batch;
        try {
          plan.read(tap);
          if (tap.pos > raw.length || tap.pos < before) throw fail(`Avro block at byte ${at}: record ${i} runs past the block (corrupt data or a schema mismatch).`);
          batch = cutter.added();
        } catch (e) {
          throw e instanceof S3Error ? e : fail(`Avro block at byte ${at}, record ${i}: ${(e as Error).message}`);
        }
        if (batch) yield batch;
      }
      if (tap.pos !== raw.length) throw fail(`Avro block at byte ${at}: ${raw.length - tap.pos} bytes left after ${count} records (corrupt data or a schema mismatch).`);
    }
    const last = cutter.flush();
    if (last) yield last;
  } finally {
    cur.close();
  }
}

async function readBlock(cur: ByteCursor, sync: Buffer): Promise<{ count: number; data: Buffer }> {
  const at = cur.offset;
  await cur.want(20);
  const n = Math.min(cur.buffered, 20);
  const { buf, pos } = cur.view(n);
  const p = { pos };
  let count: number;
  let size: number;
  try {
    count = readLong(buf, p, pos + n);
    size = readLong(buf, p, pos + n);
  } catch (e) {
    if (e instanceof Incomplete) throw fail(`The Avro file is truncated: block header at byte ${at} is incomplete.`);
    throw e;
  }
  if (count < 0 || size < 0) throw fail(`Avro block at byte ${at} has a negative count or size.`);
  if (size > MAX_RECORD_BYTES) throw fail(`Avro block at byte ${at} declares ${size} bytes, over the ${MAX_RECORD_BYTES}-byte limit.`);
  if (count > size + 2 ** 24) throw fail(`Avro block at byte ${at} declares ${count} records in ${size} bytes.`);
  cur.skip(p.pos - pos);
  if (!(await cur.want(size + 16))) throw fail(`The Avro file is truncated: block at byte ${at} declares ${size} bytes and the file ends first.`);
  const data = cur.take(size);
  if (!cur.take(16).equals(sync)) throw fail(`Avro block at byte ${at} does not end with the file's sync marker (corrupt or truncated data).`);
  return { count, data };
}

/** The common decoder entry point (see batches.ts). */
export const decodeToArrow = decodeAvroToArrow;
