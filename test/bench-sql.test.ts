// The sql benchmark suite's pure pieces: answer checksums over JSON / CSV / Arrow, the JSON document row
// reader, the /_sql client's request body and its handling of errors and cut-short answers, and the suite
// definition itself.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivation } from '../datasets/derivations.js';
import { loadManifest } from '../datasets/manifest.js';
import { CsvRowParser } from '../bench/rows.js';
import { S3Client } from '../bench/s3-client.js';
import { fillSql } from '../bench/sql-cases.js';
import { checksumArrow, ColumnChecksum, JsonDocumentRows, scalarOfJson } from '../bench/sql-answers.js';
import { describeSqlError, sqlQuery, sqlRequestBody } from '../bench/sql-client.js';
import type { CaseResult } from '../bench/measure.js';
import type { SuiteReport } from '../bench/report.js';
import { renderSvg } from '../bench/svg.js';
import { loadSuite, parseSuite, type SqlSuite } from '../bench/suite.js';
import sqlSuite from '../bench/suites/sql.js';

const ROWS = [
  { date: '2001-01-01 00:01:00', delay: 33, origin: 'LAS' },
  { date: '2001-01-01 00:02:00', delay: -4, origin: 'A,"B"' },
  { date: '2001-01-02 00:00:00', delay: 19, origin: 'ATL' },
];

/** Our /_sql JSON envelope, as the endpoint writes it: one row per line. */
const OURS_JSON = '{"meta":[{"name":"date","type":"TIMESTAMP"},{"name":"delay","type":"BIGINT"},{"name":"origin","type":"VARCHAR"}],"data":[\n' +
  ROWS.map((r) => JSON.stringify(r)).join(',\n') + '\n],"rows":3,"statistics":{"elapsed":0.1,"rows_read":3,"bytes_read":10}}\n';
/** DuckDB's COPY … (FORMAT json, ARRAY true). */
const DUCK_JSON = '[\n' + ROWS.map((r) => `\t${JSON.stringify(r)}`).join(',\n') + '\n]\n';
const CSV = 'date,delay,origin\n2001-01-01 00:01:00,33,LAS\n2001-01-01 00:02:00,-4,"A,""B"""\n2001-01-02 00:00:00,19,ATL\n';

function jsonDigest(text: string | Buffer[], ordered = true): { digest: string; declared?: number } {
  const sum = new ColumnChecksum(['delay', 'origin'], ordered);
  const p = new JsonDocumentRows(sum.object);
  for (const part of typeof text === 'string' ? [text] : text) {
    if (typeof part === 'string') p.push(part);
    else p.pushBytes(part);
  }
  p.end();
  return { digest: sum.digest(), declared: p.declaredRows };
}

function csvDigest(text: string): string {
  const sum = new ColumnChecksum(['delay', 'origin']);
  let header = true;
  const p = new CsvRowParser((cells) => {
    if (header) sum.header(cells);
    else sum.cells(cells);
    header = false;
  });
  p.push(text);
  p.end();
  return sum.digest();
}

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('ColumnChecksum', () => {
  it('sums integer columns exactly and hashes every column', () => {
    const sum = new ColumnChecksum(['n', 's']);
    sum.values([2n ** 60n, 'x']);
    sum.values(['1', null]);
    expect(sum.rowCount).toBe(2);
    expect(sum.digest()).toMatch(new RegExp(`^rows=2 n:sum=${2n ** 60n + 1n},set=[0-9a-f]{8},seq=[0-9a-f]{16} s:set=[0-9a-f]{8},seq=[0-9a-f]{16}$`));
  });

  it('depends on order only when ordered', () => {
    const digest = (ordered: boolean, rows: unknown[][]): string => {
      const sum = new ColumnChecksum(['a'], ordered);
      for (const r of rows) sum.values(r);
      return sum.digest();
    };
    expect(digest(true, [[1], [2]])).not.toBe(digest(true, [[2], [1]]));
    expect(digest(false, [[1], [2]])).toBe(digest(false, [[2], [1]]));
    expect(digest(false, [[1], [2]])).not.toBe(digest(false, [[1], [3]]));
  });

  it('is the same for a value written as a number, text or bigint, and differs for another value', () => {
    const one = (v: unknown): string => {
      const sum = new ColumnChecksum(['a']);
      sum.values([v]);
      return sum.digest();
    };
    expect(one(42)).toBe(one('42'));
    expect(one(42n)).toBe(one('+42'));
    expect(one(42)).not.toBe(one(43));
  });

  it('finds its columns by header and refuses an answer without them', () => {
    const sum = new ColumnChecksum(['b']);
    expect(() => sum.cells(['1'])).toThrow(/before header/);
    sum.header(['a', 'b']);
    sum.cells(['1', '2']);
    expect(sum.digest()).toMatch(/^rows=1 b:sum=2,/);
    expect(() => sum.header(['a', 'c'])).toThrow(/no column "b"/);
    expect(() => sum.object({ a: 1 })).toThrow(/no field "b"/);
  });
});

