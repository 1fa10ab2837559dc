// Malformed Avro, ORC, Protobuf and MessagePack objects answer their documented parsing error (before the
// stream starts, as a 400) and leave the server healthy, with the columnar cache on and off. With the
// cache off each query decodes only its columns, and ORC skips stripes its WHERE clause rules out.
import avsc from 'avsc';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { raw } from './helpers/raw.js';
import { runSelectCases, type SelectCase } from './helpers/select-cases.js';
import { ROOT, serversWithAndWithoutCache, type RunningServer } from './helpers/server.js';

const B = 'broken';
const SEL = path.join(ROOT, 'test/fixtures/formats/select');
const ORC = path.join(ROOT, 'test/fixtures/orc');
const PROTO_META = { 'x-amz-meta-protobuf-message': 'selectd.select.Flight', 'x-amz-meta-protobuf-schema': 'schemas/flight.proto' };
const PARQUET = { Parquet: {} };

const avro = readFileSync(path.join(SEL, 'flights.avro'));
const binpb = readFileSync(path.join(SEL, 'flights.binpb'));
const msgpack = readFileSync(path.join(SEL, 'flights.msgpack'));

/** Each malformed object, its upload headers and the error its query must answer. */
const BROKEN: { key: string; body: Buffer; headers?: Record<string, string>; error: string }[] = [
  { key: 'truncated.avro', body: avro.subarray(0, Math.floor(avro.length * 0.6)), error: 'AvroParsingError' },
  { key: 'garbage.avro', body: Buffer.concat([Buffer.from('Obj\x01'), Buffer.alloc(64, 0xfe)]), error: 'AvroParsingError' },
  { key: 'empty.avro', body: Buffer.alloc(0), error: 'AvroParsingError' },
  { key: 'truncated.orc', body: readFileSync(path.join(ORC, 'truncated.orc')), error: 'OrcParsingError' },
  { key: 'bad-magic.orc', body: readFileSync(path.join(ORC, 'bad-magic.orc')), error: 'OrcParsingError' },
  { key: 'bad-varint.binpb', body: Buffer.alloc(12, 0xff), headers: PROTO_META, error: 'ProtobufParsingError' },
  { key: 'truncated.binpb', body: binpb.subarray(0, Math.floor(binpb.length / 2)), headers: PROTO_META, error: 'ProtobufParsingError' },
  // Messages of another type (the decoder fixtures' Flight): their field 2 is an integer, not a string.
  { key: 'wrong-schema.binpb', body: readFileSync(path.join(ROOT, 'test/fixtures/formats/protobuf/flights.binpb')), headers: PROTO_META, error: 'ProtobufParsingError' },
  { key: 'garbage.msgpack', body: Buffer.from([0x81, 0xa1, 0x61, 0xc1, 0xc1, 0xc1]), error: 'MessagePackParsingError' },
  { key: 'truncated.msgpack', body: msgpack.subarray(0, Math.floor(msgpack.length / 2) + 3), error: 'MessagePackParsingError' },
];


/** A flat Avro file (so decoded into a DuckDB table) of 100k rows: more than one batch of 65536. */
async function flatAvro(): Promise<Buffer> {
  const type = avsc.Type.forSchema({ type: 'record', name: 'Row', fields: [{ name: 'id', type: 'long' }, { name: 'name', type: 'string' }] });
  const parts: Buffer[] = [];
  const rows = (function* () { for (let id = 0; id < 100_000; id++) yield { id, name: `row ${id}` }; })();
  await pipeline(Readable.from(rows), new avsc.streams.BlockEncoder(type, { codec: 'null' }), new Writable({ write(c: Buffer, _e, cb) { parts.push(c); cb(); } }));
  return Buffer.concat(parts);
}

async function gauge(server: RunningServer, name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
}

/**
 * Polls a gauge of /metrics until it reads 0 (or 10 s pass); returns the last reading. Tables are dropped
 * and shadows built after the response has ended.
 */
async function settled(server: RunningServer, name: string): Promise<number> {
  const deadline = Date.now() + 10_000;
  let n = await gauge(server, name);
  while (n !== 0 && Date.now() < deadline) {
    await new Promise((r) => setImmediate(r));
    n = await gauge(server, name);
  }
  return n;
}

async function load(server: RunningServer): Promise<void> {
  const put = async (key: string, body: Buffer, headers: Record<string, string> = {}) => {
    const r = await raw(server.url, { method: 'PUT', path: `/${B}/${key}`, body, headers });
    expect(r.status).toBe(200);
  };
  await raw(server.url, { method: 'PUT', path: `/${B}` });
  for (const b of BROKEN) await put(b.key, b.body, b.headers);
  for (const f of ['flights.parquet', 'flights.avro', 'flights.orc', 'flights.msgpack', 'sorted.orc']) await put(f, readFileSync(path.join(SEL, f)));
  await put('flights.binpb', binpb, PROTO_META);
  const flat = await flatAvro();
  await put('flat.avro', flat);
  // The last block's sync marker damaged: decoding fails after the first batch went into the table.
  const damaged = Buffer.from(flat);
  damaged[damaged.length - 1]! ^= 0xff;
  await put('flat-damaged.avro', damaged);
  await put('schemas/flight.proto', readFileSync(path.join(SEL, 'schemas/flight.proto')));
  await put('schemas/route/leg.proto', readFileSync(path.join(SEL, 'schemas/route/leg.proto')));
}

