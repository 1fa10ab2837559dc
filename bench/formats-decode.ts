// Throughput of the Avro / Protobuf / MessagePack decoders (src/formats) and of the ways to hand their
// Arrow batches to DuckDB: a Parquet file written with parquet-wasm and read with read_parquet, or a
// DuckDB appender fed data chunks (filled value by value through the node API, or with raw vector copies
// as the server does). Inputs are generated flights-like rows encoded by avsc, protobufjs and
// @msgpack/msgpack. Not a test.
//
//   npx tsc -p . && node dist/bench/formats-decode.js [rows=200000]
import { BIGINT, DuckDBDataChunk, DuckDBInstance, DOUBLE, INTEGER, TIMESTAMP, VARCHAR, timestampValue, type DuckDBValue } from '@duckdb/node-api';
import { encode as msgpackEncode } from '@msgpack/msgpack';
import * as arrow from 'apache-arrow';
import avro from 'avsc';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import protobuf from 'protobufjs';
import { decodeAvroToArrow } from '../src/formats/avro.js';
import type { ArrowDecoded, DecodeOptions } from '../src/formats/batches.js';
import { decodeMsgpackToArrow } from '../src/formats/msgpack.js';
import { decodeProtobufToArrow, loadProtoSchema } from '../src/formats/protobuf.js';
import { writeParquetFile } from '../src/formats/to-parquet.js';
import { appendBatches } from '../src/duckdb/arrow-append.js';
import { tableColumns } from '../src/select/sources/decoded-table.js';

const ROWS = Number(process.argv[2] ?? 200_000);
const AIRPORTS = ['ATL', 'LAX', 'ORD', 'DFW', 'DEN', 'JFK', 'SFO', 'SEA', 'LAS', 'MCO', 'EWR', 'CLT'];
const CARRIERS = ['AA', 'DL', 'UA', 'WN', 'B6', 'AS'];

interface Flight { ts: number; delay: number; distance: number; origin: string; dest: string; carrier: string; dep_delay: number }

function flight(i: number): Flight {
  return {
    ts: 1_704_067_200_000_000 + i * 60_000_000,
    delay: ((i * 7919) % 241) - 40,
    distance: 100 + ((i * 104729) % 2800),
    origin: AIRPORTS[i % AIRPORTS.length]!,
    dest: AIRPORTS[(i * 5 + 3) % AIRPORTS.length]!,
    carrier: CARRIERS[(i * 3) % CARRIERS.length]!,
    dep_delay: (((i * 31) % 500) - 100) / 4,
  };
}

async function avroBytes(codec: string): Promise<Buffer> {
  const type = avro.Type.forSchema({
    type: 'record', name: 'Flight', fields: [
      { name: 'ts', type: { type: 'long', logicalType: 'timestamp-micros' } },
      { name: 'delay', type: 'int' }, { name: 'distance', type: 'int' },
      { name: 'origin', type: 'string' }, { name: 'dest', type: 'string' }, { name: 'carrier', type: 'string' },
      { name: 'dep_delay', type: 'double' },
    ],
  });
  const parts: Buffer[] = [];
  const enc = new avro.streams.BlockEncoder(type, { codec });
  const sink = new Writable({ write(c: Buffer, _e, cb) { parts.push(c); cb(); } });
  await pipeline(Readable.from((function* () { for (let i = 0; i < ROWS; i++) yield flight(i); })()), enc, sink);
  return Buffer.concat(parts);
}

const PROTO = `syntax = "proto3"; package bench;
message Flight { int64 ts = 1; int32 delay = 2; int32 distance = 3; string origin = 4; string dest = 5; string carrier = 6; double dep_delay = 7; }`;

async function protobufBytes(root: protobuf.Root): Promise<Buffer> {
  const T = root.lookupType('bench.Flight');
  const w = protobuf.Writer.create();
  for (let i = 0; i < ROWS; i++) T.encodeDelimited(flight(i), w);
  return Buffer.from(w.finish());
}

function msgpackBytes(): Buffer {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < ROWS; i++) {
    const f = flight(i);
    parts.push(msgpackEncode({ ...f, ts: new Date(f.ts / 1000) }));
  }
  return Buffer.concat(parts);
}

type Decoder = (opts: DecodeOptions) => Promise<ArrowDecoded>;

function chunks(buf: Buffer): () => Readable {
  return () => Readable.from((function* () { for (let i = 0; i < buf.length; i += 65536) yield buf.subarray(i, i + 65536); })());
}

