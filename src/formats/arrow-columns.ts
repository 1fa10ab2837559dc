// Column builders that write decoded values straight into typed arrays and hand them to apache-arrow as
// `Data`. apache-arrow's own builders cost several times more per value, and decoding speed is what the
// first query over an Avro/Protobuf/MessagePack object pays for.
import * as arrow from 'apache-arrow';
import { grow, Validity } from './validity.js';

/** A growable column. `append(null | undefined)` appends a null; `finish()` returns the data and resets. */
export interface Column {
  readonly type: arrow.DataType;
  append(v: unknown): void;
  finish(): arrow.Data;
  /** Approximate bytes held, to bound a batch's memory. */
  bytes(): number;
}

type NumberArray = Int32Array | Uint32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

/**
 * Fixed-width numbers: Int32/Uint32/Date32/Time32, floats, and 64-bit Int64/Uint64/Timestamp/Time64. A 64-bit
 * value may be a number, a bigint, or a Long-like `{low, high}` (protobufjs), whose halves are stored
 * directly without a BigInt.
 */
export class NumberColumn implements Column {
  private readonly v = new Validity();
  private data: NumberArray;
  private halves: Int32Array | undefined;
  private readonly big: boolean;
  constructor(readonly type: arrow.DataType) {
    this.data = this.alloc(1024);
    this.big = this.data instanceof BigInt64Array || this.data instanceof BigUint64Array;
    if (this.big) this.halves = new Int32Array(this.data.buffer);
  }
  private alloc(n: number): NumberArray {
    return new (this.type as unknown as { ArrayType: new (n: number) => NumberArray }).ArrayType(n);
  }
  private room(): void {
    const d = this.alloc(this.data.length * 2);
    d.set(this.data as never);
    this.data = d;
    if (this.big) this.halves = new Int32Array(d.buffer);
  }
  /** A non-null value of a column that is not 64-bit. */
  appendNumber(x: number): void {
    const i = this.v.length;
    if (i >= this.data.length) this.room();
    (this.data as Float64Array)[i] = x;
    this.v.push(true);
  }
  /** A non-null value of a 64-bit column, as its two's complement halves. */
  appendHalves(lo: number, hi: number): void {
    const i = this.v.length;
    if (i >= this.data.length) this.room();
    this.halves![2 * i] = lo;
    this.halves![2 * i + 1] = hi;
    this.v.push(true);
  }
  append(x: unknown): void {
    const i = this.v.length;
    if (i >= this.data.length) this.room();
    if (x === null || x === undefined) return this.v.push(false);
    if (!this.big) (this.data as Float64Array)[i] = x as number;
    else if (typeof x === 'object') {
      this.halves![2 * i] = (x as { low: number }).low;
      this.halves![2 * i + 1] = (x as { high: number }).high;
    } else if (typeof x === 'number' && Number.isSafeInteger(x)) {
      // Halves by arithmetic: exact below 2^53, and far cheaper than a BigInt.
      const hi = Math.floor(x / 4294967296);
      this.halves![2 * i] = x - hi * 4294967296;
      this.halves![2 * i + 1] = hi;
    } else {
      (this.data as BigInt64Array)[i] = typeof x === 'bigint' ? x : BigInt(x as number);
    }
    this.v.push(true);
  }
  finish(): arrow.Data {
    const { length, nullCount, nullBitmap } = this.v.take();
    const data = this.data.slice(0, length);
    this.data = this.alloc(1024);
    if (this.big) this.halves = new Int32Array(this.data.buffer);
    return arrow.makeData({ type: this.type as arrow.Int, length, nullCount, nullBitmap, data: data as Int32Array });
  }
  bytes(): number {
    return this.v.length * this.data.BYTES_PER_ELEMENT;
  }
}

