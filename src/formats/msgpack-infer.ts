// Column types for schemaless MessagePack records, inferred from the encoded bytes (so a float that
// happens to be integral, like 2.0, still counts as a float) and widened as records disagree:
//   nil alone → null; int + float → double (float64); a map → struct (union of keys; absent → null);
//   an array → list of the widened element type; str → utf8; bin or an unknown extension → binary;
//   the timestamp extension (-1) → timestamp (µs, UTC); an int beyond int64, a map with non-string keys,
//   or any other mix (int and string, struct and list, …) → text: strings as they are, numbers and booleans
//   in JSON form, binary as base64, timestamps as ISO-8601, maps and arrays as JSON (integers beyond 2^53
//   inside them as strings).
import { ExtData } from '@msgpack/msgpack';
import { columns, type Column } from './arrow-columns.js';
import { fail, type RecordSink } from './msgpack-frame.js';
import { CUT, Q_SKIP, quickKind, quickRecord } from './msgpack-quick.js';

export type Shape =
  | { k: 'null' | 'bool' | 'int' | 'float' | 'str' | 'bin' | 'ts' | 'text' }
  | { k: 'list'; item: Shape }
  | { k: 'struct'; fields: Map<string, Shape> };

const S = {
  null: { k: 'null' },
  bool: { k: 'bool' },
  int: { k: 'int' },
  float: { k: 'float' },
  str: { k: 'str' },
  bin: { k: 'bin' },
  ts: { k: 'ts' },
  text: { k: 'text' },
} as const satisfies Record<string, Shape>;

const MAX_DEPTH = 256;
const INT64_MAX = 2n ** 63n - 1n;

/** Thrown on the fast path when a record runs past the buffered bytes or needs the careful path. */
const RETRY = Symbol('retry');

/**
 * Walks encoded records and widens the shape of each top-level key (a RecordSink). On the fast path the
 * record may run past the buffered bytes, and top-level keys are matched by their bytes against the
 * previous record's; anything the fast path cannot take is retried on the careful path once the record is
 * framed. A partial walk is harmless: widening again by the same values changes nothing.
 */
export class Inference implements RecordSink {
  /** Top-level columns in first-seen order. */
  readonly fields = new Map<string, Shape>();
  /** Index of the first record since this was last set to -1 that added a key or widened a type. */
  changedAt = -1;
  /** Whether the record being walked changed the schema (kept across a retry of the same record). */
  private changed = false;
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private end = 0;
  private strict = false;
  /** Top-level keys of the last record by position: their bytes and names. */
  private readonly keyBytes: Buffer[] = [];
  private readonly keyNames: string[] = [];
  /** Keys of the last fully walked record (-1: none to compare with) and what each may hold unchanged. */
  private quickKeys = -1;
  private quickKinds = new Uint8Array(16);

  constructor(private readonly only?: Set<string>) {}

  fast(buf: Buffer, start: number, end: number, index: number): number {
    if (this.quickKeys >= 0 && !this.changed) {
      const e = quickRecord(buf, start, end, this.keyBytes, this.quickKinds, this.quickKeys);
      if (e >= 0) return e;
      if (e === CUT) return -1; // framed on its own, then read again whole
    }
    this.strict = false;
    try {
      this.record(buf, start, end, index);
    } catch (e) {
      if (e === RETRY) return -1;
      throw e;
    }
    return this.pos;
  }

  careful(buf: Buffer, start: number, end: number, index: number): void {
    this.strict = true;
    this.record(buf, start, end, index);
  }

  private record(buf: Buffer, start: number, end: number, index: number): void {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    const n = this.mapHeader();
    if (n < 0) this.bad(`MessagePack record ${index} is not a map: every record must be a map of field names to values.`);
    for (let i = 0; i < n; i++) {
      const key = this.key(i);
      if (key === undefined) this.bad(`MessagePack record ${index} has a key that is not a string.`);
      if (this.only && !this.only.has(key!)) {
        this.skip();
        continue;
      }
      const before = this.fields.get(key!);
      const after = this.value(before, 1);
      if (after !== before) this.fields.set(key!, after);
    }
    if (this.changed && this.changedAt < 0) this.changedAt = index;
    this.changed = false;
    // The next record with these keys and values these columns admit is checked by quickRecord.
    this.quickKeys = n <= 15 ? n : -1;
    for (let i = 0; i < this.quickKeys; i++) {
      const name = this.keyNames[i]!;
      this.quickKinds[i] = this.only && !this.only.has(name) ? Q_SKIP : quickKind(this.fields.get(name));
    }
  }

  /** An error on the careful path; a retry on the fast one. */
  private bad(message: string): never {
    throw this.strict ? fail(message) : RETRY;
  }

  /** Throws (a retry) unless n more bytes are there; the careful path only sees framed records. */
  private need(n: number): void {
    if (this.pos + n > this.end) this.bad('The MessagePack record is incomplete.');
  }

