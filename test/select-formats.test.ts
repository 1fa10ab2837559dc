// Avro, ORC, Protobuf and MessagePack objects through S3 Select: boto3 with {'Parquet': {}} (the object's
// own bytes choose the decoder), our explicit XML elements via raw signed requests, and the same queries
// answered alike over the CSV, JSON LINES and Parquet versions of the same flights table
// (test/fixtures/formats/select, written by independent writers), plus the decoder fixtures of
// test/fixtures/formats and test/fixtures/orc checked against their expected values.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw } from './helpers/raw.js';
import { runSelectCases, type SelectCase, type SelectResult } from './helpers/select-cases.js';
import { rawSelect, selectXml } from './helpers/select-raw.js';
import { ROOT, startServer, type RunningServer } from './helpers/server.js';

const B = 'formats';
const SEL = path.join(ROOT, 'test/fixtures/formats/select');
const FMT = path.join(ROOT, 'test/fixtures/formats');
const ORC = path.join(ROOT, 'test/fixtures/orc');
const PROTO_META = { 'x-amz-meta-protobuf-message': 'selectd.select.Flight', 'x-amz-meta-protobuf-schema': 'schemas/flight.proto' };
const PARQUET = { Parquet: {} };
const ORC_TYPES = ['types-none', 'types-zlib', 'types-snappy', 'types-lz4', 'types-zstd'];

let server: RunningServer;