export class BoolColumn implements Column {
  readonly type = new arrow.Bool();
  private readonly v = new Validity();
  private data = new Uint8Array(128);
  append(x: unknown): void {
    const i = this.v.length;
    if ((i >> 3) >= this.data.length) this.data = grow(this.data, (i >> 3) + 1);
    if (x === null || x === undefined) return this.v.push(false);
    if (x) this.data[i >> 3]! |= 1 << (i & 7);
    this.v.push(true);
  }
  finish(): arrow.Data {
    const { length, nullCount, nullBitmap } = this.v.take();
    const data = this.data.slice(0, (length + 7) >> 3);
    this.data = new Uint8Array(128);
    return arrow.makeData({ type: this.type, length, nullCount, nullBitmap, data });
  }
  bytes(): number {
    return this.v.length >> 3;
  }
}

/** Utf8 (strings, encoded here) and Binary (Uint8Array values). */
export class VarColumn implements Column {
  private readonly v = new Validity();
  private offsets = new Int32Array(1025);
  private data = Buffer.allocUnsafe(16384);
  private end = 0;
  constructor(readonly type: arrow.Utf8 | arrow.Binary) {}
  append(x: unknown): void {
    const i = this.v.length;
    if (i + 1 >= this.offsets.length) this.offsets = grow(this.offsets, i + 2);
    if (x === null || x === undefined) {
      this.offsets[i + 1] = this.end;
      return this.v.push(false);
    }
    if (typeof x === 'string') {
      const max = x.length * 3;
      if (this.end + max > this.data.length) this.reserve(max);
      this.end += this.data.write(x, this.end);
    } else {
      const b = x as Uint8Array;
      if (this.end + b.length > this.data.length) this.reserve(b.length);
      this.data.set(b, this.end);
      this.end += b.length;
    }
    if (this.end > 0x7fffffff) throw new RangeError('column batch exceeds 2 GiB');
    this.offsets[i + 1] = this.end;
    this.v.push(true);
  }
  /** A non-null value given as bytes (for Utf8, valid UTF-8: they are stored as they are). */
  appendBytes(buf: Buffer, start: number, end: number): void {
    const i = this.v.length;
    if (i + 1 >= this.offsets.length) this.offsets = grow(this.offsets, i + 2);
    const n = end - start;
    if (this.end + n > this.data.length) this.reserve(n);
    // Short values byte by byte: Buffer#copy costs more per call than a short string takes to copy.
    if (n <= 32) for (let k = 0; k < n; k++) this.data[this.end + k] = buf[start + k]!;
    else buf.copy(this.data, this.end, start, end);
    this.end += n;
    if (this.end > 0x7fffffff) throw new RangeError('column batch exceeds 2 GiB');
    this.offsets[i + 1] = this.end;
    this.v.push(true);
  }
  private reserve(n: number): void {
    let size = this.data.length * 2;
    while (size < this.end + n) size *= 2;
    const b = Buffer.allocUnsafe(size);
    this.data.copy(b, 0, 0, this.end);
    this.data = b;
  }
  finish(): arrow.Data {
    const { length, nullCount, nullBitmap } = this.v.take();
    const valueOffsets = this.offsets.slice(0, length + 1);
    const data = new Uint8Array(this.data.subarray(0, this.end));
    this.offsets = new Int32Array(1025);
    this.end = 0;
    return arrow.makeData({ type: this.type as arrow.Utf8, length, nullCount, nullBitmap, valueOffsets, data });
  }
  bytes(): number {
    return this.end + this.v.length * 4;
  }
}

class FixedBinaryColumn implements Column {
  private readonly v = new Validity();
  private data: Uint8Array;
  constructor(readonly type: arrow.FixedSizeBinary) {
    this.data = new Uint8Array(type.byteWidth * 256);
  }
  append(x: unknown): void {
    const w = this.type.byteWidth;
    const i = this.v.length;
    if ((i + 1) * w > this.data.length) this.data = grow(this.data, (i + 1) * w);
    if (x === null || x === undefined) return this.v.push(false);
    const b = x as Uint8Array;
    if (b.length !== w) throw new RangeError(`fixed value of ${b.length} bytes where ${w} are declared`);
    this.data.set(b, i * w);
    this.v.push(true);
  }
  finish(): arrow.Data {
    const { length, nullCount, nullBitmap } = this.v.take();
    const data = this.data.slice(0, length * this.type.byteWidth);
    this.data = new Uint8Array(this.type.byteWidth * 256);
    return arrow.makeData({ type: this.type, length, nullCount, nullBitmap, data });
  }
  bytes(): number {
    return this.v.length * this.type.byteWidth;
  }
}

