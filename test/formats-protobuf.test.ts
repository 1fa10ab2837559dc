import fs from 'node:fs';
import { Readable } from 'node:stream';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeProtobufToArrow, loadProtoSchema } from '../src/formats/protobuf.js';
import { chunked, plainRows } from './helpers/arrow-plain.js';
import { expectS3Error } from './helpers/store.js';

const DIR = 'test/fixtures/formats';
const expected = JSON.parse(fs.readFileSync(`${DIR}/expected.json`, 'utf8')).protobuf as Record<string, unknown>[];
const data = fs.readFileSync(`${DIR}/protobuf/flights.binpb`);
const fetched: string[] = [];
const fetchSibling = async (p: string) => {
  fetched.push(p);
  return fs.promises.readFile(`${DIR}/schemas/${p}`, 'utf8');
};
const root = await loadProtoSchema(fs.readFileSync(`${DIR}/schemas/flight.proto`, 'utf8'), fetchSibling, 'flight.proto');
const MSG = 'selectd.test.Flight';

describe('Protobuf fixture written by the python protobuf runtime', () => {
  it('loads the schema, fetching imports through the callback and google/protobuf/* from the bundle', () => {
    expect(fetched).toEqual(['common/point.proto']);
    expect(root.lookupType('google.protobuf.Timestamp').fullName).toBe('.google.protobuf.Timestamp');
  });

  it('decodes every message to the expected values and Arrow types', async () => {
    const decoded = await decodeProtobufToArrow(chunked(data, 61), { root, messageType: MSG });
    const types = Object.fromEntries(decoded.schema.fields.map((f) => [f.name, String(f.type)]));
    expect(types).toMatchObject({
      id: 'Int64', ubig: 'Uint64', f64: 'Uint64', u32: 'Uint32', sf32: 'Int32', ratio: 'Float32', color: 'Utf8',
      nums: 'List<Int64>', attrs: 'Map<{key:Utf8, value:Int64}>', codes: 'Map<{key:Int32, value:Utf8}>',
      point: 'Struct<{x:Float64, y:Float64, label:Utf8}>', when: 'Timestamp<MICROSECOND, UTC>', raw: 'Binary',
    });
    const nullable = decoded.schema.fields.filter((f) => f.nullable).map((f) => f.name);
    expect(nullable).toEqual(['maybe', 'point', 'choice_int', 'choice_str', 'choice_point', 'when']);
    expect(await plainRows(decoded)).toEqual(expected);
  });

  it('decodes only the requested fields and leaves the schema as it was', async () => {
    const before = root.lookupType(MSG).fieldsArray.length;
    const decoded = await decodeProtobufToArrow(Readable.from([data]), { root, messageType: `.${MSG}`, columns: ['legs', 'big', 'choice_point', 'maybe'] });
    expect(decoded.schema.fields.map((f) => f.name)).toEqual(['big', 'maybe', 'legs', 'choice_point']);
    expect(await plainRows(decoded)).toEqual(expected.map((r) => ({ big: r.big, maybe: r.maybe, legs: r.legs, choice_point: r.choice_point })));
    expect(root.lookupType(MSG).fieldsArray.length).toBe(before);
    expect(root.lookup('selectd.test.Flight__projection')).toBeNull();
  });

  it('renders a message type that contains itself as JSON text at the point of recursion', async () => {
    const tree = await loadProtoSchema('syntax = "proto3"; message Node { string name = 1; repeated Node kids = 2; }', async () => '');
    const Node = tree.lookupType('Node');
    const w = protobuf.Writer.create();
    Node.encodeDelimited({ name: 'root', kids: [{ name: 'a', kids: [{ name: 'b' }] }] }, w);
    const decoded = await decodeProtobufToArrow(Readable.from([Buffer.from(w.finish())]), { root: tree, messageType: 'Node' });
    expect(String(decoded.schema.fields[1]!.type)).toBe('List<Utf8>');
    const [row] = await plainRows(decoded);
    expect(row!.name).toBe('root');
    expect(JSON.parse((row!.kids as string[])[0]!)).toEqual({ name: 'a', kids: [{ name: 'b' }] });
  });
});

describe('Protobuf schema errors', () => {
  it.each([
    ['an unknown message type', async () => decodeProtobufToArrow(Readable.from([data]), { root, messageType: 'selectd.test.Nope' }), /'selectd.test.Nope' is not defined/],
    ['a name that is a package, not a message', async () => decodeProtobufToArrow(Readable.from([data]), { root, messageType: 'selectd.test' }), /is not defined/],
    ['a syntax error', () => loadProtoSchema('syntax = "proto3"; message { }', async () => ''), /does not parse/],
    ['an import the store cannot provide', () => loadProtoSchema('syntax = "proto3"; import "missing.proto";', async () => { throw new Error('NoSuchKey'); }), /imports 'missing.proto', which could not be read: NoSuchKey/],
    ['an unresolvable field type', () => loadProtoSchema('syntax = "proto3"; message A { Missing m = 1; }', async () => ''), /does not resolve/],
  ])('rejects %s with ProtobufParsingError', async (_name, run, message) => {
    const err = await expectS3Error(run(), 'ProtobufParsingError');
    expect(err.message).toMatch(message);
  });
});

describe('malformed Protobuf input', () => {
  const decodeAll = async (buf: Buffer, messageType = MSG) => plainRows(await decodeProtobufToArrow(Readable.from([buf]), { root, messageType }));

  it('decodes an empty object to no rows', async () => {
    expect(await decodeAll(Buffer.alloc(0))).toEqual([]);
  });

  it.each([
    ['a message cut short', data.subarray(0, data.length - 3), /truncated: message 59 at byte \d+ declares/],
    ['a length cut short', Buffer.concat([data, Buffer.from([0x80])]), /truncated: the length of message 60/],
    ['a varint longer than 10 bytes', Buffer.alloc(12, 0xff), /Bad varint/],
    ['a length over the cap', Buffer.from([0x80, 0x80, 0x80, 0x80, 0x01]), /over the 67108864-byte limit/],
    ['bytes that are not a message', Buffer.from([0x03, 0xff, 0xff, 0xff]), /Message 0 at byte 0 does not decode/],
  ])('rejects %s with ProtobufParsingError', async (_name, buf, message) => {
    const err = await expectS3Error(decodeAll(buf), 'ProtobufParsingError');
    expect(err.message).toMatch(message);
  });

  it('closes a stream it was given when the message type is unknown', async () => {
    const stream = Readable.from([data]);
    await expectS3Error(decodeProtobufToArrow(stream, { root, messageType: 'nope.Nope' }), 'ProtobufParsingError');
    expect(stream.destroyed).toBe(true);
  });

  it('rejects data of another message type by its wire types', async () => {
    const err = await expectS3Error(decodeAll(data, 'selectd.common.Point'), 'ProtobufParsingError');
    expect(err.message).toMatch(/does not decode as selectd.common.Point: field 2 has wire type 0/);
  });
});
