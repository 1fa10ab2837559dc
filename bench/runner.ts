// Runs suites end to end: builds the data they read, starts our server (or uses a given endpoint), uploads
// the objects, measures every case against its baselines, and writes the table, JSON and SVG.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { buildDataset } from '../datasets/build.js';
import { loadManifest, ROOT } from '../datasets/manifest.js';
import { uploadFiles } from '../datasets/upload.js';
import { onAbnormalExit } from './cleanup.js';
import { measureCase, type Case, type CaseResult } from './measure.js';
import { objectCases } from './object-cases.js';
import { RssSampler, scrapePlanCache, shadowsSettled } from './probes.js';
import { formatTable, machineInfo, reportJson, type DatasetUse, type SuiteReport } from './report.js';
import { S3Client, type Endpoint } from './s3-client.js';
import { fileKey, selectCases, type DatasetFile, type Target } from './select-cases.js';
import { startLocalServer, type LocalServer } from './server.js';
import { sqlCases } from './sql-cases.js';
import { loadSuite, type SelectSuite, type SqlSuite, type Suite } from './suite.js';
import { renderSvg } from './svg.js';

export const DEFAULT_RESULTS_DIR = path.join(ROOT, 'bench', 'results');

export interface BenchOptions {
  /** Suite names (files under bench/suites/) or suite definitions. */
  suites: (string | Suite)[];
  /** Timed runs per case; default: the suite's own, else 5. */
  runs?: number;
  /** Our endpoint; default: start our own server on an ephemeral port. */
  endpoint?: Endpoint;
  /** Extra `selectd serve` flags for the server the runner starts. */
  serverArgs?: string[];
  /** PID of the server behind `endpoint`, to sample its memory. */
  serverPid?: number;
  /** A second endpoint answering the same requests, measured as another baseline. */
  peer?: Endpoint;
  bucket?: string;
  /** Size for generated data sets (e.g. `10GB`). */
  scale?: string;
  resultsDir?: string;
  datasetsDir?: string;
  log?: (line: string) => void;
}

/** Builds and uploads every data set the queries read; the files by `<dataset>/<format>`. */
async function suiteData(
  suite: SelectSuite | SqlSuite, opts: BenchOptions, targets: Target[], log: (line: string) => void,
): Promise<{ files: Map<string, DatasetFile>; datasets: DatasetUse[] }> {
  const byDataset = new Map<string, Set<string>>();
  for (const q of suite.queries) {
    if (!byDataset.has(q.dataset)) byDataset.set(q.dataset, new Set());
    byDataset.get(q.dataset)!.add(q.format);
  }
  const files = new Map<string, DatasetFile>();
  const datasets: DatasetUse[] = [];
  for (const [name, formats] of byDataset) {
    // --scale applies to generated data sets only; real ones are read as shipped.
    const scale = loadManifest(name).source.kind === 'generator' ? opts.scale ?? (suite.kind === 'select' ? suite.scale : undefined) : undefined;
    const built = await buildDataset({ name, formats: [...formats], outDir: opts.datasetsDir, log, scale });
    for (const s of built.skipped) throw new Error(`${suite.name} needs ${name} as ${s.format}: ${s.reason}`);
    for (const f of built.files) files.set(fileKey(name, f.format), { ...f, schema: built.manifest.schema });
    datasets.push({ name, scale: built.scale, seed: built.seed, files: built.files.map(({ name: n, sha256, bytes, rows }) => ({ name: n, sha256, bytes, rows })) });
    for (const t of targets) await uploadFiles(t.client, t.bucket, built.files, log);
  }
  return { files, datasets };
}

