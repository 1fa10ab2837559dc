// Wires the layers together: store → DuckDB engine → gateway with the Select operation and the SQL endpoint.
import path from 'node:path';
import type { Config } from './config.js';
import { Engine } from './duckdb/engine.js';
import { startGateway, type Gateway } from './http/server.js';
import { ShadowCache } from './select/shadow-cache.js';
import { selectHandler } from './select/select-op.js';
import { registerSqlEndpoint } from './sql-endpoint/routes.js';
import { openLocalStore } from './store/local-store.js';
import { observeStore } from './store/observed-store.js';

export interface Server {
  url: string;
  gateway: Gateway;
  close(): Promise<void>;
}

export async function startServer(config: Config): Promise<Server> {
  const local = await openLocalStore(config.dataDir);
  const spillDir = path.join(config.dataDir, '.duckdb-tmp');
  // Shadows and per-query decoded files live in the spill dir: DuckDB may read nothing outside it and the
  // objects. The cache starts empty (its directory is cleared), and every write or delete drops a key's shadows.
  const shadowDir = path.join(spillDir, 'shadow');
  const shadows = await ShadowCache.open({ dir: shadowDir, maxBytes: config.cacheBytes });
  const store = observeStore(local, (bucket, key) => shadows.invalidate(bucket, key));
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
    select: (metrics) => {
      for (const m of shadows.metrics) metrics.add(m);
      return selectHandler({ engine, pipeDir: spillDir, tempDir: shadowDir, shadows, metrics });
    },
    extend: (app, metrics) => registerSqlEndpoint(app, { engine, store, config, metrics }),
  });
  return {
    url: gateway.url,
    gateway,
    async close() {
      await gateway.close();
      await shadows.close();
      await engine.close();
      await store.close();
    },
  };
}
