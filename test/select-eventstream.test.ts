import { crc32 } from 'node:zlib';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  contMessage,
  decodeEventStream,
  encodeMessage,
  endMessage,
  errorMessage,
  EventStreamError,
  progressMessage,
  progressXml,
  readEventStream,
  recordsMessage,
  statsMessage,
  statsXml,
  type EventMessage,
} from '../src/select/eventstream.js';

const END_HEX =
  '0000003800000028c1c684d40d3a6d6573736167652d747970650700056576656e740b3a6576656e742d74797065070003456e64cf97d392';
const CONT_HEX =
  '00000039000000298ba19df20d3a6d6573736167652d747970650700056576656e740b3a6576656e742d74797065070004436f6e749c864a0d';

function decodeAll(buf: Buffer): EventMessage[] {
  const d = decodeEventStream();
  const out = d.push(buf);
  d.end();
  return out;
}

function summary(m: EventMessage): { headers: EventMessage['headers']; payload: string } {
  return { headers: m.headers, payload: m.payload.toString('base64') };
}

/** Builds a frame from raw header bytes, for header types our encoder never writes. */
function rawFrame(headers: Buffer, payload = Buffer.alloc(0)): Buffer {
  const total = 16 + headers.length + payload.length;
  const prelude = Buffer.alloc(8);
  prelude.writeUInt32BE(total, 0);
  prelude.writeUInt32BE(headers.length, 4);
  const crcP = Buffer.alloc(4);
  crcP.writeUInt32BE(crc32(prelude));
  const body = Buffer.concat([prelude, crcP, headers, payload]);
  const crcM = Buffer.alloc(4);
  crcM.writeUInt32BE(crc32(body));
  return Buffer.concat([body, crcM]);
}

function header(name: string, type: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([name.length]), Buffer.from(name), Buffer.from([type]), value]);
}

describe('event-stream encoder', () => {
  it('reproduces the End and Cont messages byte for byte', () => {
    expect(endMessage().toString('hex')).toBe(END_HEX);
    expect(contMessage().toString('hex')).toBe(CONT_HEX);
  });

  it('frames a Records message like AWS: lengths, header order and both CRCs', () => {
    const msg = recordsMessage(Buffer.from('a,b\n'));
    expect(msg.length).toBe(105);
    expect(msg.readUInt32BE(0)).toBe(105);
    expect(msg.readUInt32BE(4)).toBe(85);
    expect(msg.subarray(8, 12).toString('hex')).toBe('ea016f2e');
    expect(msg.subarray(101).toString('hex')).toBe('65fbd276');
    const [m] = decodeAll(msg);
    expect(Object.keys(m!.headers)).toEqual([':message-type', ':content-type', ':event-type']);
    expect(m!.headers).toEqual({ ':message-type': 'event', ':content-type': 'application/octet-stream', ':event-type': 'Records' });
    expect(m!.payload.toString()).toBe('a,b\n');
  });

  it('writes Stats and Progress XML with their own root element', () => {
    const c = { scanned: 512, processed: 1024, returned: 7 };
    const body = '<BytesScanned>512</BytesScanned><BytesProcessed>1024</BytesProcessed><BytesReturned>7</BytesReturned>';
    expect(statsXml(c)).toBe(`<?xml version="1.0" encoding="UTF-8"?><Stats>${body}</Stats>`);
    expect(progressXml(c)).toBe(`<?xml version="1.0" encoding="UTF-8"?><Progress>${body}</Progress>`);
    const [stats, progress] = decodeAll(Buffer.concat([statsMessage(c), progressMessage(c)]));
    expect(stats!.headers).toEqual({ ':message-type': 'event', ':content-type': 'text/xml', ':event-type': 'Stats' });
    expect(stats!.payload.toString()).toBe(statsXml(c));
    expect(progress!.headers[':event-type']).toBe('Progress');
    expect(progress!.payload.toString()).toBe(progressXml(c));
  });

  it('writes an error message with code and message headers and no payload', () => {
    const [m] = decodeAll(errorMessage('CSVParsingError', 'bad row 3 — ünïcode'));
    expect(m!.headers).toEqual({ ':message-type': 'error', ':error-code': 'CSVParsingError', ':error-message': 'bad row 3 — ünïcode' });
    expect(m!.payload.length).toBe(0);
  });

  it('truncates an over-long error message at a character boundary', () => {
    const long = 'é'.repeat(40_000); // 80 000 UTF-8 bytes, more than a u16 length allows
    const [m] = decodeAll(errorMessage('InternalError', long));
    const got = m!.headers[':error-message'] as string;
    expect(Buffer.byteLength(got)).toBe(65_534);
    expect(got).toBe('é'.repeat(32_767));
  });

  it('refuses payloads beyond the client limit', () => {
    expect(() => recordsMessage(Buffer.alloc(24 * 1024 * 1024 + 1))).toThrow(RangeError);
  });
});

