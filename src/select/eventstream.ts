// AWS event-stream framing for SelectObjectContent responses, plus an incremental decoder.
// Message layout (big-endian): total length u32 | headers length u32 | CRC32 of those 8 bytes |
// headers | payload | CRC32 of everything before it. S3 Select only sends string headers (type 7).
import { crc32 } from 'node:zlib';

/** Botocore rejects messages with more header or payload bytes than these (Smithy limits). */
export const MAX_HEADERS_BYTES = 128 * 1024;
export const MAX_PAYLOAD_BYTES = 24 * 1024 * 1024;
const PRELUDE_BYTES = 12;
/** Prelude plus trailing message CRC. */
const FRAME_OVERHEAD = PRELUDE_BYTES + 4;

export interface ByteCounters {
  scanned: number;
  processed: number;
  returned: number;
}

function encodeHeaders(headers: ReadonlyArray<readonly [string, string]>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of headers) {
    const n = Buffer.from(name, 'utf8');
    const v = Buffer.from(value, 'utf8');
    if (n.length > 255) throw new RangeError(`event-stream header name too long: ${name}`);
    if (v.length > 0xffff) throw new RangeError(`event-stream header value too long for ${name}`);
    const h = Buffer.allocUnsafe(1 + n.length + 3 + v.length);
    h.writeUInt8(n.length, 0);
    n.copy(h, 1);
    h.writeUInt8(7, 1 + n.length);
    h.writeUInt16BE(v.length, 2 + n.length);
    v.copy(h, 4 + n.length);
    parts.push(h);
  }
  return Buffer.concat(parts);
}

/** Frames already-encoded header bytes and a payload into one message. */
function frame(headers: Buffer, payload?: Uint8Array): Buffer {
  const payloadLen = payload?.length ?? 0;
  if (payloadLen > MAX_PAYLOAD_BYTES) throw new RangeError(`event-stream payload of ${payloadLen} bytes exceeds the limit`);
  const total = FRAME_OVERHEAD + headers.length + payloadLen;
  const msg = Buffer.allocUnsafe(total);
  msg.writeUInt32BE(total, 0);
  msg.writeUInt32BE(headers.length, 4);
  msg.writeUInt32BE(crc32(msg.subarray(0, 8)), 8);
  headers.copy(msg, PRELUDE_BYTES);
  if (payload) msg.set(payload, PRELUDE_BYTES + headers.length);
  msg.writeUInt32BE(crc32(msg.subarray(0, total - 4)), total - 4);
  return msg;
}

/** Encodes a message with string headers, in the given order. */
export function encodeMessage(headers: ReadonlyArray<readonly [string, string]>, payload?: Uint8Array): Buffer {
  return frame(encodeHeaders(headers), payload);
}

// Header blocks in the order AWS and MinIO write them, so constant messages are byte-identical.
const RECORDS_HEADERS = encodeHeaders([
  [':message-type', 'event'],
  [':content-type', 'application/octet-stream'],
  [':event-type', 'Records'],
]);
const STATS_HEADERS = encodeHeaders([
  [':message-type', 'event'],
  [':content-type', 'text/xml'],
  [':event-type', 'Stats'],
]);
const PROGRESS_HEADERS = encodeHeaders([
  [':message-type', 'event'],
  [':content-type', 'text/xml'],
  [':event-type', 'Progress'],
]);
const CONT_MESSAGE = encodeMessage([[':message-type', 'event'], [':event-type', 'Cont']]);
const END_MESSAGE = encodeMessage([[':message-type', 'event'], [':event-type', 'End']]);

/** Size of a Records message carrying `payloadBytes` bytes. */
export function recordsMessageLength(payloadBytes: number): number {
  return FRAME_OVERHEAD + RECORDS_HEADERS.length + payloadBytes;
}

export function recordsMessage(payload: Uint8Array): Buffer {
  return frame(RECORDS_HEADERS, payload);
}

/** Keep-alive message. The returned buffer is shared: do not modify it. */
export function contMessage(): Buffer {
  return CONT_MESSAGE;
}

/** Final message of a successful response. The returned buffer is shared: do not modify it. */
export function endMessage(): Buffer {
  return END_MESSAGE;
}

