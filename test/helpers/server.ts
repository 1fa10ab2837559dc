// Starts the real server (the built CLI) as a child process on an ephemeral port with a temp data dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'dist/src/cli.js');
export const ACCESS_KEY = 'AKIDTESTSELECTD';
export const SECRET_KEY = 'test-secret-key/with+chars';
export const REGION = 'us-east-1';

export interface RunningServer {
  url: string;
  dataDir: string;
  proc: ChildProcess;
  /** Lines the server wrote to stdout (JSON logs), for assertions on logging. */
  output: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  dataDir?: string;
  args?: string[];
  env?: Record<string, string>;
}

export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'selectd-test-'));
  const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data', dataDir,
    '--access-key', ACCESS_KEY, '--secret-key', SECRET_KEY, '--log-level', 'warn', ...(opts.args ?? [])], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  let stderr = '';
  proc.stderr!.on('data', (d) => { stderr += d; });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: proc.stdout! });
    rl.on('line', (line) => {
      output.push(line);
      const m = /^selectd listening on (https?:\/\/\S+)$/.exec(line);
      if (m) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`server exited with ${code} before ready:\n${stderr}`)));
  });
  return {
    url,
    dataDir,
    proc,
    output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null) proc.kill(signal);
      const code = await exited;
      if (opts.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

/**
 * Two servers for a test file, the columnar cache on and off, each loaded by `load` before its tests and
 * stopped after them.
 */
export function serversWithAndWithoutCache(load: (server: RunningServer) => Promise<void>): { cached: () => RunningServer; uncached: () => RunningServer } {
  let cached: RunningServer | undefined;
  let uncached: RunningServer | undefined;
  beforeAll(async () => {
    [cached, uncached] = await Promise.all([startServer(), startServer({ args: ['--cache-bytes', '0'] })]);
    await Promise.all([load(cached), load(uncached)]);
  });
  afterAll(async () => {
    await cached?.stop();
    await uncached?.stop();
  });
  return { cached: () => cached!, uncached: () => uncached! };
}
