import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Error } from '../src/errors.js';
import { Engine } from '../src/duckdb/engine.js';
import { QueryTimeoutError } from '../src/duckdb/errors.js';

let root: string;
let objectsDir: string;
let outsideDir: string;
let engine: Engine;

async function collect(stream: Readable): Promise<{ text: string; error?: unknown; ended: boolean }> {
  const parts: Buffer[] = [];
  let ended = false;
  stream.on('end', () => (ended = true));
  try {
    for await (const chunk of stream) parts.push(chunk as Buffer);
    return { text: Buffer.concat(parts).toString('utf8'), ended };
  } catch (error) {
    return { text: Buffer.concat(parts).toString('utf8'), error, ended };
  }
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** Fails at row `at` of `rows` with a cast error; each row is ~60 bytes of CSV so output flows first. */
const failingQuery = (rows: number, at: number) =>
  `SELECT CAST(CASE WHEN x = ${at} THEN 'nope' ELSE x::VARCHAR END AS INT) AS v, repeat('x', 50) AS pad FROM range(${rows}) t(x)`;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'selectd-engine-'));
  objectsDir = path.join(root, 'data', 'objects');
  outsideDir = path.join(root, 'outside');
  fs.mkdirSync(objectsDir, { recursive: true });
  fs.mkdirSync(outsideDir, { recursive: true });
  fs.writeFileSync(path.join(objectsDir, 'in.csv'), 'a,b\n1,x\n2,y\n');
  fs.writeFileSync(path.join(outsideDir, 'out.csv'), 'a,b\n1,secret\n');
  engine = await Engine.open({ dataDir: path.join(root, 'data'), objectsDir, maxConnections: 4, threads: 2 });
});

