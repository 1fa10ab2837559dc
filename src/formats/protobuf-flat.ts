// Reads messages whose wanted fields are all singular scalars (numbers, bool, string, bytes, open enums)
// straight from the wire into the Arrow columns: no message object, no Long, no JS string per value.
// Anything unusual in a message (a tag or wire type the schema does not allow, a group, a truncated or
// over-long varint, invalid UTF-8, a missing required field) makes `read` return false without touching
// the columns, and the caller decodes that message with protobufjs, which answers or fails exactly as it
// always did. So this reader only has to agree with protobufjs on the messages it accepts.
import protobuf from 'protobufjs';
import { BoolColumn, NumberColumn, VarColumn, type Column } from './arrow-columns.js';
import type { BatchCutter } from './batches.js';
import { wireTypes } from './protobuf-schema.js';
import { ByteView } from './byte-view.js';
import { validUtf8 } from './utf8.js';

// Value kinds, by how they are read and stored.
const INT32 = 0, UINT32 = 1, SINT32 = 2, BOOL = 3, INT64 = 4, SINT64 = 5, FIXED32 = 6, SFIXED32 = 7;
const FIXED64 = 8, FLOAT = 9, DOUBLE = 10, STRING = 11, BYTES = 12, ENUM = 13;

const KINDS: Record<string, number> = {
  int32: INT32, uint32: UINT32, sint32: SINT32, bool: BOOL, int64: INT64, uint64: INT64, sint64: SINT64,
  fixed32: FIXED32, sfixed32: SFIXED32, fixed64: FIXED64, sfixed64: FIXED64, float: FLOAT, double: DOUBLE,
  string: STRING, bytes: BYTES,
};

/** Field numbers below this are looked up in arrays; others in a map. */
const DENSE = 1024;

/** The kind of a field this reader can decode, or -1. */
function kindOf(f: protobuf.Field): number {
  if (f.map || f.repeated || f.delimited) return -1;
  const rt = f.resolvedType;
  if (rt instanceof protobuf.Enum) return (rt as unknown as { _features: { enum_type?: string } })._features.enum_type === 'CLOSED' ? -1 : ENUM;
  if (rt) return -1;
  return KINDS[f.type] ?? -1;
}

function columnFits(kind: number, column: Column): boolean {
  if (kind === STRING || kind === BYTES) return column instanceof VarColumn;
  if (kind === BOOL) return column instanceof BoolColumn;
  if (kind === ENUM) return true;
  return column instanceof NumberColumn;
}

export class FlatReader {
  private readonly slotDense = new Int16Array(DENSE).fill(-1);
  private readonly allowedDense = new Uint8Array(DENSE);
  private readonly sparse = new Map<number, { slot: number; allowed: number }>();
  private readonly seen: Uint8Array;
  private readonly nums: Float64Array;
  private readonly los: Int32Array;
  private readonly his: Int32Array;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly required: number[];
  private readonly bytes = new ByteView();

  private constructor(
    private readonly kinds: Int8Array,
    private readonly columns: Column[],
    /** What an absent field reads as (null when it has presence), fed to the column as protobufjs gives it. */
    private readonly absent: unknown[],
    required: number[],
    declared: protobuf.Field[],
    slotOf: Map<number, number>,
  ) {
    const n = kinds.length;
    this.seen = new Uint8Array(n);
    this.nums = new Float64Array(n);
    this.los = new Int32Array(n);
    this.his = new Int32Array(n);
    this.starts = new Int32Array(n);
    this.ends = new Int32Array(n);
    this.required = required;
    for (const f of declared) {
      const slot = slotOf.get(f.id) ?? -1;
      if (f.id < DENSE) {
        this.slotDense[f.id] = slot;
        this.allowedDense[f.id] = wireTypes(f);
      } else {
        this.sparse.set(f.id, { slot, allowed: wireTypes(f) });
      }
    }
  }

