// Finds where each MessagePack record ends without decoding it, so records are cut from the stream with
// a size cap and a truncated last record is reported (streaming decoders drop it silently).
//
// Layout rule: an object whose first byte is an array header (0x90-0x9f, 0xdc, 0xdd) is one top-level
// array whose elements are the records, and nothing may follow it. Any other first byte starts a stream of
// concatenated records. A stream of arrays is therefore not supported: its first array would be taken as
// the record list.
import { s3Error, type S3Error } from '../errors.js';
import { MAX_RECORD_BYTES } from './batches.js';
import type { ByteCursor } from './byte-cursor.js';

export function fail(message: string): S3Error {
  return s3Error('MessagePackParsingError', message);
}

/** Bytes of header plus payload for the scalar at buf[pos] (payload lengths read from the header). */
function scalarSize(buf: Buffer, pos: number, end: number): number {
  const b = buf[pos]!;
  if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) return 1;
  if (b >= 0xa0 && b <= 0xbf) return 1 + (b & 0x1f);
  const u8 = (o: number) => (pos + o < end ? buf[pos + o]! : Infinity);
  const u16 = (o: number) => (pos + o + 2 <= end ? buf.readUInt16BE(pos + o) : Infinity);
  const u32 = (o: number) => (pos + o + 4 <= end ? buf.readUInt32BE(pos + o) : Infinity);
  switch (b) {
    case 0xc4: case 0xd9: return 2 + u8(1); // bin 8, str 8
    case 0xc5: case 0xda: return 3 + u16(1); // bin 16, str 16
    case 0xc6: case 0xdb: return 5 + u32(1); // bin 32, str 32
    case 0xc7: return 3 + u8(1); // ext 8
    case 0xc8: return 4 + u16(1); // ext 16
    case 0xc9: return 6 + u32(1); // ext 32
    case 0xcc: case 0xd0: return 2;
    case 0xcd: case 0xd1: return 3;
    case 0xca: case 0xce: case 0xd2: return 5;
    case 0xcb: case 0xcf: case 0xd3: return 9;
    case 0xd4: return 3; // fixext 1
    case 0xd5: return 4;
    case 0xd6: return 6;
    case 0xd7: return 10;
    case 0xd8: return 18;
    default: throw fail(`Invalid MessagePack type byte 0x${b.toString(16)}.`);
  }
}

/** Elements (array) or keys plus values (map) announced by a container header, and the header's size. */
export function containerHeader(buf: Buffer, pos: number, end: number): { items: number; size: number } | undefined {
  const b = buf[pos]!;
  if (b >= 0x80 && b <= 0x8f) return { items: 2 * (b & 0x0f), size: 1 };
  if (b >= 0x90 && b <= 0x9f) return { items: b & 0x0f, size: 1 };
  if (b === 0xdc || b === 0xde) return pos + 3 <= end ? { items: buf.readUInt16BE(pos + 1) * (b === 0xde ? 2 : 1), size: 3 } : { items: 0, size: Infinity };
  if (b === 0xdd || b === 0xdf) return pos + 5 <= end ? { items: buf.readUInt32BE(pos + 1) * (b === 0xdf ? 2 : 1), size: 5 } : { items: 0, size: Infinity };
  return undefined;
}

export function isArrayHeader(b: number): boolean {
  return (b >= 0x90 && b <= 0x9f) || b === 0xdc || b === 0xdd;
}

/** End of the value at buf[start], or -1 when it runs past `end`. Iterative: nesting costs no stack. */
export function valueEnd(buf: Buffer, start: number, end: number): number {
  let pos = start;
  let pending = 1;
  while (pending > 0) {
    if (pos >= end) return -1;
    pending--;
    const c = containerHeader(buf, pos, end);
    if (c) {
      pending += c.items;
      pos += c.size;
    } else {
      pos += scalarSize(buf, pos, end);
    }
  }
  return pos <= end ? pos : -1;
}

/** Records that were buffered together: `bytes` holds them back to back, record i ending at `ends[i]`. */
export interface RecordGroup {
  bytes: Buffer;
  ends: number[];
  /** Index of the first record in the object. */
  first: number;
}

/**
 * Cuts records from the cursor (the elements of a top-level array, or concatenated values), yielding every
 * complete record buffered so far as one group: one await per chunk of input rather than per record.
 */
export async function* recordGroups(cur: ByteCursor): AsyncGenerator<RecordGroup> {
  if (await cur.atEnd()) return;
  let left = Infinity;
  let { buf, pos } = cur.view(1);
  if (isArrayHeader(buf[pos]!)) {
    await cur.want(5);
    const n = Math.min(5, cur.buffered);
    ({ buf, pos } = cur.view(n));
    const h = containerHeader(buf, pos, pos + n)!;
    if (h.size === Infinity) throw fail('The MessagePack data is truncated inside its top-level array header.');
    left = h.items;
    cur.skip(h.size);
  }
  let index = 0;
  while (left > 0) {
    if (!cur.has(1) && (await cur.atEnd())) {
      if (left === Infinity) return;
      throw fail(`The MessagePack data is truncated: the top-level array declares ${index + left} records and holds ${index}.`);
    }
    const have = cur.buffered;
    ({ buf, pos } = cur.view(have));
    const ends: number[] = [];
    let p = pos;
    while (left > 0 && p < pos + have) {
      const e = valueEnd(buf, p, pos + have);
      if (e < 0) break;
      ends.push(e - pos);
      p = e;
      left--;
    }
    if (ends.length) {
      cur.skip(p - pos);
      yield { bytes: buf.subarray(pos, p), ends, first: index };
      index += ends.length;
      continue;
    }
    // No complete record: read on, doubling what is buffered so a large record is rescanned few times.
    if (have > MAX_RECORD_BYTES) throw fail(`MessagePack record ${index} at byte ${cur.offset} is larger than ${MAX_RECORD_BYTES} bytes.`);
    if (!(await cur.want(Math.max(have * 2, 4096))) && cur.buffered === have) {
      throw fail(`The MessagePack data is truncated: record ${index} at byte ${cur.offset} is incomplete.`);
    }
  }
  if (!(await cur.atEnd())) throw fail(`${cur.buffered} or more bytes follow the top-level MessagePack array.`);
}
