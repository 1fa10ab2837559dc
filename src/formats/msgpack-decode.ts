// Pass 2 of the MessagePack decoder: records into the Arrow columns of the inferred schema (a RecordSink).
// On the fast path a record's top-level keys are matched by their bytes, values of the wanted keys are
// read straight from the bytes (ints, floats, bools, strings, binary) or, for timestamps, text, lists and
// structs, decoded one value at a time with @msgpack/msgpack; other keys' values are skipped unread. The
// values are staged (a repeated key's last value wins, as in a decoded map) and appended only once the
// whole record has been read, so a record the fast path gives up on (a value of a type the column does
// not hold, invalid UTF-8) leaves no trace, and the careful path decodes it whole with @msgpack/msgpack
// as before: answers and errors stay exactly those of the generic decoder.
import { DecodeError, ExtData, type Decoder } from '@msgpack/msgpack';
import type * as arrow from 'apache-arrow';
import { S3Error } from '../errors.js';
import { BoolColumn, NumberColumn, VarColumn, columns, type Column, type StructMember } from './arrow-columns.js';
import { MAX_RECORD_BYTES, type BatchCutter } from './batches.js';
import { fail, scalarSize, valueEnd, type RecordSink } from './msgpack-frame.js';
import { ByteView } from './byte-view.js';
import { sameBytes, shapeColumn, type Shape } from './msgpack-infer.js';
import { validUtf8 } from './utf8.js';

// How a wanted column's values are read on the fast path.
const NUL = 0, BOOL = 1, INT = 2, FLOAT = 3, STR = 4, BIN = 5, VALUE = 6;

// What was staged for a column in the current record.
const NONE = 0, NIL = 1, NUM = 2, HALVES = 3, RANGE = 4, OBJECT = 5;

/** @msgpack/msgpack decodes a string longer than this with TextDecoder, which drops a leading BOM. */
const TEXT_DECODER_MIN = 201;

function kindOf(s: Shape): number {
  switch (s.k) {
    case 'null': return NUL;
    case 'bool': return BOOL;
    case 'int': return INT;
    case 'float': return FLOAT;
    case 'str': return STR;
    case 'bin': return BIN;
    default: return VALUE;
  }
}

/** Reads member `name` of a decoded record: own keys only (a record without `constructor` has none). */
const own = (name: string, map: (v: unknown) => unknown = (v) => v) => (p: Record<string, unknown>) => (Object.hasOwn(p, name) ? map(p[name]) : undefined);

/**
 * The top-level Arrow column of a shape. Scalars get plain builders the fast path appends to directly;
 * the careful path feeds them @msgpack/msgpack's values through `get`.
 */
export function topMember(name: string, s: Shape): StructMember {
  switch (s.k) {
    case 'bool': return { name, column: columns.bool(), get: own(name) as (p: never) => unknown };
    case 'int': return { name, column: columns.int64(), get: own(name) as (p: never) => unknown };
    case 'float': return { name, column: columns.float64(), get: own(name, (v) => (typeof v === 'bigint' ? Number(v) : v)) as (p: never) => unknown };
    case 'str': return { name, column: columns.utf8(), get: own(name) as (p: never) => unknown };
    case 'bin': return { name, column: columns.binary(), get: own(name, (v) => (v instanceof ExtData ? v.data : v)) as (p: never) => unknown };
    default: return { name, column: shapeColumn(s), get: own(name) as (p: never) => unknown };
  }
}

function decodeError(e: unknown, index: number): Error {
  if (e instanceof S3Error) return e;
  const why = e instanceof DecodeError || e instanceof RangeError || e instanceof Error ? e.message : String(e);
  return fail(`MessagePack record ${index} does not decode: ${why}`);
}

/** Valid UTF-8 that @msgpack/msgpack would decode to the same bytes. */
function plainUtf8(buf: Buffer, start: number, end: number): boolean {
  const bom = end - start >= TEXT_DECODER_MIN && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf;
  return !bom && validUtf8(buf, start, end);
}