  /**
   * A reader for `wanted` (fields of `type`, in the cutter's column order) when each can be read directly;
   * `decoder` is the type protobufjs decodes with (`type` or its projection), whose defaults and required
   * fields the reader follows.
   */
  static create(type: protobuf.Type, decoder: protobuf.Type, wanted: protobuf.Field[], cutter: BatchCutter): FlatReader | undefined {
    const members = cutter.members;
    if (members.length !== wanted.length) return undefined;
    const kinds = new Int8Array(wanted.length);
    const absent: unknown[] = [];
    const slotOf = new Map<number, number>();
    const required: number[] = [];
    const blank = new decoder.ctor() as unknown as Record<string, unknown>;
    for (let i = 0; i < wanted.length; i++) {
      const f = wanted[i]!;
      const d = decoder.fieldsById[f.id];
      const kind = kindOf(f);
      if (!d || d.name !== f.name || kind < 0 || kindOf(d) !== kind || !columnFits(kind, members[i]!.column)) return undefined;
      const presence = Boolean(f.hasPresence);
      // Both must agree on presence, and an implicit field must default to its type's zero (then the
      // last value on the wire is the value, as protobufjs's delete-on-default amounts to).
      if (presence !== Boolean(d.hasPresence)) return undefined;
      if (!presence && kind !== ENUM && d.options?.default !== undefined) return undefined;
      kinds[i] = kind;
      absent.push(presence ? null : blank[d.name]);
      slotOf.set(f.id, i);
      if (d.required) required.push(i);
    }
    for (const d of decoder.fieldsArray) if (d.required && !slotOf.has(d.id)) return undefined;
    return new FlatReader(kinds, members.map((m) => m.column), absent, required, type.fieldsArray, slotOf);
  }

  /** Appends the message at buf[start..end) as one row (then the caller counts it); false when it did not. */
  read(buf: Buffer, start: number, end: number): boolean {
    const { kinds, seen, nums, los, his, starts, ends } = this;
    for (let i = 0; i < seen.length; i++) seen[i] = 0;
    let p = start;
    while (p < end) {
      // Tag: up to four bytes (field numbers below 2^25); longer ones go to protobufjs.
      let b = buf[p++]!;
      let tag = b & 0x7f;
      if (b >= 0x80) {
        if (p >= end) return false;
        b = buf[p++]!;
        tag |= (b & 0x7f) << 7;
        if (b >= 0x80) {
          if (p >= end) return false;
          b = buf[p++]!;
          tag |= (b & 0x7f) << 14;
          if (b >= 0x80) {
            if (p >= end) return false;
            b = buf[p++]!;
            if (b >= 0x80) return false;
            tag |= b << 21;
          }
        }
      }
      const id = tag >>> 3;
      const wt = tag & 7;
      if (id === 0) return false;
      let slot: number;
      let allowed: number;
      if (id < DENSE) {
        slot = this.slotDense[id]!;
        allowed = this.allowedDense[id]!;
      } else {
        const e = this.sparse.get(id);
        slot = e?.slot ?? -1;
        allowed = e?.allowed ?? 0;
      }
      if (allowed !== 0 && !(allowed & (1 << wt))) return false;
      if (slot < 0) {
        p = skip(buf, p, end, wt);
        if (p < 0) return false;
        continue;
      }
      const kind = kinds[slot]!;
      switch (kind) {
        case DOUBLE:
          if (p + 8 > end) return false;
          nums[slot] = this.bytes.over(buf).getFloat64(p, true);
          p += 8;
          break;
        case FLOAT:
          if (p + 4 > end) return false;
          nums[slot] = this.bytes.over(buf).getFloat32(p, true);
          p += 4;
          break;
        case FIXED32:
        case SFIXED32:
          if (p + 4 > end) return false;
          nums[slot] = kind === FIXED32 ? this.bytes.over(buf).getUint32(p, true) : this.bytes.over(buf).getInt32(p, true);
          p += 4;
          break;
        case FIXED64:
          if (p + 8 > end) return false;
          los[slot] = this.bytes.over(buf).getInt32(p, true);
          his[slot] = this.bytes.over(buf).getInt32(p + 4, true);
          p += 8;
          break;
        case STRING:
        case BYTES: {
          p = size(buf, p, end);
          if (p < 0 || p + OUT[0]! > end) return false;
          starts[slot] = p;
          p += OUT[0]!;
          ends[slot] = p;
          break;
        }
        default: {
          let lo: number;
          let hi = 0;
          let any: number;
          if (p < end && buf[p]! < 0x80) {
            lo = any = buf[p++]!;
          } else {
            p = varint(buf, p, end);
            if (p < 0) return false;
            lo = OUT[0]!;
            hi = OUT[1]!;
            any = OUT[2]!;
          }
          if (kind === INT64) {
            los[slot] = lo;
            his[slot] = hi;
          } else if (kind === SINT64) {
            const mask = -(lo & 1);
            los[slot] = ((lo >>> 1) | (hi << 31)) ^ mask;
            his[slot] = (hi >>> 1) ^ mask;
          } else if (kind === BOOL) {
            nums[slot] = any !== 0 ? 1 : 0;
          } else if (kind === UINT32) {
            nums[slot] = lo >>> 0;
          } else if (kind === SINT32) {
            nums[slot] = ((lo >>> 1) ^ -(lo & 1)) | 0;
          } else {
            nums[slot] = lo | 0; // int32 and enum
          }
        }
      }
      seen[slot] = 1;
    }
    if (p !== end) return false;
    for (const r of this.required) if (!seen[r]) return false;
    for (let i = 0; i < kinds.length; i++) {
      if (seen[i] && kinds[i] === STRING && !validUtf8(buf, starts[i]!, ends[i]!)) return false;
    }
    this.commit(buf);
    return true;
  }

