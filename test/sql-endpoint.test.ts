// The SQL endpoint end to end over HTTP: formats and types, authentication, parameters, object
// resolution (formats by extension / Content-Type / magic bytes, globs over 100 objects, a CSV ⋈ Parquet
// join) and the schema listing. Real Python clients are in sql-clients.test.ts.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presignUrl, signRequest } from '../src/auth/sign.js';
import { BASIC, BEARER, SQL_ACCESS_KEY, SQL_SECRET_KEY, startSqlServer, type SqlServer } from './helpers/sql-server.js';

let s: SqlServer;
const FLIGHTS = 'id,carrier,delay\n1,AA,10\n2,UA,-3\n3,AA,25\n4,DL,0\n';

interface JsonResult {
  meta: { name: string; type: string }[];
  data: Record<string, unknown>[];
  rows: number;
  statistics: { elapsed: number; rows_read: number; bytes_read: number };
}

async function json(sql: string | object, query?: string): Promise<JsonResult> {
  const r = await s.sql(sql, { query });
  const text = await r.text();
  expect(r.status, text).toBe(200);
  return JSON.parse(text) as JsonResult;
}

beforeAll(async () => {
  s = await startSqlServer();
  await s.put('data', 'flights.csv', FLIGHTS);
  // A Parquet object produced by the endpoint itself.
  const pq = await s.sql(`SELECT * FROM (VALUES ('AA', 'American'), ('UA', 'United'), ('DL', 'Delta')) t(code, name)`, { query: 'format=parquet' });
  expect(pq.status).toBe(200);
  await s.put('data', 'carriers.parquet', Buffer.from(await pq.arrayBuffer()));
  await s.put('data', 'zipped/rows.csv.gz', gzipSync('a,b\n1,x\n2,y\n'));
  await s.put('data', 'raw/noext', gzipSync('a,b\n7,z\n'));
  await s.put('data', 'events', '{"kind":"click","n":1}\n{"kind":"view","n":2}\n', 'application/x-ndjson');
  for (let i = 0; i < 100; i++) {
    const day = String(i % 10).padStart(2, '0');
    await s.put('logs', `2024/day=${day}/part-${String(i).padStart(3, '0')}.csv`, `n,v\n${i},${i * 2}\n${i},1\n`);
  }
  await s.put('logs', '2024/readme.txt', 'not a csv part');
});

afterAll(async () => {
  await s?.close();
});