function countersXml(root: 'Stats' | 'Progress', c: ByteCounters): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><${root}><BytesScanned>${c.scanned}</BytesScanned>` +
    `<BytesProcessed>${c.processed}</BytesProcessed><BytesReturned>${c.returned}</BytesReturned></${root}>`
  );
}

export function statsXml(c: ByteCounters): string {
  return countersXml('Stats', c);
}

export function progressXml(c: ByteCounters): string {
  return countersXml('Progress', c);
}

export function statsMessage(c: ByteCounters): Buffer {
  return frame(STATS_HEADERS, Buffer.from(statsXml(c), 'utf8'));
}

export function progressMessage(c: ByteCounters): Buffer {
  return frame(PROGRESS_HEADERS, Buffer.from(progressXml(c), 'utf8'));
}

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character. */
function truncateUtf8(s: string, max: number): string {
  const b = Buffer.from(s, 'utf8');
  if (b.length <= max) return s;
  let end = max;
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end).toString('utf8');
}

/** Request-level error after the 200 has been sent; no End message may follow it. */
export function errorMessage(code: string, message: string): Buffer {
  return encodeMessage([
    [':message-type', 'error'],
    [':error-message', truncateUtf8(message, 0xffff)],
    [':error-code', code],
  ]);
}

// ---- Decoding ----

export type HeaderValue = boolean | number | bigint | string | Buffer | Date;

export interface EventMessage {
  headers: Record<string, HeaderValue>;
  payload: Buffer;
}

export class EventStreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventStreamError';
  }
}

function decodeHeaders(buf: Buffer): Record<string, HeaderValue> {
  const headers: Record<string, HeaderValue> = Object.create(null) as Record<string, HeaderValue>;
  let p = 0;
  const need = (n: number): void => {
    if (p + n > buf.length) throw new EventStreamError('event-stream header block is truncated');
  };
  while (p < buf.length) {
    need(1);
    const nameLen = buf.readUInt8(p++);
    need(nameLen + 1);
    const name = buf.toString('utf8', p, p + nameLen);
    p += nameLen;
    const type = buf.readUInt8(p++);
    let value: HeaderValue;
    switch (type) {
      case 0: value = true; break;
      case 1: value = false; break;
      case 2: need(1); value = buf.readInt8(p); p += 1; break;
      case 3: need(2); value = buf.readInt16BE(p); p += 2; break;
      case 4: need(4); value = buf.readInt32BE(p); p += 4; break;
      case 5: need(8); value = buf.readBigInt64BE(p); p += 8; break;
      case 6:
      case 7: {
        need(2);
        const len = buf.readUInt16BE(p);
        p += 2;
        need(len);
        value = type === 6 ? Buffer.from(buf.subarray(p, p + len)) : buf.toString('utf8', p, p + len);
        p += len;
        break;
      }
      case 8: need(8); value = new Date(Number(buf.readBigInt64BE(p))); p += 8; break;
      case 9: {
        need(16);
        const h = buf.toString('hex', p, p + 16);
        value = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
        p += 16;
        break;
      }
      default:
        throw new EventStreamError(`unknown event-stream header type ${type} for ${name}`);
    }
    if (name in headers) throw new EventStreamError(`duplicate event-stream header ${name}`);
    headers[name] = value;
  }
  return headers;
}

/** Incremental decoder: push bytes as they arrive, get back every message completed by them. */
export interface EventStreamDecoder {
  push(chunk: Uint8Array): EventMessage[];
  /** Throws if a partial message is left over. */
  end(): void;
  /** Bytes received but not yet part of a complete message. */
  readonly buffered: number;
}

export function decodeEventStream(): EventStreamDecoder {
  let chunks: Buffer[] = [];
  let buffered = 0;
  let expected = 0; // total length of the message in progress, once its prelude is validated

  /** Removes and returns the first n buffered bytes as one Buffer. */
  const take = (n: number): Buffer => {
    const first = chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) chunks.shift();
      else chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      let i = 0;
      while (filled < n) {
        const c = chunks[i]!;
        const k = Math.min(c.length, n - filled);
        c.copy(out, filled, 0, k);
        filled += k;
        if (k === c.length) i++;
        else chunks[i] = c.subarray(k);
      }
      chunks.splice(0, i);
    }
    buffered -= n;
    return out;
  };

  /** The first n buffered bytes without consuming them (n ≤ buffered). */
  const peek = (n: number): Buffer => {
    if (chunks[0]!.length < n) chunks = [Buffer.concat(chunks)];
    return chunks[0]!.subarray(0, n);
  };

  const checkPrelude = (): void => {
    const prelude = peek(PRELUDE_BYTES);
    const total = prelude.readUInt32BE(0);
    const headersLen = prelude.readUInt32BE(4);
    if (prelude.readUInt32BE(8) !== crc32(prelude.subarray(0, 8))) throw new EventStreamError('event-stream prelude CRC mismatch');
    if (headersLen > MAX_HEADERS_BYTES) throw new EventStreamError(`event-stream headers of ${headersLen} bytes exceed the limit`);
    if (total < FRAME_OVERHEAD + headersLen) throw new EventStreamError('event-stream message length is smaller than its headers');
    if (total - FRAME_OVERHEAD - headersLen > MAX_PAYLOAD_BYTES) throw new EventStreamError('event-stream payload exceeds the limit');
    expected = total;
  };

  const parse = (msg: Buffer): EventMessage => {
    const total = msg.length;
    if (msg.readUInt32BE(total - 4) !== crc32(msg.subarray(0, total - 4))) throw new EventStreamError('event-stream message CRC mismatch');
    const headersLen = msg.readUInt32BE(4);
    const headers = decodeHeaders(msg.subarray(PRELUDE_BYTES, PRELUDE_BYTES + headersLen));
    return { headers, payload: msg.subarray(PRELUDE_BYTES + headersLen, total - 4) };
  };

  return {
    push(chunk: Uint8Array): EventMessage[] {
      if (chunk.length > 0) {
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
        buffered += chunk.length;
      }
      const out: EventMessage[] = [];
      for (;;) {
        if (expected === 0) {
          if (buffered < PRELUDE_BYTES) break;
          checkPrelude();
        }
        if (buffered < expected) break;
        out.push(parse(take(expected)));
        expected = 0;
      }
      return out;
    },
    end(): void {
      if (buffered > 0) throw new EventStreamError(`event stream ended inside a message (${buffered} bytes left over)`);
    },
    get buffered() {
      return buffered;
    },
  };
}

/** Decodes a whole byte stream (e.g. an HTTP response body) into messages. */
export async function* readEventStream(source: AsyncIterable<Uint8Array>): AsyncGenerator<EventMessage> {
  const decoder = decodeEventStream();
  for await (const chunk of source) yield* decoder.push(chunk);
  decoder.end();
}
