// Avro decoded by two threads (src/formats/tail-split.ts), both sides run here: the head stops before the
// first block starting at or past an offset, the tail starts at the block the sync marker before it ends.
// Whatever the offset, and whether the tail comes from the other side, is refused, lost or starts
// elsewhere, the rows and errors must be those of one decode of the whole file.
import avro from 'avsc';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAvroFrom, decodeAvroToArrow } from '../src/formats/avro.js';
import { batchToShared, joinTail, tailSplitOffset, TAIL_SPLIT_MAX_BYTES, TAIL_SPLIT_MIN_BYTES, type Tail } from '../src/formats/tail-split.js';
import { plainRows } from './helpers/arrow-plain.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'selectd-avro-split-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const type = avro.Type.forSchema({
  type: 'record', name: 'Flight',
  fields: [{ name: 'id', type: 'long' }, { name: 'origin', type: 'string' }, { name: 'delay', type: ['null', 'double'] }],
});

/** An Avro file of `n` records in blocks of about `blockSize` bytes, written by avsc. */
async function write(name: string, n: number, codec: 'null' | 'deflate', blockSize = 2048): Promise<string> {
  const file = path.join(dir, name);
  const enc = new avro.streams.BlockEncoder(type, { codec, blockSize });
  const out = fs.createWriteStream(file);
  enc.pipe(out);
  for (let i = 0; i < n; i++) enc.write({ id: i, origin: ['SFO', 'LAX', 'JFK'][i % 3], delay: i % 7 ? i / 4 : null });
  enc.end();
  await new Promise((resolve) => out.on('finish', resolve));
  return file;
}

const whole = async (file: string, columns?: string[]) => plainRows(await decodeAvroToArrow(async () => fs.createReadStream(file), { columns }));
const outcome = (p: Promise<unknown>) => p.then((rows) => ({ rows }), (e: Error) => ({ error: e.message }));

/** The tail as the other side sends it. */
async function localTail(file: string, from: number, columns?: string[]): Promise<Tail> {
  const { start, batches } = await decodeAvroFrom(file, from, { columns });
  const shared: Uint8Array[] = [];
  let records = 0;
  for await (const b of batches) {
    records += b.numRows;
    shared.push(batchToShared(b));
  }
  return { first: start, records, batches: shared };
}

/** The split decode with the tail given by `tail` (called once the head starts). */
async function split(file: string, from: number, tail: () => Promise<Tail>, columns?: string[]) {
  let stop: number | undefined;
  let rest = false;
  const head = await decodeAvroToArrow(async () => fs.createReadStream(file), { columns, stopAt: from, onStop: (at) => { stop = at; } });
  const batches = joinTail({
    head: head.batches, stopped: () => stop, startTail: tail, readRest: () => { rest = true; },
    rest: async (at) => (await decodeAvroFrom(file, at, { columns })).batches,
  });
  const rows = await plainRows({ schema: head.schema, batches });
  return { rows, stop, rest };
}

describe('Avro split between two threads', () => {
  it('decodes the blocks before the offset here and the rest from the block after the marker, rows as one decode gives', async () => {
    for (const codec of ['null', 'deflate'] as const) {
      const file = await write(`f-${codec}.avro`, 6000, codec);
      const size = fs.statSync(file).size;
      const expected = await whole(file);
      for (const share of [0, 0.3, 0.55, 0.9]) {
        const from = Math.floor(size * share);
        const r = await split(file, from, () => localTail(file, from));
        expect(r.rows).toEqual(expected);
        expect(r.rest).toBe(true);
        expect(r.stop).toBeGreaterThanOrEqual(from);
        expect((await decodeAvroFrom(file, from)).start).toBe(r.stop);
      }
      expect(await (await split(file, Math.floor(size / 2), () => localTail(file, Math.floor(size / 2), ['origin']), ['origin'])).rows).toEqual(await whole(file, ['origin']));
    }
  });

  it('reads to the end with no tail when no block starts at or past the offset', async () => {
    const file = await write('one-block.avro', 50, 'null', 1 << 20);
    const size = fs.statSync(file).size;
    const r = await split(file, size - 20, () => Promise.reject(new Error('never asked')));
    expect(r).toMatchObject({ rows: await whole(file), stop: undefined, rest: false });
    expect((await decodeAvroFrom(file, size - 20)).start).toBe(size);
  });

  it('decodes the tail itself when the other side fails or starts at another block', async () => {
    const file = await write('fallback.avro', 5000, 'deflate');
    const from = Math.floor(fs.statSync(file).size / 2);
    const expected = await whole(file);
    expect((await split(file, from, () => Promise.reject(new Error('lost')))).rows).toEqual(expected);
    const elsewhere = async () => ({ ...(await localTail(file, from + 4000)), first: from + 4000 });
    expect((await split(file, from, elsewhere)).rows).toEqual(expected);
  });

  it('fails as one decode does when a block past the offset is corrupt', async () => {
    const good = fs.readFileSync(await write('corrupt-src.avro', 5000, 'deflate'));
    const bad = Buffer.from(good);
    bad.fill(0x5a, bad.length - 600, bad.length - 560); // inside the last block's data
    const file = path.join(dir, 'corrupt.avro');
    fs.writeFileSync(file, bad);
    const from = Math.floor(bad.length / 2);
    const expected = await outcome(whole(file));
    expect(expected).toHaveProperty('error');
    expect(await outcome(split(file, from, () => localTail(file, from)).then((r) => r.rows))).toEqual(expected);
  });

  it('splits files worth it and small enough to hold the tail', () => {
    expect(tailSplitOffset(TAIL_SPLIT_MIN_BYTES - 1)).toBeUndefined();
    expect(tailSplitOffset(TAIL_SPLIT_MAX_BYTES + 1)).toBeUndefined();
    expect(tailSplitOffset(TAIL_SPLIT_MIN_BYTES * 4)).toBeGreaterThan(TAIL_SPLIT_MIN_BYTES);
  });
});