describe('JsonDocumentRows', () => {
  it('reads our envelope and DuckDB\'s array as the same rows, and as the CSV of those rows', () => {
    const ours = jsonDigest(OURS_JSON);
    expect(ours.declared).toBe(3);
    expect(ours.digest).toMatch(/^rows=3 delay:sum=48,/);
    expect(jsonDigest(DUCK_JSON)).toEqual({ digest: ours.digest, declared: undefined });
    expect(csvDigest(CSV)).toBe(ours.digest);
  });

  it('gives the same rows wherever the bytes are split', () => {
    const bytes = Buffer.from(OURS_JSON.replace('LAS', 'LÄS'));
    const whole = jsonDigest([bytes]).digest;
    for (let cut = 1; cut < bytes.length; cut += 7) {
      expect(jsonDigest([bytes.subarray(0, cut), bytes.subarray(cut)]).digest, `cut at ${cut}`).toBe(whole);
    }
  });

  it('reads an empty result', () => {
    expect(jsonDigest('{"meta":[],"data":[\n],"rows":0,"statistics":{}}\n')).toMatchObject({ declared: 0, digest: expect.stringMatching(/^rows=0 /) });
  });

  it('fails on a document cut short or with rows after its end', () => {
    expect(() => jsonDigest(OURS_JSON.slice(0, OURS_JSON.indexOf('\n]')))).toThrow(/before its data array was closed/);
    expect(() => jsonDigest(DUCK_JSON + '{"delay":1,"origin":"x"}\n')).toThrow(/after the data array/);
    expect(() => jsonDigest(DUCK_JSON + ']\n')).toThrow(/twice/);
  });
});

describe('checksumArrow', () => {
  const table = tableFromArrays({ delay: BigInt64Array.from([33n, -4n, 19n]), origin: ['LAS', 'A,"B"', 'ATL'] });

  it('reads an Arrow stream, in any chunking, to the digest of the same rows as JSON', async () => {
    const ipc = tableToIPC(table, 'stream');
    for (const size of [ipc.length, 13, 1]) {
      const sum = new ColumnChecksum(['delay', 'origin']);
      await checksumArrow(chunksOf(ipc, size), sum);
      expect(sum.digest(), `chunks of ${size}`).toBe(jsonDigest(OURS_JSON).digest);
    }
  });

  it('refuses a stream without the checksummed column', async () => {
    await expect(checksumArrow(chunksOf(tableToIPC(table, 'stream'), 64), new ColumnChecksum(['distance']))).rejects.toThrow(/no column "distance"/);
  });
});

describe('small pieces', () => {
  it('scalarOfJson takes the one value of a one-row answer', () => {
    expect(scalarOfJson('{"meta":[{"name":"count_star()","type":"BIGINT"}],"data":[\n{"count_star()":1234}\n],"rows":1}')).toBe('1234');
    expect(() => scalarOfJson('{"data":[]}')).toThrow(/one row/);
    expect(() => scalarOfJson('{"data":[{"a":1,"b":2}]}')).toThrow(/one column/);
  });

  it('fillSql replaces every placeholder', () => {
    expect(fillSql('SELECT {n} FROM {object} WHERE x > {n}', "'s3://b/k'", '$1')).toBe("SELECT $1 FROM 's3://b/k' WHERE x > $1");
    expect(fillSql('SELECT * FROM {object}', 'read_parquet(\'/f\')')).toBe("SELECT * FROM read_parquet('/f')");
  });

  it('the request body carries params only when given', () => {
    expect(JSON.parse(sqlRequestBody({ sql: 'SELECT $1', params: [3], format: 'json' }))).toEqual({ sql: 'SELECT $1', params: [3], format: 'json' });
    expect(JSON.parse(sqlRequestBody({ sql: 'SELECT 1', format: 'csv' }))).toEqual({ sql: 'SELECT 1', format: 'csv' });
  });

  it('describeSqlError reads JSON and text error bodies', () => {
    expect(describeSqlError(400, '{"error":{"code":"SqlNotAllowed","message":"no COPY"}}')).toBe('400 SqlNotAllowed: no COPY');
    expect(describeSqlError(503, 'Busy: Too many\n')).toBe('503 Busy: Too many');
  });
});