afterAll(async () => {
  await engine?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('sandbox', () => {
  it('reads files in the objects dir', async () => {
    const rows = await engine.queryRows(`SELECT b FROM read_csv(?, header = true) ORDER BY a`, [path.join(objectsDir, 'in.csv')]);
    expect(rows).toEqual([{ b: 'x' }, { b: 'y' }]);
  });

  it('refuses to read outside the objects dir, also via ..', async () => {
    for (const p of [path.join(outsideDir, 'out.csv'), path.join(objectsDir, '..', '..', 'outside', 'out.csv')]) {
      const err = await rejection(engine.queryRows(`SELECT * FROM read_csv('${p}')`));
      expect(err).toBeInstanceOf(S3Error);
      expect((err as S3Error).code).toBe('AccessDenied');
    }
  });

  it('refuses COPY … TO outside the sandbox', async () => {
    const target = path.join(outsideDir, 'leak.csv');
    const err = await rejection(engine.queryRows(`COPY (SELECT 42) TO '${target}'`));
    expect((err as S3Error).code).toBe('AccessDenied');
    expect(fs.existsSync(target)).toBe(false);
  });

  it('cannot install or load network extensions', async () => {
    await expect(engine.queryRows('INSTALL httpfs')).rejects.toBeInstanceOf(S3Error);
    await expect(engine.queryRows('LOAD httpfs')).rejects.toBeInstanceOf(S3Error);
  });

  it('locks the configuration', async () => {
    await expect(engine.queryRows('SET threads = 1')).rejects.toThrow();
    await expect(engine.queryRows('SET enable_external_access = true')).rejects.toThrow();
  });

  it('spills into its own directory and allows only objects + spill dirs', async () => {
    const [row] = await engine.queryRows(
      `SELECT current_setting('temp_directory') AS tmp, current_setting('allowed_directories')::VARCHAR AS allowed,
         (TIMESTAMPTZ '2020-01-01 00:00:00+02')::TIMESTAMP::VARCHAR AS utc`,
    );
    const spill = path.join(root, 'data', '.duckdb-tmp');
    expect(row!.tmp).toBe(spill);
    expect(row!.utc).toBe('2019-12-31 22:00:00');
    const allowed = String(row!.allowed);
    expect(allowed).toContain(objectsDir + '/');
    expect(allowed).toContain(spill + '/');
    expect(allowed).not.toContain(path.join(process.cwd(), '.tmp'));
  });
});

describe('copyToStream', () => {
  it('writes CSV with quoting and NULLs', async () => {
    const s = await engine.copyToStream(
      `SELECT * FROM (VALUES (1, 'a,b', NULL), (2, 'q"x', 'z')) t(a, b, c) ORDER BY a`,
      undefined,
      { format: 'csv' },
    );
    const out = await collect(s);
    expect(out.error).toBeUndefined();
    expect(out.text).toBe('1,"a,b",\n2,"q""x",z\n');
  });

  it('honours delimiter, quote, escape, record delimiter and parameters', async () => {
    const s = await engine.copyToStream(
      `SELECT x, 'v;' || x AS y FROM range(3) t(x) WHERE x < $1 ORDER BY x`,
      [2],
      { format: 'csv', delimiter: ';', quote: "'", escape: '\\', newline: '\r\n', forceQuote: false },
    );
    expect((await collect(s)).text).toBe("0;'v;0'\r\n1;'v;1'\r\n");
  });

  it('refuses delimiters DuckDB would mangle', async () => {
    const err = await rejection(engine.copyToStream('SELECT 1', undefined, { format: 'csv', delimiter: '¦' }));
    expect((err as S3Error).code).toBe('InvalidRequestParameter');
    expect(await engine.queryRows('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('writes JSON lines', async () => {
    const s = await engine.copyToStream(`SELECT * FROM (VALUES (1, 'x'), (2, NULL)) t(a, b) ORDER BY a`, undefined, { format: 'json' });
    expect((await collect(s)).text).toBe('{"a":1,"b":"x"}\n{"a":2,"b":null}\n');
  });

  it('writes Parquet that reads back', async () => {
    const s = await engine.copyToStream(`SELECT x AS n, x::VARCHAR AS s FROM range(1000) t(x)`, undefined, { format: 'parquet' });
    const parts: Buffer[] = [];
    for await (const c of s) parts.push(c as Buffer);
    const file = path.join(objectsDir, 'back.parquet');
    fs.writeFileSync(file, Buffer.concat(parts));
    const [row] = await engine.queryRows(`SELECT count(*) AS c, sum(n) AS total, max(s) AS top FROM read_parquet(?)`, [file]);
    expect(row).toEqual({ c: 1000n, total: 499500n, top: '999' });
  });

  it('returns an empty stream for an empty result', async () => {
    const out = await collect(await engine.copyToStream('SELECT 1 WHERE false', undefined, { format: 'csv' }));
    expect(out).toMatchObject({ text: '', ended: true });
  });

  it('rejects when the query fails before any output', async () => {
    const err = await rejection(engine.copyToStream(failingQuery(10, 0), undefined, { format: 'csv' }));
    expect((err as S3Error).code).toBe('CastFailed');
    const err2 = await rejection(engine.copyToStream('SELECT no_such_column FROM range(3)', undefined, { format: 'csv' }));
    expect((err2 as S3Error).code).toBe('EvaluatorBindingDoesNotExist');
  });

  it('surfaces a part-way failure as a stream error after the bytes produced', async () => {
    const s = await engine.copyToStream(failingQuery(300_000, 250_000), undefined, { format: 'csv' });
    const out = await collect(s);
    expect(out.ended).toBe(false);
    expect((out.error as S3Error).code).toBe('CastFailed');
    const lines = out.text.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThan(250_000);
    // Whole records in order up to the failure: none cut in the middle, none missing.
    expect(lines.every((l, i) => l === `${i},${'x'.repeat(50)}`)).toBe(true);
  });

  it('accepts exactly one statement, so the query cannot step out of COPY ( … )', async () => {
    expect((await collect(await engine.copyToStream('SELECT 1 AS a;  ', undefined, { format: 'csv' }))).text).toBe('1\n');
    expect((await collect(await engine.copyToStream('SELECT 2 AS a -- note', undefined, { format: 'csv' }))).text).toBe('2\n');
    const target = path.join(objectsDir, 'injected.csv');
    const injected = `SELECT 1) TO '${target}' (FORMAT csv); SELECT (1`;
    expect(((await rejection(engine.copyToStream(injected, undefined, { format: 'csv' }))) as S3Error).code).toBe('UnsupportedSyntax');
    expect(fs.existsSync(target)).toBe(false);
    const two = await rejection(engine.copyToStream('SELECT 1; SELECT 2', undefined, { format: 'csv' }));
    expect((two as S3Error).code).toBe('UnsupportedSqlStructure');
    expect(((await rejection(engine.streamChunks(' ; '))) as S3Error).code).toBe('ParseEmptySelect');
  });

  it('runs four FIFO copies at once', async () => {
    const runs = [0, 1, 2, 3].map(async (k) => {
      const s = await engine.copyToStream(`SELECT ${k} AS k, x FROM range(200000) t(x)`, undefined, { format: 'csv' });
      return (await collect(s)).text.split('\n').filter(Boolean).length;
    });
    expect(await Promise.all(runs)).toEqual([200_000, 200_000, 200_000, 200_000]);
  });
});

describe('streamChunks', () => {
  it('streams every row and hides the marker row', async () => {
    const cs = await engine.streamChunks('SELECT x, x * 2 AS y FROM range(5000) t(x)');
    expect(cs.columnNames).toEqual(['x', 'y']);
    let rows = 0;
    let sum = 0n;
    for await (const chunk of cs) {
      rows += chunk.rowCount;
      const col = chunk.getColumnValues(1);
      for (const v of col) sum += v as bigint;
    }
    expect(rows).toBe(5000);
    expect(sum).toBe(2n * 12_497_500n);
  });

  it('throws the real error instead of ending quietly when the query fails part-way', async () => {
    const cs = await engine.streamChunks(failingQuery(300_000, 250_000));
    let rows = 0;
    const err = await rejection(
      (async () => {
        for await (const chunk of cs) rows += chunk.rowCount;
      })(),
    );
    expect((err as S3Error).code).toBe('CastFailed');
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThan(300_000);
  });

});

describe('pool, cancellation and timeouts', () => {
  let small: Engine;

  beforeAll(async () => {
    small = await Engine.open({ dataDir: path.join(root, 'small'), maxConnections: 1, maxQueue: 1 });
  });

  afterAll(async () => {
    await small?.close();
  });

  it('queues one caller and answers Busy beyond the queue', async () => {
    const lease = await small.acquire();
    const queued = small.queryRows('SELECT 7 AS n');
    const err = await rejection(small.queryRows('SELECT 8 AS n'));
    expect((err as S3Error).code).toBe('Busy');
    expect((err as S3Error).status).toBe(503);
    lease.release();
    expect(await queued).toEqual([{ n: 7 }]);
  });

  it('lets a waiting caller give up through its signal', async () => {
    const lease = await small.acquire();
    const ac = new AbortController();
    const waiting = small.queryRows('SELECT 1', undefined, { signal: ac.signal });
    ac.abort(new Error('client went away'));
    await expect(waiting).rejects.toThrow('client went away');
    lease.release();
    expect(await small.queryRows('SELECT 2 AS n')).toEqual([{ n: 2 }]);
  });

  it('destroying a copy stream early cancels the query and frees the connection', async () => {
    const s = await small.copyToStream('SELECT x FROM range(100000000) t(x)', undefined, { format: 'csv' });
    const first = await new Promise<Buffer>((resolve) => s.once('data', resolve));
    expect(first.length).toBeGreaterThan(0);
    s.destroy();
    expect(await small.queryRows('SELECT 42 AS n')).toEqual([{ n: 42 }]);
  });

  it('frees the connection when a chunk consumer stops early', async () => {
    const cs = await small.streamChunks('SELECT x FROM range(100000000) t(x)');
    for await (const chunk of cs) {
      expect(chunk.rowCount).toBeGreaterThan(0);
      break;
    }
    expect(await small.queryRows('SELECT 5 AS n')).toEqual([{ n: 5 }]);
  });

  it('interrupts a long query at its time limit and keeps the connection usable', async () => {
    const started = Date.now();
    const err = await rejection(
      small.queryRows('SELECT sum(a.x * b.x) AS s FROM range(200000) a(x), range(200000) b(x)', undefined, { timeoutMs: 300 }),
    );
    expect(err).toBeInstanceOf(QueryTimeoutError);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await small.queryRows('SELECT 1 AS n')).toEqual([{ n: 1 }]);
  });

  it('an abort signal cancels a running copy', async () => {
    const ac = new AbortController();
    const s = await small.copyToStream('SELECT x FROM range(100000000) t(x)', undefined, { format: 'csv' }, { signal: ac.signal });
    s.pause();
    const err = new Promise<Error>((resolve) => s.once('error', resolve));
    ac.abort(new Error('client went away'));
    expect((await err).message).toBe('client went away');
    expect(await small.queryRows('SELECT 4 AS n')).toEqual([{ n: 4 }]);
  });

  it('times out a chunk stream', async () => {
    const err = await rejection(
      small.streamChunks('SELECT sum(a.x * b.x) AS s FROM range(200000) a(x), range(200000) b(x)', undefined, { timeoutMs: 300 }),
    );
    expect(err).toBeInstanceOf(QueryTimeoutError);
    expect(await small.queryRows('SELECT 6 AS n')).toEqual([{ n: 6 }]);
  });

  it('times out a copy whose reader has stopped reading', async () => {
    const s = await small.copyToStream('SELECT x FROM range(100000000) t(x)', undefined, { format: 'csv' }, { timeoutMs: 300 });
    s.pause();
    const err = await new Promise((resolve) => s.once('error', resolve));
    expect(err).toBeInstanceOf(QueryTimeoutError);
    expect(await small.queryRows('SELECT 3 AS n')).toEqual([{ n: 3 }]);
  });

  it('close() cancels a running copy and waits for its connection', async () => {
    const other = await Engine.open({ dataDir: path.join(root, 'closing'), maxConnections: 1 });
    const s = await other.copyToStream('SELECT x FROM range(100000000) t(x)', undefined, { format: 'csv' });
    s.pause();
    const errored = new Promise((resolve) => s.once('error', resolve));
    await other.close();
    expect(await errored).toBeInstanceOf(S3Error);
    await expect(other.queryRows('SELECT 1')).rejects.toBeInstanceOf(S3Error);
  });
});
