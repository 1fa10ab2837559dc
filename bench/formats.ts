// Benchmark (not a test): the same flights table as Parquet, CSV, JSON LINES, Avro, ORC, Protobuf and
// MessagePack, queried through a selectd server with S3 Select. For each format and query: the first
// query over a freshly uploaded object (median over several objects), on a server that has already
// answered such queries over a 50k-row sample (its code is compiled, as in a server that has been
// running); CSV and JSON read the object, Avro, ORC, Protobuf and MessagePack decode the columns the
// query names (MessagePack with the columns of a sample, while a thread infers them from every record).
// Then, once the Parquet shadow exists, the cached query (median of several runs, taken round-robin over
// all formats after a warm-up round).
// Ratios are against Parquet and CSV; cached/Parquet is the median of each round's ratio (the Parquet
// object's query of the same round), as these queries take a few milliseconds and passing load is not.
//
//   npm run build && node dist/bench/formats.js [--scale N] [--runs N] [--firsts N]
//
// --scale N repeats the 200k base rows N times (default 1); --runs N cached runs per cell (default 25);
// --firsts N first queries per cell, each over its own fresh object (default 3; the median is shown).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { signRequest } from '../src/auth/sign.js';
import { findPackageRoot } from '../src/duckdb/setup.js';
import { readEventStream } from '../src/select/eventstream.js';
import { flights, PROTO, writeFormats } from './formats-data.js';

const ACCESS_KEY = 'bench-formats';
const SECRET_KEY = 'bench-formats-secret';
const REGION = 'us-east-1';
const BUCKET = 'bench';

const QUERIES = {
  'filter+aggregate': {
    typed: "SELECT COUNT(*), SUM(s.delay), MAX(s.\"time\") FROM S3Object s WHERE s.distance > 1000 AND s.origin = 'SFO'",
    csv: "SELECT COUNT(*), SUM(CAST(s.delay AS INT)), MAX(CAST(s.\"time\" AS FLOAT)) FROM S3Object s WHERE CAST(s.distance AS INT) > 1000 AND s.origin = 'SFO'",
  },
  'narrow projection': {
    typed: 'SELECT s.distance FROM S3Object s',
    csv: 'SELECT s.distance FROM S3Object s',
  },
} as const;

const INPUTS: Record<string, string> = {
  CSV: '<CSV><FileHeaderInfo>USE</FileHeaderInfo></CSV>',
  'JSON LINES': '<JSON><Type>LINES</Type></JSON>',
};

interface Server { url: string; proc: ChildProcess }

async function startServer(root: string, dataDir: string): Promise<Server> {
  const proc = spawn(process.execPath, [path.join(root, 'dist/src/cli.js'), 'serve', '--port', '0', '--data', dataDir,
    '--access-key', ACCESS_KEY, '--secret-key', SECRET_KEY, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const m = /^selectd listening on (\S+)$/.exec(line);
      if (m) resolve(m[1]!);
    });
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { url, proc };
}

async function request(url: string, method: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<Response> {
  const signed = signRequest({ method, url, body, headers, accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, region: REGION });
  return fetch(url, { method, body: typeof body === 'string' ? body : new Uint8Array(body), headers: { ...headers, ...signed } });
}

async function put(server: Server, key: string, body: Buffer, headers: Record<string, string> = {}): Promise<void> {
  const r = await request(`${server.url}/${BUCKET}/${key}`, 'PUT', body, headers);
  if (r.status !== 200) throw new Error(`PUT ${key}: ${r.status} ${await r.text()}`);
}

/** Runs one Select; returns the elapsed milliseconds and the records. */
async function select(server: Server, key: string, expression: string, input: string): Promise<{ ms: number; records: string }> {
  const esc = expression.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const xml = `<SelectObjectContentRequest><Expression>${esc}</Expression><ExpressionType>SQL</ExpressionType>` +
    `<InputSerialization>${input}</InputSerialization><OutputSerialization><CSV/></OutputSerialization></SelectObjectContentRequest>`;
  const start = performance.now();
  const r = await request(`${server.url}/${BUCKET}/${key}?select&select-type=2`, 'POST', xml);
  if (r.status !== 200) throw new Error(`Select ${key}: ${r.status} ${await r.text()}`);
  const parts: Buffer[] = [];
  let ended = false;
  for await (const m of readEventStream(Readable.fromWeb(r.body as import('node:stream/web').ReadableStream<Uint8Array>))) {
    const type = m.headers[':event-type'];
    if (m.headers[':message-type'] === 'error') throw new Error(`Select ${key}: ${String(m.headers[':error-code'])} ${String(m.headers[':error-message'])}`);
    if (type === 'Records') parts.push(m.payload);
    if (type === 'End') ended = true;
  }
  if (!ended) throw new Error(`Select ${key}: no End event`);
  return { ms: performance.now() - start, records: Buffer.concat(parts).toString('utf8') };
}

async function keptBuilds(server: Server): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/selectd_select_shadow_builds_total\{result="kept"\} (\d+)/.exec(text)?.[1] ?? 0);
}

