// Limits of /_sql: the timeout interrupts a query and frees its slot, the concurrency cap answers 503
// with Retry-After, row and byte limits fail instead of truncating, and a failure after the response
// has started cuts it short rather than ending it cleanly.
import { once } from 'node:events';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIC, startSqlServer, type SqlServer } from './helpers/sql-server.js';

let timed: SqlServer;
let capped: SqlServer;

/** Reads a response body to the end: the bytes received, and the error if the server cut it short. */
async function drain(r: Response): Promise<{ bytes: number; error?: unknown }> {
  let bytes = 0;
  try {
    for await (const chunk of r.body!) bytes += chunk.length;
    return { bytes };
  } catch (error) {
    return { bytes, error };
  }
}

beforeAll(async () => {
  [timed, capped] = await Promise.all([
    startSqlServer(['--sql-timeout', '1500', '--sql-max-concurrent', '1']),
    startSqlServer(['--sql-max-rows', '1000', '--sql-max-bytes', '100000']),
  ]);
});

afterAll(async () => {
  await Promise.all([timed?.close(), capped?.close()]);
});

describe('timeout and concurrency', () => {
  it('interrupts a long query (JSON and CSV paths) with 504 and frees its slot', async () => {
    for (const format of ['json', 'csv']) {
      const started = performance.now();
      const r = await timed.sql(`SELECT count(*) FROM range(10000000000000)`, { query: `format=${format}` });
      const ms = performance.now() - started;
      expect(r.status).toBe(504);
      expect(await r.text()).toContain('SqlQueryTimeout');
      expect(ms).toBeGreaterThanOrEqual(1400);
      expect(ms).toBeLessThan(10_000);
      const next = await timed.sql('SELECT 1 AS one');
      expect(await next.json()).toMatchObject({ data: [{ one: 1 }] });
    }
    const metrics = await (await fetch(`${timed.url}/metrics`)).text();
    expect(metrics).toContain('selectd_sql_queries_total{format="json",outcome="timeout"} 1');
  });

  it('answers 503 with Retry-After beyond the concurrency limit, then admits again', async () => {
    // A large result the client does not read: the query stays admitted until the timeout cuts it.
    const first = await timed.sql(`SELECT x, repeat('y', 200) AS pad FROM range(100000000) t(x)`, { query: 'format=jsonl' });
    expect(first.status).toBe(200);
    const second = await timed.sql('SELECT 2 AS two');
    expect(second.status).toBe(503);
    expect(second.headers.get('retry-after')).toBe('1');
    expect((await second.json()).error.code).toBe('Busy');
    expect((await drain(first)).error).toBeInstanceOf(Error);
    const third = await timed.sql('SELECT 3 AS three');
    expect(await third.json()).toMatchObject({ data: [{ three: 3 }] });
  });

  it('cuts off a client that never finishes sending its SQL, freeing the slot', async () => {
    const { hostname, port } = new URL(timed.url);
    const socket = net.connect(Number(port), hostname);
    socket.write(`POST /_sql HTTP/1.1\r\nHost: x\r\nAuthorization: ${BASIC}\r\nContent-Length: 100\r\n\r\nSELECT`);
    socket.resume();
    await once(socket, 'close');
    const next = await timed.sql('SELECT 5 AS five');
    expect(await next.json()).toMatchObject({ data: [{ five: 5 }] });
  });

  it('cuts a started response short when the query fails part-way (no silent truncation)', async () => {
    const r = await timed.sql(`SELECT CAST(CASE WHEN x = 300000 THEN 'nope' ELSE x::VARCHAR END AS INT) AS v FROM range(400000) t(x)`);
    expect(r.status).toBe(200);
    const body = await drain(r);
    expect(body.error).toBeInstanceOf(Error);
    expect(body.bytes).toBeGreaterThan(64 * 1024);
    const next = await timed.sql('SELECT 4 AS four');
    expect(await next.json()).toMatchObject({ data: [{ four: 4 }] });
  });
});

describe('row and byte limits', () => {
  it('allows exactly the row limit and refuses one more, in every format', async () => {
    const ok = await capped.sql(`SELECT x FROM range(1000) t(x)`);
    expect((await ok.json()).rows).toBe(1000);
    for (const format of ['json', 'jsonl', 'arrow', 'csv', 'parquet']) {
      const r = await capped.sql(`SELECT x FROM range(1001) t(x)`, { query: `format=${format}` });
      expect({ format, status: r.status }).toEqual({ format, status: 400 });
      expect(await r.text()).toContain('SqlResultTooLarge');
    }
  });

  it('refuses a response beyond the byte limit', async () => {
    const r = await capped.sql(`SELECT repeat('x', 1000) AS pad FROM range(900)`, { query: 'format=csv' });
    expect(r.status).toBe(200);
    const body = await drain(r);
    expect(body.error).toBeInstanceOf(Error);
    expect(body.bytes).toBeGreaterThanOrEqual(64 * 1024);
    expect(body.bytes).toBeLessThanOrEqual(100_000);
    const metrics = await (await fetch(`${capped.url}/metrics`)).text();
    expect(metrics).toContain('selectd_sql_queries_total{format="csv",outcome="too_large"} 2');
    const small = await fetch(`${capped.url}/_sql?query=${encodeURIComponent(`SELECT repeat('x', 100) AS pad FROM range(10)`)}`, { headers: { authorization: BASIC } });
    expect((await small.json()).rows).toBe(10);
  });
});