describe('event-stream decoder', () => {
  const messages = [
    recordsMessage(Buffer.from('1,2\n3,4\n')),
    contMessage(),
    encodeMessage([[':message-type', 'event'], [':event-type', 'Records']], Buffer.alloc(70_000, 7)),
    statsMessage({ scanned: 1, processed: 2, returned: 3 }),
    endMessage(),
  ];
  const stream = Buffer.concat(messages);

  it('yields the same messages however the bytes are split', () => {
    const whole = decodeAll(stream);
    expect(whole.map((m) => m.headers[':event-type'])).toEqual(['Records', 'Cont', 'Records', 'Stats', 'End']);
    expect(whole[2]!.payload.equals(Buffer.alloc(70_000, 7))).toBe(true);

    for (const step of [1, 5, 13, 4096]) {
      const d = decodeEventStream();
      const got: EventMessage[] = [];
      for (let i = 0; i < stream.length; i += step) got.push(...d.push(stream.subarray(i, i + step)));
      d.end();
      // Compare payloads as strings: deep-equality over 70 000 Buffer elements is slow.
      expect(got.map(summary)).toEqual(whole.map(summary));
    }
  });

  it('reports buffered bytes and rejects a stream that ends mid-message', () => {
    const d = decodeEventStream();
    expect(d.push(stream.subarray(0, 30))).toEqual([]);
    expect(d.buffered).toBe(30);
    expect(() => d.end()).toThrow(EventStreamError);
  });

  it('decodes an async byte stream', async () => {
    const got: string[] = [];
    for await (const m of readEventStream(Readable.from([stream.subarray(0, 50), stream.subarray(50)]))) {
      got.push(m.headers[':event-type'] as string);
    }
    expect(got).toEqual(['Records', 'Cont', 'Records', 'Stats', 'End']);
  });

  it('detects a corrupted payload byte (message CRC)', () => {
    const bad = Buffer.from(recordsMessage(Buffer.from('a,b\n')));
    bad[98] ^= 0x01;
    expect(() => decodeEventStream().push(bad)).toThrow(/message CRC/);
  });

  it('detects a corrupted length before waiting for the body (prelude CRC)', () => {
    const bad = Buffer.from(endMessage());
    bad[2] = 0x7f; // claims ~8 MB; must fail at once instead of buffering
    expect(() => decodeEventStream().push(bad.subarray(0, 12))).toThrow(/prelude CRC/);
  });

  it('detects a corrupted trailing CRC', () => {
    const bad = Buffer.from(contMessage());
    bad[bad.length - 1] ^= 0xff;
    expect(() => decodeAll(bad)).toThrow(EventStreamError);
  });

  it('decodes every header value type', () => {
    const i64 = Buffer.alloc(8);
    i64.writeBigInt64BE(-5n);
    const ts = Buffer.alloc(8);
    ts.writeBigInt64BE(1_700_000_000_123n);
    const uuid = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const headers = Buffer.concat([
      header('t', 0, Buffer.alloc(0)),
      header('f', 1, Buffer.alloc(0)),
      header('i8', 2, Buffer.from([0xff])),
      header('i16', 3, Buffer.from([0x01, 0x00])),
      header('i32', 4, Buffer.from([0xff, 0xff, 0xff, 0xfe])),
      header('i64', 5, i64),
      header('b', 6, Buffer.from([0, 2, 0xde, 0xad])),
      header('s', 7, Buffer.from([0, 2, 0x68, 0x69])),
      header('ts', 8, ts),
      header('u', 9, uuid),
    ]);
    const [m] = decodeAll(rawFrame(headers, Buffer.from('x')));
    expect(m!.headers).toEqual({
      t: true, f: false, i8: -1, i16: 256, i32: -2, i64: -5n, b: Buffer.from([0xde, 0xad]), s: 'hi',
      ts: new Date(1_700_000_000_123), u: '00112233-4455-6677-8899-aabbccddeeff',
    });
    expect(m!.payload.toString()).toBe('x');
  });

  it('rejects duplicate header names, unknown types and truncated header blocks', () => {
    const dup = Buffer.concat([header('a', 0, Buffer.alloc(0)), header('a', 1, Buffer.alloc(0))]);
    expect(() => decodeAll(rawFrame(dup))).toThrow(/duplicate/);
    expect(() => decodeAll(rawFrame(header('a', 10, Buffer.alloc(0))))).toThrow(/unknown/);
    expect(() => decodeAll(rawFrame(header('a', 7, Buffer.from([0, 9, 0x41]))))).toThrow(/truncated/);
  });

  it('rejects a header block larger than the limit', () => {
    const prelude = Buffer.alloc(12);
    prelude.writeUInt32BE(16 + 200_000, 0);
    prelude.writeUInt32BE(200_000, 4);
    prelude.writeUInt32BE(crc32(prelude.subarray(0, 8)), 8);
    expect(() => decodeEventStream().push(prelude)).toThrow(/headers/);
  });
});
