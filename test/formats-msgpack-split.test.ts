// MessagePack decoded by two threads (src/formats/msgpack-split.ts), with both sides run in this thread:
// the schema side's walk (TailedInference) answers the tail request before it starts, so which records
// each side decodes is fixed. Whatever the tail holds, and whether the other side decodes it, refuses it
// or fails, the rows and errors must be those of the one-thread decoder.
import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import type { ArrowDecoded } from '../src/formats/batches.js';
import { cutterFor, decodeMsgpackToArrow, inferMsgpack, wantedShapes, type MsgpackInference } from '../src/formats/msgpack.js';
import { decodeWithTail, splitOffset, SPLIT_MAX_BYTES, SPLIT_MIN_BYTES, TailedInference, type TailEvent, type TailJob, type TailRequest } from '../src/formats/msgpack-split.js';
import { batchToShared, type Tail } from '../src/formats/tail-split.js';
import { chunked, plainRows } from './helpers/arrow-plain.js';

const CHUNK = 4096;
const reopen = (buf: Buffer) => async () => chunked(buf, CHUNK);
type Rec = Record<string, unknown>;

/** The schema side, run here when the tail is asked for; `how` may make it refuse or lose the tail. */
function localJob(buf: Buffer, how: 'decode' | 'refuse' | 'lose' = 'decode') {
  const events: TailEvent[] = [];
  let whole: Promise<MsgpackInference> | undefined;
  const walk = new TailedInference(chunked(buf, CHUNK), (e) => events.push(e));
  const job: TailJob = {
    async request(req: TailRequest) {
      const taken = how !== 'refuse' && walk.offer(req);
      whole = walk.run();
      return taken;
    },
    async tail(): Promise<Tail> {
      await whole;
      const end = events.at(-1);
      if (how === 'lose' || end?.kind !== 'done') throw new Error(end?.kind === 'failed' ? end.message : 'no tail');
      const batches = events.flatMap((e) => (e.kind === 'batch' ? [batchToShared(e.batch)] : []));
      return { first: end.first, records: end.records, batches };
    },
  };
  return { job, events, whole: () => whole! };
}

/** Decodes `buf` as the query's thread would with a sample's inference, split at `share` of its bytes. */
async function split(buf: Buffer, sample: MsgpackInference, columns: string[] | undefined, share: number, how?: 'decode' | 'refuse' | 'lose') {
  const shapes = wantedShapes(sample.fields, columns);
  const cutter = cutterFor(shapes, { batchRows: 1000 });
  const local = localJob(buf, how);
  const decoded: ArrowDecoded = { schema: cutter.schema, batches: decodeWithTail(reopen(buf), shapes, cutter, local.job, Math.floor(buf.length * share), undefined, 1000) };
  return { decoded, local };
}

const oneThread = async (buf: Buffer, sample: MsgpackInference, columns?: string[]) =>
  plainRows(await decodeMsgpackToArrow(reopen(buf), { columns, inferred: sample, batchRows: 1000 }));

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: Error) => e.message);

const records = (n: number, make: (i: number) => Rec) => Array.from({ length: n }, (_, i) => make(i));
const stream = (rs: Rec[]) => Buffer.concat(rs.map((r) => encode(r)));
const flights = (i: number): Rec => ({ id: i, origin: ['SFO', 'LAX', 'JFK'][i % 3], delay: (i * 7) % 50 - 5, time: i / 8, ok: i % 2 === 0, note: i % 5 ? null : `n${i}` });

