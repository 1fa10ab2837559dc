// Protobuf decoded by two threads (src/formats/tail-split.ts), both sides run here: the head stops before
// the first message starting at or past an offset, the tail starts at the message the length prefixes
// from the start lead to (messageAt). Whatever the offset, the rows and errors (message numbers and
// byte offsets included) must be those of one decode of the whole file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeProtobufToArrow, loadProtoSchema, messageAt } from '../src/formats/protobuf.js';
import { joinTail } from '../src/formats/tail-split.js';
import { plainRows } from './helpers/arrow-plain.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'selectd-protobuf-split-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const PROTO = 'syntax = "proto3";\npackage t;\nmessage Flight { int64 id = 1; string origin = 2; double delay = 3; repeated int32 legs = 4; }\n';
const root = await loadProtoSchema(PROTO, async () => '', 'f.proto');
const Flight = root.lookupType('t.Flight');

/** `n` length-delimited messages (some of them large, so lengths take two or three varint bytes). */
function write(name: string, n: number, extra: Buffer = Buffer.alloc(0)): string {
  const file = path.join(dir, name);
  const parts = Array.from({ length: n }, (_, i) => Buffer.from(Flight.encodeDelimited({
    id: i, origin: i % 500 === 0 ? 'X'.repeat(20_000) : ['SFO', 'LAX', 'JFK'][i % 3], delay: i / 8, legs: i % 3 ? [i, i + 1] : [],
  }).finish()));
  fs.writeFileSync(file, Buffer.concat([...parts, extra]));
  return file;
}

const opts = (columns?: string[]) => ({ root, messageType: 't.Flight', columns });
const whole = async (file: string, columns?: string[]) => plainRows(await decodeProtobufToArrow(async () => fs.createReadStream(file), opts(columns)));
const outcome = (p: Promise<unknown>) => p.then((rows) => ({ rows }), (e: Error) => ({ error: e.message }));

/** The head here, the rest from where it stopped, as the query's thread decodes it when no tail comes. */
async function split(file: string, from: number, columns?: string[]) {
  let stop: number | undefined;
  const head = await decodeProtobufToArrow(async () => fs.createReadStream(file), { ...opts(columns), stopAt: from, onStop: (at) => { stop = at; } });
  const batches = joinTail({
    head: head.batches, stopped: () => stop, startTail: () => Promise.reject(new Error('decoded here')), readRest: () => undefined,
    rest: async (at) => {
      const start = await messageAt(file, at);
      return (await decodeProtobufToArrow(fs.createReadStream(file, { start: start.offset }), { ...opts(columns), start })).batches;
    },
  });
  return { rows: await plainRows({ schema: head.schema, batches }), stop };
}

describe('Protobuf split between two threads', () => {
  it('decodes the messages before the offset here and the rest from the message the lengths lead to', async () => {
    const file = write('f.binpb', 3000);
    const size = fs.statSync(file).size;
    const expected = await whole(file);
    for (const share of [0, 0.25, 0.55, 0.99]) {
      const from = Math.floor(size * share);
      const r = await split(file, from);
      expect(r.rows).toEqual(expected);
      const at = await messageAt(file, from);
      expect(at.offset).toBe(r.stop ?? size);
      expect(at.offset).toBeGreaterThanOrEqual(from);
    }
    expect((await split(file, Math.floor(size / 2), ['delay', 'id'])).rows).toEqual(await whole(file, ['delay', 'id']));
    expect(await messageAt(file, size + 10)).toMatchObject({ offset: size });
  });

  it('fails as one decode does, with the same message number and byte, when the tail is broken', async () => {
    const cut = write('cut.binpb', 2000, Buffer.from([0x20, 0x08])); // a last message cut short
    const bad = write('bad.binpb', 2000, Buffer.from([0x02, 0x0f, 0x01])); // wire type 7 does not exist
    for (const file of [cut, bad]) {
      const expected = await outcome(whole(file));
      expect(expected).toHaveProperty('error');
      expect(await outcome(split(file, Math.floor(fs.statSync(file).size / 2)).then((r) => r.rows))).toEqual(expected);
    }
  });
});
