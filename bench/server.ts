// Starts our own server (the built CLI) on an ephemeral port with a temporary data directory, waiting for its
// ready line instead of sleeping.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from '../datasets/manifest.js';
import { onAbnormalExit } from './cleanup.js';
import type { Endpoint } from './s3-client.js';

export const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');

export interface LocalServer {
  endpoint: Endpoint;
  pid: number;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startLocalServer(extraArgs: string[] = [], dataDir?: string): Promise<LocalServer> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const dir = dataDir ?? mkdtempSync(path.join(tmpdir(), 'selectd-bench-'));
  const accessKey = `BENCH${randomBytes(6).toString('hex').toUpperCase()}`;
  const secretKey = randomBytes(24).toString('base64url');
  const proc: ChildProcess = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data', dir,
    '--access-key', accessKey, '--secret-key', secretKey, '--log-level', 'warn', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const forget = onAbnormalExit(() => {
    proc.kill('SIGTERM');
    if (dataDir === undefined) rmSync(dir, { recursive: true, force: true });
  });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      const rl = createInterface({ input: proc.stdout! });
      rl.on('line', (line) => {
        const m = /^selectd listening on (https?:\/\/\S+)$/.exec(line);
        if (m) resolve(m[1]!);
      });
      proc.once('exit', (code) => reject(new Error(`the server exited with ${code} before it was ready:\n${stderr}`)));
    });
  } catch (e) {
    forget();
    if (dataDir === undefined) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    endpoint: { url, accessKey, secretKey },
    pid: proc.pid!,
    dataDir: dir,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
      forget();
      if (dataDir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}