describe('result formats', () => {
  it('JSON has meta, data, rows and statistics', async () => {
    const r = await json(`SELECT id, carrier FROM 's3://data/flights.csv' WHERE delay > 0 ORDER BY id`);
    expect(r.meta).toEqual([{ name: 'id', type: 'BIGINT' }, { name: 'carrier', type: 'VARCHAR' }]);
    expect(r.data).toEqual([{ id: 1, carrier: 'AA' }, { id: 3, carrier: 'AA' }]);
    expect(r.rows).toBe(2);
    expect(r.statistics.rows_read).toBe(2);
    expect(r.statistics.bytes_read).toBe(FLIGHTS.length);
    expect(r.statistics.elapsed).toBeGreaterThan(0);
  });

  it('keeps types: exact big integers, decimals, temporal values, nested values', async () => {
    const r = await json(`SELECT 9007199254740991::BIGINT AS safe, 9007199254740993::BIGINT AS big, -170141183460469231731687303715884105727::HUGEINT AS huge,
      123.45::DECIMAL(10,2) AS small_dec, 12345678901234567890.0123456789::DECIMAL(38,10) AS wide_dec,
      DATE '2024-02-29' AS d, TIMESTAMP '2024-01-02 03:04:05.123456' AS ts, TIMESTAMPTZ '2024-01-02 03:04:05+02' AS tz,
      [1, NULL, 3] AS l, {'a': 1, 'b': [true]} AS st, MAP {'k': 2} AS m, NULL AS n, 'xyz'::BLOB AS bl,
      'NaN'::DOUBLE AS nan, '{"j": [1]}'::JSON AS j, 'infinity'::DATE AS dinf`);
    expect(r.data[0]).toEqual({
      safe: 9007199254740991, big: '9007199254740993', huge: '-170141183460469231731687303715884105727',
      small_dec: 123.45, wide_dec: '12345678901234567890.0123456789', d: '2024-02-29', ts: '2024-01-02 03:04:05.123456',
      tz: '2024-01-02 01:04:05+00', l: [1, null, 3], st: { a: 1, b: [true] }, m: { k: 2 }, n: null,
      bl: Buffer.from('xyz').toString('base64'), nan: 'NaN', j: { j: [1] }, dinf: 'infinity',
    });
    expect(r.meta.find((m) => m.name === 'wide_dec')?.type).toBe('DECIMAL(38,10)');
    expect(r.meta.find((m) => m.name === 'j')?.type).toBe('JSON');
  });

  it('JSON lines, CSV and TSV with a header, chosen by ?format= or Accept', async () => {
    const q = `SELECT id, carrier FROM 's3://data/flights.csv' ORDER BY id LIMIT 2`;
    const jsonl = await s.sql(q, { query: 'format=jsonl' });
    expect(jsonl.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(await jsonl.text()).toBe('{"id":1,"carrier":"AA"}\n{"id":2,"carrier":"UA"}\n');
    const csv = await s.sql(q, { headers: { accept: 'text/csv' } });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await csv.text()).toBe('id,carrier\n1,AA\n2,UA\n');
    const tsv = await s.sql({ sql: q, format: 'tsv' });
    expect(await tsv.text()).toBe('id\tcarrier\n1\tAA\n2\tUA\n');
  });

  it('sends a 300k-row result completely, streamed without a Content-Length', async () => {
    const r = await s.sql(`SELECT x, 'row ' || x AS label FROM range(300000) t(x)`, { query: 'format=jsonl' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-length')).toBeNull();
    let lines = 0;
    for await (const chunk of r.body!) for (const byte of chunk) if (byte === 10) lines++;
    expect(lines).toBe(300000);
  });

  it('streams: the first megabyte of a 100M-row result arrives at once, and cancelling frees the query', async () => {
    for (const format of ['json', 'arrow', 'csv']) {
      const controller = new AbortController();
      const r = await fetch(`${s.url}/_sql?format=${format}`, {
        method: 'POST', headers: { authorization: BASIC }, body: `SELECT x, x * 2 AS y FROM range(100000000) t(x)`, signal: controller.signal,
      });
      expect(r.status).toBe(200);
      const reader = r.body!.getReader();
      let received = 0;
      while (received < 1 << 20) received += (await reader.read()).value?.length ?? 0;
      controller.abort();
      await reader.cancel().catch(() => undefined);
    }
    const after = await json('SELECT 1 AS ok');
    expect(after.data).toEqual([{ ok: 1 }]);
  });

  it('answers EXPLAIN, DESCRIBE and SUMMARIZE', async () => {
    const explain = await json(`EXPLAIN SELECT count(*) FROM 's3://data/flights.csv'`);
    expect(explain.meta.map((m) => m.name)).toEqual(['explain_key', 'explain_value']);
    expect(String(explain.data[0]?.explain_value)).toContain('READ_CSV');
    const describe = await json(`DESCRIBE 's3://data/carriers.parquet'`);
    expect(describe.data.map((d) => [d.column_name, d.column_type])).toEqual([['code', 'VARCHAR'], ['name', 'VARCHAR']]);
    const summary = await json(`SUMMARIZE SELECT delay FROM 's3://data/flights.csv'`);
    expect(summary.data[0]).toMatchObject({ column_name: 'delay', min: '-3', max: '25', count: 4 });
  });
});

describe('accepted SQL', () => {
  const F = `'s3://data/flights.csv'`;
  const corpus = [
    `SELECT carrier, delay, row_number() OVER (PARTITION BY carrier ORDER BY delay) AS rn FROM ${F} QUALIFY rn = 1`,
    `SELECT * FROM (PIVOT ${F} ON carrier IN ('AA', 'UA') USING sum(delay))`,
    `SELECT * FROM (UNPIVOT (SELECT 1 AS a, 2 AS b) ON a, b INTO NAME k VALUE v)`,
    `SELECT * FROM range(3) t(x), LATERAL (SELECT x * 2 AS y) l`,
    `SELECT * FROM ${F} a ASOF JOIN ${F} b ON a.id >= b.id`,
    `SELECT * FROM ${F} POSITIONAL JOIN range(3)`,
    `WITH m AS MATERIALIZED (SELECT * FROM ${F}) SELECT count(*) FROM m`,
    `WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT sum(n) FROM r`,
    `SELECT 1 AS a UNION ALL BY NAME SELECT 2 AS a`,
    `SELECT id FROM ${F} INTERSECT SELECT 1 EXCEPT SELECT 5`,
    `(SELECT 1 AS a) UNION (SELECT 2)`,
    `VALUES (1, 'a'), (2, 'b')`,
    `SELECT carrier, sum(delay) FROM ${F} GROUP BY GROUPING SETS ((carrier), ())`,
    `SELECT [x * 2 FOR x IN [1, 2, 3] IF x > 1] AS l, list_transform([1, 2], y -> y + 1) AS t`,
    `SELECT {'a': 1}.a, COLUMNS('d.*') FROM ${F}`,
    `SELECT * EXCLUDE (carrier) REPLACE (delay * 2 AS delay) FROM ${F}`,
    `SELECT * FROM ${F} USING SAMPLE 2 ROWS`,
    `SELECT count(*) FILTER (WHERE delay > 0) FROM ${F}`,
    `SELECT * FROM ${F} ORDER BY ALL LIMIT 2 OFFSET 1`,
    `SELECT DISTINCT ON (carrier) carrier, delay FROM ${F} ORDER BY carrier, delay`,
    `SELECT (SELECT max(delay) FROM ${F}) AS m, EXISTS (SELECT 1) AS e, 1 IN (SELECT id FROM ${F}) AS i`,
    `SELECT CASE WHEN delay > 0 THEN 'late' ELSE 'ok' END, TRY_CAST(carrier AS INT), regexp_extract(carrier, '(A)') FROM ${F}`,
    `SELECT unnest([1, 2, 3]) AS u, json_extract('{"a":1}', '$.a') AS j`,
    `SELECT * FROM generate_series(1, 5, 2)`,
    `SELECT * FROM json_each('{"a": 1, "b": 2}')`,
    `FROM ${F} SELECT carrier`,
    `SELECT * FROM read_csv('s3://data/flights.csv', header = true, columns = {'id': 'INT', 'carrier': 'VARCHAR', 'delay': 'INT'})`,
    `SELECT repeat('-', 10), lpad('x', 5, '*'), printf('%5d|%s', 42, 'x'), format('{:>5}', 'a'), range(5), bar(5, 0, 10, 20)`,
    `SELECT approx_count_distinct(carrier), quantile_cont(delay, 0.5), list(carrier ORDER BY id), string_agg(carrier, ',') FROM ${F}`,
    `WITH a AS (SELECT 1 AS x), b AS (SELECT x + 1 AS y FROM a) SELECT * FROM a, b`,
    `SELECT s3_trim('  x ', 'BOTH', ' ') AS trimmed, 'é✓😀' AS text, carrier FROM ${F}`,
  ];

  it('runs a broad range of read-only queries', async () => {
    const failures: string[] = [];
    for (const sql of corpus) {
      const r = await s.sql(sql);
      const text = await r.text();
      if (r.status !== 200) failures.push(`${r.status} ${sql}: ${text}`);
    }
    expect(failures).toEqual([]);
  });
});

describe('objects', () => {
  it('joins a CSV object with a Parquet object', async () => {
    const r = await json(`SELECT c.name, sum(f.delay) AS total FROM 's3://data/flights.csv' f
      JOIN read_parquet('s3://data/carriers.parquet') c ON f.carrier = c.code GROUP BY c.name ORDER BY c.name`);
    expect(r.data).toEqual([{ name: 'American', total: 35 }, { name: 'Delta', total: 0 }, { name: 'United', total: -3 }]);
  });

  it('globs over 100 objects, in FROM and inside read_csv', async () => {
    const all = await json(`SELECT count(*) AS rows, sum(v) AS total, count(DISTINCT n) AS parts FROM 's3://logs/2024/**/*.csv'`);
    expect(all.data).toEqual([{ rows: 200, total: 100 + 2 * 4950, parts: 100 }]);
    expect(all.statistics.bytes_read).toBeGreaterThan(1000);
    const day3 = await json(`SELECT sum(n) AS s FROM read_csv('s3://logs/2024/day=03/part-???.csv', header = true) WHERE v = 1`);
    expect(day3.data).toEqual([{ s: 3 + 13 + 23 + 33 + 43 + 53 + 63 + 73 + 83 + 93 }]);
    const list = await json(`SELECT count(*) AS c FROM read_csv(['s3://logs/2024/day=01/*.csv', 's3://logs/2024/day=02/part-002.csv'])`);
    expect(list.data).toEqual([{ c: 22 }]);
    const files = await json(`SELECT count(*) AS c, min(file) AS first FROM glob('s3://logs/2024/*/*.csv')`);
    expect(files.data).toEqual([{ c: 100, first: 's3://logs/2024/day=00/part-000.csv' }]);
  });

  it('chooses the reader by extension, Content-Type and magic bytes', async () => {
    expect((await json(`SELECT sum(a) AS s FROM 's3://data/zipped/rows.csv.gz'`)).data).toEqual([{ s: 3 }]);
    expect((await json(`SELECT a, b FROM 's3://data/raw/noext'`)).data).toEqual([{ a: 7, b: 'z' }]);
    expect((await json(`SELECT kind FROM 's3://data/events' ORDER BY n`)).data).toEqual([{ kind: 'click' }, { kind: 'view' }]);
  });

  it('refuses a FROM glob over objects of different formats', async () => {
    const r = await s.sql(`SELECT * FROM 's3://data/*'`);
    expect(r.status).toBe(400);
    expect((await r.json()).error.message).toMatch(/different formats \(.*csv.*parquet/);
  });

  it('shows s3:// URLs, not server paths, in read_text filenames', async () => {
    const r = await json(`SELECT filename, content FROM read_text('s3://logs/2024/*.txt')`);
    expect(r.data).toEqual([{ filename: 's3://logs/2024/readme.txt', content: 'not a csv part' }]);
  });

  it('reports a missing object or bucket as 404 naming the URL', async () => {
    const key = await s.sql(`SELECT * FROM 's3://data/nope.csv'`);
    expect(key.status).toBe(404);
    expect(await key.json()).toMatchObject({ error: { code: 'NoSuchKey', message: expect.stringContaining('s3://data/nope.csv') } });
    const bucket = await s.sql(`SELECT * FROM 's3://nobucket/x.csv'`);
    expect(bucket.status).toBe(404);
    expect((await bucket.json()).error.code).toBe('NoSuchBucket');
  });

  it('lists a bucket with inferred columns for schema browsers', async () => {
    const r = await fetch(`${s.url}/_sql/tables?bucket=data`, { headers: { authorization: BASIC } });
    expect(r.status).toBe(200);
    const page = await r.json() as { tables: { key: string; format: string; columns?: { name: string; type: string }[] }[] };
    const byKey = Object.fromEntries(page.tables.map((t) => [t.key, t]));
    expect(byKey['flights.csv']).toMatchObject({ format: 'csv', columns: [{ name: 'id', type: 'BIGINT' }, { name: 'carrier', type: 'VARCHAR' }, { name: 'delay', type: 'BIGINT' }] });
    expect(byKey['carriers.parquet']).toMatchObject({ format: 'parquet', columns: [{ name: 'code', type: 'VARCHAR' }, { name: 'name', type: 'VARCHAR' }] });
    expect(byKey['events']).toMatchObject({ format: 'json' });
    expect(byKey['zipped/rows.csv.gz']).toMatchObject({ format: 'csv', compression: 'gzip' });
  });
});

describe('parameters', () => {
  it('binds positional and named parameters without splicing them into the text', async () => {
    const pos = await json({ sql: `SELECT id FROM 's3://data/flights.csv' WHERE carrier = $1 AND delay > $2 ORDER BY id`, params: ['AA', 5] });
    expect(pos.data).toEqual([{ id: 1 }, { id: 3 }]);
    const named = await json({ sql: `SELECT $who AS who, $n + 1 AS n`, params: { who: "x'); DROP TABLE t; --", n: 41 } });
    expect(named.data).toEqual([{ who: "x'); DROP TABLE t; --", n: 42 }]);
    const get = await fetch(`${s.url}/_sql?query=${encodeURIComponent('SELECT $1 AS v')}&params=${encodeURIComponent('["a"]')}`, { headers: { authorization: BASIC } });
    expect((await get.json()).data).toEqual([{ v: 'a' }]);
    // CSV and Parquet are written by DuckDB's COPY, which binds the same parameters.
    const csv = await s.sql({ sql: `SELECT id FROM 's3://data/flights.csv' WHERE carrier = $carrier ORDER BY id`, params: { carrier: 'AA' }, format: 'csv' });
    expect(await csv.text()).toBe('id\n1\n3\n');
  });

  it('refuses a parameter as a file name', async () => {
    const r = await s.sql({ sql: `SELECT * FROM read_csv($1)`, params: ['/etc/passwd'] });
    expect(r.status).toBe(400);
    expect((await r.json()).error.code).toBe('SqlNotAllowed');
  });
});

describe('authentication', () => {
  const q = encodeURIComponent('SELECT 42 AS v');

  it('accepts Basic, Bearer, a SigV4 header and a presigned URL', async () => {
    for (const authorization of [BASIC, BEARER]) {
      const r = await fetch(`${s.url}/_sql?query=${q}`, { headers: { authorization } });
      expect(await r.json()).toMatchObject({ data: [{ v: 42 }] });
    }
    const creds = { accessKeyId: SQL_ACCESS_KEY, secretAccessKey: SQL_SECRET_KEY, region: 'us-east-1' };
    const body = 'SELECT 43 AS v';
    const headers = signRequest({ ...creds, method: 'POST', url: `${s.url}/_sql`, headers: { 'content-type': 'text/plain' }, body });
    const signed = await fetch(`${s.url}/_sql`, { method: 'POST', headers: { ...headers, 'content-type': 'text/plain' }, body });
    expect(await signed.json()).toMatchObject({ data: [{ v: 43 }] });
    const tampered = await fetch(`${s.url}/_sql`, { method: 'POST', headers: { ...headers, 'content-type': 'text/plain' }, body: 'SELECT 44 AS v' });
    expect(tampered.status).toBe(400);
    const presigned = presignUrl({ ...creds, method: 'GET', url: `${s.url}/_sql?query=${q}&format=csv`, expiresIn: 300 });
    const viaUrl = await fetch(presigned);
    expect(await viaUrl.text()).toBe('v\n42\n');
  });

  it('never answers anonymously, and rejects wrong secrets', async () => {
    const anon = await fetch(`${s.url}/_sql?query=${q}`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const wrong = await fetch(`${s.url}/_sql?query=${q}`, { headers: { authorization: 'Basic ' + Buffer.from(`${SQL_ACCESS_KEY}:nope`).toString('base64') } });
    expect(wrong.status).toBe(401);
    const tables = await fetch(`${s.url}/_sql/tables?bucket=data`);
    expect(tables.status).toBe(401);
  });
});
