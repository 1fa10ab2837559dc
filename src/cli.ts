#!/usr/bin/env node
// `selectd serve [flags]`: start the gateway; prints one ready line on stdout, stops cleanly on SIGTERM/SIGINT.
import { isLoopback, loadConfig, usage } from './config.js';

// DuckDB queries each hold a libuv pool thread; the pool must be larger than the query cap (set before any I/O).
process.env.UV_THREADPOOL_SIZE ??= '16';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(usage());
    return command === undefined ? 1 : 0;
  }
  if (command !== 'serve') {
    process.stderr.write(`selectd: unknown command ${JSON.stringify(command)}\n${usage()}`);
    return 2;
  }
  let config;
  try {
    config = loadConfig(rest);
  } catch (e) {
    process.stderr.write(`selectd: ${(e as Error).message}\n${usage()}`);
    return 2;
  }
  if (config.usingDevCredentials && !isLoopback(config.host)) {
    process.stderr.write(
      '\n!!! WARNING: selectd is listening on a non-loopback address with the documented development credentials.\n' +
      '!!! Anyone who can reach it can read and write every object. Set --access-key/--secret-key.\n\n');
  }
  const { startServer } = await import('./main.js');
  const server = await startServer(config);
  // Handlers go in before the ready line, so a signal sent as soon as it is read is not lost.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  process.stdout.write(`selectd listening on ${server.url}\n`);
  await stopped;
  // In-flight requests get a grace period; connections still open after it are cut so the process exits.
  const grace = setTimeout(() => server.gateway.app.server.closeAllConnections(), 15_000);
  grace.unref();
  await server.close();
  clearTimeout(grace);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`selectd: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
