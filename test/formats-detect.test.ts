import { describe, expect, it } from 'vitest';
import { detectFormat } from '../src/formats/detect.js';

const AVRO = Uint8Array.from([0x4f, 0x62, 0x6a, 0x01, 0x04]);
const ORC = Uint8Array.from([0x4f, 0x52, 0x43, 0x11]);
const PARQUET = Uint8Array.from([0x50, 0x41, 0x52, 0x31, 0x15]);
const TEXT = new TextEncoder().encode('{"a": 1}');

describe('detectFormat', () => {
  it('lets an explicit binary element win over everything the object says', () => {
    expect(detectFormat({ explicit: 'msgpack', head: AVRO, contentType: 'application/avro', key: 'x.avro' })).toBe('msgpack');
    expect(detectFormat({ explicit: 'protobuf', head: PARQUET, key: 'x.parquet' })).toBe('protobuf');
    expect(detectFormat({ explicit: 'orc', head: TEXT, key: 'x.json' })).toBe('orc');
    expect(detectFormat({ explicit: 'avro', head: TEXT, key: 'x' })).toBe('avro');
  });

  it.each([
    ['avro', AVRO],
    ['orc', ORC],
    ['parquet', PARQUET],
  ] as const)('recognises %s by its magic bytes, before Content-Type and extension', (format, head) => {
    expect(detectFormat({ head, contentType: 'application/x-msgpack', key: 'data.pb' })).toBe(format);
    expect(detectFormat({ explicit: 'json', head, key: 'data.json' })).toBe(format);
    expect(detectFormat({ explicit: 'csv', head, key: 'data.csv' })).toBe(format);
  });

  it('does not take a magic prefix longer than the head', () => {
    expect(detectFormat({ head: AVRO.subarray(0, 3), key: 'x' })).toBeUndefined();
    expect(detectFormat({ head: new Uint8Array(0), key: 'x' })).toBeUndefined();
  });

  it.each([
    ['application/avro', 'avro'],
    ['application/vnd.apache.orc', 'orc'],
    ['application/x-orc', 'orc'],
    ['application/vnd.msgpack', 'msgpack'],
    ['application/x-msgpack', 'msgpack'],
    ['application/x-protobuf', 'protobuf'],
    ['application/protobuf', 'protobuf'],
    ['Application/X-Protobuf; messageType=pkg.Msg', 'protobuf'],
  ] as const)('maps Content-Type %s to %s, ahead of the extension', (contentType, format) => {
    expect(detectFormat({ head: TEXT, contentType, key: 'file.avro' })).toBe(format);
  });

  it.each([
    ['a/b/data.avro', 'avro'],
    ['data.ORC', 'orc'],
    ['x.msgpack', 'msgpack'],
    ['x.mpk', 'msgpack'],
    ['dir.v2/x.pb', 'protobuf'],
    ['x.binpb', 'protobuf'],
  ] as const)('falls back to the extension of %s', (key, format) => {
    expect(detectFormat({ head: TEXT, contentType: 'application/octet-stream', key })).toBe(format);
  });

  it('ignores a dot in a folder name and a leading dot', () => {
    expect(detectFormat({ head: TEXT, key: 'exports.avro/data' })).toBeUndefined();
    expect(detectFormat({ head: TEXT, key: 'dir/.avro' })).toBeUndefined();
  });

  it('leaves undetected objects to the request: Parquet means Parquet, JSON and CSV mean the text pipelines', () => {
    expect(detectFormat({ explicit: 'parquet', head: TEXT, key: 'x.bin' })).toBe('parquet');
    expect(detectFormat({ explicit: 'json', head: TEXT, key: 'x.json' })).toBeUndefined();
    expect(detectFormat({ explicit: 'csv', head: TEXT, contentType: 'text/csv', key: 'x.csv' })).toBeUndefined();
    expect(detectFormat({ head: TEXT, key: 'x' })).toBeUndefined();
  });
});
