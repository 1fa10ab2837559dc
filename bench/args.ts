// The benchmark's command-line options.
import { parseArgs } from 'node:util';
import type { BenchOptions } from './runner.js';

export const USAGE = `usage: npm run bench -- [options]

  --suite NAME[,NAME]   suites to run (default tiny); "all" = select-csv, select-json, select-parquet, objects
  --runs N              timed runs per query (default: the suite's, else 5)
  --scale SIZE          size of generated data (the scale suite: default 10GB)
  --endpoint URL        measure this endpoint instead of starting our own server, with
    --access-key K --secret-key S [--region R] [--server-pid PID to sample its memory]
  --peer URL            also measure another S3 endpoint answering the same requests, with
    --peer-access-key K --peer-secret-key S [--peer-region R]
  --bucket B            bucket for the benchmark's objects (default selectd-bench)
  --server-args "…"     extra flags for the server the runner starts (e.g. "--memory-limit 512MB")
  --results DIR         where the JSON and SVG go (default bench/results)
  --datasets DIR        where data sets are built (default datasets/out)
  --list                list the suites
`;

export const ALL_SUITES = ['select-csv', 'select-json', 'select-parquet', 'objects'];

export function parseBenchArgs(argv: string[]): BenchOptions | 'help' | 'list' {
  const { values } = parseArgs({
    args: argv,
    options: {
      suite: { type: 'string' }, runs: { type: 'string' }, scale: { type: 'string' },
      endpoint: { type: 'string' }, 'access-key': { type: 'string' }, 'secret-key': { type: 'string' }, region: { type: 'string' },
      'server-pid': { type: 'string' }, peer: { type: 'string' }, 'peer-access-key': { type: 'string' },
      'peer-secret-key': { type: 'string' }, 'peer-region': { type: 'string' }, bucket: { type: 'string' },
      'server-args': { type: 'string' }, results: { type: 'string' }, datasets: { type: 'string' },
      list: { type: 'boolean' }, help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  if (values.list) return 'list';
  const suites = (values.suite ?? 'tiny').split(',').map((s) => s.trim()).filter(Boolean).flatMap((s) => (s === 'all' ? ALL_SUITES : [s]));
  const opts: BenchOptions = { suites, scale: values.scale, bucket: values.bucket, resultsDir: values.results, datasetsDir: values.datasets };
  if (values.runs !== undefined) {
    const runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
    opts.runs = runs;
  }
  if (values.endpoint !== undefined) {
    if (!values['access-key'] || !values['secret-key']) throw new Error('--endpoint needs --access-key and --secret-key');
    opts.endpoint = { url: values.endpoint, accessKey: values['access-key'], secretKey: values['secret-key'], region: values.region };
    if (values['server-args'] !== undefined) throw new Error('--server-args applies only to the server the runner starts');
  }
  if (values['server-pid'] !== undefined) {
    if (!opts.endpoint) throw new Error('--server-pid goes with --endpoint');
    opts.serverPid = Number(values['server-pid']);
  }
  if (values.peer !== undefined) {
    if (!values['peer-access-key'] || !values['peer-secret-key']) throw new Error('--peer needs --peer-access-key and --peer-secret-key');
    opts.peer = { url: values.peer, accessKey: values['peer-access-key'], secretKey: values['peer-secret-key'], region: values['peer-region'] };
  }
  if (values['server-args'] !== undefined) opts.serverArgs = values['server-args'].split(/\s+/).filter(Boolean);
  return opts;
}