/** Waits until a shadow has been kept since `before` (right away when the first query wrote it). */
async function shadowBuilt(server: Server, before: number): Promise<void> {
  const deadline = Date.now() + 300_000;
  while ((await keptBuilds(server)) <= before) {
    if (Date.now() > deadline) throw new Error('the background shadow was not built within 5 minutes');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Cell { first: number; cached: number; answer: string; times: number[] }

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { scale: { type: 'string', default: '1' }, runs: { type: 'string', default: '25' }, firsts: { type: 'string', default: '3' } } });
  const scale = Math.max(1, Number(values.scale));
  const runs = Math.max(1, Number(values.runs));
  const firsts = Math.max(1, Number(values.firsts));
  const root = findPackageRoot();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'selectd-bench-formats-'));
  const server = await startServer(root, path.join(work, 'data'));
  try {
    const { rows, source } = flights(root, scale);
    const files = await writeFormats(work, rows);
    console.log(`flights: ${rows.length} rows (${source}); ${os.cpus().length} CPUs; first = median of ${firsts}, cached = median of ${runs}`);
    for (const [format, file] of Object.entries(files)) {
      console.log(`  ${format.padEnd(12)} ${(fs.statSync(path.join(work, file)).size / 1e6).toFixed(1).padStart(6)} MB`);
    }
    if (!files.ORC) console.log('  ORC skipped: python3 with pyarrow is not available');
    await request(`${server.url}/${BUCKET}`, 'PUT', '');
    await put(server, 'flight.proto', Buffer.from(PROTO));

    // Phase 0: queries of each kind per format over a 50k-row sample (first queries, twice), so that the
    // first queries below meet code already compiled, as they would in a server that has been running.
    fs.mkdirSync(path.join(work, 'warm'));
    const sample = await writeFormats(path.join(work, 'warm'), rows.slice(0, 50_000));
    for (let round = 0; round < 2; round++) {
      for (const [format, file] of Object.entries(sample)) {
        const headers: Record<string, string> = format === 'Protobuf' ? { 'x-amz-meta-protobuf-message': 'bench.Flight', 'x-amz-meta-protobuf-schema': 'flight.proto' } : {};
        for (const [name, q] of Object.entries(QUERIES)) {
          const key = `warm/${round}/${name.replace(/\W+/g, '-')}/${file}`;
          await put(server, key, fs.readFileSync(path.join(work, 'warm', file)), headers);
          await select(server, key, format === 'CSV' ? q.csv : q.typed, INPUTS[format] ?? '<Parquet/>');
        }
      }
    }

    // Phase 1: first queries, each on a fresh object (one per query and round, so none starts with a
    // shadow), round-robin over the formats.
    const results: Record<string, Record<string, Cell>> = {};
    const cells: { format: string; name: string; key: string; expression: string; input: string; times: number[] }[] = [];
    const firstTimes = new Map<string, number[]>();
    for (let round = 0; round < firsts; round++) {
      for (const [format, file] of Object.entries(files)) {
        results[format] ??= {};
        const body = fs.readFileSync(path.join(work, file));
        const headers: Record<string, string> = format === 'Protobuf' ? { 'x-amz-meta-protobuf-message': 'bench.Flight', 'x-amz-meta-protobuf-schema': 'flight.proto' } : {};
        for (const [name, q] of Object.entries(QUERIES)) {
          const key = `${format.replace(/\s/g, '-')}/${name.replace(/\W+/g, '-')}/${round}/${file}`;
          await put(server, key, body, headers);
          const input = INPUTS[format] ?? '<Parquet/>';
          const expression = format === 'CSV' ? q.csv : q.typed;
          const before = await keptBuilds(server);
          const first = await select(server, key, expression, input);
          // Shadows not written by the first query itself are built in the background: wait for them.
          if (format !== 'Parquet') await shadowBuilt(server, before);
          const times = firstTimes.get(`${format}/${name}`) ?? [];
          firstTimes.set(`${format}/${name}`, [...times, first.ms]);
          if (round === 0) {
            results[format]![name] = { first: 0, cached: 0, answer: first.records, times: [] };
            cells.push({ format, name, key, expression, input, times: [] });
          } else if (first.records !== results[format]![name]!.answer) throw new Error(`${format} ${name}: first queries answered differently`);
        }
      }
    }
    for (const c of cells) results[c.format]![c.name]!.first = median(firstTimes.get(`${c.format}/${c.name}`)!);
    // Phase 2: cached queries, round-robin over every cell so passing load hits all formats alike.
    for (let i = 0; i <= runs; i++) {
      for (const c of cells) {
        const r = await select(server, c.key, c.expression, c.input);
        if (r.records !== results[c.format]![c.name]!.answer) throw new Error(`${c.format} ${c.name}: the cached answer differs from the first`);
        if (i > 0) c.times.push(r.ms); // run 0 warms up
      }
    }
    for (const c of cells) Object.assign(results[c.format]![c.name]!, { cached: median(c.times), times: c.times });
    report(results);
  } finally {
    server.proc.kill('SIGTERM');
    await new Promise((r) => server.proc.once('exit', r));
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function report(results: Record<string, Record<string, Cell>>): void {
  const fmt = (ms: number) => `${ms.toFixed(0)} ms`.padStart(9);
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`.padStart(7);
  for (const name of Object.keys(QUERIES)) {
    const pq = results.Parquet![name]!;
    const csv = results.CSV![name]!;
    console.log(`\n${name}`);
    console.log(`  ${'format'.padEnd(12)} ${'first'.padStart(9)} ${'cached'.padStart(9)}  first/CSV  first/Parquet  cached/Parquet  same answer as Parquet`);
    for (const [format, cells] of Object.entries(results)) {
      const c = cells[name]!;
      const same = format === 'CSV' ? '(text columns)' : String(c.answer === pq.answer);
      const cachedRatio = median(c.times.map((t, i) => t / pq.times[i]!));
      console.log(`  ${format.padEnd(12)} ${fmt(c.first)} ${fmt(c.cached)}  ${ratio(c.first, csv.first)}    ${ratio(c.first, pq.first)}        ${ratio(cachedRatio, 1)}   ${same}`);
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
