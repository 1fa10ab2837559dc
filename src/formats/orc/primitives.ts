// Fixed-width columns: BOOLEAN (boolean RLE), BYTE (byte RLE), SHORT / INT / LONG / DATE (signed integer
// RLE; DATE counts days since 1970-01-01), FLOAT / DOUBLE (little-endian IEEE 754, one per present value).
import * as arrow from 'apache-arrow';
import { BooleanDecoder } from './boolean.js';
import { ByteRleDecoder } from './byte-rle.js';
import { ColumnReader, intStream, presenceOf, ReadContext, streamOf } from './context.js';
import type { IntDecoder } from './int-runs.js';
import { nullProps, Presence, readFixed, toBitmap } from './presence.js';
import { arrowType, OrcType } from './schema.js';
import { StreamKind } from './stripe.js';

class BooleanColumn implements ColumnReader {
  private readonly presence: Presence;
  private readonly data: BooleanDecoder;
  private readonly type = new arrow.Bool();

  constructor(ctx: ReadContext, t: OrcType) {
    this.presence = presenceOf(ctx, t);
    this.data = new BooleanDecoder(streamOf(ctx, t, StreamKind.DATA));
  }

  read(n: number, parentValid: Uint8Array | null): arrow.Data {
    const slots = this.presence.read(n, parentValid);
    const flags = readFixed(slots, n, (k) => new Uint8Array(k), (out, k) => this.data.read(out, 0, k));
    return arrow.makeData({ type: this.type, length: n, ...nullProps(slots, n), data: toBitmap(flags, n) });
  }
}

class ByteColumn implements ColumnReader {
  private readonly presence: Presence;
  private readonly data: ByteRleDecoder;
  private readonly type = new arrow.Int8();

  constructor(ctx: ReadContext, t: OrcType) {
    this.presence = presenceOf(ctx, t);
    this.data = new ByteRleDecoder(streamOf(ctx, t, StreamKind.DATA));
  }

  read(n: number, parentValid: Uint8Array | null): arrow.Data {
    const slots = this.presence.read(n, parentValid);
    const data = readFixed(slots, n, (k) => new Int8Array(k), (out, k) => this.data.read(out, 0, k));
    return arrow.makeData({ type: this.type, length: n, ...nullProps(slots, n), data });
  }
}

type IntArrow = arrow.Int16 | arrow.Int32 | arrow.DateDay;

/** SHORT, INT and DATE: values that fit a double exactly, stored in the Arrow type's own width. */
class SmallIntColumn implements ColumnReader {
  private readonly presence: Presence;
  private readonly data: IntDecoder;

  constructor(ctx: ReadContext, t: OrcType, private readonly type: IntArrow) {
    this.presence = presenceOf(ctx, t);
    this.data = intStream(ctx, t, StreamKind.DATA, true);
  }

  read(n: number, parentValid: Uint8Array | null): arrow.Data {
    const slots = this.presence.read(n, parentValid);
    const make = this.type instanceof arrow.Int16 ? (k: number) => new Int16Array(k) : (k: number) => new Int32Array(k);
    const data = readFixed<Int16Array | Int32Array>(slots, n, make, (out, k) => this.data.readNumbers(out, 0, k));
    const props = { length: n, ...nullProps(slots, n) };
    if (this.type instanceof arrow.Int16) return arrow.makeData({ type: this.type, ...props, data: data as Int16Array });
    if (this.type instanceof arrow.DateDay) return arrow.makeData({ type: this.type, ...props, data: data as Int32Array });
    return arrow.makeData({ type: this.type, ...props, data: data as Int32Array });
  }
}

class LongColumn implements ColumnReader {
  private readonly presence: Presence;
  private readonly data: IntDecoder;
  private readonly type = new arrow.Int64();

  constructor(ctx: ReadContext, t: OrcType) {
    this.presence = presenceOf(ctx, t);
    this.data = intStream(ctx, t, StreamKind.DATA, true);
  }

  read(n: number, parentValid: Uint8Array | null): arrow.Data {
    const slots = this.presence.read(n, parentValid);
    const data = readFixed(slots, n, (k) => new BigInt64Array(k), (out, k) => this.data.readInt64(out, 0, k));
    return arrow.makeData({ type: this.type, length: n, ...nullProps(slots, n), data });
  }
}

class FloatColumn implements ColumnReader {
  private readonly presence: Presence;
  private readonly bytesPer: number;

  constructor(ctx: ReadContext, t: OrcType, private readonly type: arrow.Float32 | arrow.Float64, private readonly cur = streamOf(ctx, t, StreamKind.DATA)) {
    this.presence = presenceOf(ctx, t);
    this.bytesPer = type instanceof arrow.Float32 ? 4 : 8;
  }

  read(n: number, parentValid: Uint8Array | null): arrow.Data {
    const slots = this.presence.read(n, parentValid);
    const make = this.bytesPer === 4 ? (k: number) => new Float32Array(k) : (k: number) => new Float64Array(k);
    const data = readFixed<Float32Array | Float64Array>(slots, n, make, (out, k) => {
      // copy: the stream's bytes are not aligned for a typed view
      new Uint8Array(out.buffer, out.byteOffset, k * this.bytesPer).set(this.cur.bytes(k * this.bytesPer));
    });
    const props = { length: n, ...nullProps(slots, n) };
    if (this.type instanceof arrow.Float32) return arrow.makeData({ type: this.type, ...props, data: data as Float32Array });
    return arrow.makeData({ type: this.type, ...props, data: data as Float64Array });
  }
}

/** The reader for a fixed-width column, or null when `t` is not one. */
export function primitiveReader(ctx: ReadContext, t: OrcType): ColumnReader | null {
  switch (t.kind) {
    case 'boolean': return new BooleanColumn(ctx, t);
    case 'byte': return new ByteColumn(ctx, t);
    case 'short': return new SmallIntColumn(ctx, t, new arrow.Int16());
    case 'int': return new SmallIntColumn(ctx, t, new arrow.Int32());
    case 'date': return new SmallIntColumn(ctx, t, new arrow.DateDay());
    case 'long': return new LongColumn(ctx, t);
    case 'float': case 'double': return new FloatColumn(ctx, t, arrowType(t, ctx.unit) as arrow.Float32 | arrow.Float64);
    default: return null;
  }
}