  /** Entries of the map header at `pos` (consumed), or -1 when the value is not a map. */
  private mapHeader(): number {
    this.need(1);
    const b = this.buf[this.pos]!;
    if (b >= 0x80 && b <= 0x8f) {
      this.pos += 1;
      return b & 0x0f;
    }
    if (b === 0xde || b === 0xdf) {
      const head = b === 0xde ? 3 : 5;
      this.need(head);
      const n = b === 0xde ? this.buf.readUInt16BE(this.pos + 1) : this.buf.readUInt32BE(this.pos + 1);
      this.pos += head;
      return n;
    }
    return -1;
  }

  private widen(cur: Shape | undefined, next: Shape): Shape {
    if (cur === next) return cur;
    let out: Shape;
    if (cur === undefined || cur.k === 'null') out = next;
    else if (next.k === 'null') return cur;
    else if ((cur.k === 'int' && next.k === 'float') || (cur.k === 'float' && next.k === 'int')) out = S.float;
    else out = S.text;
    if (out !== cur) this.changed = true;
    return out;
  }

  /**
   * A map key as a string, or undefined (and skipped) when it is not one. Top-level keys (`slot` ≥ 0) are
   * first compared with the bytes of the key at the same position in the previous record.
   */
  private key(slot = -1): string | undefined {
    this.need(1);
    const buf = this.buf;
    const b = buf[this.pos]!;
    let len: number;
    let head: number;
    if (b >= 0xa0 && b <= 0xbf) {
      len = b & 0x1f;
      head = 1;
    } else if (b === 0xd9) {
      this.need(2);
      len = buf[this.pos + 1]!;
      head = 2;
    } else if (b === 0xda) {
      this.need(3);
      len = buf.readUInt16BE(this.pos + 1);
      head = 3;
    } else if (b === 0xdb) {
      this.need(5);
      len = buf.readUInt32BE(this.pos + 1);
      head = 5;
    } else {
      this.skip();
      return undefined;
    }
    this.need(head + len);
    const start = this.pos + head;
    this.pos = start + len;
    if (slot < 0) return buf.toString('utf8', start, start + len);
    const known = this.keyBytes[slot];
    if (known !== undefined && sameBytes(buf, start, len, known)) return this.keyNames[slot];
    const name = buf.toString('utf8', start, start + len);
    this.keyBytes[slot] = Buffer.from(buf.subarray(start, start + len));
    this.keyNames[slot] = name;
    return name;
  }

  private skip(): void {
    this.value(S.text, 1);
  }

  /** Reads the value at `pos`, returning `cur` widened by it. */
  private value(cur: Shape | undefined, depth: number): Shape {
    const buf = this.buf;
    this.need(1);
    const b = buf[this.pos]!;
    if (depth > MAX_DEPTH) this.bad(`MessagePack values are nested more than ${MAX_DEPTH} deep.`);
    if (b <= 0x7f || b >= 0xe0) return this.scalar(cur, S.int, 1);
    if (b >= 0xa0 && b <= 0xbf) return this.scalar(cur, S.str, 1 + (b & 0x1f));
    if ((b >= 0x80 && b <= 0x9f) || (b >= 0xdc && b <= 0xdf)) {
      const isMap = b <= 0x8f || b === 0xde || b === 0xdf;
      let items: number;
      if (b <= 0x9f) {
        items = b & 0x0f;
        this.pos += 1;
      } else {
        const head = b <= 0xdd ? (b === 0xdc ? 3 : 5) : b === 0xde ? 3 : 5;
        this.need(head);
        items = head === 3 ? buf.readUInt16BE(this.pos + 1) : buf.readUInt32BE(this.pos + 1);
        this.pos += head;
      }
      return isMap ? this.map(cur, items, depth) : this.array(cur, items, depth);
    }
    switch (b) {
      case 0xc0: return this.scalar(cur, S.null, 1);
      case 0xc2: case 0xc3: return this.scalar(cur, S.bool, 1);
      case 0xcc: case 0xd0: return this.scalar(cur, S.int, 2);
      case 0xcd: case 0xd1: return this.scalar(cur, S.int, 3);
      case 0xce: case 0xd2: return this.scalar(cur, S.int, 5);
      case 0xd3: return this.scalar(cur, S.int, 9);
      case 0xcf:
        this.need(9);
        return this.scalar(cur, buf.readBigUInt64BE(this.pos + 1) > INT64_MAX ? S.text : S.int, 9);
      case 0xca: return this.scalar(cur, S.float, 5);
      case 0xcb: return this.scalar(cur, S.float, 9);
      case 0xd9: return this.scalar(cur, S.str, 2 + this.u8());
      case 0xda: return this.scalar(cur, S.str, 3 + this.u16());
      case 0xdb: return this.scalar(cur, S.str, 5 + this.u32());
      case 0xc4: return this.scalar(cur, S.bin, 2 + this.u8());
      case 0xc5: return this.scalar(cur, S.bin, 3 + this.u16());
      case 0xc6: return this.scalar(cur, S.bin, 5 + this.u32());
      case 0xd4: return this.ext(cur, 1, 2);
      case 0xd5: return this.ext(cur, 2, 2);
      case 0xd6: return this.ext(cur, 4, 2);
      case 0xd7: return this.ext(cur, 8, 2);
      case 0xd8: return this.ext(cur, 16, 2);
      case 0xc7: return this.ext(cur, this.u8(), 3);
      case 0xc8: return this.ext(cur, this.u16(), 4);
      case 0xc9: return this.ext(cur, this.u32(), 6);
      default: return this.bad(`Invalid MessagePack type byte 0x${b.toString(16)}.`);
    }
  }