describe('sqlQuery against a stub server', () => {
  let server: http.Server;
  let client: S3Client;
  let seen: { url?: string; auth?: string; body?: string } = {};

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        seen = { url: req.url, auth: req.headers.authorization, body };
        const { sql } = JSON.parse(body) as { sql: string };
        if (sql === 'refused') {
          res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"code":"SqlNotAllowed","message":"COPY is not allowed"}}');
        } else if (sql === 'cut') {
          res.writeHead(200, { 'content-type': 'text/csv' });
          res.write('a\n1\n', () => res.destroy());
        } else {
          res.writeHead(200, { 'content-type': 'text/csv' }).end('a\n1\n2\n');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new S3Client({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, accessKey: 'AK', secretKey: 'SK' });
  });

  afterAll(async () => {
    client.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('posts JSON with Basic credentials and returns the body length', async () => {
    const chunks: Buffer[] = [];
    expect(await sqlQuery(client, { sql: 'SELECT 1', format: 'csv' }, (c) => chunks.push(c))).toBe(6);
    expect(Buffer.concat(chunks).toString()).toBe('a\n1\n2\n');
    expect(seen).toMatchObject({ url: '/_sql', auth: `Basic ${Buffer.from('AK:SK').toString('base64')}` });
  });

  it('throws the server\'s error, and on an answer cut short', async () => {
    await expect(sqlQuery(client, { sql: 'refused', format: 'json' })).rejects.toThrow(/400 SqlNotAllowed: COPY is not allowed/);
    await expect(sqlQuery(client, { sql: 'cut', format: 'csv' })).rejects.toThrow();
  });
});

describe('the sql suite', () => {
  it('loads by name and measures latency with and without a bound parameter, and JSON, CSV and Arrow results', async () => {
    const s = (await loadSuite('sql')) as SqlSuite;
    expect(s.kind).toBe('sql');
    const latency = sqlSuite.queries.filter((q) => q.kind === 'latency');
    expect(latency.map((q) => q.kind === 'latency' && q.bind)).toEqual([true, false]);
    expect(sqlSuite.queries.flatMap((q) => (q.kind === 'result' ? [q.output] : []))).toEqual(['json', 'csv', 'arrow']);
    for (const q of sqlSuite.queries) {
      const m = loadManifest(q.dataset);
      expect(derivation(q.format).duckdbRead, q.name).toBeDefined();
      if (q.kind === 'result') for (const c of q.checksum) expect(m.schema.map((col) => col.name), q.name).toContain(c);
    }
  });

  const ok = { kind: 'latency', name: 'l', dataset: 'airports', format: 'parquet', sql: 'SELECT {n} FROM {object}', bind: true, ops: 2 };
  const result = { kind: 'result', name: 'r', dataset: 'airports', format: 'parquet', sql: 'SELECT * FROM {object}', output: 'csv', checksum: ['iata'] };

  it('parses from JSON', () => {
    expect(parseSuite({ name: 's', kind: 'sql', queries: [ok, result] }, 's.json')).toMatchObject({ kind: 'sql', description: '', queries: [ok, result] });
  });

  it.each([
    [{ ...ok, sql: 'SELECT 1' }, /\{object\}/],
    [{ ...ok, sql: 'SELECT 1 FROM {object}' }, /\{n\}/],
    [{ ...ok, ops: 0 }, /ops/],
    [{ ...ok, bind: 'yes' }, /bind/],
    [{ ...ok, kind: 'select' }, /kind/],
    [{ ...result, output: 'parquet' }, /output/],
    [{ ...result, checksum: [] }, /checksum/],
  ])('rejects the query %j', (q, message) => {
    expect(() => parseSuite({ name: 's', kind: 'sql', queries: [q] }, 's.json')).toThrow(message);
  });

  it('rejects duplicate query names', () => {
    expect(() => parseSuite({ name: 's', kind: 'sql', queries: [ok, ok] }, 's.json')).toThrow(/duplicate/);
  });
});

describe('the chart of a suite whose baselines differ by query', () => {
  const result = (name: string, baseline: string): CaseResult => {
    const side = (n: string, ms: number) => ({ name: n, samplesMs: [ms], medianMs: ms, minMs: ms, maxMs: ms });
    return { name, ours: side('selectd', 20), baselines: [side(baseline, 10)], ratio: 2, planCacheHitRate: null, checks: [], ok: true };
  };
  const report = (results: CaseResult[]): SuiteReport => ({
    suite: 'sql', description: '', startedAt: '2025-01-01T00:00:00Z', finishedAt: '2025-01-01T00:01:00Z',
    machine: { cpu: 'cpu', cores: 2, memoryBytes: 1, os: 'linux', node: 'v20' },
    endpoint: { url: 'http://127.0.0.1:1', local: true, serverArgs: [] }, runs: 1, datasets: [], results, ok: true,
  });

  it('names each query\'s baseline under its name instead of in the legend', () => {
    const svg = renderSvg(report([result('latency/same-text', 'duckdb prepared once'), result('result/csv', 'duckdb COPY csv')]));
    expect(svg).toContain('sql: selectd vs baseline,');
    expect(svg).toContain('>vs duckdb prepared once<');
    expect(svg).toContain('>vs duckdb COPY csv<');
  });

  it('keeps one name in the legend when every query has the same baseline', () => {
    const svg = renderSvg(report([result('a', 'duckdb'), result('b', 'duckdb')]));
    expect(svg).toContain('sql: selectd vs duckdb,');
    expect(svg).not.toContain('baseline-name');
  });
});