/** Wall and CPU milliseconds of one run (CPU counts DuckDB's and the GC's threads too). */
async function time(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

async function drain(d: ArrowDecoded): Promise<number> {
  let n = 0;
  for await (const b of d.batches) n += b.numRows;
  return n;
}

/** Arrow columns → DuckDB data chunks of 2048 rows, value by value through the node API → appender. */
async function appendPerValue(conn: import('@duckdb/node-api').DuckDBConnection, d: ArrowDecoded, table: string): Promise<number> {
  const duckTypes = d.schema.fields.map((f) => {
    if (f.type instanceof arrow.Timestamp) return TIMESTAMP;
    if (f.type instanceof arrow.Int) return f.type.bitWidth === 64 ? BIGINT : INTEGER;
    if (f.type instanceof arrow.Float) return DOUBLE;
    return VARCHAR;
  });
  const cols = d.schema.fields.map((f, i) => `"${f.name}" ${duckTypes[i]!.toString()}`).join(', ');
  await conn.run(`CREATE OR REPLACE TABLE ${table} (${cols})`);
  const appender = await conn.createAppender(table);
  let rows = 0;
  for await (const batch of d.batches) {
    for (let start = 0; start < batch.numRows; start += 2048) {
      const n = Math.min(2048, batch.numRows - start);
      const chunk = DuckDBDataChunk.create(duckTypes, n);
      const values: DuckDBValue[][] = d.schema.fields.map((f, c) => {
        const vec = batch.getChildAt(c)!;
        const out: DuckDBValue[] = new Array(n);
        if (f.type instanceof arrow.Timestamp) {
          const raw = vec.data[0]!.values as BigInt64Array;
          for (let k = 0; k < n; k++) out[k] = timestampValue(raw[start + k]!);
        } else {
          for (let k = 0; k < n; k++) out[k] = vec.get(start + k) as DuckDBValue;
        }
        return out;
      });
      chunk.setColumns(values);
      appender.appendDataChunk(chunk);
      rows += n;
    }
  }
  appender.closeSync();
  return rows;
}

/** The server's path: raw vector copies (src/duckdb/arrow-append.ts). */
async function appendRaw(conn: import('@duckdb/node-api').DuckDBConnection, d: ArrowDecoded, table: string): Promise<number> {
  const cols = tableColumns(d.schema)!;
  await conn.run(`CREATE OR REPLACE TABLE ${table} (${cols.map((c) => `"${c.name}" ${c.type}`).join(', ')})`);
  return appendBatches(conn, table, d.batches);
}

async function main(): Promise<void> {
  const root = await loadProtoSchema(PROTO, async () => '');
  const inputs: [string, Buffer, (b: Buffer) => Decoder][] = [
    ['avro (null)', await avroBytes('null'), (b) => (o) => decodeAvroToArrow(chunks(b)(), o)],
    ['avro (deflate)', await avroBytes('deflate'), (b) => (o) => decodeAvroToArrow(chunks(b)(), o)],
    ['protobuf', await protobufBytes(root), (b) => (o) => decodeProtobufToArrow(chunks(b)(), { ...o, root, messageType: 'bench.Flight' })],
    ['msgpack (2 passes)', msgpackBytes(), (b) => (o) => decodeMsgpackToArrow(chunks(b), o)],
    ['msgpack (1 pass)', msgpackBytes(), (b) => (o) => decodeMsgpackToArrow(chunks(b)(), o)],
  ];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formats-bench-'));
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const conn = await db.connect();
  const rate = (ms: number) => `${Math.round(ROWS / (ms / 1000)).toLocaleString('en-US').padStart(10)} rows/s`;
  const show = (label: string, t: { wall: number; cpu: number }, extra = '') =>
    console.log(`  ${label.padEnd(25)} ${rate(t.wall)}  wall ${t.wall.toFixed(0).padStart(5)} ms  cpu ${t.cpu.toFixed(0).padStart(5)} ms${extra}`);
  console.log(`${ROWS} rows × 7 columns (timestamp, 2 int, 3 string, double); median of 3 runs after a warm-up\n`);
  for (const [name, bytes, mk] of inputs) {
    const dec = mk(bytes);
    const runs = async (fn: () => Promise<unknown>) => {
      await fn();
      const ts: { wall: number; cpu: number }[] = [];
      for (let i = 0; i < 3; i++) ts.push(await time(fn));
      return ts.sort((a, b) => a.wall - b.wall)[1]!;
    };
    const all = await runs(async () => drain(await dec({})));
    const two = await runs(async () => drain(await dec({ columns: ['delay', 'origin'] })));
    const file = path.join(dir, 'out.parquet');
    const toParquet = await runs(async () => { const d = await dec({}); await writeParquetFile(file, d.schema, d.batches); });
    const readParquet = await runs(() => conn.runAndReadAll(`SELECT origin, count(*), avg(delay) FROM read_parquet('${file}') GROUP BY ALL`));
    const perValue = await runs(async () => appendPerValue(conn, await dec({}), 't'));
    const append = await runs(async () => appendRaw(conn, await dec({}), 't'));
    const readTable = await runs(() => conn.runAndReadAll(`SELECT origin, count(*), avg(delay) FROM t GROUP BY ALL`));
    console.log(`${name.padEnd(19)} ${(bytes.length / 1e6).toFixed(1).padStart(5)} MB`);
    show('decode, all columns', all);
    show('decode, 2 of 7 columns', two);
    show('decode → Parquet file', toParquet, `  (then a GROUP BY on it: ${readParquet.wall.toFixed(0)} ms)`);
    show('decode → appender, values', perValue);
    show('decode → appender, raw', append, `  (then a GROUP BY on it: ${readTable.wall.toFixed(0)} ms)`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

await main();
