// The columnar cache end to end: Parquet shadows of CSV, JSON and binary objects answer exactly as the
// objects do ('' vs a short row's missing field, JSON MISSING vs null), later queries hit them (/metrics),
// reader options and ScanRange keep them apart, writes and deletes (also of a .proto schema) drop them,
// and the size cap evicts the least recently used.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw } from './helpers/raw.js';
import { runSelectCases, type SelectCase } from './helpers/select-cases.js';
import { rawSelect, selectXml } from './helpers/select-raw.js';
import { ROOT, startServer, type RunningServer } from './helpers/server.js';

const B = 'cache';
const SEL = path.join(ROOT, 'test/fixtures/formats/select');
const PROTO_META = { 'x-amz-meta-protobuf-message': 'selectd.select.Flight', 'x-amz-meta-protobuf-schema': 'schemas/flight.proto' };
const PARQUET = { Parquet: {} };
const CSV_NONE = { CSV: { FileHeaderInfo: 'NONE' } };
const CSV_USE = { CSV: { FileHeaderInfo: 'USE' } };
const LINES = { JSON: { Type: 'LINES' } };
const JSON_OUT = { JSON: {} };

let server: RunningServer;
let small: RunningServer;

async function put(s: RunningServer, key: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<void> {
  const r = await raw(s.url, { method: 'PUT', path: `/${B}/${key}`, body: Buffer.from(body), headers });
  expect(r.status).toBe(200);
}

async function load(s: RunningServer): Promise<void> {
  await raw(s.url, { method: 'PUT', path: `/${B}` });
  for (const f of ['flights.avro', 'flights.orc', 'flights.msgpack']) await put(s, f, readFileSync(path.join(SEL, f)));
  await put(s, 'flights.binpb', readFileSync(path.join(SEL, 'flights.binpb')), PROTO_META);
  await put(s, 'schemas/flight.proto', readFileSync(path.join(SEL, 'schemas/flight.proto')));
  await put(s, 'schemas/route/leg.proto', readFileSync(path.join(SEL, 'schemas/route/leg.proto')));
}

/** The shadow metrics of a server, by sample name with labels (e.g. `lookups_total{result="hit"}`). */
async function metrics(s: RunningServer): Promise<Record<string, number>> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^selectd_select_shadow_(\S+) (\d+)$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}
const get = (m: Record<string, number>, name: string) => m[name] ?? 0;
const HITS = 'lookups_total{result="hit"}';
const MISSES = 'lookups_total{result="miss"}';
const KEPT = 'builds_total{result="kept"}';

