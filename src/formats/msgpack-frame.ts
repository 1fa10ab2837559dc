// Finds where each MessagePack record ends, so records are cut from the stream with a size cap and a
// truncated last record is reported (streaming decoders drop it silently). Each record goes through a
// sink as it is framed (schema inference, then decoding), on a fast path that falls back to framing the
// record on its own and a careful path that reports errors as they always were.
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

/** Bytes of header plus payload for the scalar at buf[pos]; Infinity when its header runs past `end`. */
export function scalarSize(buf: Buffer, pos: number, end: number): number {
  const b = buf[pos]!;
  if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) return 1;
  if (b >= 0xa0 && b <= 0xbf) return 1 + (b & 0x1f);
  switch (b) {
    case 0xc4: case 0xd9: return pos + 2 <= end ? 2 + buf[pos + 1]! : Infinity; // bin 8, str 8
    case 0xc5: case 0xda: return pos + 3 <= end ? 3 + buf.readUInt16BE(pos + 1) : Infinity; // bin 16, str 16
    case 0xc6: case 0xdb: return pos + 5 <= end ? 5 + buf.readUInt32BE(pos + 1) : Infinity; // bin 32, str 32
    case 0xc7: return pos + 2 <= end ? 3 + buf[pos + 1]! : Infinity; // ext 8
    case 0xc8: return pos + 3 <= end ? 4 + buf.readUInt16BE(pos + 1) : Infinity; // ext 16
    case 0xc9: return pos + 5 <= end ? 6 + buf.readUInt32BE(pos + 1) : Infinity; // ext 32
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
    const b = buf[pos]!;
    if (b >= 0x80 && b <= 0x9f) {
      pending += b <= 0x8f ? 2 * (b & 0x0f) : b & 0x0f;
      pos += 1;
    } else if (b === 0xdc || b === 0xde) {
      if (pos + 3 > end) return -1;
      pending += buf.readUInt16BE(pos + 1) * (b === 0xde ? 2 : 1);
      pos += 3;
    } else if (b === 0xdd || b === 0xdf) {
      if (pos + 5 > end) return -1;
      pending += buf.readUInt32BE(pos + 1) * (b === 0xdf ? 2 : 1);
      pos += 5;
    } else {
      pos += scalarSize(buf, pos, end);
    }
  }
  return pos <= end ? pos : -1;
}

/**
 * What runs over each record as it is framed. `fast` handles the record at buf[start..] and returns its
 * end, or -1 when it cannot: the record runs past `end`, or has something only the careful path may judge.
 * The record is then framed on its own and, once complete, given to `careful`, whose errors are the ones
 * reported. `fast` must leave no trace the careful path would see twice.
 */
export interface RecordSink {
  fast(buf: Buffer, start: number, end: number, index: number): number;
  careful(buf: Buffer, start: number, end: number, index: number): void;
}

/**
 * Runs `sink` over up to `left` records at buf[start..end), stopping at the first incomplete one and
 * before the first that starts at or past `stop`.
 */
export function walkRecords(buf: Buffer, start: number, end: number, sink: RecordSink, first: number, left: number, stop = Infinity): { end: number; count: number } {
  let p = start;
  let count = 0;
  while (count < left && p < end && p < stop) {
    let e = sink.fast(buf, p, end, first + count);
    if (e < 0) {
      e = valueEnd(buf, p, end);
      if (e < 0) break;
      sink.careful(buf, p, e, first + count);
    }
    p = e;
    count++;
  }
  return { end: p, count };
}

/** Records that were buffered together: `bytes` holds `count` of them back to back. */
export interface RecordGroup {
  bytes: Buffer;
  count: number;
  /** Index of the first record in the object. */
  first: number;
}

/**
 * The record at the cursor that runs past the end of its chunk (`n` bytes there), read from a copy of just
 * enough of what follows: the doubling framing rescans a large record few times.
 */
async function straddling(cur: ByteCursor, sink: RecordSink, index: number, n: number): Promise<Buffer> {
  for (let k = Math.max(n * 2, 4096); ; k *= 2) {
    if (cur.buffered < k) await cur.want(k);
    const have = Math.min(k, cur.buffered);
    const bytes = cur.peek(have);
    const walked = walkRecords(bytes, 0, have, sink, index, 1);
    if (walked.count) return bytes.subarray(0, walked.end);
    if (have > MAX_RECORD_BYTES) throw fail(`MessagePack record ${index} at byte ${cur.offset} is larger than ${MAX_RECORD_BYTES} bytes.`);
    if (have < k) throw fail(`The MessagePack data is truncated: record ${index} at byte ${cur.offset} is incomplete.`);
  }
}

/**
 * Cuts records from the cursor (the elements of a top-level array, or concatenated values), running a
 * sink over each, and yields every complete record buffered so far as one group: one await per chunk of
 * input rather than per record. A walk may stop before the first record that starts at or past a byte
 * offset, and a later walk (with another sink) goes on from there.
 */
export class RecordStream {
  /** Index of the next record in the object. */
  index = 0;
  /** Records the top-level array has left (Infinity for a stream of values). */
  private left = Infinity;
  private started = false;

  constructor(private readonly cur: ByteCursor) {}

  /** Byte offset of the next record. */
  get offset(): number {
    return this.cur.offset;
  }

  /** Whether every record has been walked. */
  get done(): boolean {
    return this.started && this.left === 0;
  }

  /** Walks on from the next record; `stopAt` (read once per chunk) is the byte offset to stop before. */
  async *groups(sink: RecordSink, stopAt: () => number = () => Infinity): AsyncGenerator<RecordGroup> {
    const cur = this.cur;
    if (!this.started) {
      this.started = true;
      if (await cur.atEnd()) {
        this.left = 0;
        return;
      }
      if (isArrayHeader(cur.peek(1)[0]!)) {
        await cur.want(5);
        const n = Math.min(5, cur.buffered);
        const h = containerHeader(cur.peek(n), 0, n)!;
        if (h.size === Infinity) throw fail('The MessagePack data is truncated inside its top-level array header.');
        this.left = h.items;
        cur.skip(h.size);
        if (this.left === 0) {
          if (!(await cur.atEnd())) throw fail(`${cur.buffered} or more bytes follow the top-level MessagePack array.`);
          return;
        }
      }
    }
    while (this.left > 0) {
      const stop = stopAt();
      if (cur.offset >= stop) return;
      if (!cur.has(1) && (await cur.atEnd())) {
        if (this.left === Infinity) {
          this.left = 0;
          return;
        }
        throw fail(`The MessagePack data is truncated: the top-level array declares ${this.index + this.left} records and holds ${this.index}.`);
      }
      const { buf, pos, n } = cur.segment();
      const walked = walkRecords(buf, pos, pos + n, sink, this.index, this.left, pos + (stop - cur.offset));
      if (walked.count) {
        cur.skip(walked.end - pos);
        yield* this.took(buf.subarray(pos, walked.end), walked.count);
        continue;
      }
      const one = await straddling(cur, sink, this.index, n);
      cur.skip(one.length);
      yield* this.took(one, 1);
    }
    if (!(await cur.atEnd())) throw fail(`${cur.buffered} or more bytes follow the top-level MessagePack array.`);
  }

  private *took(bytes: Buffer, count: number): Generator<RecordGroup> {
    const first = this.index;
    this.index += count;
    this.left -= count;
    yield { bytes, count, first };
  }
}

/** Every record of the cursor, through `sink` (see RecordStream). */
export function recordGroups(cur: ByteCursor, sink: RecordSink): AsyncGenerator<RecordGroup> {
  return new RecordStream(cur).groups(sink);
}
