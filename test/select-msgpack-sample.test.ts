// MessagePack objects longer than the schema sample (MSGPACK_SAMPLE_RECORDS) are decoded with the
// sample's columns while the schema thread reads every record. Whatever the records hold after the
// sample — a new key (which the sample's columns cannot even plan), a wider type, a nested value — the
// answers must be those of the same object read gzip-compressed (which takes the two full passes: no
// sample), with the cache on and off. The schema thread starts with the server, before these queries.
// The objects past SPLIT_MIN_BYTES may also have their tail decoded by the schema thread (msgpack-split.ts).
import { encode } from '@msgpack/msgpack';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MSGPACK_SAMPLE_RECORDS } from '../src/select/sources/binary-decode.js';
import { raw } from './helpers/raw.js';
import { runSelectCases } from './helpers/select-cases.js';
import { serversWithAndWithoutCache, type RunningServer } from './helpers/server.js';

const B = 'sampled';
// The sample ends at the end of the first buffered chunk (1 MiB) after MSGPACK_SAMPLE_RECORDS records:
// these objects are a few MiB, and the records after LATE come well after the sample.
const N = 6 * MSGPACK_SAMPLE_RECORDS;
const LATE = N - 1000;
/** Records of the objects large enough to be split between two threads. */
const BIG = 24 * MSGPACK_SAMPLE_RECORDS;
const BIG_LATE = BIG - 1000;

type Rec = Record<string, unknown>;

/** Objects of N records, each alike but for what record LATE (and after) changes. */
const OBJECTS: Record<string, (i: number) => Rec> = {
  uniform: (i) => ({ id: i, city: ['SFO', 'LAX', 'JFK'][i % 3], delay: (i * 7) % 50 }),
  'late-key': (i) => ({ id: i, city: ['SFO', 'LAX', 'JFK'][i % 3], ...(i === LATE ? { note: 'late' } : {}) }),
  'late-float': (i) => ({ id: i, delay: i === LATE ? 2.5 : i % 10 }),
  'late-text': (i) => ({ id: i, delay: i >= LATE ? `d${i}` : i % 10 }),
  'late-struct': (i) => ({ id: i, leg: i === LATE ? { code: 'X9' } : null }),
  'big-uniform': (i) => ({ id: i, city: ['SFO', 'LAX', 'JFK'][i % 3], delay: (i * 7) % 50, ok: i % 2 === 0 }),
  'big-late-float': (i) => ({ id: i, city: ['SFO', 'LAX', 'JFK'][i % 3], delay: i === BIG_LATE ? 2.5 : i % 10 }),
};

const CASES: Record<string, string[]> = {
  uniform: ["SELECT COUNT(*), SUM(s.delay), MAX(s.id) FROM S3Object s WHERE s.city = 'SFO'", 'SELECT s.id FROM S3Object s WHERE s.delay = 49 LIMIT 5'],
  'late-key': ["SELECT s.id, s.note FROM S3Object s WHERE s.note = 'late'", 'SELECT COUNT(s.note), COUNT(*) FROM S3Object s', `SELECT * FROM S3Object s WHERE s.id >= ${LATE - 1} LIMIT 3`],
  'late-float': ['SELECT SUM(s.delay), MAX(s.delay) FROM S3Object s', `SELECT s.delay FROM S3Object s WHERE s.id = ${LATE}`],
  'late-text': [`SELECT COUNT(*) FROM S3Object s WHERE s.delay = 'd${LATE + 1}'`, 'SELECT MAX(s.id) FROM S3Object s'],
  'late-struct': ['SELECT s.id, s.leg.code FROM S3Object s WHERE s.leg IS NOT NULL'],
  'big-uniform': ["SELECT COUNT(*), SUM(s.delay), MAX(s.id) FROM S3Object s WHERE s.city = 'SFO' AND s.ok", `SELECT * FROM S3Object s WHERE s.id > ${BIG - 3}`],
  'big-late-float': ["SELECT SUM(s.delay), MAX(s.delay), COUNT(*) FROM S3Object s WHERE s.city <> 'LAX'"],
};


/** Bytes of each MessagePack object (uncompressed). */
const SIZES = new Map<string, number>();

async function load(server: RunningServer): Promise<void> {
  await raw(server.url, { method: 'PUT', path: `/${B}` });
  for (const [name, make] of Object.entries(OBJECTS)) {
    const records = Array.from({ length: name.startsWith('big-') ? BIG : N }, (_, i) => make(i));
    const msgpack = Buffer.concat(records.map((r) => encode(r)));
    SIZES.set(name, msgpack.length);
    for (const [key, body] of [[`${name}.msgpack`, msgpack], [`${name}.gz.msgpack`, gzipSync(msgpack)]] as const) {
      expect((await raw(server.url, { method: 'PUT', path: `/${B}/${key}`, body })).status).toBe(200);
    }
  }
}

const { cached, uncached } = serversWithAndWithoutCache(load);

describe.each([['on', cached], ['off', uncached]])('MessagePack past its schema sample, cache %s', (_, server) => {
  it('answers as without a sample, whatever changes after it', async () => {
    const list = Object.entries(CASES).flatMap(([name, exprs]) => exprs.map((expression) => ({ name, expression })));
    const sampled = await runSelectCases(server().url, B, list.map((c) => ({ key: `${c.name}.msgpack`, input: { JSON: { Type: 'LINES' } }, expression: c.expression })));
    const whole = await runSelectCases(server().url, B, list.map((c) => ({ key: `${c.name}.gz.msgpack`, input: { JSON: { Type: 'LINES' }, CompressionType: 'GZIP' }, expression: c.expression })));
    list.forEach((c, i) => {
      expect(whole[i]!.error, `${c.name}: ${c.expression}`).toBeUndefined();
      expect({ ...c, records: sampled[i]!.records, error: sampled[i]!.error }).toEqual({ ...c, records: whole[i]!.records, error: undefined });
    });
    // Whichever thread decoded which records, the object was read whole.
    list.forEach((c, i) => expect({ ...c, scanned: sampled[i]!.stats?.BytesScanned }).toEqual({ ...c, scanned: SIZES.get(c.name) }));
    const msgpack = sampled;
    // The answers checked really differ from what the sample alone would give.
    expect(msgpack[list.findIndex((c) => c.name === 'late-key')]!.records).toBe(`${LATE},late\n`);
    expect(msgpack[list.findIndex((c) => c.name === 'late-float')]!.records).toMatch(/^\d+\.5,9\.0\n$/);
    expect(msgpack[list.findIndex((c) => c.name === 'big-late-float')]!.records).toMatch(/^\d+\.5,9\.0,262144\n$/);
  });
});