/** Background builds finish on their own schedule: poll /metrics until `n` more have been kept. */
async function builtAtLeast(s: RunningServer, n: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (get(await metrics(s), KEPT) < n) {
    if (Date.now() > deadline) throw new Error(`fewer than ${n} shadows were built in time: ${JSON.stringify(await metrics(s))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  [server, small] = await Promise.all([startServer(), startServer({ args: ['--cache-bytes', '40000'] })]);
  await Promise.all([load(server), load(small)]);
  await put(server, 'ragged.csv', 'a,b,c\n1,,3\n4\n,"",\n7,8,9,10\n\n"x,y",z,\n');
  await put(server, 'semi.csv', 'p;q\n1;2\n3;4\n');
  await put(server, 'ints.csv', 'id,amount,code\n1,-5,007\n2,12,12\n3\n4,9223372036854775807,x\n');
  await put(server, 'swap.csv', 'p,q\n1,2\n3,4\n');
  await put(server, 'lines.jsonl', '{"n":1,"s":"x","v":null}\n{"n":2,"s":null}\n{"n":3,"o":{"k":[1,{"z":null}]}}\n{}\n{"n":1.50,"big":12345678901234567890123}\n');
  await put(server, 'doc.json', '{"items":[{"k":1},{"k":null},{}]}\n{"items":[]}\n');
});
afterAll(async () => {
  await server?.stop();
  await small?.stop();
});

const TEXT_CASES: SelectCase[] = [
  { key: 'ragged.csv', input: CSV_NONE, expression: 'SELECT _1, _2, _3, _4, _5 FROM S3Object' },
  { key: 'ragged.csv', input: CSV_NONE, expression: "SELECT _1 FROM S3Object WHERE _2 = ''" },
  { key: 'ragged.csv', input: CSV_NONE, expression: 'SELECT * FROM S3Object', output: JSON_OUT },
  { key: 'ragged.csv', input: CSV_USE, expression: 'SELECT a, c FROM S3Object', output: JSON_OUT },
  { key: 'ragged.csv', input: CSV_USE, expression: "SELECT COUNT(*) FROM S3Object s WHERE s.b = ''" },
  { key: 'lines.jsonl', input: LINES, expression: 'SELECT s.n, s.s, s.v, s.o.k[1].z AS z, s.big FROM S3Object s', output: JSON_OUT },
  { key: 'lines.jsonl', input: LINES, expression: 'SELECT COUNT(*) FROM S3Object s WHERE s.s IS NULL' },
  { key: 'lines.jsonl', input: LINES, expression: 'SELECT COUNT(*) FROM S3Object s WHERE s.s IS MISSING' },
  { key: 'doc.json', input: { JSON: { Type: 'DOCUMENT' } }, expression: 'SELECT s.k FROM S3Object[*].items[*] s', output: JSON_OUT },
  { key: 'ints.csv', input: CSV_USE, expression: 'SELECT SUM(CAST(id AS INT)), AVG(CAST(id AS FLOAT)), MIN(CAST(amount AS INT)) FROM S3Object' },
  { key: 'ints.csv', input: CSV_USE, expression: 'SELECT id, CAST(amount AS FLOAT) * 2 FROM S3Object s WHERE CAST(s.amount AS INT) > 0 OR CAST(code AS INT) = 7' },
];
/** What the objects themselves answer (S3 Select semantics), so the test holds the shadow to it. */
const TEXT_ANSWERS = [
  'a,b,c,,\n1,,3,,\n4,,,,\n,,,,\n7,8,9,10,\n"x,y",z,,,\n',
  '1\n\n',
  '{"_1":"a","_2":"b","_3":"c"}\n{"_1":"1","_2":"","_3":"3"}\n{"_1":"4"}\n{"_1":"","_2":"","_3":""}\n{"_1":"7","_2":"8","_3":"9"}\n{"_1":"x,y","_2":"z","_3":""}\n',
  '{"a":"1","c":"3"}\n{"a":"4"}\n{"a":"","c":""}\n{"a":"7","c":"9"}\n{"a":"x,y","c":""}\n',
  '2\n',
  '{"n":1,"s":"x","v":null}\n{"n":2,"s":null}\n{"n":3,"z":null}\n{}\n{"n":1.5,"big":12345678901234567890123}\n',
  // MISSING IS NULL holds too: one null and three records without `s`.
  '4\n',
  '3\n',
  // The empty array of the second document expands to one MISSING row.
  '{"k":1}\n{"k":null}\n{}\n{}\n',
  '10,2.5,-5\n',
  '1,-10.0\n2,24.0\n4,1.8446744073709552E19\n',
];

describe('CSV and JSON shadows', () => {
  it('answer exactly as the objects do, and later queries hit them', async () => {
    const before = await metrics(server);
    const first = await runSelectCases(server.url, B, TEXT_CASES);
    expect(first.map((r) => r.records ?? r.error)).toEqual(TEXT_ANSWERS);
    // One shadow per object and reader options: ragged.csv twice (header modes), lines.jsonl, doc.json, ints.csv.
    await builtAtLeast(server, get(before, KEPT) + 5);
    const mid = await metrics(server);
    const second = await runSelectCases(server.url, B, TEXT_CASES);
    expect(second.map((r) => r.records ?? r.error)).toEqual(TEXT_ANSWERS);
    expect(second.map((r) => r.stats)).toEqual(first.map((r) => r.stats));
    const after = await metrics(server);
    expect(get(after, HITS) - get(mid, HITS)).toBe(TEXT_CASES.length);
    expect(get(after, MISSES)).toBe(get(mid, MISSES));
  });

  it('keep reader options apart and leave ScanRange requests alone', async () => {
    const comma: SelectCase = { key: 'semi.csv', input: CSV_NONE, expression: 'SELECT _1, _2 FROM S3Object' };
    const semi: SelectCase = { key: 'semi.csv', input: { CSV: { FileHeaderInfo: 'NONE', FieldDelimiter: ';' } }, expression: 'SELECT _1, _2 FROM S3Object' };
    const want = ['p;q,\n1;2,\n3;4,\n', 'p,q\n1,2\n3,4\n'];
    const before = await metrics(server);
    expect((await runSelectCases(server.url, B, [comma, semi])).map((r) => r.records)).toEqual(want);
    await builtAtLeast(server, get(before, KEPT) + 2);
    expect((await runSelectCases(server.url, B, [comma, semi])).map((r) => r.records)).toEqual(want);
    const mid = await metrics(server);
    expect(get(mid, HITS) - get(before, HITS)).toBe(2);

    const [ranged] = await runSelectCases(server.url, B, [{ ...semi, scanRange: { Start: 4 } }]);
    expect(ranged.records).toBe('1,2\n3,4\n');
    const after = await metrics(server);
    expect([get(after, HITS), get(after, MISSES)]).toEqual([get(mid, HITS), get(mid, MISSES)]);
  });

  it('send queries past the columns a shadow holds to the object', async () => {
    await put(server, 'wide.csv', 'a,b\n1,2,3,4,5\n6,7\n');
    const star: SelectCase = { key: 'wide.csv', input: CSV_NONE, expression: 'SELECT * FROM S3Object' };
    const before = await metrics(server);
    expect((await runSelectCases(server.url, B, [star]))[0]!.records).toBe('a,b\n1,2\n6,7\n');
    await builtAtLeast(server, get(before, KEPT) + 1);
    // The shadow holds c1..c3 and its last column is not empty: fields 4 and 5 need the object.
    const [third, fifth] = await runSelectCases(server.url, B, [
      { key: 'wide.csv', input: CSV_NONE, expression: 'SELECT _3 FROM S3Object' },
      { key: 'wide.csv', input: CSV_NONE, expression: 'SELECT _5 FROM S3Object WHERE _1 = \'1\'' },
    ]);
    expect([third.records, fifth.records]).toEqual(['\n3\n\n', '5\n']);
    expect(get(await metrics(server), HITS) - get(before, HITS)).toBe(2);
  });

  it('are dropped when the object is overwritten or deleted', async () => {
    const q: SelectCase = { key: 'swap.csv', input: CSV_USE, expression: 'SELECT q FROM S3Object' };
    const before = await metrics(server);
    expect((await runSelectCases(server.url, B, [q]))[0]!.records).toBe('2\n4\n');
    await builtAtLeast(server, get(before, KEPT) + 1);
    await put(server, 'swap.csv', 'q,p\nnew,old\n');
    const mid = await metrics(server);
    expect(get(mid, 'evictions_total{reason="invalidated"}')).toBeGreaterThan(get(before, 'evictions_total{reason="invalidated"}'));
    expect((await runSelectCases(server.url, B, [q]))[0]!.records).toBe('new\n');
    await builtAtLeast(server, get(mid, KEPT) + 1);
    const entries = get(await metrics(server), 'entries');
    expect((await raw(server.url, { method: 'DELETE', path: `/${B}/swap.csv` })).status).toBe(204);
    expect(get(await metrics(server), 'entries')).toBe(entries - 1);
    expect((await runSelectCases(server.url, B, [q]))[0]).toMatchObject({ error: 'NoSuchKey' });
  });
});

describe('binary shadows', () => {
  const count: SelectCase = { key: 'flights.avro', input: PARQUET, expression: 'SELECT COUNT(*) FROM S3Object' };

  it('are built once for concurrent first queries and hit afterwards', async () => {
    await put(server, 'copy.avro', readFileSync(path.join(SEL, 'flights.avro')));
    const before = await metrics(server);
    // The first queries decode only origin; the whole shadow follows in the background, built once.
    const xml = selectXml("SELECT COUNT(*) FROM S3Object s WHERE s.origin = 'SFO'", '<Avro/>', '<CSV/>');
    const results = await Promise.all([1, 2, 3].map(() => rawSelect(server.url, B, 'copy.avro', xml)));
    for (const r of results) expect(r).toMatchObject({ status: 200, records: '75\n' });
    await builtAtLeast(server, get(before, KEPT) + 1);
    const mid = await metrics(server);
    expect(await rawSelect(server.url, B, 'copy.avro', xml)).toMatchObject({ records: '75\n' });
    const after = await metrics(server);
    expect(get(after, HITS) - get(mid, HITS)).toBe(1);
    expect(get(after, KEPT) - get(before, KEPT)).toBe(1);
  });

  it('take over a first query that decoded every column', async () => {
    await put(server, 'all.orc', readFileSync(path.join(SEL, 'flights.orc')));
    const before = await metrics(server);
    const [first] = await runSelectCases(server.url, B, [{ key: 'all.orc', input: PARQUET, expression: 'SELECT * FROM S3Object s WHERE s.id = 7', output: JSON_OUT }]);
    expect(first.records).toContain('"id":7,"origin":"BOS"');
    await builtAtLeast(server, get(before, KEPT) + 1);
    const mid = await metrics(server);
    // Its file became the shadow: nothing else was written.
    expect(get(mid, 'written_bytes_total') - get(before, 'written_bytes_total')).toBe(get(mid, 'bytes') - get(before, 'bytes'));
    const [again] = await runSelectCases(server.url, B, [{ key: 'all.orc', input: PARQUET, expression: 'SELECT s.dest FROM S3Object s WHERE s.id = 7' }]);
    expect(again.records).toBe('DEN\n');
    expect(get(await metrics(server), HITS) - get(mid, HITS)).toBe(1);
  });

  it('are dropped when the object or its Protobuf schema changes', async () => {
    const proto: SelectCase = { key: 'flights.binpb', input: PARQUET, expression: 'SELECT COUNT(*) FROM S3Object' };
    const start = await metrics(server);
    expect((await runSelectCases(server.url, B, [count, proto])).map((r) => r.records)).toEqual(['600\n', '600\n']);
    await builtAtLeast(server, get(start, KEPT) + 2);
    const before = await metrics(server);
    // Same bytes, rewritten: the shadow built from the schema must go all the same.
    await put(server, 'schemas/route/leg.proto', readFileSync(path.join(SEL, 'schemas/route/leg.proto')));
    await put(server, 'flights.avro', readFileSync(path.join(ROOT, 'test/fixtures/formats/avro/flights_null.avro')));
    const mid = await metrics(server);
    expect(get(mid, 'evictions_total{reason="invalidated"}') - get(before, 'evictions_total{reason="invalidated"}')).toBe(2);
    expect((await runSelectCases(server.url, B, [count, proto])).map((r) => r.records)).toEqual(['60\n', '600\n']);
    expect(get(await metrics(server), MISSES) - get(mid, MISSES)).toBe(2);
  });

  it('stay within the size cap, least recently used first out', async () => {
    // Shadows of about 17 kB each under a 40 kB cap; flights.msgpack (71 kB) is larger than the whole
    // cache, so its queries decode what they need without a shadow.
    const keys = ['flights.avro', 'flights.orc', 'flights.binpb', 'flights.msgpack'];
    const q = (key: string): SelectCase => ({ key, input: PARQUET, expression: "SELECT COUNT(*) FROM S3Object s WHERE s.origin = 'SFO'" });
    const first = await runSelectCases(small.url, B, keys.map(q));
    expect(first.map((r) => r.records)).toEqual(keys.map(() => '75\n'));
    await builtAtLeast(small, 3);
    const m = await metrics(small);
    expect(get(m, MISSES)).toBe(3);
    expect(get(m, 'entries')).toBe(2);
    expect(get(m, 'bytes')).toBeLessThanOrEqual(40000);
    expect(get(m, 'bytes')).toBeGreaterThan(20000);
    expect(get(m, 'evictions_total{reason="lru"}')).toBe(1);
    // The newest shadow is still there; the oldest was evicted and is rebuilt on demand.
    const [newest, oldest] = await runSelectCases(small.url, B, [q(keys[2]!), q(keys[0]!)]);
    expect([newest.records, oldest.records]).toEqual(['75\n', '75\n']);
    const after = await metrics(small);
    expect(get(after, HITS) - get(m, HITS)).toBe(1);
    expect(get(after, MISSES) - get(m, MISSES)).toBe(1);
  });
});
