import { encode } from '@msgpack/msgpack';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decodeMsgpackToArrow } from '../src/formats/msgpack.js';
import { chunked, plainRows } from './helpers/arrow-plain.js';
import { expectS3Error } from './helpers/store.js';

const DIR = 'test/fixtures/formats';
const expected = JSON.parse(fs.readFileSync(`${DIR}/expected.json`, 'utf8')).msgpack as Record<string, unknown>[];
const fixture = (form: string) => fs.readFileSync(`${DIR}/msgpack/flights_${form}.msgpack`);
const reopen = (buf: Buffer, chunk = 1 << 16) => async () => chunked(buf, chunk);

const decodeAll = async (buf: Buffer, opts = {}) => plainRows(await decodeMsgpackToArrow(reopen(buf), opts));
const types = (d: { schema: { fields: { name: string; type: unknown }[] } }) => Object.fromEntries(d.schema.fields.map((f) => [f.name, String(f.type)]));

/** A float64 value, which @msgpack/msgpack would encode as an int when it is integral. */
const f64 = (x: number) => {
  const b = Buffer.alloc(9);
  b[0] = 0xcb;
  b.writeDoubleBE(x, 1);
  return b;
};

describe('MessagePack fixtures written by msgpack-python', () => {
  it.each(['stream', 'array'])('decodes the %s form in two passes to the expected values and types', async (form) => {
    const decoded = await decodeMsgpackToArrow(reopen(fixture(form), 13));
    expect(types(decoded)).toEqual({
      id: 'Int64', name: 'Utf8', score: 'Float64', flag: 'Bool', ts: 'Timestamp<MICROSECOND, UTC>', blob: 'Binary', tags: 'List<Utf8>',
      nested: 'Struct<{a:Int64, b:Utf8}>', big: 'Int64', mixed: 'Utf8', late: 'Utf8',
    });
    expect(await plainRows(decoded)).toEqual(expected);
  });

  it.each(['stream', 'array'])('decodes the %s form from a single stream when the sample sees every key', async (form) => {
    const decoded = await decodeMsgpackToArrow(chunked(fixture(form), 100), { batchRows: 1000 });
    expect(await plainRows(decoded)).toEqual(expected);
  });

  it('fails, rather than drop it, on a key first seen after the sample of a single stream', async () => {
    const decoded = await decodeMsgpackToArrow(chunked(fixture('stream'), 100), { batchRows: 20 });
    const err = await expectS3Error(plainRows(decoded), 'MessagePackParsingError');
    expect(err.message).toMatch(/record 45 adds a key or a value type/);
  });

  it('infers and decodes only the requested keys', async () => {
    const decoded = await decodeMsgpackToArrow(reopen(fixture('array')), { columns: ['late', 'id', 'absent'] });
    expect(types(decoded)).toEqual({ id: 'Int64', late: 'Utf8' });
    expect(await plainRows(decoded)).toEqual(expected.map((r) => ({ id: r.id, late: r.late })));
  });

  it('decodes an empty object to no columns and no rows', async () => {
    const decoded = await decodeMsgpackToArrow(reopen(Buffer.alloc(0)));
    expect(decoded.schema.fields).toEqual([]);
    expect(await plainRows(decoded)).toEqual([]);
  });
});

