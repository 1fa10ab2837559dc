// How avsc is told to read values (exact 64-bit longs, bounded arrays and maps, logical types kept as
// their raw encodings) and how each Avro type becomes an Arrow column.
//
// Unions: ["null", T] (either order) is a nullable T. Any other union becomes a struct with one nullable
// member per non-null branch, named after the branch (`int`, `string`, `array`, `map`, or the short name
// of a named type; the full name where two short names collide): exactly one member is set per row, and
// the whole struct is null when the null branch was written.
import avro from 'avsc';
import { createRequire } from 'node:module';
import { columns, type Column, type StructMember } from './arrow-columns.js';
import type { TypedColumn } from './batches.js';

type AvroType = avro.Type & Record<string, unknown>;
interface AvroTap { buf: Buffer; pos: number; readLong(): number; skipLong(): void; readString(): string; skipString(): void }

const require = createRequire(import.meta.url);
/** avsc's byte cursor, not part of its typed API but what every type's `_read` expects. */
export const Tap = (require('avsc/lib/utils.js') as { Tap: new (buf: Buffer, pos?: number) => AvroTap }).Tap;

/** Zig-zag varint long: a number when it is a safe integer, a bigint beyond 2^53 (avsc would throw). */
export function readExactLong(tap: AvroTap): number | bigint {
  const buf = tap.buf;
  let pos = tap.pos;
  let b = buf[pos++]!;
  let n = b & 0x7f;
  let shift = 7;
  while (b & 0x80 && shift < 28) {
    b = buf[pos++]!;
    n |= (b & 0x7f) << shift;
    shift += 7;
  }
  if (!(b & 0x80)) {
    tap.pos = pos;
    return (n >>> 1) ^ -(n & 1);
  }
  let big = BigInt(n >>> 0);
  let s = 28n;
  do {
    b = buf[pos++]!;
    big |= BigInt(b & 0x7f) << s;
    s += 7n;
  } while (b & 0x80 && s < 70n);
  tap.pos = pos;
  const v = BigInt.asIntN(64, (big >> 1n) ^ -(big & 1n));
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/** Longs read exactly (avsc's own long type throws beyond 2^53). */
class ExactLongType extends avro.types.LongType {
  _read(tap: AvroTap): number | bigint {
    return readExactLong(tap);
  }
}

/** A block's item count must fit in the bytes left (items of zero width aside), or the block is corrupt. */
function checkCount(tap: AvroTap, n: number): void {
  if (!(n <= Math.max(tap.buf.length - tap.pos, 1 << 20))) throw new Error(`array or map block count ${n} exceeds the data`);
}

function blockCount(tap: AvroTap): number {
  let n = tap.readLong();
  if (n < 0) {
    n = -n;
    tap.skipLong();
  }
  checkCount(tap, n);
  return n;
}

/** Skips array or map blocks, using the block byte size when the writer recorded it. */
function skipBlocks(tap: AvroTap, skipItem: (tap: AvroTap) => void): void {
  for (let n = tap.readLong(); n; n = tap.readLong()) {
    if (n < 0) {
      tap.pos += tap.readLong();
      if (tap.pos < 0) throw new Error('negative array or map block size');
      continue;
    }
    checkCount(tap, n);
    while (n-- && tap.pos <= tap.buf.length) skipItem(tap);
  }
}

type Item = { _read(tap: AvroTap): unknown; _skip(tap: AvroTap): void };

/** Arrays whose corrupt counts fail instead of allocating or looping without bound. */
class BoundedArrayType extends avro.types.ArrayType {
  _read(tap: AvroTap): unknown[] {
    const items = (this as unknown as { itemsType: Item }).itemsType;
    const out: unknown[] = [];
    for (let n = blockCount(tap); n; n = blockCount(tap)) {
      while (n--) {
        out.push(items._read(tap));
        if (tap.pos > tap.buf.length) return out;
      }
    }
    return out;
  }
  _skip(tap: AvroTap): void {
    const items = (this as unknown as { itemsType: Item }).itemsType;
    skipBlocks(tap, (t) => items._skip(t));
  }
}

/** Maps, bounded the same way, read as [key, value] entries: the shape the Arrow map column takes. */
class BoundedMapType extends avro.types.MapType {
  _read(tap: AvroTap): [string, unknown][] {
    const values = (this as unknown as { valuesType: Item }).valuesType;
    const out: [string, unknown][] = [];
    for (let n = blockCount(tap); n; n = blockCount(tap)) {
      while (n--) {
        const key = tap.readString();
        out.push([key, values._read(tap)]);
        if (tap.pos > tap.buf.length) return out;
      }
    }
    return out;
  }
  _skip(tap: AvroTap): void {
    const values = (this as unknown as { valuesType: Item }).valuesType;
    skipBlocks(tap, (t) => {
      t.skipString();
      values._skip(t);
    });
  }
}

/** Keeps a logical type's attributes and its raw value; the column mapping does the conversion. */
class RawLogical extends avro.types.LogicalType {
  readonly attrs: Record<string, unknown>;
  constructor(schema: avro.Schema, opts?: Partial<avro.ForSchemaOptions>) {
    super(schema as never, opts);
    this.attrs = schema as unknown as Record<string, unknown>;
  }
  protected override _fromValue(v: unknown): unknown {
    return v;
  }
  protected override _toValue(v: unknown): unknown {
    return v;
  }
  protected override _resolve(type: avro.Type): ((v: unknown) => unknown) | undefined {
    return (type as AvroType).typeName === (this.underlyingType as AvroType).typeName ? (v) => v : undefined;
  }
  _read(tap: AvroTap): unknown {
    const u = this.underlyingType as unknown as Item & { typeName: string };
    return u.typeName === 'long' ? readExactLong(tap) : u._read(tap);
  }
}

const LOGICAL = ['date', 'time-millis', 'time-micros', 'timestamp-millis', 'timestamp-micros', 'local-timestamp-millis', 'local-timestamp-micros', 'decimal', 'uuid'];

function isNull(s: unknown): boolean {
  return s === 'null' || (typeof s === 'object' && s !== null && (s as { type?: unknown }).type === 'null');
}

/**
 * avsc options: exact longs, bounded arrays and maps, logical types kept raw, ["null", T] unwrapped and
 * other unions wrapped (a value `{branch: v}`).
 */
export function avroTypeOptions(): Partial<avro.ForSchemaOptions> {
  const long = new ExactLongType();
  return {
    registry: { long },
    logicalTypes: Object.fromEntries(LOGICAL.map((n) => [n, RawLogical])) as never,
    typeHook: ((schema: unknown, opts: avro.ForSchemaOptions) => {
      if (Array.isArray(schema)) {
        const unwrap = schema.length === 2 && schema.filter(isNull).length === 1;
        const U = unwrap ? avro.types.UnwrappedUnionType : avro.types.WrappedUnionType;
        return new (U as unknown as new (s: unknown, o: unknown) => avro.Type)(schema, opts);
      }
      if (typeof schema !== 'object' || schema === null) return undefined;
      const s = schema as { type?: unknown; logicalType?: unknown };
      if (s.type === 'array') return new BoundedArrayType(schema as avro.Schema, opts);
      if (s.type === 'map') return new BoundedMapType(schema as avro.Schema, opts);
      if (s.type === 'long' && s.logicalType === undefined) return long;
      return undefined;
    }) as never,
  };
}

/** Big-endian two's complement bytes → bigint. */
export function decimalBytes(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  let n = 0n;
  for (let i = 0; i < b.length; i++) n = (n << 8n) | BigInt(b[i]!);
  return b[0]! & 0x80 ? n - (1n << BigInt(b.length * 8)) : n;
}

function decimalColumn(attrs: Record<string, unknown>): Column {
  const precision = Number(attrs.precision);
  const scale = Number(attrs.scale ?? 0);
  if (!Number.isInteger(precision) || precision < 1 || precision > 38 || !Number.isInteger(scale) || scale < 0 || scale > precision) return columns.binary();
  const limit = 10n ** BigInt(precision);
  return columns.mapped(columns.decimal(precision, scale), (b: Uint8Array) => {
    const n = decimalBytes(b);
    if (n >= limit || n <= -limit) throw new Error(`decimal value exceeds precision ${precision}`);
    return n;
  });
}

const UUID = /^(.{8})(.{4})(.{4})(.{4})(.{12})$/;

function logicalColumn(t: RawLogical): Column | undefined {
  const base = (t.underlyingType as AvroType).typeName;
  switch (t.attrs.logicalType) {
    case 'date':
      return base === 'int' ? columns.date() : undefined;
    case 'time-millis':
      return base === 'int' ? columns.timeMillis() : undefined;
    case 'time-micros':
      return base === 'long' ? columns.timeMicros() : undefined;
    case 'timestamp-millis':
      return base === 'long' ? columns.timestampMillis() : undefined;
    case 'timestamp-micros':
      return base === 'long' ? columns.timestampMicros() : undefined;
    case 'local-timestamp-millis':
      return base === 'long' ? columns.timestampMillis(null) : undefined;
    case 'local-timestamp-micros':
      return base === 'long' ? columns.timestampMicros(null) : undefined;
    case 'decimal':
      return base === 'bytes' || base === 'fixed' ? decimalColumn(t.attrs) : undefined;
    case 'uuid':
      if (base === 'string') return columns.utf8();
      if (base === 'fixed' && (t.underlyingType as AvroType).size === 16) {
        return columns.mapped(columns.utf8(), (b: Buffer) => b.toString('hex').replace(UUID, '$1-$2-$3-$4-$5'));
      }
      return undefined;
    default:
      return undefined;
  }
}

/** The branch key avsc uses in a wrapped union value: a named type's full name, else the type name. */
function branchKey(t: AvroType): string {
  return (t.branchName as string | undefined) ?? (t.name as string | undefined) ?? (t.typeName as string);
}

function shortName(t: AvroType): string {
  const n = branchKey(t);
  return n.slice(n.lastIndexOf('.') + 1);
}

function unionColumn(t: AvroType, open: Set<avro.Type>): TypedColumn {
  const branches = t.types as AvroType[];
  const named = branches.filter((b) => b.typeName !== 'null');
  const shorts = named.map(shortName);
  const members: StructMember[] = named.map((b, i) => {
    const key = branchKey(b);
    const dup = shorts.indexOf(shorts[i]!) !== shorts.lastIndexOf(shorts[i]!);
    return { name: dup ? key : shorts[i]!, column: avroColumn(b, open).column, get: (p: Record<string, unknown>) => p[key] };
  });
  return { column: columns.struct(members), nullable: true };
}

/** The Arrow column for an avsc type (built with `avroTypeOptions`); `open` holds the records being mapped. */
export function avroColumn(type: avro.Type, open = new Set<avro.Type>()): TypedColumn {
  const t = type as AvroType;
  if (t instanceof RawLogical) {
    const c = logicalColumn(t);
    if (c) return { column: c, nullable: false };
    return avroColumn(t.underlyingType, open);
  }
  const col = (column: Column): TypedColumn => ({ column, nullable: false });
  switch (t.typeName) {
    case 'null':
      return { column: columns.null(), nullable: true };
    case 'boolean':
      return col(columns.bool());
    case 'int':
      return col(columns.int32());
    case 'long':
    case 'abstract:long':
      return col(columns.int64());
    case 'float':
      return col(columns.float32());
    case 'double':
      return col(columns.float64());
    case 'bytes':
      return col(columns.binary());
    case 'string':
    case 'enum':
      return col(columns.utf8());
    case 'fixed':
      return col(columns.fixed(t.size as number));
    case 'array':
      return col(columns.list(avroColumn(t.itemsType as avro.Type, open).column));
    case 'map':
      return col(columns.map(columns.utf8(), avroColumn(t.valuesType as avro.Type, open).column));
    case 'record':
    case 'error':
      return col(columns.struct(recordMembers(t, open)));
    case 'union:unwrapped': {
      const inner = (t.types as AvroType[]).find((b) => b.typeName !== 'null')!;
      return { column: avroColumn(inner, open).column, nullable: true };
    }
    case 'union:wrapped':
      return unionColumn(t, open);
    default:
      throw new Error(`unsupported Avro type ${String(t.typeName)}`);
  }
}

function recordMembers(t: avro.Type, open = new Set<avro.Type>()): StructMember[] {
  if (open.has(t)) throw new Error(`recursive type ${String((t as AvroType).name)} cannot be represented as columns`);
  open.add(t);
  const members = ((t as AvroType).fields as { name: string; type: avro.Type }[]).map((f) => {
    const c = avroColumn(f.type, open);
    return { name: f.name, column: c.column, nullable: c.nullable };
  });
  open.delete(t);
  return members;
}
