// The MessagePack decoder's fast paths (msgpack-quick.ts for inference, msgpack-decode.ts for records)
// against what @msgpack/msgpack itself decodes: every encoding of each type, the values only the careful
// path may judge (a repeated key, invalid UTF-8, __proto__), projections, and chunk boundaries anywhere.
import { decodeMulti, encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { decodeMsgpackToArrow, inferMsgpack } from '../src/formats/msgpack.js';
import { chunked, plainRows } from './helpers/arrow-plain.js';
import { expectS3Error } from './helpers/store.js';

const reopen = (buf: Buffer, chunk = 1 << 16) => async () => chunked(buf, chunk);
const decodeAll = async (buf: Buffer, opts = {}, chunk?: number) => plainRows(await decodeMsgpackToArrow(reopen(buf, chunk), opts));
const types = (d: { schema: { fields: { name: string; type: unknown }[] } }) => Object.fromEntries(d.schema.fields.map((f) => [f.name, String(f.type)]));

/** A one-key map {k: <value bytes>}. */
const rec = (value: number[] | Buffer, key = 'k') => Buffer.concat([Buffer.from([0x81, 0xa0 | key.length]), Buffer.from(key), Buffer.from(value)]);
const be = (n: bigint, bytes: number) => {
  const b = Buffer.alloc(bytes);
  for (let i = bytes - 1; i >= 0; i--, n >>= 8n) b[i] = Number(n & 0xffn);
  return [...b];
};
const str = (s: Buffer | string, head: 'fix' | 8 | 16 | 32) => {
  const b = Buffer.from(s);
  const h = head === 'fix' ? [0xa0 | b.length] : head === 8 ? [0xd9, b.length] : head === 16 ? [0xda, ...be(BigInt(b.length), 2)] : [0xdb, ...be(BigInt(b.length), 4)];
  return Buffer.concat([Buffer.from(h), b]);
};

describe('MessagePack values read on the fast path', () => {
  it('reads every integer encoding into Int64 exactly', async () => {
    const ints: [number[], string][] = [
      [[0x05], '5'], [[0x7f], '127'], [[0xff], '-1'], [[0xe0], '-32'],
      [[0xcc, 0xff], '255'], [[0xcd, 0xff, 0xff], '65535'], [[0xce, 0xff, 0xff, 0xff, 0xff], '4294967295'],
      [[0xcf, ...be(2n ** 63n - 1n, 8)], '9223372036854775807'],
      [[0xd0, 0x80], '-128'], [[0xd1, 0x80, 0x00], '-32768'], [[0xd2, 0x80, 0, 0, 0], '-2147483648'],
      [[0xd3, ...be(2n ** 64n - 2n ** 63n, 8)], '-9223372036854775808'], [[0xd3, ...be(2n ** 64n - 5n, 8)], '-5'], [[0xc0], 'null'],
    ];
    const decoded = await decodeMsgpackToArrow(reopen(Buffer.concat(ints.map(([v]) => rec(v)))));
    expect(types(decoded)).toEqual({ k: 'Int64' });
    expect((await plainRows(decoded)).map((r) => String(r.k))).toEqual(ints.map(([, s]) => s));
  });

  it('reads floats, and integers in a Float64 column as Number() would', async () => {
    const big = 2n ** 53n + 1n; // not a double: rounds to even
    const values: [number[], number | null][] = [
      [[0xca, ...be(0x3fc00000n, 4)], 1.5], [[0xcb, ...[...Buffer.from(new Float64Array([-0.1]).buffer)].reverse()], -0.1],
      [[0x07], 7], [[0xd3, ...be(big, 8)], Number(big)], [[0xd3, ...be(2n ** 64n - big, 8)], Number(-big)],
      [[0xcf, ...be(2n ** 62n + 3n, 8)], Number(2n ** 62n + 3n)], [[0xd2, 0xff, 0xff, 0xff, 0xfe], -2], [[0xc0], null],
    ];
    const decoded = await decodeMsgpackToArrow(reopen(Buffer.concat(values.map(([v]) => rec(v)))));
    expect(types(decoded)).toEqual({ k: 'Float64' });
    expect((await plainRows(decoded)).map((r) => r.k)).toEqual(values.map(([, n]) => n));
  });

  it('reads booleans, strings of every header and binary of every header', async () => {
    const long = 'x'.repeat(300);
    const buf = Buffer.concat([
      rec([0xc3], 'b'), rec([0xc2], 'b'), rec([0xc0], 'b'),
      rec(str('hé', 'fix'), 's'), rec(str('€uro', 8), 's'), rec(str(long, 16), 's'), rec(str('𝄞', 32), 's'), rec(str('', 'fix'), 's'),
      rec([0xc4, 2, 0xbe, 0xef], 'x'), rec([0xc5, 0, 1, 0x01], 'x'), rec([0xc6, 0, 0, 0, 1, 0x02], 'x'),
      rec([0xd4, 0x07, 0xaa], 'x'), rec([0xd5, 0x07, 0xaa, 0xbb], 'x'), rec([0xd8, 0x07, ...Buffer.alloc(16, 0xcc)], 'x'),
      rec([0xc7, 3, 0x07, 1, 2, 3], 'x'), rec([0xc8, 0, 1, 0x07, 9], 'x'), rec([0xc9, 0, 0, 0, 1, 0x07, 8], 'x'),
    ]);
    const decoded = await decodeMsgpackToArrow(reopen(buf));
    expect(types(decoded)).toEqual({ b: 'Bool', s: 'Utf8', x: 'Binary' });
    const rows = await plainRows(decoded);
    expect(rows.map((r) => r.b).slice(0, 3)).toEqual([true, false, null]);
    expect(rows.map((r) => r.s).slice(3, 8)).toEqual(['hé', '€uro', long, '𝄞', '']);
    expect(rows.map((r) => r.x).slice(8)).toEqual(['beef', '01', '02', 'aa', 'aabb', 'cc'.repeat(16), '010203', '09', '08']);
  });

  it('decodes timestamps of each length, lists, structs and mixed (text) columns one value at a time', async () => {
    const ts32 = [0xd6, 0xff, ...be(1_700_000_000n, 4)];
    const ts64 = [0xd7, 0xff, ...be((5000n << 34n) | 1_700_000_000n, 8)];
    const ts96 = [0xc7, 12, 0xff, ...be(7000n, 4), ...be(2n ** 64n - 1n, 8)];
    const buf = Buffer.concat([rec(ts32, 't'), rec(ts64, 't'), rec(ts96, 't'), encode({ l: [1, 2], s: { a: 'x' }, m: 1 }), encode({ m: 'y', s: null })]);
    const decoded = await decodeMsgpackToArrow(reopen(buf));
    expect(types(decoded)).toEqual({ t: 'Timestamp<MICROSECOND, UTC>', l: 'List<Int64>', s: 'Struct<{a:Utf8}>', m: 'Utf8' });
    expect(await plainRows(decoded)).toEqual([
      { t: '1700000000000000', l: null, s: null, m: null },
      { t: '1700000000000005', l: null, s: null, m: null },
      { t: '-999993', l: null, s: null, m: null },
      { t: null, l: ['1', '2'], s: { a: 'x' }, m: '1' },
      { t: null, l: null, s: null, m: 'y' },
    ]);
  });

  it('keeps the last value of a repeated key, as a decoded map does', async () => {
    const dup = Buffer.from([0x82, 0xa1, 0x61, 0x01, 0xa1, 0x61, 0x02]); // {a: 1, a: 2}
    expect(await decodeAll(Buffer.concat([encode({ a: 0 }), dup, encode({ a: 3 })]))).toEqual([{ a: '0' }, { a: '2' }, { a: '3' }]);
  });

  it('decodes strings @msgpack/msgpack reads differently from their bytes exactly as it does', async () => {
    const bad = Buffer.from([0x61, 0xc3, 0x28, 0xff]); // invalid UTF-8
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('b'.repeat(250))]); // long: TextDecoder drops the BOM
    const buf = Buffer.concat([rec(str('ok', 'fix'), 's'), rec(str(bad, 8), 's'), rec(str(bom, 16), 's')]);
    const oracle = [...decodeMulti(buf)].map((r) => Buffer.from((r as { s: string }).s).toString('utf8'));
    expect(oracle[2]).toBe('b'.repeat(250));
    expect((await decodeAll(buf)).map((r) => r.s)).toEqual(oracle);
  });

  it('reads a record without a key that Object.prototype has (constructor) as null', async () => {
    expect(await decodeAll(Buffer.concat([encode({ constructor: 'c', v: 1 }), encode({ v: 2 })]))).toEqual([{ constructor: 'c', v: '1' }, { constructor: null, v: '2' }]);
  });

  it('fails on a __proto__ key as @msgpack/msgpack does', async () => {
    const buf = Buffer.concat([encode({ a: 1 }), Buffer.from([0x81, 0xa9]), Buffer.from('__proto__'), Buffer.from([0x01])]);
    const err = await expectS3Error(decodeAll(buf), 'MessagePackParsingError');
    expect(err.message).toMatch(/record 1 does not decode: The key __proto__ is not allowed/);
  });

  it('fails on a timestamp of an unknown length as @msgpack/msgpack does', async () => {
    const err = await expectS3Error(decodeAll(rec([0xd5, 0xff, 0, 0], 't')), 'MessagePackParsingError');
    expect(err.message).toMatch(/record 0 does not decode: Unrecognized data size for timestamp/);
  });
});

