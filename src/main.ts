// Wires the layers together: store → DuckDB engine → gateway with the Select operation and the SQL endpoint.
import path from 'node:path';
import type { Config } from './config.js';
import { Engine } from './duckdb/engine.js';
import { startGateway, type Gateway } from './http/server.js';
import { selectHandler } from './select/select-op.js';
import { registerSqlEndpoint } from './sql-endpoint/routes.js';
import { openLocalStore } from './store/local-store.js';

export interface Server {
  url: string;
  gateway: Gateway;
  close(): Promise<void>;
}

export async function startServer(config: Config): Promise<Server> {
  const store = await openLocalStore(config.dataDir);
  const spillDir = path.join(config.dataDir, '.duckdb-tmp');
  const engine = await Engine.open({
    dataDir: config.dataDir,
    objectsDir: path.join(config.dataDir, 'objects'),
    spillDir,
    memoryLimit: config.duckdbMemoryLimit,
    threads: config.duckdbThreads,
    maxConnections: config.maxQueries,
    queryTimeoutMs: config.queryTimeoutMs,
  });
  const gateway = await startGateway({
    config,
    store,
    select: (metrics) => selectHandler({ engine, pipeDir: spillDir, metrics }),
    extend: (app, metrics) => registerSqlEndpoint(app, { engine, store, config, metrics }),
  });
  return {
    url: gateway.url,
    gateway,
    async close() {
      await gateway.close();
      await engine.close();
      await store.close();
    },
  };
}
