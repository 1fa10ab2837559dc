// An in-process gateway with the SQL endpoint on an ephemeral port and a temp data dir: local store,
// DuckDB engine and startGateway wired the way main.ts does, plus helpers to call /_sql.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { loadConfig, type Config } from '../../src/config.js';
import { Engine } from '../../src/duckdb/engine.js';
import { startGateway, type Gateway } from '../../src/http/server.js';
import { registerSqlEndpoint } from '../../src/sql-endpoint/routes.js';
import { openLocalStore, type LocalStore } from '../../src/store/local-store.js';

export const SQL_ACCESS_KEY = 'AKIDSQLTEST';
export const SQL_SECRET_KEY = 'sql-secret/with+chars:and-colon';
export const BASIC = 'Basic ' + Buffer.from(`${SQL_ACCESS_KEY}:${SQL_SECRET_KEY}`).toString('base64');
export const BEARER = `Bearer ${SQL_ACCESS_KEY}:${SQL_SECRET_KEY}`;

export interface SqlServer {
  url: string;
  dataDir: string;
  config: Config;
  store: LocalStore;
  engine: Engine;
  gateway: Gateway;
  put(bucket: string, key: string, body: string | Buffer, contentType?: string): Promise<void>;
  /** POST /_sql with Basic auth; `body` is the SQL text, or an object sent as JSON. */
  sql(body: string | object, opts?: { query?: string; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

export async function startSqlServer(args: string[] = [], engineOptions: { maxConnections?: number } = {}): Promise<SqlServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'selectd-sql-'));
  const config = loadConfig(['--port', '0', '--data', dataDir, '--access-key', SQL_ACCESS_KEY, '--secret-key', SQL_SECRET_KEY,
    '--log-level', 'silent', ...args], {});
  const store = await openLocalStore(dataDir);
  const engine = await Engine.open({
    dataDir,
    objectsDir: path.join(dataDir, 'objects'),
    spillDir: path.join(dataDir, '.duckdb-tmp'),
    memoryLimit: config.duckdbMemoryLimit,
    threads: config.duckdbThreads,
    maxConnections: engineOptions.maxConnections ?? config.maxQueries,
    queryTimeoutMs: config.queryTimeoutMs,
  });
  const gateway = await startGateway({
    config,
    store,
    extend: (app, metrics) => registerSqlEndpoint(app, { engine, store, config, metrics }),
  });
  return {
    url: gateway.url,
    dataDir,
    config,
    store,
    engine,
    gateway,
    async put(bucket, key, body, contentType) {
      await store.createBucket(bucket).catch(() => undefined);
      await store.putObject(bucket, key, Readable.from([Buffer.from(body)]), { userMeta: {}, contentType });
    },
    sql(body, opts = {}) {
      const json = typeof body !== 'string';
      return fetch(`${gateway.url}/_sql${opts.query ? `?${opts.query}` : ''}`, {
        method: 'POST',
        headers: { authorization: BASIC, 'content-type': json ? 'application/json' : 'text/plain', ...opts.headers },
        body: json ? JSON.stringify(body) : body,
      });
    },
    async close() {
      await gateway.close();
      await engine.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
