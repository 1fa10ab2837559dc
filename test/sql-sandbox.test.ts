// Escape attempts against /_sql: each is refused with a 400 JSON error naming what was refused, the
// server stays healthy, DuckDB's sandbox settings are untouched and nothing is written anywhere.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqlServer, type SqlServer } from './helpers/sql-server.js';

let s: SqlServer;
let outside: string;
let objectsDir: string;

/** Every file under `dir` (relative path → size). */
function snapshot(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = e.isFile() ? statSync(p).size : -1;
    }
  };
  walk(dir);
  return out;
}

beforeAll(async () => {
  outside = mkdtempSync(path.join(tmpdir(), 'selectd-outside-'));
  s = await startSqlServer(['--sql-buckets', 'data']);
  objectsDir = path.join(s.dataDir, 'objects');
  await s.put('data', 'a.csv', 'a,b\n1,x\n');
  await s.put('private', 'secret.csv', 'token\nhunter2\n');
  await s.put('data', 'big.bin', Buffer.alloc(65 * 1024 * 1024, 1));
});

afterAll(async () => {
  await s?.close();
  rmSync(outside, { recursive: true, force: true });
});

describe('escape attempts', () => {
  const attempts = (): [string, string][] => [
    [`SELECT * FROM read_csv('/etc/passwd')`, 'path /etc/passwd'],
    [`SELECT * FROM read_text('/etc/passwd')`, 'path /etc/passwd'],
    [`SELECT * FROM read_blob('${objectsDir}/anything')`, `path ${objectsDir}/anything`],
    [`SELECT * FROM glob('/*')`, 'path /*'],
    [`SELECT * FROM '/etc/passwd'`, 'table /etc/passwd'],
    [`SELECT * FROM read_csv(E'\\x2fetc/passwd')`, 'path /etc/passwd'],
    [`SELECT * FROM read_csv(concat('/etc', '/passwd'))`, 'read_csv() argument'],
    [`SELECT * FROM read_parquet(['s3://data/a.csv', '/etc/passwd'])`, 'path /etc/passwd'],
    [`SELECT * FROM sniff_csv('/etc/passwd')`, 'table function sniff_csv()'],
    [`COPY (SELECT 42) TO '${outside}/leak.csv'`, 'COPY'],
    [`COPY (SELECT 42) TO '${objectsDir}/leak.csv'`, 'COPY'],
    [`EXPORT DATABASE '${outside}'`, 'EXPORT'],
    [`ATTACH '${objectsDir}/x.db' AS x`, 'ATTACH'],
    [`ATTACH ':memory:' AS m`, 'ATTACH'],
    [`INSTALL httpfs`, 'INSTALL'],
    [`LOAD httpfs`, 'LOAD'],
    [`SET enable_external_access = true`, 'SET'],
    [`SET allowed_directories = ['/']`, 'SET'],
    [`PRAGMA version`, 'PRAGMA'],
    [`CALL pragma_version()`, 'CALL'],
    [`CREATE TABLE t AS SELECT 1`, 'CREATE'],
    [`SELECT 1; DROP TABLE t`, 'multiple statements'],
    [`SELECT 1; COPY (SELECT 1) TO '${outside}/x.csv'`, 'multiple statements'],
    [`SHOW TABLES`, 'SHOW'],
    [`SELECT * FROM 's3://data/../private/secret.csv'`, 'URL s3://data/../private/secret.csv'],
    [`SELECT * FROM read_csv('s3://data/x/../../private/secret.csv')`, 'URL s3://data/x/../../private/secret.csv'],
    [`SELECT * FROM 's3://private/secret.csv'`, 'bucket private'],
    [`SELECT * FROM glob('s3://private/*')`, 'bucket private'],
    [`FROM duckdb_settings()`, 'table function duckdb_settings()'],
    [`SUMMARIZE FROM duckdb_settings()`, 'table function duckdb_settings()'],
    [`SELECT * FROM query('SELECT 1')`, 'table function query()'],
    [`SELECT current_setting('allowed_directories')`, 'function current_setting()'],
    [`SELECT getenv('HOME')`, 'function getenv()'],
    [`SELECT * FROM pg_catalog.pg_settings`, 'table pg_catalog.pg_settings'],
    [`DESCRIBE duckdb_tables`, 'table duckdb_tables'],
    [`WITH pg_settings AS (SELECT 1) SELECT * FROM pg_settings`, 'WITH name pg_settings'],
    [`WITH "/etc/passwd" AS (SELECT 1) SELECT 1`, 'WITH name /etc/passwd'],
    [`SELECT * FROM read_csv('s3://data/a.csv', store_rejects = true, rejects_table = 'r')`, 'read_csv() option store_rejects'],
    [`SELECT * FROM read_csv('s3://data/a.csv', filename = true)`, 'read_csv() option filename'],
    [`SELECT repeat('x', 3000000000)`, 'repeat() size argument'],
    [`SELECT len(range(3000000000))`, 'range() list'],
    [`SELECT list_resize([1], 100000000)`, 'list_resize() size argument'],
    [`SELECT lpad('x', x::INT, 'y') FROM range(3) t(x)`, 'lpad() size argument'],
    [`SELECT printf('%300000000d', 1)`, 'printf() format'],
    [`SELECT length(content) FROM read_blob('s3://data/big.bin')`, 'read_blob() of s3://data/big.bin'],
  ];

  it('refuses each with a 400 naming what was refused', async () => {
    const list = attempts();
    expect(list.length).toBeGreaterThanOrEqual(25);
    const before = { data: snapshot(s.dataDir), outside: snapshot(outside), cwdTmp: existsSync(path.join(process.cwd(), '.tmp')) };
    for (const [sql, refused] of list) {
      const r = await s.sql(sql);
      const body = await r.json() as { error: { code: string; refused?: string; message: string } };
      expect({ sql, status: r.status, code: body.error.code, refused: body.error.refused })
        .toEqual({ sql, status: 400, code: 'SqlNotAllowed', refused });
      expect(body.error.message).toContain(refused);
    }
    expect(snapshot(s.dataDir)).toEqual(before.data);
    expect(snapshot(outside)).toEqual(before.outside);
    expect(existsSync(path.join(process.cwd(), '.tmp'))).toBe(before.cwdTmp);
  });

  it('leaves the server healthy and the sandbox settings as they were', async () => {
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    const ok = await s.sql(`SELECT count(*) AS n FROM 's3://data/a.csv'`);
    expect(await ok.json()).toMatchObject({ data: [{ n: 1 }] });
    const settings = await s.engine.queryRows(
      `SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', 'lock_configuration', 'autoinstall_known_extensions') ORDER BY name`);
    expect(settings).toEqual([
      { name: 'autoinstall_known_extensions', value: 'false' },
      { name: 'enable_external_access', value: 'false' },
      { name: 'lock_configuration', value: 'true' },
    ]);
  });

  it('refuses hidden tricks: comments, quoting and string forms around a refused call', async () => {
    for (const sql of [
      `/* SELECT */ COPY (SELECT 1) TO '${outside}/c.csv'`,
      `-- comment\nATTACH ':memory:' AS m`,
      `SELECT * FROM "read_text"('/etc/passwd')`,
      `SELECT * FROM read_text($$/etc/passwd$$)`,
      `SELECT (SELECT content FROM read_text('/etc/hostname'))`,
      `SELECT * FROM (SELECT 1) WHERE EXISTS (FROM duckdb_settings())`,
      `EXPLAIN ANALYZE SELECT * FROM read_csv('/etc/passwd')`,
    ]) {
      const r = await s.sql(sql);
      expect({ sql, status: r.status, code: (await r.json()).error.code }).toEqual({ sql, status: 400, code: 'SqlNotAllowed' });
    }
    expect(snapshot(outside)).toEqual({});
  });
});
