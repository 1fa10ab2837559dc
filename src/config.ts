// Server configuration: command-line flags, each with an environment equivalent, and defaults.
import { parseArgs } from 'node:util';
import path from 'node:path';

/** The documented development credentials, used when none are given. */
export const DEV_ACCESS_KEY = 'selectd';
export const DEV_SECRET_KEY = 'selectd-dev-secret';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  accessKey: string;
  secretKey: string;
  region: string;
  tlsCert?: string;
  tlsKey?: string;
  /** Base domain for virtual-hosted-style requests (`bucket.<domain>`). */
  domain: string;
  /** DuckDB settings shared by S3 Select and the SQL endpoint. */
  duckdbMemoryLimit: string;
  duckdbThreads: number;
  maxQueries: number;
  queryTimeoutMs: number;
  /** SQL endpoint (/_sql) limits; 0 = no limit for rows and bytes. */
  sqlMaxRows: number;
  sqlMaxBytes: number;
  sqlTimeoutMs: number;
  sqlMaxConcurrent: number;
  /** Buckets the SQL endpoint may read; empty = every bucket. */
  sqlBuckets: string[];
  /** Bytes of Parquet shadows the Select columnar cache may keep (0 = no cache). */
  cacheBytes: number;
  logLevel: string;
  usingDevCredentials: boolean;
}

interface Option {
  env: string;
  default?: string;
  help: string;
}

const options: Record<string, Option> = {
  host: { env: 'SELECTD_HOST', default: '127.0.0.1', help: 'address to listen on' },
  port: { env: 'SELECTD_PORT', default: '9000', help: 'TCP port (0 = ephemeral)' },
  data: { env: 'SELECTD_DATA', default: './data', help: 'data directory' },
  'access-key': { env: 'SELECTD_ACCESS_KEY', help: `access key id (default ${DEV_ACCESS_KEY})` },
  'secret-key': { env: 'SELECTD_SECRET_KEY', help: `secret access key (default ${DEV_SECRET_KEY})` },
  region: { env: 'SELECTD_REGION', default: 'us-east-1', help: 'region the server signs for' },
  'tls-cert': { env: 'SELECTD_TLS_CERT', help: 'PEM certificate file: serve HTTPS' },
  'tls-key': { env: 'SELECTD_TLS_KEY', help: 'PEM private key file for --tls-cert' },
  domain: { env: 'SELECTD_DOMAIN', default: 'localhost', help: 'base domain for virtual-hosted-style buckets' },
  'memory-limit': { env: 'SELECTD_MEMORY_LIMIT', default: '1GB', help: 'DuckDB memory limit' },
  threads: { env: 'SELECTD_THREADS', default: '2', help: 'DuckDB worker threads' },
  'max-queries': { env: 'SELECTD_MAX_QUERIES', default: '4', help: 'concurrent queries before answering Busy' },
  'query-timeout': { env: 'SELECTD_QUERY_TIMEOUT_MS', default: '300000', help: 'per-query timeout in milliseconds' },
  'sql-max-rows': { env: 'SELECTD_SQL_MAX_ROWS', default: '10000000', help: 'most rows one /_sql result may have (0 = no limit)' },
  'sql-max-bytes': { env: 'SELECTD_SQL_MAX_BYTES', default: '1073741824', help: 'most bytes one /_sql response may have (0 = no limit)' },
  'sql-timeout': { env: 'SELECTD_SQL_TIMEOUT_MS', default: '60000', help: '/_sql per-query timeout in milliseconds' },
  'sql-max-concurrent': { env: 'SELECTD_SQL_MAX_CONCURRENT', default: '4', help: '/_sql queries at once; more answer 503' },
  'sql-buckets': { env: 'SELECTD_SQL_BUCKETS', default: '', help: 'comma-separated buckets /_sql may read (empty = all)' },
  'cache-bytes': { env: 'SELECTD_CACHE_BYTES', default: '2147483648', help: 'Select columnar cache (Parquet shadows) size cap in bytes (0 = off)' },
  'log-level': { env: 'SELECTD_LOG_LEVEL', default: 'info', help: 'fatal, error, warn, info, debug or silent' },
};

export function usage(): string {
  const lines = Object.entries(options).map(([name, o]) =>
    `  --${name.padEnd(18)} ${o.help}${o.default !== undefined ? ` [${o.default}]` : ''} (env ${o.env})`);
  return `usage: selectd serve [options]\n\n${lines.join('\n')}\n`;
}

function intOption(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer in ${min}..${max}, got ${JSON.stringify(raw)}`);
  return n;
}

/** Flags win over environment variables, which win over defaults. Throws on invalid values. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): Config {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(options).map((k) => [k, { type: 'string' as const }])),
    strict: true,
    allowPositionals: false,
  });
  const get = (name: string): string | undefined => (values[name] as string | undefined) ?? env[options[name].env] ?? options[name].default;
  const accessKey = get('access-key');
  const secretKey = get('secret-key');
  if ((accessKey === undefined) !== (secretKey === undefined)) throw new Error('--access-key and --secret-key must be given together');
  const tlsCert = get('tls-cert');
  const tlsKey = get('tls-key');
  if ((tlsCert === undefined) !== (tlsKey === undefined)) throw new Error('--tls-cert and --tls-key must be given together');
  return {
    host: get('host')!,
    port: intOption('port', get('port')!, 0, 65535),
    dataDir: path.resolve(get('data')!),
    accessKey: accessKey ?? DEV_ACCESS_KEY,
    secretKey: secretKey ?? DEV_SECRET_KEY,
    usingDevCredentials: accessKey === undefined,
    region: get('region')!,
    tlsCert,
    tlsKey,
    domain: get('domain')!,
    duckdbMemoryLimit: get('memory-limit')!,
    duckdbThreads: intOption('threads', get('threads')!, 1, 256),
    maxQueries: intOption('max-queries', get('max-queries')!, 1, 1024),
    queryTimeoutMs: intOption('query-timeout', get('query-timeout')!, 100, 86_400_000),
    sqlMaxRows: intOption('sql-max-rows', get('sql-max-rows')!, 0, Number.MAX_SAFE_INTEGER),
    sqlMaxBytes: intOption('sql-max-bytes', get('sql-max-bytes')!, 0, Number.MAX_SAFE_INTEGER),
    sqlTimeoutMs: intOption('sql-timeout', get('sql-timeout')!, 100, 86_400_000),
    sqlMaxConcurrent: intOption('sql-max-concurrent', get('sql-max-concurrent')!, 1, 1024),
    sqlBuckets: get('sql-buckets')!.split(',').map((b) => b.trim()).filter((b) => b !== ''),
    cacheBytes: intOption('cache-bytes', get('cache-bytes')!, 0, Number.MAX_SAFE_INTEGER),
    logLevel: get('log-level')!,
  };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