export async function runBench(opts: BenchOptions): Promise<SuiteReport[]> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const suites: Suite[] = [];
  for (const s of opts.suites) suites.push(typeof s === 'string' ? await loadSuite(s) : s);
  const resultsDir = opts.resultsDir ?? DEFAULT_RESULTS_DIR;
  mkdirSync(resultsDir, { recursive: true });
  const tmpDir = mkdtempSync(path.join(tmpdir(), 'selectd-bench-run-'));
  const forgetTmp = onAbnormalExit(() => rmSync(tmpDir, { recursive: true, force: true }));
  const bucket = opts.bucket ?? 'selectd-bench';

  let server: LocalServer | undefined;
  let instance: DuckDBInstance | undefined;
  let duck: DuckDBConnection | undefined;
  const clients: S3Client[] = [];
  const reports: SuiteReport[] = [];
  try {
    let endpoint = opts.endpoint;
    if (!endpoint) {
      server = await startLocalServer(opts.serverArgs ?? []);
      endpoint = server.endpoint;
      log(`started selectd at ${endpoint.url} (pid ${server.pid}, data ${server.dataDir})`);
    }
    const endpointUrl = endpoint.url;
    const pid = server?.pid ?? opts.serverPid;
    const ours: Target = { name: 'selectd', client: new S3Client(endpoint), bucket };
    clients.push(ours.client);
    const peer: Target | undefined = opts.peer ? { name: `peer ${new URL(opts.peer.url).host}`, client: new S3Client(opts.peer), bucket } : undefined;
    if (peer) clients.push(peer.client);
    instance = await DuckDBInstance.create(':memory:', { threads: String(cpus().length) });
    duck = await instance.connect();
    const duckdbVersion = String((await duck.runAndReadAll('SELECT version()')).getRows()[0]![0]);
    await ours.client.createBucket(bucket);
    if (peer) await peer.client.createBucket(bucket);
    for (const suite of suites) {
      const startedAt = new Date().toISOString();
      const runs = opts.runs ?? suite.runs ?? 5;
      log(`== ${suite.name}: ${suite.description}`);
      let cases: Case[];
      let datasets: DatasetUse[] = [];
      let close = async (): Promise<void> => {};
      if (suite.kind === 'select') {
        const data = await suiteData(suite, opts, peer ? [ours, peer] : [ours], log);
        datasets = data.datasets;
        cases = selectCases(suite, { ours, peer, duck, files: data.files, tmpDir });
      } else if (suite.kind === 'sql') {
        // /_sql is selectd's own: a peer S3 endpoint has nothing to answer it with.
        const data = await suiteData(suite, opts, [ours], log);
        datasets = data.datasets;
        const sc = sqlCases(suite, { ours, duck, files: data.files, tmpDir });
        cases = sc.cases;
        close = async () => sc.close();
      } else {
        const oc = await objectCases(suite, ours, path.join(tmpDir, suite.name), log);
        cases = oc.cases;
        close = oc.close;
      }
      const rss = pid !== undefined ? new RssSampler(pid, 20, suite.kind === 'select' && suite.recordRss === true) : undefined;
      const results: CaseResult[] = [];
      try {
        for (const c of cases) {
          log(`${suite.name} / ${c.name}`);
          results.push(await measureCase(c, runs, { rss, planCache: () => scrapePlanCache(endpointUrl), settle: () => shadowsSettled(endpointUrl), log }));
        }
      } finally {
        await close();
      }
      const report: SuiteReport = {
        suite: suite.name, description: suite.description, startedAt, finishedAt: new Date().toISOString(),
        machine: machineInfo(duckdbVersion, ROOT),
        endpoint: { url: endpointUrl, local: server !== undefined, serverArgs: opts.serverArgs ?? [] },
        peer: opts.peer?.url, runs, datasets, results, ok: results.every((r) => r.ok),
      };
      reports.push(report);
      log(`\n${formatTable(report)}`);
      writeFileSync(path.join(resultsDir, `${suite.name}.json`), reportJson(report));
      writeFileSync(path.join(resultsDir, `${suite.name}.svg`), renderSvg(report));
      log(`wrote ${path.join(resultsDir, `${suite.name}.json`)} and .svg`);
    }
  } finally {
    duck?.closeSync();
    instance?.closeSync();
    for (const c of clients) c.close();
    await server?.stop();
    rmSync(tmpDir, { recursive: true, force: true });
    forgetTmp();
  }
  return reports;
}