  /** Length fields after the type byte. */
  private u8(): number {
    this.need(2);
    return this.buf[this.pos + 1]!;
  }
  private u16(): number {
    this.need(3);
    return this.buf.readUInt16BE(this.pos + 1);
  }
  private u32(): number {
    this.need(5);
    return this.buf.readUInt32BE(this.pos + 1);
  }

  private scalar(cur: Shape | undefined, s: Shape, size: number): Shape {
    this.need(size);
    this.pos += size;
    return this.widen(cur, s);
  }

  private ext(cur: Shape | undefined, len: number, head: number): Shape {
    this.need(head);
    const type = this.buf.readInt8(this.pos + head - 1);
    return this.scalar(cur, type === -1 ? S.ts : S.bin, head + len);
  }

  private array(cur: Shape | undefined, n: number, depth: number): Shape {
    let list: Shape;
    if (cur === undefined || cur.k === 'null') {
      list = { k: 'list', item: S.null };
      this.changed = true;
    } else if (cur.k === 'list') list = cur;
    else list = this.widen(cur, S.text);
    for (let i = 0; i < n; i++) {
      if (list.k === 'list') list.item = this.value(list.item, depth + 1);
      else this.value(S.text, depth + 1);
    }
    return list;
  }

  private map(cur: Shape | undefined, n: number, depth: number): Shape {
    let struct: Shape;
    if (cur === undefined || cur.k === 'null') {
      struct = { k: 'struct', fields: new Map() };
      this.changed = true;
    } else if (cur.k === 'struct') struct = cur;
    else struct = this.widen(cur, S.text);
    for (let i = 0; i < n; i++) {
      const key = struct.k === 'struct' ? this.key() : (this.skip(), undefined);
      if (struct.k === 'struct' && key === undefined) struct = this.widen(struct, S.text);
      if (struct.k !== 'struct' || key === undefined) {
        this.value(S.text, depth + 1);
        continue;
      }
      const before = struct.fields.get(key);
      if (before === undefined) this.changed = true;
      const after = this.value(before, depth + 1);
      if (after !== before) struct.fields.set(key, after);
    }
    return struct;
  }
}

/** Whether buf[start..start+len) holds the bytes of `key`. */
export function sameBytes(buf: Buffer, start: number, len: number, key: Buffer): boolean {
  if (key.length !== len) return false;
  for (let i = 0; i < len; i++) if (buf[start + i] !== key[i]) return false;
  return true;
}

/** A decoded timestamp extension: microseconds since the epoch, UTC. */
export class MsgTimestamp {
  constructor(readonly micros: bigint) {}
}

/** A decoded value made JSON-ready: bigints, binary and timestamps replaced (before Buffer#toJSON sees them). */
function jsonable(x: unknown): unknown {
  if (typeof x === 'bigint') return Number.isSafeInteger(Number(x)) ? Number(x) : x.toString();
  if (x instanceof Uint8Array) return Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64');
  if (x instanceof ExtData) return jsonable(x.data);
  if (x instanceof MsgTimestamp) return isoMicros(x.micros);
  if (Array.isArray(x)) return x.map(jsonable);
  if (typeof x === 'object' && x !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x)) out[k] = jsonable((x as Record<string, unknown>)[k]);
    return out;
  }
  return x;
}

function textOf(v: unknown): string {
  const x = jsonable(v);
  if (typeof x === 'string') return x;
  if (typeof x !== 'object' || x === null) return String(x);
  return JSON.stringify(x);
}

function isoMicros(us: bigint): string {
  const ms = us / 1000n - (us % 1000n < 0n ? 1n : 0n);
  const frac = ((us % 1000000n) + 1000000n) % 1000000n;
  return new Date(Number(ms)).toISOString().replace(/\.\d+Z$/, `.${frac.toString().padStart(6, '0')}Z`);
}

/** The Arrow column for a shape; values are what @msgpack/msgpack decodes (with MsgTimestamp for -1). */
export function shapeColumn(s: Shape): Column {
  switch (s.k) {
    case 'null':
      return columns.null();
    case 'bool':
      return columns.bool();
    case 'int':
      return columns.int64();
    case 'float':
      return columns.mapped(columns.float64(), (v: number | bigint) => Number(v));
    case 'str':
      return columns.utf8();
    case 'bin':
      return columns.mapped(columns.binary(), (v: Uint8Array | ExtData) => (v instanceof ExtData ? (v.data as Uint8Array) : v));
    case 'ts':
      return columns.mapped(columns.timestampMicros(), (v: MsgTimestamp) => v.micros);
    case 'text':
      return columns.mapped(columns.utf8(), textOf);
    case 'list':
      return columns.list(shapeColumn(s.item));
    case 'struct':
      return columns.struct([...s.fields].map(([name, f]) => ({ name, column: shapeColumn(f) })));
  }
}
