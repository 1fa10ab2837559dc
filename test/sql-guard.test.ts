// The SQL endpoint's text scanner, URL and glob rules, object format detection, and the guard's
// classification, run without HTTP.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/duckdb/engine.js';
import { S3Error } from '../src/errors.js';
import { SqlGuard } from '../src/sql-endpoint/guard.js';
import { globRegExp, parseS3Url } from '../src/sql-endpoint/resolve.js';
import { sourceFor } from '../src/sql-endpoint/sources.js';
import { callSpanAt, charOffset, hasStatementSeparator, literalAt, trimStatement } from '../src/sql-endpoint/sqltext.js';
import type { ObjectInfo } from '../src/store/store.js';

describe('sql text scanning', () => {
  it('decodes the literal forms DuckDB accepts', () => {
    expect(literalAt(`'it''s'`, 0)).toMatchObject({ value: "it's", end: 7, kind: 'string' });
    expect(literalAt(`E'\\x2fetc\\npa\\'ss'`, 0)?.value).toBe("/etc\npa'ss");
    expect(literalAt(`$tag$a'b$$c$tag$ rest`, 0)).toMatchObject({ value: "a'b$$c", end: 16 });
    expect(literalAt(`"s3://b/""q"""`, 0)).toMatchObject({ value: 's3://b/"q"', kind: 'identifier' });
    expect(literalAt(`'unterminated`, 0)).toBeUndefined();
  });

  it('maps DuckDB byte offsets to string offsets', () => {
    const text = `SELECT 'é✓😀' AS x FROM 's3://b/k'`;
    const byteOffset = Buffer.byteLength(text.slice(0, text.indexOf("'s3")));
    expect(charOffset(text, byteOffset)).toBe(text.indexOf("'s3"));
    expect(charOffset(text, 1e19)).toBeUndefined();
  });

  it('finds the extent of a call across nested parentheses, strings and comments', () => {
    const text = `FROM read_text('a)(' /* ) */, x := (1)) t`;
    const span = callSpanAt(text, 5)!;
    expect(text.slice(span.start, span.end)).toBe(`read_text('a)(' /* ) */, x := (1))`);
    expect(callSpanAt('FROM x t', 5)).toBeUndefined();
  });

  it('trims trailing semicolons and comments, and sees statement separators outside literals', () => {
    expect(trimStatement(`  SELECT 1 ; -- done\n ;/* c */ `)).toBe('SELECT 1');
    expect(hasStatementSeparator(`SELECT ';' /* ; */ -- ;\n`)).toBe(false);
    expect(hasStatementSeparator(`SELECT 1; SELECT 2`)).toBe(true);
  });
});

describe('s3:// URLs and globs', () => {
  it('parses and refuses', () => {
    expect(parseS3Url('s3://logs/2024/*.csv')).toEqual({ bucket: 'logs', key: '2024/*.csv', glob: true });
    for (const bad of ['/etc/passwd', 's3://b/../x', 's3://bb/a/./b', 's3://Bad_Bucket/x', 's3://bucket/', 'file:///etc/passwd']) {
      expect(() => parseS3Url(bad), bad).toThrow(S3Error);
    }
  });

  it('matches * and ? within a segment and ** across segments', () => {
    const re = globRegExp('a/**/b?.csv');
    expect(['a/b1.csv', 'a/x/b2.csv', 'a/x/y/b3.csv'].every((k) => re.test(k))).toBe(true);
    expect(['a/b12.csv', 'a/x/c1.csv', 'ab1.csv'].some((k) => re.test(k))).toBe(false);
    const one = globRegExp('logs/*.csv');
    expect(one.test('logs/x.csv')).toBe(true);
    expect(one.test('logs/d/x.csv')).toBe(false);
    expect(globRegExp('a.b(c)+').test('a.b(c)+')).toBe(true);
  });
});

describe('object formats', () => {
  let dir: string;
  const info = (key: string, extra: Partial<ObjectInfo> = {}): ObjectInfo =>
    ({ bucket: 'b', key, size: 100, etag: 'e', lastModified: 0, userMeta: {}, ...extra });
  const file = (name: string, data: string | Buffer) => {
    const p = path.join(dir, name);
    writeFileSync(p, data);
    return p;
  };

  beforeAll(() => { dir = mkdtempSync(path.join(tmpdir(), 'selectd-sources-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the extension, then the Content-Type, then the bytes', async () => {
    const csv = file('c', 'a,b\n1,2\n');
    expect(await sourceFor(info('x.parquet'), csv)).toMatchObject({ format: 'parquet' });
    expect(await sourceFor(info('x.tsv'), csv)).toMatchObject({ format: 'tsv' });
    expect(await sourceFor(info('x', { contentType: 'application/x-ndjson; charset=utf-8' }), csv)).toMatchObject({ format: 'json' });
    expect(await sourceFor(info('x'), file('p', 'PAR1....'))).toMatchObject({ format: 'parquet' });
    expect(await sourceFor(info('x'), file('j', '\n  [{"a":1}]'))).toMatchObject({ format: 'json' });
    expect(await sourceFor(info('x'), csv)).toMatchObject({ format: 'csv' });
    const gz = await sourceFor(info('x'), file('g', gzipSync('{"a":1}\n')));
    expect(gz).toMatchObject({ format: 'json', compression: 'gzip' });
    expect(gz.relation(['/p'])).toBe(`read_json_auto(['/p'], compression = 'gzip')`);
    expect((await sourceFor(info('x.csv.gz'), csv)).relation(["/it's"])).toBe(`read_csv_auto(['/it''s'], compression = 'gzip')`);
  });
});

describe('guard', () => {
  let root: string;
  let engine: Engine;
  let guard: SqlGuard;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'selectd-guard-'));
    engine = await Engine.open({ dataDir: root, maxConnections: 1 });
    guard = new SqlGuard(engine);
  });
  afterAll(async () => {
    await engine?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('classifies statements and locates file references', async () => {
    const g = await guard.inspect(`explain analyze SELECT * FROM 's3://b/x.csv' JOIN read_csv(['s3://b/y', 's3://b/z']) USING (a);`);
    expect(g).toMatchObject({ kind: 'select', explain: 'EXPLAIN ANALYZE ' });
    expect(g.body.endsWith(';')).toBe(false);
    expect(g.refs.map((r) => [r.kind, r.values])).toEqual([['table', ['s3://b/x.csv']], ['reader-list', ['s3://b/y']], ['reader-list', ['s3://b/z']]]);
    expect((await guard.inspect(`DESCRIBE SELECT 1`)).kind).toBe('describe');
    expect((await guard.inspect(`SUMMARIZE 's3://b/x.csv'`)).refs).toHaveLength(1);
    expect((await guard.inspect(`WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r`)).refs).toEqual([]);
  });

  it('reports syntax errors as such, not as refusals', async () => {
    await expect(guard.inspect('SELECT FROM WHERE')).rejects.toMatchObject({ code: 'UnsupportedSyntax' });
  });

  it('accepts only the resolved paths after rewriting', async () => {
    await expect(guard.verifyRewritten(`SELECT * FROM read_csv('/objects/1')`, new Set(['/objects/1']))).resolves.toBeUndefined();
    await expect(guard.verifyRewritten(`SELECT * FROM read_csv('/objects/2')`, new Set(['/objects/1']))).rejects.toMatchObject({ code: 'SqlNotAllowed' });
    await expect(guard.verifyRewritten(`SELECT * FROM 's3://b/x'`, new Set())).rejects.toMatchObject({ code: 'SqlNotAllowed' });
  });
});
