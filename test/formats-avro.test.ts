import avro from 'avsc';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeAvroToArrow } from '../src/formats/avro.js';
import { chunked, plainRows } from './helpers/arrow-plain.js';
import { expectS3Error } from './helpers/store.js';

const DIR = 'test/fixtures/formats';
const expected = JSON.parse(fs.readFileSync(`${DIR}/expected.json`, 'utf8')).avro as Record<string, unknown>[];
const fixture = (codec: string) => fs.readFileSync(`${DIR}/avro/flights_${codec}.avro`);

/** Avro zig-zag varint. */
function long(n: number): Buffer {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  while (z >= 128) {
    out.push((z % 128) | 128);
    z = Math.floor(z / 128);
  }
  out.push(z);
  return Buffer.from(out);
}
const bytes = (b: Buffer | string) => Buffer.concat([long(Buffer.byteLength(b)), Buffer.from(b)]);
const SYNC = Buffer.alloc(16, 0xab);

/** An object container file framed by hand, so malformed framing can be written on purpose. */
function container(schema: unknown, blocks: { count: number; data: Buffer; size?: number }[], codec = 'null'): Buffer {
  const meta = [['avro.schema', JSON.stringify(schema)], ['avro.codec', codec]];
  const header = Buffer.concat([Buffer.from('Obj\x01', 'latin1'), long(meta.length), ...meta.flatMap(([k, v]) => [bytes(k!), bytes(v!)]), long(0), SYNC]);
  return Buffer.concat([header, ...blocks.flatMap((b) => [long(b.count), long(b.size ?? b.data.length), b.data, SYNC])]);
}

const decodeAll = async (buf: Buffer, opts = {}) => plainRows(await decodeAvroToArrow(Readable.from([buf]), opts));

describe('Avro fixtures written by fastavro', () => {
  it.each(['null', 'deflate', 'snappy', 'zstandard'])('decodes the %s codec to the expected values and Arrow types', async (codec) => {
    const decoded = await decodeAvroToArrow(chunked(fixture(codec), 97));
    const types = Object.fromEntries(decoded.schema.fields.map((f) => [f.name, String(f.type)]));
    expect(types).toMatchObject({
      id: 'Int64', small: 'Int32', ratio: 'Float32', day: 'Date32<DAY>', t_ms: 'Time32<MILLISECOND>', t_us: 'Time64<MICROSECOND>',
      ts_ms: 'Timestamp<MILLISECOND, UTC>', ts_us: 'Timestamp<MICROSECOND, UTC>', price: 'Decimal[10e+2]', price_fixed: 'Decimal[18e+4]',
      uid: 'Utf8', color: 'Utf8', tags: 'List<Utf8>', attrs: 'Map<{key:Utf8, value:Int64}>', hash: 'FixedSizeBinary[4]', raw: 'Binary', nothing: 'Null',
    });
    expect(decoded.schema.fields.find((f) => f.name === 'score')!.nullable).toBe(true);
    expect(decoded.schema.fields.find((f) => f.name === 'name')!.nullable).toBe(false);
    expect(await plainRows(decoded)).toEqual(expected);
  });

  it('decodes only the requested top-level fields, in file order', async () => {
    const decoded = await decodeAvroToArrow(Readable.from([fixture('deflate')]), { columns: ['point', 'big', 'choice', 'missing'] });
    expect(decoded.schema.fields.map((f) => f.name)).toEqual(['big', 'point', 'choice']);
    expect(await plainRows(decoded)).toEqual(expected.map((r) => ({ big: r.big, point: r.point, choice: r.choice })));
  });

  it('cuts batches of the requested size', async () => {
    const decoded = await decodeAvroToArrow(Readable.from([fixture('null')]), { batchRows: 7, columns: ['id'] });
    const sizes: number[] = [];
    for await (const b of decoded.batches) sizes.push(b.numRows);
    expect(sizes).toEqual([7, 7, 7, 7, 7, 7, 7, 7, 4]);
  });

  it('closes the source when the consumer stops early', async () => {
    const stream = Readable.from([fixture('null')]);
    const decoded = await decodeAvroToArrow(stream, { batchRows: 5 });
    for await (const b of decoded.batches) {
      expect(b.numRows).toBe(5);
      break;
    }
    expect(stream.destroyed).toBe(true);
  });
});

