// Real clients as child processes: the aws CLI and python boto3 scripts, pointed at a test server.
import { spawn } from 'node:child_process';
import { ACCESS_KEY, REGION, SECRET_KEY } from './server.js';

export interface ProcResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function clientEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET_KEY,
    AWS_DEFAULT_REGION: REGION,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    ...extra,
  };
}

export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string | Buffer; cwd?: string } = {}): Promise<ProcResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env: opts.env ?? clientEnv(), cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
    p.stdin.end(opts.input ?? '');
  });
}

/** `aws <args> --endpoint-url <url>`; resolves with the result, whatever the exit code. */
export function aws(url: string, args: string[], env: Record<string, string> = {}): Promise<ProcResult> {
  return run('aws', [...args, '--endpoint-url', url], { env: clientEnv(env) });
}

/** Runs a python script with boto3; `ENDPOINT` is set in its environment. */
export function python(url: string, script: string, env: Record<string, string> = {}): Promise<ProcResult> {
  return run('python3', ['-c', script], { env: clientEnv({ ENDPOINT: url, ...env }) });
}

/** Prelude for boto3 scripts: a client `s3` on the test endpoint. */
export const BOTO = `
import os, sys, json, boto3, botocore
from botocore.config import Config
s3 = boto3.client('s3', endpoint_url=os.environ['ENDPOINT'], verify=False,
                  config=Config(s3={'addressing_style': 'path'}, retries={'max_attempts': 1}))
`;

export function expectOk(r: ProcResult): string {
  if (r.code !== 0) throw new Error(`exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}