async function put(key: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<void> {
  const r = await raw(server.url, { method: 'PUT', path: `/${B}/${key}`, body: Buffer.from(body), headers });
  expect(r.status).toBe(200);
}

beforeAll(async () => {
  server = await startServer();
  await raw(server.url, { method: 'PUT', path: `/${B}` });
  for (const f of ['flights.avro', 'flights.orc', 'flights.msgpack', 'flights.parquet', 'flights.csv', 'flights.jsonl']) {
    await put(f, readFileSync(path.join(SEL, f)));
  }
  await put('schemas/flight.proto', readFileSync(path.join(SEL, 'schemas/flight.proto')));
  await put('schemas/route/leg.proto', readFileSync(path.join(SEL, 'schemas/route/leg.proto')));
  const binpb = readFileSync(path.join(SEL, 'flights.binpb'));
  await put('flights.binpb', binpb, PROTO_META);
  // Objects that say nothing about themselves: only an explicit element or header can name their format.
  await put('anonymous/protobuf', binpb);
  await put('anonymous/msgpack', readFileSync(path.join(SEL, 'flights.msgpack')));
  await put('typed/msgpack', readFileSync(path.join(SEL, 'flights.msgpack')), { 'content-type': 'application/vnd.msgpack' });
  await put('typed/records.mpk', readFileSync(path.join(SEL, 'flights.msgpack')));
  // The decoder fixtures, with their own schema files under fx/.
  for (const codec of ['null', 'deflate', 'snappy', 'zstandard']) await put(`fx/${codec}.avro`, readFileSync(path.join(FMT, `avro/flights_${codec}.avro`)));
  for (const form of ['stream', 'array']) await put(`fx/${form}.msgpack`, readFileSync(path.join(FMT, `msgpack/flights_${form}.msgpack`)));
  await put('fx/schemas/flight.proto', readFileSync(path.join(FMT, 'schemas/flight.proto')));
  await put('fx/schemas/common/point.proto', readFileSync(path.join(FMT, 'schemas/common/point.proto')));
  await put('fx/flights.binpb', readFileSync(path.join(FMT, 'protobuf/flights.binpb')),
    { 'x-amz-meta-protobuf-message': 'selectd.test.Flight', 'x-amz-meta-protobuf-schema': 'fx/schemas/flight.proto' });
  for (const f of [...ORC_TYPES, 'union', 'stripes']) await put(`fx/${f}.orc`, readFileSync(path.join(ORC, `${f}.orc`)));
});
afterAll(async () => { await server?.stop(); });

const QUERIES: { expression: string; output?: Record<string, unknown> }[] = [
  { expression: 'SELECT * FROM S3Object s LIMIT 4', output: { JSON: {} } },
  { expression: "SELECT COUNT(*), SUM(s.delay), MIN(s.distance), MAX(s.departed) FROM S3Object s WHERE s.origin = 'SFO'" },
  { expression: 'SELECT s.id, s.leg.code, s.tags[0] FROM S3Object s WHERE s.delay > 140 AND s.cancelled = false' },
  { expression: 'SELECT s.id, s.delay FROM S3Object s WHERE s.delay IS NULL LIMIT 6', output: { JSON: {} } },
  { expression: "SELECT s.id, s.departed FROM S3Object s WHERE s.departed > CAST('2024-01-20T00:00:00Z' AS TIMESTAMP) LIMIT 3" },
  { expression: "SELECT s.id, s.tags FROM S3Object s WHERE s.tags[1] = 'red-eye' AND s.leg.minutes < 35", output: { JSON: {} } },
];

function cases(key: string, input: Record<string, unknown>): SelectCase[] {
  return QUERIES.map((q) => ({ key, input, ...q }));
}

function answers(results: SelectResult[]): { records?: string; error?: string }[] {
  return results.map((r) => ({ records: r.records, error: r.error }));
}

describe('binary objects through boto3', () => {
  it('answer like the Parquet version of the same data, with Parquet or JSON in InputSerialization', async () => {
    const keys = ['flights.avro', 'flights.orc', 'flights.msgpack', 'flights.binpb'];
    const list = [
      ...cases('flights.parquet', PARQUET),
      ...keys.flatMap((k) => cases(k, PARQUET)),
      ...cases('flights.avro', { JSON: { Type: 'LINES' } }),
    ];
    const all = await runSelectCases(server.url, B, list);
    const n = QUERIES.length;
    const want = answers(all.slice(0, n));
    // The reference itself: every query answers, and the aggregate is what the fixture script wrote.
    for (const r of want) expect(r.error).toBeUndefined();
    expect(want[1].records).toBe('75,4060,100.0,2024-01-22T18:56:00.000592Z\n');
    expect(want[0].records!.split('\n')[0]).toBe(
      '{"id":0,"origin":"SFO","dest":"LAX","delay":null,"distance":100.0,"cancelled":true,"departed":"2024-01-01T00:00:00Z","leg":{"code":"L0","minutes":30},"tags":[]}');
    for (let i = 1; i * n < all.length; i++) {
      const { key, input } = list[i * n]!;
      expect({ key, input, answers: answers(all.slice(i * n, (i + 1) * n)) }).toEqual({ key, input, answers: want });
    }
  });

  it('agree with the CSV and JSON LINES versions on the flat columns', async () => {
    const [csv, jsonl, avro, orc] = await runSelectCases(server.url, B, [
      { key: 'flights.csv', input: { CSV: { FileHeaderInfo: 'USE' } }, expression: "SELECT COUNT(*), SUM(CAST(s.delay AS INT)) FROM S3Object s WHERE s.origin = 'SFO' AND s.delay > 30" },
      { key: 'flights.jsonl', input: { JSON: { Type: 'LINES' } }, expression: "SELECT COUNT(*), SUM(s.delay) FROM S3Object s WHERE s.origin = 'SFO' AND s.delay > 30" },
      { key: 'flights.avro', input: PARQUET, expression: "SELECT COUNT(*), SUM(s.delay) FROM S3Object s WHERE s.origin = 'SFO' AND s.delay > 30" },
      { key: 'flights.orc', input: PARQUET, expression: "SELECT COUNT(*), SUM(s.delay) FROM S3Object s WHERE s.origin = 'SFO' AND s.delay > 30" },
    ]);
    expect(csv.error).toBeUndefined();
    expect(csv.records).toMatch(/^\d+,\d+\n$/);
    expect(jsonl.records).toBe(csv.records);
    expect(avro.records).toBe(csv.records);
    expect(orc.records).toBe(csv.records);
  });

  it('recognise objects by Content-Type and key extension, and refuse a CSV element over them', async () => {
    const q = 'SELECT COUNT(*) FROM S3Object';
    const [typed, ext, anonymous, csvOverAvro, csvOverParquet, ranged] = await runSelectCases(server.url, B, [
      { key: 'typed/msgpack', input: PARQUET, expression: q },
      { key: 'typed/records.mpk', input: PARQUET, expression: q },
      { key: 'anonymous/msgpack', input: { JSON: { Type: 'LINES' } }, expression: q },
      { key: 'flights.avro', input: { CSV: {} }, expression: q },
      { key: 'flights.parquet', input: { CSV: {} }, expression: q },
      { key: 'flights.avro', input: PARQUET, expression: q, scanRange: { Start: 0, End: 100 } },
    ]);
    expect(typed).toMatchObject({ records: '600\n' });
    expect(ext).toMatchObject({ records: '600\n' });
    // Nothing says MessagePack: read as JSON text, it is not JSON.
    expect(anonymous).toMatchObject({ error: 'JSONParsingError' });
    expect(csvOverAvro).toMatchObject({ error: 'InvalidDataSource', errorKind: 'http' });
    expect(csvOverAvro.message).toContain('Avro');
    expect(csvOverParquet).toMatchObject({ error: 'InvalidDataSource', errorKind: 'http' });
    expect(ranged).toMatchObject({ error: 'UnsupportedScanRangeInput', errorKind: 'http' });
  });
});

describe('explicit input elements (raw signed requests)', () => {
  const q = "SELECT s.id, s.origin, s.leg.code FROM S3Object s WHERE s.id IN (3, 4)";
  const expected = '{"id":3,"origin":"SEA","code":"L3"}\n{"id":4,"origin":"ORD","code":"L4"}\n';

  it('decode the object as the element says', async () => {
    const protobuf = '<Protobuf><MessageType>selectd.select.Flight</MessageType><SchemaKey>schemas/flight.proto</SchemaKey></Protobuf>';
    const results = await Promise.all([
      rawSelect(server.url, B, 'flights.avro', selectXml(q, '<Avro/>')),
      rawSelect(server.url, B, 'flights.orc', selectXml(q, '<ORC/>')),
      rawSelect(server.url, B, 'anonymous/msgpack', selectXml(q, '<MessagePack/>')),
      rawSelect(server.url, B, 'anonymous/protobuf', selectXml(q, protobuf)),
    ]);
    for (const r of results) {
      expect(r).toMatchObject({ status: 200, records: expected, events: ['Records', 'Stats', 'End'] });
    }
  });

  it('let the element override object metadata, and need a schema for Protobuf', async () => {
    const [override, noSchema, noMessage, missingKey] = await Promise.all([
      rawSelect(server.url, B, 'flights.binpb', selectXml('SELECT * FROM S3Object', '<Protobuf><MessageType>selectd.select.route.Leg</MessageType></Protobuf>')),
      rawSelect(server.url, B, 'anonymous/protobuf', selectXml(q, '<Protobuf><MessageType>selectd.select.Flight</MessageType></Protobuf>')),
      rawSelect(server.url, B, 'anonymous/protobuf', selectXml(q, '<Protobuf><SchemaKey>schemas/flight.proto</SchemaKey></Protobuf>')),
      rawSelect(server.url, B, 'anonymous/protobuf', selectXml(q, '<Protobuf><MessageType>selectd.select.Flight</MessageType><SchemaKey>schemas/none.proto</SchemaKey></Protobuf>')),
    ]);
    // Flight messages read as Leg: their field 2 is a string, Leg's is an int64.
    expect(override).toMatchObject({ status: 400, error: 'ProtobufParsingError' });
    expect(noSchema).toMatchObject({ status: 400, error: 'MissingRequiredParameter' });
    expect(noSchema.message).toContain('x-amz-meta-protobuf-schema');
    expect(noMessage).toMatchObject({ status: 400, error: 'MissingRequiredParameter' });
    expect(noMessage.message).toContain('x-amz-meta-protobuf-message');
    expect(missingKey).toMatchObject({ status: 400, error: 'InvalidRequest' });
    expect(missingKey.message).toContain('schemas/none.proto');
  });

  it('answers boto3 without metadata with MissingRequiredParameter', async () => {
    await put('anonymous/flights.pb', readFileSync(path.join(SEL, 'flights.binpb')));
    const [r] = await runSelectCases(server.url, B, [{ key: 'anonymous/flights.pb', input: PARQUET, expression: q }]);
    expect(r).toMatchObject({ error: 'MissingRequiredParameter', errorKind: 'http' });
  });
});

describe('decoder fixtures through Select', () => {
  const expected = JSON.parse(readFileSync(path.join(FMT, 'expected.json'), 'utf8')) as Record<string, Record<string, unknown>[]>;

  it('read every Avro codec alike, with logical types and nested paths', async () => {
    const expression = 'SELECT s.id, s.name, s.price, s.point.x AS x, s.tags[1] AS tag, s.legs[0].code AS leg, s.color FROM S3Object s LIMIT 8';
    const results = await runSelectCases(server.url, B, ['null', 'deflate', 'snappy', 'zstandard'].map((c) => ({ key: `fx/${c}.avro`, input: PARQUET, expression, output: { JSON: {} } })));
    const want = expected.avro.slice(0, 8).map((e) => {
      const r: Record<string, unknown> = { id: Number(e.id), name: e.name, price: Number(e.price), x: (e.point as { x: number }).x };
      const tag = (e.tags as string[])[1];
      if (tag !== undefined) r.tag = tag;
      const leg = (e.legs as { code: string }[])[0];
      if (leg) r.leg = leg.code;
      r.color = e.color;
      return r;
    });
    for (const r of results) {
      expect(r.error).toBeUndefined();
      expect(r.records!.trim().split('\n').map((l) => JSON.parse(l))).toEqual(want);
    }
  });

  it('read MessagePack streams and arrays alike, with a key that appears late', async () => {
    const expression = "SELECT s.id, s.name, s.nested.b AS b, s.late FROM S3Object s WHERE s.id >= 44 AND s.id < 47";
    const results = await runSelectCases(server.url, B, ['stream', 'array'].map((f) => ({ key: `fx/${f}.msgpack`, input: PARQUET, expression, output: { JSON: {} } })));
    const want = expected.msgpack.slice(44, 47).map((e) => {
      // Typed columns: a value the record lacks reads as null.
      return JSON.stringify({ id: Number(e.id), name: e.name, b: (e.nested as { b: string | null }).b, late: e.late });
    }).join('\n') + '\n';
    expect(results[0]).toMatchObject({ records: want });
    expect(results[1]).toMatchObject({ records: want });
  });

  it('read Protobuf with imports, enums as names and 64-bit integers exactly', async () => {
    const [r] = await runSelectCases(server.url, B, [{
      key: 'fx/flights.binpb', input: PARQUET, output: { JSON: {} },
      expression: 'SELECT s.id, s.big, s.ubig, s.color, s.point.label AS label FROM S3Object s LIMIT 3',
    }]);
    const want = expected.protobuf.slice(0, 3).map((e) => {
      const label = (e.point as { label: string } | null)?.label;
      return `{"id":${e.id},"big":${e.big},"ubig":${e.ubig},"color":"${e.color}","label":${label === undefined ? 'null' : `"${label}"`}}`;
    }).join('\n') + '\n';
    expect(r).toMatchObject({ records: want });
  });

  it('read ORC under every compression alike, and union columns', async () => {
    const expression = 'SELECT * FROM S3Object s LIMIT 25';
    const results = await runSelectCases(server.url, B, [
      ...ORC_TYPES.map((f) => ({ key: `fx/${f}.orc`, input: PARQUET, expression, output: { JSON: {} } })),
      { key: 'fx/union.orc', input: PARQUET, expression: 'SELECT COUNT(*) FROM S3Object' },
      { key: 'fx/stripes.orc', input: PARQUET, expression: 'SELECT COUNT(*) FROM S3Object' },
    ]);
    const first = results[0]!;
    expect(first.error).toBeUndefined();
    expect(first.records!.trim().split('\n')).toHaveLength(25);
    for (const r of results.slice(1, ORC_TYPES.length)) expect(r).toMatchObject({ records: first.records });
    const orcExpected = JSON.parse(readFileSync(path.join(ORC, 'expected.json'), 'utf8')) as { files: Record<string, { rows: number }> };
    expect(results[ORC_TYPES.length]).toMatchObject({ records: `${orcExpected.files['union.orc']!.rows}\n` });
    expect(results[ORC_TYPES.length + 1]).toMatchObject({ records: `${orcExpected.files['stripes.orc']!.rows}\n` });
  });
});
