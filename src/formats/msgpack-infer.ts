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
import { containerHeader, fail } from './msgpack-frame.js';

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

/** Walks encoded records and widens the shape of each top-level key. */
export class Inference {
  /** Top-level columns in first-seen order. */
  readonly fields = new Map<string, Shape>();
  /** Set whenever a record added a key or widened a type. */
  changed = false;
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;

  constructor(private readonly only?: Set<string>) {}

  /** Adds the record encoded at buf[start..end); returns whether the schema changed. */
  add(buf: Buffer, start: number, end: number, index: number): boolean {
    this.buf = buf;
    this.changed = false;
    const b = buf[start]!;
    const h = containerHeader(buf, start, end);
    if (!h || !(b <= 0x8f || b === 0xde || b === 0xdf)) {
      throw fail(`MessagePack record ${index} is not a map: every record must be a map of field names to values.`);
    }
    this.pos = start + h.size;
    for (let i = 0; i < h.items / 2; i++) {
      const key = this.key();
      if (key === undefined) throw fail(`MessagePack record ${index} has a key that is not a string.`);
      if (this.only && !this.only.has(key)) {
        this.skip();
        continue;
      }
      const before = this.fields.get(key);
      const after = this.value(before, 1);
      if (after !== before) this.fields.set(key, after);
    }
    return this.changed;
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

  /** A map key as a string, or undefined (and skipped) when it is not one. */
  private key(): string | undefined {
    const b = this.buf[this.pos]!;
    let len: number;
    let head: number;
    if (b >= 0xa0 && b <= 0xbf) [len, head] = [b & 0x1f, 1];
    else if (b === 0xd9) [len, head] = [this.buf[this.pos + 1]!, 2];
    else if (b === 0xda) [len, head] = [this.buf.readUInt16BE(this.pos + 1), 3];
    else if (b === 0xdb) [len, head] = [this.buf.readUInt32BE(this.pos + 1), 5];
    else {
      this.skip();
      return undefined;
    }
    const start = this.pos + head;
    this.pos = start + len;
    return this.buf.toString('utf8', start, start + len);
  }

  private skip(): void {
    this.value(S.text, 1);
  }

  /** Reads the value at `pos`, returning `cur` widened by it. */
  private value(cur: Shape | undefined, depth: number): Shape {
    const buf = this.buf;
    const b = buf[this.pos]!;
    if (depth > MAX_DEPTH) throw fail(`MessagePack values are nested more than ${MAX_DEPTH} deep.`);
    const c = containerHeader(buf, this.pos, buf.length);
    if (c) {
      this.pos += c.size;
      const isMap = b <= 0x8f || b === 0xde || b === 0xdf;
      return isMap ? this.map(cur, c.items / 2, depth) : this.array(cur, c.items, depth);
    }
    if (b <= 0x7f || b >= 0xe0) return this.scalar(cur, S.int, 1);
    if (b >= 0xa0 && b <= 0xbf) return this.scalar(cur, S.str, 1 + (b & 0x1f));
    switch (b) {
      case 0xc0: return this.scalar(cur, S.null, 1);
      case 0xc2: case 0xc3: return this.scalar(cur, S.bool, 1);
      case 0xcc: case 0xd0: return this.scalar(cur, S.int, 2);
      case 0xcd: case 0xd1: return this.scalar(cur, S.int, 3);
      case 0xce: case 0xd2: return this.scalar(cur, S.int, 5);
      case 0xd3: return this.scalar(cur, S.int, 9);
      case 0xcf: return this.scalar(cur, buf.readBigUInt64BE(this.pos + 1) > INT64_MAX ? S.text : S.int, 9);
      case 0xca: return this.scalar(cur, S.float, 5);
      case 0xcb: return this.scalar(cur, S.float, 9);
      case 0xd9: return this.scalar(cur, S.str, 2 + buf[this.pos + 1]!);
      case 0xda: return this.scalar(cur, S.str, 3 + buf.readUInt16BE(this.pos + 1));
      case 0xdb: return this.scalar(cur, S.str, 5 + buf.readUInt32BE(this.pos + 1));
      case 0xc4: return this.scalar(cur, S.bin, 2 + buf[this.pos + 1]!);
      case 0xc5: return this.scalar(cur, S.bin, 3 + buf.readUInt16BE(this.pos + 1));
      case 0xc6: return this.scalar(cur, S.bin, 5 + buf.readUInt32BE(this.pos + 1));
      case 0xd4: return this.ext(cur, 1, 2);
      case 0xd5: return this.ext(cur, 2, 2);
      case 0xd6: return this.ext(cur, 4, 2);
      case 0xd7: return this.ext(cur, 8, 2);
      case 0xd8: return this.ext(cur, 16, 2);
      case 0xc7: return this.ext(cur, buf[this.pos + 1]!, 3);
      case 0xc8: return this.ext(cur, buf.readUInt16BE(this.pos + 1), 4);
      case 0xc9: return this.ext(cur, buf.readUInt32BE(this.pos + 1), 6);
      default: throw fail(`Invalid MessagePack type byte 0x${b.toString(16)}.`);
    }
  }

  private scalar(cur: Shape | undefined, s: Shape, size: number): Shape {
    this.pos += size;
    return this.widen(cur, s);
  }

  private ext(cur: Shape | undefined, len: number, head: number): Shape {
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