describe('MessagePack records across chunks and projections', () => {
  const records = Array.from({ length: 400 }, (_, i) => ({
    id: i, name: `n${i % 7}`, score: i % 3 ? i / 4 : i, flag: i % 2 === 0, tags: i % 5 ? ['a', 'b'] : [], note: i % 11 ? null : { k: i },
  }));
  const buf = Buffer.concat(records.map((r) => encode(r)));
  const want = records.map((r) => ({
    id: String(r.id), name: r.name, score: r.score, flag: r.flag, tags: r.tags, note: r.note === null ? null : { k: String(r.note.k) },
  }));

  it.each([1, 5, 64, 4096])('decodes the same rows from chunks of %i bytes', async (size) => {
    expect(await decodeAll(buf, {}, size)).toEqual(want);
  });

  it('decodes only the wanted keys, skipping nested values of the others unread', async () => {
    expect(await decodeAll(buf, { columns: ['score', 'name'] }, 13)).toEqual(want.map((r) => ({ name: r.name, score: r.score })));
  });

  it('reuses one schema pass for decodes of different columns', async () => {
    const open = reopen(buf, 100);
    const inferred = await inferMsgpack(open);
    expect(inferred.records).toBe(400);
    const a = await plainRows(await decodeMsgpackToArrow(open, { columns: ['flag'], inferred }));
    const b = await plainRows(await decodeMsgpackToArrow(open, { columns: ['id', 'tags'], inferred }));
    expect(a).toEqual(want.map((r) => ({ flag: r.flag })));
    expect(b).toEqual(want.map((r) => ({ id: r.id, tags: r.tags })));
  });

  it('widens a column when a record with the same keys holds a wider value', async () => {
    const same = Buffer.concat([...Array.from({ length: 50 }, (_, i) => encode({ a: i, b: 'x' })), encode({ a: 0.5, b: 'y' }), encode({ a: 'z', b: 'w' })]);
    const decoded = await decodeMsgpackToArrow(reopen(same, 7));
    expect(types(decoded)).toEqual({ a: 'Utf8', b: 'Utf8' });
    expect((await plainRows(decoded)).slice(48)).toEqual([{ a: '48', b: 'x' }, { a: '49', b: 'x' }, { a: '0.5', b: 'y' }, { a: 'z', b: 'w' }]);
  });

  it('turns a timestamp column that meets another extension, or a binary one that meets a timestamp, into text', async () => {
    const ts = [0xd6, 0xff, 0, 0, 0, 1];
    const ext = [0xd4, 0x07, 0xaa];
    const many = (v: number[]) => Array.from({ length: 20 }, () => rec(v));
    for (const [first, then] of [[ts, ext], [ext, ts]]) {
      const decoded = await decodeMsgpackToArrow(reopen(Buffer.concat([...many(first!), rec(then!)]), 11));
      expect(types(decoded)).toEqual({ k: 'Utf8' });
      expect((await plainRows(decoded)).at(-1)).toEqual({ k: then === ts ? '1970-01-01T00:00:01.000000Z' : 'qg==' });
    }
  });

  it('reports a record cut off inside a value with the record and its offset', async () => {
    const cut = buf.subarray(0, buf.length - 2);
    const err = await expectS3Error(decodeAll(cut, {}, 9), 'MessagePackParsingError');
    expect(err.message).toMatch(/truncated: record 399 at byte \d+ is incomplete/);
  });

  it('reports a record that is not a map after many that are', async () => {
    const err = await expectS3Error(decodeAll(Buffer.concat([buf, encode([1, 2])]), {}, 64), 'MessagePackParsingError');
    expect(err.message).toMatch(/record 400 is not a map/);
  });
});