describe('Avro schemas beyond the fixture', () => {
  it('exposes a non-record top-level schema as one column named value', async () => {
    const type = avro.Type.forSchema({ type: 'array', items: 'int' });
    const data = Buffer.concat([type.toBuffer([1, 2]), type.toBuffer([])]);
    expect(await decodeAll(container({ type: 'array', items: 'int' }, [{ count: 2, data }]))).toEqual([{ value: [1, 2] }, { value: [] }]);
  });

  it('reads longs beyond 2^53 exactly, including inside arrays and maps', async () => {
    const schema = { type: 'record', name: 'R', fields: [{ name: 'xs', type: { type: 'array', items: 'long' } }] };
    // zig-zag of 2^63 - 1 and -2^63: the largest and smallest longs
    const max = Buffer.from([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    const min = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    const data = Buffer.concat([long(2), max, min, long(0)]);
    expect(await decodeAll(container(schema, [{ count: 1, data }]))).toEqual([{ xs: ['9223372036854775807', '-9223372036854775808'] }]);
  });

  it('maps uuid on fixed, local timestamps, and decimals too wide for Decimal128', async () => {
    const schema = {
      type: 'record', name: 'R', fields: [
        { name: 'u', type: { type: 'fixed', name: 'U', size: 16, logicalType: 'uuid' } },
        { name: 'lt', type: { type: 'long', logicalType: 'local-timestamp-millis' } },
        { name: 'wide', type: { type: 'bytes', logicalType: 'decimal', precision: 40, scale: 2 } },
        { name: 'odd', type: { type: 'string', logicalType: 'date' } },
      ],
    };
    const uuid = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const data = Buffer.concat([uuid, long(1_700_000_000_123), bytes(Buffer.from([0x01, 0x00])), bytes('not a date')]);
    const decoded = await decodeAvroToArrow(Readable.from([container(schema, [{ count: 1, data }])]));
    expect(decoded.schema.fields.map((f) => String(f.type))).toEqual(['Utf8', 'Timestamp<MILLISECOND>', 'Binary', 'Utf8']);
    expect(await plainRows(decoded)).toEqual([{ u: '00112233-4455-6677-8899-aabbccddeeff', lt: '1700000000123', wide: '0100', odd: 'not a date' }]);
  });

  it('rejects a decimal whose bytes exceed its declared precision', async () => {
    const schema = { type: 'record', name: 'R', fields: [{ name: 'd', type: { type: 'bytes', logicalType: 'decimal', precision: 2, scale: 0 } }] };
    const err = await expectS3Error(decodeAll(container(schema, [{ count: 1, data: bytes(Buffer.from([0x03, 0xe8])) }])), 'AvroParsingError');
    expect(err.message).toMatch(/exceeds precision 2/);
  });

  it('rejects a recursive record type, which has no columnar form', async () => {
    const schema = { type: 'record', name: 'Node', fields: [{ name: 'next', type: ['null', 'Node'] }] };
    const err = await expectS3Error(decodeAll(container(schema, [])), 'AvroParsingError');
    expect(err.message).toMatch(/recursive type Node/);
  });
});

describe('Avro strings and longs read straight into their columns', () => {
  const schema = { type: 'record', name: 'S', fields: [{ name: 's', type: 'string' }, { name: 'n', type: 'long' }, { name: 'o', type: ['null', 'string'] }] };
  const rec = (s: Buffer, n: number, o?: Buffer) => Buffer.concat([long(s.length), s, long(n), o ? Buffer.concat([long(1), long(o.length), o]) : long(0)]);

  it('keeps valid UTF-8 as written, replaces invalid bytes as avsc decodes them, and reads longs exactly', async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('x')]);
    const bad = Buffer.from([0x61, 0xc3, 0x28]);
    const data = Buffer.concat([rec(Buffer.from('h€llo 𝄞'), -(2 ** 40) - 7, Buffer.from('ö')), rec(bom, 2 ** 32, bad), rec(bad, -1), rec(Buffer.alloc(0), 4294967295)]);
    expect(await decodeAll(container(schema, [{ count: 4, data }]))).toEqual([
      { s: 'h€llo 𝄞', n: '-1099511627783', o: 'ö' },
      { s: '\ufeffx', n: '4294967296', o: 'a\ufffd(' },
      { s: 'a\ufffd(', n: '-1', o: null },
      { s: '', n: '4294967295', o: null },
    ]);
  });

  it.each([
    ['a negative string length', Buffer.concat([long(-3), long(1), long(0)])],
    ['a string running past the block', Buffer.concat([long(50), Buffer.from('short')])],
  ])('fails on %s as a record running past its block', async (_name, data) => {
    const err = await expectS3Error(decodeAll(container(schema, [{ count: 1, data }])), 'AvroParsingError');
    expect(err.message).toMatch(/record 0 runs past the block/);
  });
});