describe('MessagePack type inference', () => {
  it('keeps integral floats as floats and widens int + float to double', async () => {
    const buf = Buffer.concat([encode({ a: 1 }), Buffer.from([0x81, 0xa1, 0x61]), f64(2), Buffer.from([0x81, 0xa1, 0x62]), f64(3)]);
    const decoded = await decodeMsgpackToArrow(reopen(buf));
    expect(types(decoded)).toEqual({ a: 'Float64', b: 'Float64' });
    expect(await plainRows(decoded)).toEqual([{ a: 1, b: null }, { a: 2, b: null }, { a: null, b: 3 }]);
  });

  it('turns conflicting types into text: scalars as text, containers as JSON', async () => {
    const buf = Buffer.concat([
      encode({ v: 5 }),
      encode({ v: 'five' }),
      encode({ v: true }),
      encode({ v: [1, 'x'] }),
      encode({ v: { k: new Uint8Array([1, 2]) } }),
      encode({ v: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)) }),
      encode({ v: null }),
    ]);
    expect(await decodeAll(buf)).toEqual([
      { v: '5' }, { v: 'five' }, { v: 'true' }, { v: '[1,"x"]' }, { v: '{"k":"AQI="}' }, { v: '2024-01-02T03:04:05.006000Z' }, { v: null },
    ]);
  });

  it('merges struct keys and list elements across records', async () => {
    const buf = Buffer.concat([encode({ s: { a: 1 }, l: [] }), encode({ s: { b: 'x' }, l: [1.5, 2] }), encode({ s: null, l: null })]);
    const decoded = await decodeMsgpackToArrow(reopen(buf));
    expect(types(decoded)).toEqual({ s: 'Struct<{a:Int64, b:Utf8}>', l: 'List<Float64>' });
    expect(await plainRows(decoded)).toEqual([
      { s: { a: '1', b: null }, l: [] },
      { s: { a: null, b: 'x' }, l: [1.5, 2] },
      { s: null, l: null },
    ]);
  });

  it('keeps int64 exact and makes a uint64 beyond int64 text', async () => {
    const buf = Buffer.concat([encode({ i: -(2n ** 63n), u: 1 }, { useBigInt64: true }), encode({ i: 2n ** 63n - 1n, u: 2n ** 64n - 1n }, { useBigInt64: true })]);
    const decoded = await decodeMsgpackToArrow(reopen(buf));
    expect(types(decoded)).toEqual({ i: 'Int64', u: 'Utf8' });
    expect(await plainRows(decoded)).toEqual([{ i: '-9223372036854775808', u: '1' }, { i: '9223372036854775807', u: '18446744073709551615' }]);
  });

  it('reads unknown extension types as binary', async () => {
    const ext = Buffer.from([0x81, 0xa1, 0x65, 0xd5, 0x07, 0xbe, 0xef]); // {e: fixext2 type 7}
    expect(await decodeAll(ext)).toEqual([{ e: 'beef' }]);
  });
});

describe('malformed MessagePack input', () => {
  const stream = fixture('stream');
  const array = fixture('array');

  it.each([
    ['a record that is not a map', encode(5), /record 0 is not a map/],
    ['a non-string key', Buffer.from([0x81, 0x01, 0x02]), /record 0 has a key that is not a string/],
    ['a truncated record', stream.subarray(0, stream.length - 5), /truncated: record 59 at byte \d+ is incomplete/],
    ['a top-level array cut inside a record', array.subarray(0, 1000), /truncated: record \d+ at byte \d+ is incomplete/],
    ['a top-level array with fewer records than it declares', Buffer.concat([Buffer.from([0x93]), encode({ a: 1 }), encode({ a: 2 })]), /declares 3 records and holds 2/],
    ['a truncated array header', Buffer.from([0xdc, 0x00]), /inside its top-level array header/],
    ['bytes after the top-level array', Buffer.concat([array, encode({ a: 1 })]), /follow the top-level MessagePack array/],
    ['the never-used type byte 0xc1', Buffer.from([0x81, 0xa1, 0x61, 0xc1]), /Invalid MessagePack type byte 0xc1/],
    ['a string that declares 4 GiB', Buffer.from([0x81, 0xa1, 0x61, 0xdb, 0xff, 0xff, 0xff, 0xff, 0x61]), /truncated/],
    ['nesting deeper than 256', Buffer.concat([Buffer.from([0x81, 0xa1, 0x61]), Buffer.alloc(300, 0x91), Buffer.from([0x01])]), /nested more than 256 deep/],
  ])('rejects %s with MessagePackParsingError', async (_name, buf, message) => {
    const err = await expectS3Error(decodeAll(buf), 'MessagePackParsingError');
    expect(err.message).toMatch(message);
  });

  it('notices an object that changed between the two passes', async () => {
    let opened = 0;
    const versions = [Buffer.concat([encode({ a: 1 }), encode({ a: 2 })]), encode({ a: 1 })];
    const decoded = await decodeMsgpackToArrow(() => Readable.from([versions[opened++]!]));
    const err = await expectS3Error(plainRows(decoded), 'MessagePackParsingError');
    expect(err.message).toMatch(/changed between the schema pass and the decoding pass/);
  });
});