const { cached, uncached } = serversWithAndWithoutCache(load);

const healthy: SelectCase = { key: 'flights.avro', input: PARQUET, expression: "SELECT COUNT(*) FROM S3Object s WHERE s.origin = 'SFO'" };

describe.each([['on', cached], ['off', uncached]])('malformed objects, columnar cache %s', (_, server) => {
  it('answer the parsing error of their format before the stream, and the server stays healthy', async () => {
    const results = await runSelectCases(server().url, B, [
      ...BROKEN.map((b) => ({ key: b.key, input: PARQUET, expression: 'SELECT * FROM S3Object' })),
      healthy,
    ]);
    BROKEN.forEach((b, i) => {
      expect({ key: b.key, ...results[i] }).toMatchObject({ key: b.key, error: b.error, errorKind: 'http' });
    });
    expect(results[BROKEN.length]).toMatchObject({ records: '75\n' });
    expect((await fetch(`${server().url}/health`)).status).toBe(200);
    // Failed builds leave no partial files behind (once the healthy query's shadow build is done).
    expect(await settled(server(), 'selectd_select_shadow_pending')).toBe(0);
    const shadowDir = path.join(server().dataDir, '.duckdb-tmp', 'shadow');
    expect(readdirSync(shadowDir).filter((f) => !f.endsWith('.parquet'))).toEqual([]);
  });

  it('drop the table a flat object was decoded into, after a failure part-way as after an answer', async () => {
    const [whole, damaged] = await runSelectCases(server().url, B, [
      { key: 'flat.avro', input: PARQUET, expression: "SELECT COUNT(*), MAX(s.id), MAX(s.name) FROM S3Object s WHERE s.name LIKE 'row 9%'" },
      { key: 'flat-damaged.avro', input: PARQUET, expression: 'SELECT * FROM S3Object' },
    ]);
    expect(whole).toMatchObject({ records: '11111,99999,row 99999\n' });
    expect(damaged).toMatchObject({ error: 'AvroParsingError' });
    expect(damaged!.message).toMatch(/sync marker/);
    expect(await settled(server(), 'selectd_select_decoded_tables')).toBe(0);
  });
});

describe('without the columnar cache', () => {
  it('decodes only the referenced columns and answers as with the cache', async () => {
    const queries = [
      'SELECT s.id, s.leg.code, s.tags[0] FROM S3Object s WHERE s.delay > 140',
      "SELECT COUNT(*), SUM(s.delay) FROM S3Object s WHERE s.origin = 'SFO'",
      'SELECT * FROM S3Object s LIMIT 3',
    ];
    const list = ['flights.avro', 'flights.orc', 'flights.msgpack', 'flights.binpb'].flatMap((key) => queries.map((expression) => ({ key, input: PARQUET, expression })));
    const [withCache, without] = await Promise.all([runSelectCases(cached().url, B, list), runSelectCases(uncached().url, B, list)]);
    for (const r of withCache) expect(r.error).toBeUndefined();
    expect(without.map((r) => r.records)).toEqual(withCache.map((r) => r.records));
    // Only the referenced columns were decoded, so nothing was cached: the shadow directory stays empty.
    expect(readdirSync(path.join(uncached().dataDir, '.duckdb-tmp', 'shadow'))).toEqual([]);
  });

  it('skips ORC stripes whose statistics rule out the WHERE clause', async () => {
    const q = (where: string): SelectCase => ({ key: 'sorted.orc', input: PARQUET, expression: `SELECT COUNT(s.name) FROM S3Object s WHERE ${where}` });
    const [all, low, both, name, score, unknown] = await runSelectCases(uncached().url, B, [
      q('s.id >= 0'), q('s.id < 100'), q('s.id < 100 OR s.id BETWEEN 1500 AND 1599'), q(`s.name = 'n01500${'-'.repeat(24)}'`), q('s.score <= 10'),
      q("s.id + 0 < 100"),
    ]);
    expect([all, low, both, name, score, unknown].map((r) => r.records)).toEqual(['3000\n', '100\n', '200\n', '1\n', '21\n', '100\n']);
    const scanned = (r: typeof all) => r.stats!.BytesScanned;
    // 8 stripes of 375 rows: one stripe (plus the file tail) instead of eight.
    expect(scanned(low)).toBeLessThan(scanned(all) / 3);
    expect(scanned(both)).toBeLessThan(scanned(all) / 2);
    expect(scanned(both)).toBeGreaterThan(scanned(low));
    expect(scanned(name)).toBeLessThan(scanned(all) / 3);
    expect(scanned(score)).toBeLessThan(scanned(all) / 3);
    // An expression the statistics cannot decide reads every stripe.
    expect(scanned(unknown)).toBe(scanned(all));
  });
});
