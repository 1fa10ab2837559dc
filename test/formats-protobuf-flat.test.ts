// Protobuf messages read by the direct reader (protobuf-flat.ts) must decode exactly as protobufjs decodes
// them: every scalar type and wire encoding, presence and defaults, the last of repeated occurrences, and
// the messages it leaves to protobufjs (groups, invalid UTF-8, missing required fields), whole or projected.
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeProtobufToArrow, loadProtoSchema } from '../src/formats/protobuf.js';
import { chunked, plainRows } from './helpers/arrow-plain.js';
import { expectS3Error } from './helpers/store.js';

const P3 = `syntax = "proto3"; package t;
enum Color { RED = 0; GREEN = 1; }
message All {
  int32 i32 = 1; uint32 u32 = 2; sint32 s32 = 3; int64 i64 = 4; uint64 u64 = 5; sint64 s64 = 6;
  fixed32 f32 = 7; sfixed32 sf32 = 8; fixed64 f64 = 9; sfixed64 sf64 = 10; float fl = 11; double db = 12;
  bool b = 13; string s = 14; bytes by = 15; Color c = 16; optional int32 opt = 17; oneof pick { string name = 18; int32 num = 19; }
  repeated int32 many = 20; int32 far = 300000; int32 huge = 536870911;
}`;
const P2 = `syntax = "proto2"; package t2;
message Old { required int32 id = 1; optional int32 n = 2 [default = 7]; optional string s = 3; }`;
const root3 = await loadProtoSchema(P3, async () => '');
const root2 = await loadProtoSchema(P2, async () => '');
const All = root3.lookupType('t.All');
const Old = root2.lookupType('t2.Old');

/** Length-delimited messages, as raw bodies. */
const framed = (bodies: Uint8Array[]) => {
  const w = protobuf.Writer.create();
  for (const b of bodies) w.bytes(b);
  return Buffer.from(w.finish());
};
const decode = async (root: protobuf.Root, type: string, buf: Buffer, columns?: string[], chunk = 1 << 16) =>
  plainRows(await decodeProtobufToArrow(chunked(buf, chunk), { root, messageType: type, columns }));

const full = {
  i32: -5, u32: 4294967295, s32: -7, i64: '-9223372036854775808', u64: '18446744073709551615', s64: '-3', f32: 4000000000, sf32: -2,
  f64: '18446744073709551614', sf64: '-9', fl: 1.5, db: -0.25, b: true, s: 'héllo 𝄞', by: '00ff', c: 'GREEN', opt: 0, name: null, num: 0, many: [1, 2], far: 9, huge: -4,
};
const fullMsg = All.encode(All.fromObject({
  ...full, i64: '-9223372036854775808', u64: '18446744073709551615', f64: '18446744073709551614', sf64: '-9', s64: '-3', by: Buffer.from([0, 255]), name: undefined,
})).finish();