describe('malformed Avro input', () => {
  const schema = { type: 'record', name: 'R', fields: [{ name: 'a', type: 'long' }, { name: 'b', type: 'string' }] };
  const type = avro.Type.forSchema(schema);
  const rows = Buffer.concat([type.toBuffer({ a: 1, b: 'x' }), type.toBuffer({ a: 2, b: 'yy' })]);
  const good = container(schema, [{ count: 2, data: rows }]);

  it('accepts the hand-framed file the malformed cases start from', async () => {
    expect(await decodeAll(good)).toEqual([{ a: '1', b: 'x' }, { a: '2', b: 'yy' }]);
  });

  it.each([
    ['bad magic', Buffer.from('PAR1 not avro'), /bad magic/],
    ['an empty object', Buffer.alloc(0), /bad magic/],
    ['a truncated header', good.subarray(0, 30), /header is truncated/],
    ['a truncated block', good.subarray(0, good.length - 20), /truncated: block at byte \d+ declares/],
    ['a block cut inside its header', Buffer.concat([good.subarray(0, good.length - rows.length - 18), Buffer.from([0x84])]), /block header at byte \d+ is incomplete/],
    ['a wrong sync marker', Buffer.concat([good.subarray(0, good.length - 1), Buffer.from([0])]), /sync marker/],
    ['a block larger than the cap', container(schema, [{ count: 1, data: Buffer.alloc(4), size: 2 ** 40 }]), /over the 67108864-byte limit/],
    ['an unknown codec', container(schema, [], 'lzo'), /Unsupported Avro codec 'lzo'/],
    ['an invalid schema', container({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'nope' }] }, []), /schema is invalid/],
    ['more records than the block holds', container(schema, [{ count: 3, data: rows }]), /record 2 runs past the block/],
    ['fewer records than the block holds', container(schema, [{ count: 1, data: rows }]), /bytes left after 1 records/],
    ['a corrupt deflate block', container(schema, [{ count: 2, data: Buffer.from('not deflate at all') }], 'deflate'), /deflate/],
    ['a corrupt snappy block', container(schema, [{ count: 2, data: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0, 0, 0]) }], 'snappy'), /snappy/],
  ])('rejects %s with AvroParsingError', async (_name, buf, message) => {
    const err = await expectS3Error(decodeAll(buf), 'AvroParsingError');
    expect(err.message).toMatch(message);
  });

  it('rejects data written with another schema (a string where a long is declared)', async () => {
    const other = avro.Type.forSchema({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'string' }, { name: 'b', type: 'string' }] });
    const data = Buffer.concat([other.toBuffer({ a: 'a long string here', b: 'x' })]);
    await expectS3Error(decodeAll(container(schema, [{ count: 1, data }])), 'AvroParsingError');
  });

  it('fails fast on an array count far beyond the block, without allocating it', async () => {
    const arr = { type: 'record', name: 'R', fields: [{ name: 'xs', type: { type: 'array', items: 'int' } }] };
    const data = Buffer.concat([long(2 ** 40), long(1), long(0)]);
    const err = await expectS3Error(decodeAll(container(arr, [{ count: 1, data }])), 'AvroParsingError');
    expect(err.message).toMatch(/block count \d+ exceeds the data/);
  });

  it('checks the CRC of snappy blocks', async () => {
    const snappyOk = fixture('snappy');
    // The last block ends with its 4-byte CRC and the 16-byte sync marker: corrupt the CRC only.
    const bad = Buffer.from(snappyOk);
    bad[bad.length - 17] ^= 0xff;
    const err = await expectS3Error(decodeAll(bad), 'AvroParsingError');
    expect(err.message).toMatch(/checksum mismatch/);
  });

  it('inflates deflate blocks under the same cap as raw blocks', async () => {
    const data = zlib.deflateRawSync(rows);
    expect(await decodeAll(container(schema, [{ count: 2, data }], 'deflate'))).toHaveLength(2);
  });
});