  private commit(buf: Buffer): void {
    const { kinds, seen, nums, los, his, starts, ends, columns } = this;
    for (let i = 0; i < kinds.length; i++) {
      const col = columns[i]!;
      if (!seen[i]) {
        col.append(this.absent[i]);
        continue;
      }
      switch (kinds[i]) {
        case STRING:
        case BYTES:
          (col as VarColumn).appendBytes(buf, starts[i]!, ends[i]!);
          break;
        case INT64:
        case SINT64:
        case FIXED64:
          (col as NumberColumn).appendHalves(los[i]!, his[i]!);
          break;
        case BOOL:
          col.append(nums[i] !== 0);
          break;
        case ENUM:
          col.append(nums[i]);
          break;
        default:
          (col as NumberColumn).appendNumber(nums[i]!);
      }
    }
  }
}

/**
 * Results of `varint` (low and high halves, and whether any payload bit was set) and of `size` (the
 * length, in [0]): scratch rather than an object per value.
 */
const OUT = new Int32Array(3);

/** A varint of at most 10 bytes at buf[p..end) into OUT (as protobufjs reads 64-bit varints); its end, or -1. */
function varint(buf: Buffer, p: number, end: number): number {
  let b = 0;
  let lo = 0;
  let hi = 0;
  let any = 0;
  for (let i = 0; i < 10; i++) {
    if (p >= end) return -1;
    b = buf[p++]!;
    any |= b & 0x7f;
    if (i < 4) lo |= (b & 0x7f) << (7 * i);
    else if (i === 4) {
      lo |= (b & 0x7f) << 28;
      hi |= (b & 0x7f) >>> 4;
    } else hi |= (b & 0x7f) << (7 * (i - 5) + 3);
    if (b < 0x80) {
      OUT[0] = lo;
      OUT[1] = hi;
      OUT[2] = any;
      return p;
    }
  }
  return -1;
}

/** A length prefix of at most four bytes into OUT[0]; its end, or -1. */
function size(buf: Buffer, p: number, end: number): number {
  let n = 0;
  for (let i = 0; i < 4; i++) {
    if (p >= end) return -1;
    const b = buf[p++]!;
    n |= (b & 0x7f) << (7 * i);
    if (b < 0x80) {
      OUT[0] = n;
      return p;
    }
  }
  return -1;
}

/** Skips a field's value of wire type 0, 1, 2 or 5; -1 for anything else or when it runs past `end`. */
function skip(buf: Buffer, p: number, end: number, wt: number): number {
  switch (wt) {
    case 0:
      while (p < end) if (buf[p++]! < 0x80) return p;
      return -1;
    case 1:
      return p + 8 <= end ? p + 8 : -1;
    case 2:
      p = size(buf, p, end);
      return p >= 0 && p + OUT[0]! <= end ? p + OUT[0]! : -1;
    case 5:
      return p + 4 <= end ? p + 4 : -1;
    default:
      return -1;
  }
}