/** Decimal128 from the unscaled value as a bigint (two's complement, little-endian 32-bit words). */
class DecimalColumn implements Column {
  private readonly v = new Validity();
  private data = new BigInt64Array(512);
  constructor(readonly type: arrow.Decimal) {}
  append(x: unknown): void {
    const i = this.v.length;
    if (2 * i + 2 > this.data.length) this.data = grow(this.data, 2 * i + 2);
    if (x === null || x === undefined) return this.v.push(false);
    const n = x as bigint;
    this.data[2 * i] = BigInt.asIntN(64, n);
    this.data[2 * i + 1] = BigInt.asIntN(64, n >> 64n);
    this.v.push(true);
  }
  finish(): arrow.Data {
    const { length, nullCount, nullBitmap } = this.v.take();
    const data = new Uint32Array(this.data.slice(0, 2 * length).buffer);
    this.data = new BigInt64Array(512);
    return arrow.makeData({ type: this.type, length, nullCount, nullBitmap, data });
  }
  bytes(): number {
    return this.v.length * 16;
  }
}

export interface StructMember {
  name: string;
  column: Column;
  nullable?: boolean;
  /** Reads this member from the parent value; defaults to `parent[name]`. */
  get?: (parent: never) => unknown;
}

export class StructColumn implements Column {
  readonly type: arrow.Struct;
  private readonly v = new Validity();
  private readonly getters: ((p: never) => unknown)[];
  constructor(readonly members: StructMember[]) {
    this.type = new arrow.Struct(members.map((m) => new arrow.Field(m.name, m.column.type, m.nullable ?? true)));
    this.getters = members.map((m) => m.get ?? ((p: Record<string, unknown>) => p[m.name]) as (p: never) => unknown);
  }
  append(x: unknown): void {
    const n = this.members.length;
    if (x === null || x === undefined) {
      for (let i = 0; i < n; i++) this.members[i]!.column.append(null);
      return this.v.push(false);
    }
    for (let i = 0; i < n; i++) this.members[i]!.column.append(this.getters[i]!(x as never));
    this.v.push(true);
  }
  /** Completes a non-null row whose members were each appended one value directly. */
  appendRow(): void {
    this.v.push(true);
  }
  finish(): arrow.Data {
    const { length, nullCount, nullBitmap } = this.v.take();
    const children = this.members.map((m) => m.column.finish());
    return arrow.makeData({ type: this.type, length, nullCount, nullBitmap, children });
  }
  bytes(): number {
    let b = this.v.length >> 3;
    for (const m of this.members) b += m.column.bytes();
    return b;
  }
}