describe('Protobuf messages read directly', () => {
  it('decodes every scalar type as protobufjs does, whole and projected', async () => {
    const empty = All.encode({}).finish();
    const buf = framed([fullMsg, empty]);
    const defaults = {
      i32: 0, u32: 0, s32: 0, i64: '0', u64: '0', s64: '0', f32: 0, sf32: 0, f64: '0', sf64: '0', fl: 0, db: 0, b: false, s: '', by: '', c: 'RED',
      opt: null, name: null, num: null, many: [], far: 0, huge: 0,
    };
    // Whole, the repeated field sends every message through protobufjs; without it, through the reader.
    expect(await decode(root3, 't.All', buf, undefined, 3)).toEqual([full, defaults]);
    const scalars = Object.keys(full).filter((k) => k !== 'many');
    const pick = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'many'));
    expect(await decode(root3, 't.All', buf, scalars, 5)).toEqual([pick(full), pick(defaults)]);
    expect(await decode(root3, 't.All', buf, ['s', 'fl'], 5)).toEqual([{ fl: 1.5, s: 'héllo 𝄞' }, { fl: 0, s: '' }]);
  });

  it('reads over-long varints, a multi-byte true and an unknown enum number as protobufjs does', async () => {
    // i32 = -1 as a ten-byte varint; b = true with its only bit past the low 32; c = 9 (no such value).
    const body = Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x68, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x80, 0x01, 0x09]);
    expect(await decode(root3, 't.All', framed([body]), ['i32', 'b', 'c'])).toEqual([{ i32: -1, b: true, c: '9' }]);
  });

  it('keeps the last of repeated occurrences of a field, and skips unknown fields and groups', async () => {
    const w = protobuf.Writer.create();
    w.uint32((1 << 3) | 0).int32(1).uint32((14 << 3) | 2).string('a').uint32((1 << 3) | 0).int32(2);
    w.uint32((99 << 3) | 2).string('unknown').uint32((98 << 3) | 5).fixed32(1).uint32((300001 << 3) | 1).fixed64(7);
    w.uint32((97 << 3) | 3).uint32((1 << 3) | 0).int32(5).uint32((97 << 3) | 4).uint32(((2 ** 26) << 3) >>> 0).int32(8);
    w.uint32((14 << 3) | 2).string('b');
    const buf = framed([w.finish()]);
    expect(await decode(root3, 't.All', buf, ['i32', 's'])).toEqual([{ i32: 2, s: 'b' }]);
  });

  it('rejects field number 0', async () => {
    const err = await expectS3Error(decode(root3, 't.All', framed([Buffer.from([0x00, 0x01])]), ['s']), 'ProtobufParsingError');
    expect(err.message).toMatch(/Message 0 at byte 0 does not decode as t.All: field number 0/);
  });

  it('rejects a declared field that arrives with another wire type', async () => {
    const body = Buffer.from([0x0a, 0x01, 0x61]); // i32 (a varint) as length-delimited
    const err = await expectS3Error(decode(root3, 't.All', framed([fullMsg, body]), ['s']), 'ProtobufParsingError');
    expect(err.message).toMatch(/Message 1 at byte \d+ does not decode as t.All: field 1 has wire type 2/);
  });

  it('gives presence its due: a proto3 optional zero and a oneof member are values, absent ones null', async () => {
    const buf = framed([All.encode({ opt: 0, num: 0 }).finish(), All.encode({ name: 'x' }).finish()]);
    expect(await decode(root3, 't.All', buf, ['opt', 'name', 'num'])).toEqual([{ opt: 0, name: null, num: 0 }, { opt: null, name: 'x', num: null }]);
  });

  it('fails on invalid UTF-8 in a proto3 string, projected or not, as the whole message type does', async () => {
    const body = Buffer.from([0x72, 0x02, 0xc3, 0x28]); // s = C3 28
    for (const columns of [undefined, ['s'], ['s', 'i32']]) {
      const err = await expectS3Error(decode(root3, 't.All', framed([fullMsg, body]), columns), 'ProtobufParsingError');
      expect(err.message).toMatch(/Message 1 at byte \d+ does not decode as t.All: .*not valid/);
    }
  });

  it('reads proto2 defaults, replaces invalid UTF-8, and fails on a missing required field', async () => {
    const ok = framed([Old.encode({ id: 1 }).finish(), Buffer.from([0x08, 0x02, 0x1a, 0x01, 0xff])]);
    expect(await decode(root2, 't2.Old', ok)).toEqual([{ id: 1, n: null, s: null }, { id: 2, n: null, s: '\ufffd' }]);
    expect(await decode(root2, 't2.Old', ok, ['s'])).toEqual([{ s: null }, { s: '\ufffd' }]);
    const noId = Buffer.from([0x10, 0x03]); // n = 3 and no id
    const err = await expectS3Error(decode(root2, 't2.Old', framed([Old.encode({ id: 1 }).finish(), noId])), 'ProtobufParsingError');
    expect(err.message).toMatch(/Message 1 at byte \d+ does not decode as t2.Old: missing required 'id'/);
  });

  it('reports a field cut off inside a message', async () => {
    const body = Buffer.from([0x72, 0x05, 0x61]); // s declares 5 bytes, 1 follows
    const err = await expectS3Error(decode(root3, 't.All', framed([fullMsg, body]), ['s']), 'ProtobufParsingError');
    expect(err.message).toMatch(/Message 1 at byte \d+ does not decode as t.All/);
  });

  it('decodes many messages the same from chunks of any size', async () => {
    const msgs = Array.from({ length: 300 }, (_, i) => All.encode({ i32: i - 150, s: `m${i}`, db: i / 8, c: i % 2, far: i }).finish());
    const buf = framed(msgs);
    const want = msgs.map((_, i) => ({ i32: i - 150, s: `m${i}`, db: i / 8, c: i % 2 ? 'GREEN' : 'RED', far: i }));
    for (const size of [1, 7, 100, 4096]) expect(await decode(root3, 't.All', buf, ['i32', 's', 'db', 'c', 'far'], size)).toEqual(want);
  });
});