describe('MessagePack split between two threads', () => {
  it('decodes the head here and takes the tail from the schema side, rows as one thread decodes them', async () => {
    for (const buf of [stream(records(5000, flights)), Buffer.from(encode(records(5000, flights)))]) {
      const sample = await inferMsgpack(reopen(buf), undefined, 100);
      for (const columns of [undefined, ['delay', 'origin']]) {
        const { decoded, local } = await split(buf, sample, columns, 0.6);
        expect(await plainRows(decoded)).toEqual(await oneThread(buf, sample, columns));
        const done = local.events.at(-1);
        expect(done?.kind).toBe('done');
        // The tail starts at the first record at or past 60 % of the bytes, and runs to the end.
        expect(done).toMatchObject({ records: 5000 - (done as { first: number }).first });
        expect((done as { first: number }).first).toBeGreaterThan(2500);
      }
    }
  });

  it('infers the whole object on the schema side as the schema pass does', async () => {
    const buf = stream(records(3000, (i) => ({ ...flights(i), ...(i === 2900 ? { late: [1, 2] } : {}) })));
    const sample = await inferMsgpack(reopen(buf), undefined, 100);
    const { decoded, local } = await split(buf, sample, ['id'], 0.5);
    await plainRows(decoded);
    expect(await local.whole()).toEqual(await inferMsgpack(reopen(buf)));
  });

  it('decodes the tail itself when the schema side refuses it or loses it', async () => {
    const buf = stream(records(4000, flights));
    const sample = await inferMsgpack(reopen(buf), undefined, 100);
    const expected = await oneThread(buf, sample);
    for (const how of ['refuse', 'lose'] as const) {
      const { decoded, local } = await split(buf, sample, undefined, 0.5, how);
      expect(await plainRows(decoded)).toEqual(expected);
      if (how === 'refuse') expect(local.events).toEqual([]);
    }
  });

  it('refuses a tail request once its walk has passed the offset', async () => {
    const buf = stream(records(2000, flights));
    const walk = new TailedInference(chunked(buf, CHUNK), () => undefined);
    await walk.run();
    const sample = await inferMsgpack(reopen(buf));
    expect(walk.offer({ shapes: wantedShapes(sample.fields, undefined), from: buf.length / 2 })).toBe(false);
  });

  it('answers or fails as one thread does when a tail record does not fit the sample or does not decode', async () => {
    const late = (i: number) => (i === 3500 ? { ...flights(i), delay: 'late' } : flights(i));
    const good = stream(records(4000, flights));
    const cut = Buffer.concat([good, Buffer.from([0x82, 0xa2, 0x69, 0x64])]); // a last record cut short
    const bad = Buffer.concat([stream(records(3800, flights)), Buffer.from([0xc1]), stream(records(200, flights))]); // never a type byte
    const outcome = (p: Promise<unknown>) => p.then((rows) => ({ rows }), (e: Error) => ({ error: e.message }));
    const outcomes = [];
    for (const buf of [stream(records(4000, late)), cut, bad]) {
      const sample = await inferMsgpack(reopen(buf), undefined, 100);
      const expected = await outcome(oneThread(buf, sample));
      const { decoded, local } = await split(buf, sample, undefined, 0.5);
      expect(await outcome(plainRows(decoded))).toEqual(expected);
      outcomes.push(Object.keys(expected)[0]);
      await local.whole()?.catch(() => undefined);
    }
    expect(outcomes).toEqual(['error', 'error', 'error']);
  });

  it('splits only local objects of flat columns, of a size worth it and small enough to hold the tail', async () => {
    const sample = await inferMsgpack(reopen(stream(records(10, flights))));
    const shapes = wantedShapes(sample.fields, undefined);
    expect(splitOffset(SPLIT_MIN_BYTES - 1, shapes)).toBeUndefined();
    expect(splitOffset(SPLIT_MAX_BYTES + 1, shapes)).toBeUndefined();
    expect(splitOffset(SPLIT_MIN_BYTES * 2, shapes)).toBeGreaterThan(SPLIT_MIN_BYTES);
    const nested = await inferMsgpack(reopen(stream([{ a: [1], b: 2 }])));
    expect(splitOffset(SPLIT_MIN_BYTES * 2, wantedShapes(nested.fields, ['a']))).toBeUndefined();
    expect(splitOffset(SPLIT_MIN_BYTES * 2, wantedShapes(nested.fields, ['b']))).toBeDefined();
  });
});