/** List (values: arrays) and Map (values: arrays of [key, value] pairs), which share one layout. */
class ListColumn implements Column {
  readonly type: arrow.List | arrow.Map_;
  private readonly v = new Validity();
  private offsets = new Int32Array(1025);
  private count = 0;
  private readonly isMap: boolean;
  constructor(private readonly child: Column, mapKey?: Column) {
    if (mapKey) {
      this.isMap = true;
      this.child = new StructColumn([
        { name: 'key', column: mapKey, nullable: false, get: (p: unknown[]) => p[0] },
        { name: 'value', column: child, get: (p: unknown[]) => p[1] },
      ]);
      this.type = new arrow.Map_(new arrow.Field('entries', this.child.type as arrow.Struct<{ key: arrow.DataType; value: arrow.DataType }>, false));
    } else {
      this.isMap = false;
      this.type = new arrow.List(new arrow.Field('item', child.type, true));
    }
  }
  append(x: unknown): void {
    const i = this.v.length;
    if (i + 1 >= this.offsets.length) this.offsets = grow(this.offsets, i + 2);
    if (x === null || x === undefined) {
      this.offsets[i + 1] = this.count;
      return this.v.push(false);
    }
    const items = x as unknown[];
    for (let k = 0; k < items.length; k++) this.child.append(items[k]);
    this.count += items.length;
    this.offsets[i + 1] = this.count;
    this.v.push(true);
  }
  finish(): arrow.Data {
    const { length, nullCount, nullBitmap } = this.v.take();
    const valueOffsets = this.offsets.slice(0, length + 1);
    this.offsets = new Int32Array(1025);
    this.count = 0;
    const child = this.child.finish();
    if (this.isMap) return arrow.makeData({ type: this.type as arrow.Map_, length, nullCount, nullBitmap, valueOffsets, child });
    return arrow.makeData({ type: this.type as arrow.List, length, nullCount, nullBitmap, valueOffsets, child });
  }
  bytes(): number {
    return this.v.length * 4 + this.child.bytes();
  }
}

/** A column of Arrow's Null type (an Avro `null` field). */
class NullColumn implements Column {
  readonly type = new arrow.Null();
  private length = 0;
  append(): void {
    this.length++;
  }
  finish(): arrow.Data {
    const length = this.length;
    this.length = 0;
    return arrow.makeData({ type: this.type, length, nullCount: length });
  }
  bytes(): number {
    return 0;
  }
}

/** Applies `fn` to non-null values before appending (format-specific value shapes → builder shapes). */
class MappedColumn implements Column {
  constructor(private readonly inner: Column, private readonly fn: (v: never) => unknown) {}
  get type(): arrow.DataType {
    return this.inner.type;
  }
  append(x: unknown): void {
    this.inner.append(x === null || x === undefined ? null : this.fn(x as never));
  }
  finish(): arrow.Data {
    return this.inner.finish();
  }
  bytes(): number {
    return this.inner.bytes();
  }
}

export const columns = {
  null: (): Column => new NullColumn(),
  bool: (): Column => new BoolColumn(),
  int32: (): Column => new NumberColumn(new arrow.Int32()),
  uint32: (): Column => new NumberColumn(new arrow.Uint32()),
  int64: (): Column => new NumberColumn(new arrow.Int64()),
  uint64: (): Column => new NumberColumn(new arrow.Uint64()),
  float32: (): Column => new NumberColumn(new arrow.Float32()),
  float64: (): Column => new NumberColumn(new arrow.Float64()),
  utf8: (): Column => new VarColumn(new arrow.Utf8()),
  binary: (): Column => new VarColumn(new arrow.Binary()),
  fixed: (width: number): Column => new FixedBinaryColumn(new arrow.FixedSizeBinary(width)),
  decimal: (precision: number, scale: number): Column => new DecimalColumn(new arrow.Decimal(scale, precision, 128)),
  /** Days since the epoch. */
  date: (): Column => new NumberColumn(new arrow.DateDay()),
  timeMillis: (): Column => new NumberColumn(new arrow.TimeMillisecond()),
  timeMicros: (): Column => new NumberColumn(new arrow.TimeMicrosecond()),
  /** Instants since the epoch, UTC; a null zone means a local (wall-clock) timestamp. */
  timestampMillis: (tz: string | null = 'UTC'): Column => new NumberColumn(new arrow.TimestampMillisecond(tz)),
  timestampMicros: (tz: string | null = 'UTC'): Column => new NumberColumn(new arrow.TimestampMicrosecond(tz)),
  struct: (members: StructMember[]): StructColumn => new StructColumn(members),
  list: (item: Column): Column => new ListColumn(item),
  /** Entries are `[key, value]` pairs; keys must not be null. */
  map: (key: Column, value: Column): Column => new ListColumn(value, key),
  mapped: <T>(inner: Column, fn: (v: T) => unknown): Column => new MappedColumn(inner, fn as (v: never) => unknown),
};
