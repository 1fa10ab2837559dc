// Wires the layers together: store → gateway (→ Select and SQL layers as they register).
import type { Config } from './config.js';
import { startGateway, type Gateway } from './http/server.js';
import { openLocalStore } from './store/local-store.js';

export interface Server {
  url: string;
  gateway: Gateway;
  close(): Promise<void>;
}

export async function startServer(config: Config): Promise<Server> {
  const store = await openLocalStore(config.dataDir);
  const gateway = await startGateway({ config, store });
  return {
    url: gateway.url,
    gateway,
    async close() {
      await gateway.close();
      await store.close();
    },
  };
}