/** The big-endian int32 at buf[p]. */
function i32(buf: Buffer, p: number): number {
  return (buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!;
}

/** The payload length of the extension at buf[p], from `extHead`. */
const EXT_LEN = new Uint32Array(1);

/** Header size of the extension value at buf[p] (payload length into EXT_LEN), or -1 when it is none or cut off. */
function extHead(buf: Buffer, p: number, end: number): number {
  const b = buf[p]!;
  if (b >= 0xd4 && b <= 0xd8 && p + 2 <= end) {
    EXT_LEN[0] = 1 << (b - 0xd4);
    return 2;
  }
  if (b === 0xc7 && p + 3 <= end) {
    EXT_LEN[0] = buf[p + 1]!;
    return 3;
  }
  if (b === 0xc8 && p + 4 <= end) {
    EXT_LEN[0] = buf.readUInt16BE(p + 1);
    return 4;
  }
  if (b === 0xc9 && p + 6 <= end) {
    EXT_LEN[0] = buf.readUInt32BE(p + 1);
    return 6;
  }
  return -1;
}

export class RecordDecoder implements RecordSink {
  /** Batches completed since the caller last emptied this. */
  readonly out: arrow.RecordBatch[] = [];
  private readonly slotOf = new Map<string, number>();
  private readonly kinds: Uint8Array;
  private readonly columns: Column[];
  private readonly staged: Uint8Array;
  private readonly nums: Float64Array;
  private readonly halves: Int32Array;
  private readonly objects: unknown[];
  /** Top-level keys of the last record by position: their bytes and column slots (-1 unwanted, -2 never fast). */
  private readonly keyBytes: Buffer[] = [];
  private readonly keySlots: number[] = [];
  private readonly bytes = new ByteView();

  /**
   * `shapes` are the cutter's columns in order; records from index `limit` on are framed but not decoded
   * (the object changed since the schema pass, which the caller reports).
   */
  constructor(shapes: [string, Shape][], private readonly cutter: BatchCutter, private readonly decoder: Decoder, private readonly limit = Infinity) {
    const n = shapes.length;
    this.kinds = new Uint8Array(n);
    shapes.forEach(([name, s], i) => {
      this.slotOf.set(name, i);
      this.kinds[i] = kindOf(s);
    });
    this.columns = cutter.members.map((m) => m.column);
    this.staged = new Uint8Array(n);
    this.nums = new Float64Array(n);
    this.halves = new Int32Array(2 * n);
    this.objects = new Array(n);
  }

  careful(buf: Buffer, start: number, end: number, index: number): void {
    if (index >= this.limit) return;
    let batch;
    try {
      batch = this.cutter.add(this.decoder.decode(buf.subarray(start, end)));
    } catch (e) {
      throw decodeError(e, index);
    }
    if (batch) this.out.push(batch);
  }

  fast(buf: Buffer, start: number, end: number, index: number): number {
    if (index >= this.limit) return valueEnd(buf, start, end);
    const { staged } = this;
    for (let i = 0; i < staged.length; i++) staged[i] = NONE;
    let p = start;
    if (p >= end) return -1;
    let b = buf[p]!;
    let n: number;
    if (b >= 0x80 && b <= 0x8f) {
      n = b & 0x0f;
      p += 1;
    } else if (b === 0xde && p + 3 <= end) {
      n = buf.readUInt16BE(p + 1);
      p += 3;
    } else if (b === 0xdf && p + 5 <= end) {
      n = buf.readUInt32BE(p + 1);
      p += 5;
    } else return -1;
    for (let i = 0; i < n; i++) {
      // The key: a string, looked up by its bytes.
      if (p >= end) return -1;
      b = buf[p]!;
      let len: number;
      if (b >= 0xa0 && b <= 0xbf) {
        len = b & 0x1f;
        p += 1;
      } else if (b === 0xd9 && p + 2 <= end) {
        len = buf[p + 1]!;
        p += 2;
      } else return -1;
      if (p + len > end) return -1;
      const known = this.keyBytes[i];
      const slot = known !== undefined && sameBytes(buf, p, len, known) ? this.keySlots[i]! : this.slot(buf, p, len, i);
      p += len;
      if (slot === -2) return -1;
      if (slot < 0) {
        // Not a wanted key: skip its value (a scalar by its header alone).
        if (p >= end) return -1;
        b = buf[p]!;
        p = b <= 0x7f || b >= 0xe0 || (b >= 0xa0 && b <= 0xbf) || (b >= 0xc0 && b <= 0xdb && b !== 0xc1) ? p + scalarSize(buf, p, end) : valueEnd(buf, p, end);
        if (p < 0 || p > end) return -1;
        continue;
      }
      p = this.value(buf, p, end, slot);
      if (p < 0) return -1;
    }
    this.commit(buf);
    const batch = this.cutter.added();
    if (batch) this.out.push(batch);
    return p;
  }

  /** The column slot of the key at buf[start..start+len), the `pos`-th key of its record (not as in the last). */
  private slot(buf: Buffer, start: number, len: number, pos: number): number {
    const name = buf.toString('utf8', start, start + len);
    // Keys @msgpack/msgpack would name otherwise than Buffer#toString (or refuse) stay on the careful path.
    const odd = name === '__proto__' || !plainUtf8(buf, start, start + len);
    const slot = odd ? -2 : (this.slotOf.get(name) ?? -1);
    this.keyBytes[pos] = Buffer.from(buf.subarray(start, start + len));
    this.keySlots[pos] = slot;
    return slot;
  }

  /** Stages the value at buf[p] for column `slot`; returns its end, or -1 to leave the record to the careful path. */
  private value(buf: Buffer, p: number, end: number, slot: number): number {
    const b = buf[p]!;
    const kind = this.kinds[slot]!;
    if (b === 0xc0) {
      this.staged[slot] = NIL;
      return p + 1;
    }
    switch (kind) {
      case INT:
      case FLOAT: {
        const e = this.int(buf, p, end, slot);
        if (e >= 0 || kind === INT) return e;
        if (b === 0xca && p + 5 <= end) this.nums[slot] = this.bytes.over(buf).getFloat32(p + 1);
        else if (b === 0xcb && p + 9 <= end) this.nums[slot] = this.bytes.over(buf).getFloat64(p + 1);
        else return -1;
        this.staged[slot] = NUM;
        return p + (b === 0xca ? 5 : 9);
      }
      case BOOL:
        if (b !== 0xc2 && b !== 0xc3) return -1;
        this.nums[slot] = b === 0xc3 ? 1 : 0;
        this.staged[slot] = NUM;
        return p + 1;
      case STR:
      case BIN: {
        let head = 0;
        let len = 0;
        if (kind === STR && b >= 0xa0 && b <= 0xbf) {
          head = 1;
          len = b & 0x1f;
        } else if (b === (kind === STR ? 0xd9 : 0xc4) && p + 2 <= end) {
          head = 2;
          len = buf[p + 1]!;
        } else if (b === (kind === STR ? 0xda : 0xc5) && p + 3 <= end) {
          head = 3;
          len = buf.readUInt16BE(p + 1);
        } else if (b === (kind === STR ? 0xdb : 0xc6) && p + 5 <= end) {
          head = 5;
          len = buf.readUInt32BE(p + 1);
        } else if (kind === BIN) {
          head = extHead(buf, p, end);
          if (head < 0) return -1;
          len = EXT_LEN[0]!;
        } else return -1;
        // An extension in a binary column is never the timestamp (-1): that would have made the column text.
        if (b >= 0xc7 && b <= 0xd8 && !(b >= 0xca && b <= 0xd3) && buf.readInt8(p + head - 1) === -1) return -1;
        const s = p + head;
        if (len > MAX_RECORD_BYTES || s + len > end) return -1;
        if (kind === STR && !plainUtf8(buf, s, s + len)) return -1;
        this.halves[2 * slot] = s;
        this.halves[2 * slot + 1] = s + len;
        this.staged[slot] = RANGE;
        return s + len;
      }
      case VALUE: {
        const e = valueEnd(buf, p, end);
        if (e < 0) return -1;
        try {
          this.objects[slot] = this.decoder.decode(buf.subarray(p, e));
        } catch {
          return -1;
        }
        this.staged[slot] = OBJECT;
        return e;
      }
      default:
        return -1; // NUL: only nil, handled above
    }
  }

  /** An integer at buf[p]: halves for an Int64 column, a number for a Float64 one; -1 when it is none. */
  private int(buf: Buffer, p: number, end: number, slot: number): number {
    const b = buf[p]!;
    let lo: number;
    let hi: number;
    let size = 1;
    if (b <= 0x7f) {
      lo = b;
      hi = 0;
    } else if (b >= 0xe0) {
      lo = b - 256;
      hi = -1;
    } else if (b >= 0xcc && b <= 0xd3 && b !== 0xcf && b !== 0xd3) {
      size = b === 0xcc || b === 0xd0 ? 2 : b === 0xcd || b === 0xd1 ? 3 : 5;
      if (p + size > end) return -1;
      // Big-endian by hand: Buffer's readers validate their offset on every call.
      if (b === 0xcc) lo = buf[p + 1]!;
      else if (b === 0xcd) lo = (buf[p + 1]! << 8) | buf[p + 2]!;
      else if (b === 0xce) lo = i32(buf, p + 1) >>> 0;
      else if (b === 0xd0) lo = (buf[p + 1]! << 24) >> 24;
      else if (b === 0xd1) lo = (((buf[p + 1]! << 8) | buf[p + 2]!) << 16) >> 16;
      else lo = i32(buf, p + 1);
      hi = lo < 0 ? -1 : 0;
    } else if ((b === 0xcf || b === 0xd3) && p + 9 <= end) {
      hi = i32(buf, p + 1);
      lo = i32(buf, p + 5);
      if (b === 0xcf && hi < 0) return -1; // beyond int64: the column would have been text
      size = 9;
    } else return -1;
    if (this.kinds[slot] === INT) {
      this.halves[2 * slot] = lo;
      this.halves[2 * slot + 1] = hi;
      this.staged[slot] = HALVES;
    } else {
      // As Number(bigint): the high half times 2^32 is exact, so one rounding of the sum.
      this.nums[slot] = size === 9 ? hi * 4294967296 + (lo >>> 0) : lo;
      this.staged[slot] = NUM;
    }
    return p + size;
  }

  private commit(buf: Buffer): void {
    const { staged, columns, kinds } = this;
    for (let i = 0; i < staged.length; i++) {
      const col = columns[i]!;
      switch (staged[i]) {
        case NUM:
          if (kinds[i] === BOOL) (col as BoolColumn).append(this.nums[i] === 1);
          else (col as NumberColumn).appendNumber(this.nums[i]!);
          break;
        case HALVES:
          (col as NumberColumn).appendHalves(this.halves[2 * i]!, this.halves[2 * i + 1]!);
          break;
        case RANGE:
          (col as VarColumn).appendBytes(buf, this.halves[2 * i]!, this.halves[2 * i + 1]!);
          break;
        case OBJECT:
          col.append(this.objects[i]);
          this.objects[i] = undefined;
          break;
        default:
          col.append(null);
      }
    }
  }
}
