// The flights table of bench/formats.ts in seven formats. Rows come from vega-datasets' flights-200k.json
// (delay, distance, time) when it is installed, with origin and destination derived from the row number;
// otherwise deterministic flight-like rows of the same shape. Writers: avsc (Avro, deflate), protobufjs
// (length-delimited messages), @msgpack/msgpack (a stream of maps), DuckDB (Parquet), pyarrow through
// python3 (ORC, zlib; skipped when pyarrow is missing), and plain text for CSV and JSON LINES.
import { DuckDBInstance } from '@duckdb/node-api';
import { encode as msgpackEncode } from '@msgpack/msgpack';
import avro from 'avsc';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';

export interface Flight { delay: number; distance: number; time: number; origin: string; dest: string }

export const PROTO = `syntax = "proto3";
package bench;
message Flight {
  int64 delay = 1;
  int64 distance = 2;
  double time = 3;
  string origin = 4;
  string dest = 5;
}
`;

const AIRPORTS = ['ATL', 'LAX', 'ORD', 'DFW', 'DEN', 'JFK', 'SFO', 'SEA', 'LAS', 'MCO', 'EWR', 'CLT', 'PHX', 'IAH', 'MIA', 'BOS'];

const AVRO_SCHEMA = {
  type: 'record', name: 'Flight', namespace: 'bench',
  fields: [
    { name: 'delay', type: 'long' }, { name: 'distance', type: 'long' }, { name: 'time', type: 'double' },
    { name: 'origin', type: 'string' }, { name: 'dest', type: 'string' },
  ],
};

function vegaRows(root: string): { delay: number; distance: number; time: number }[] | undefined {
  const file = path.join(root, 'node_modules/vega-datasets/data/flights-200k.json');
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as { delay: number; distance: number; time: number }[];
}

/** `scale` copies of the base rows (200k each). */
export function flights(root: string, scale: number): { rows: Flight[]; source: string } {
  const base = vegaRows(root);
  const n = base?.length ?? 200_000;
  const rows: Flight[] = [];
  for (let copy = 0; copy < scale; copy++) {
    for (let i = 0; i < n; i++) {
      const b = base?.[i] ?? { delay: ((i * 7919) % 240) - 20, distance: 100 + ((i * 104729) % 2600), time: (i % 2400) / 100 };
      const k = copy * n + i;
      rows.push({
        delay: Math.round(b.delay), distance: Math.round(b.distance), time: b.time,
        origin: AIRPORTS[(k * 7) % AIRPORTS.length]!, dest: AIRPORTS[(k * 11 + 3) % AIRPORTS.length]!,
      });
    }
  }
  return { rows, source: base ? 'vega-datasets flights-200k.json' : 'generated flight-like rows' };
}

async function writeAvro(file: string, rows: Flight[]): Promise<void> {
  const enc = new avro.streams.BlockEncoder(avro.Type.forSchema(AVRO_SCHEMA as avro.Schema), { codec: 'deflate' });
  const out = fs.createWriteStream(file);
  enc.pipe(out);
  for (const r of rows) {
    if (!enc.write(r)) await once(enc, 'drain');
  }
  enc.end();
  await once(out, 'close');
}

function writeProtobuf(file: string, rows: Flight[]): void {
  const type = protobuf.parse(PROTO, { keepCase: true }).root.lookupType('bench.Flight');
  const parts: Uint8Array[] = [];
  for (const r of rows) parts.push(type.encodeDelimited(type.fromObject(r)).finish());
  fs.writeFileSync(file, Buffer.concat(parts));
}

function writeMsgpack(file: string, rows: Flight[]): void {
  const parts: Uint8Array[] = rows.map((r) => msgpackEncode(r));
  fs.writeFileSync(file, Buffer.concat(parts));
}

function writeText(dir: string, rows: Flight[]): void {
  const csv = ['delay,distance,time,origin,dest', ...rows.map((r) => `${r.delay},${r.distance},${r.time},${r.origin},${r.dest}`)];
  fs.writeFileSync(path.join(dir, 'flights.csv'), csv.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'flights.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

async function writeParquet(dir: string): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const src = path.join(dir, 'flights.jsonl').replace(/'/g, "''");
  const dst = path.join(dir, 'flights.parquet').replace(/'/g, "''");
  await conn.run(`COPY (SELECT * FROM read_json('${src}', columns = {delay: 'BIGINT', distance: 'BIGINT', time: 'DOUBLE', origin: 'VARCHAR', dest: 'VARCHAR'})) TO '${dst}' (FORMAT parquet)`);
  conn.closeSync();
  db.closeSync();
}

function writeOrc(dir: string): boolean {
  const script = `
import sys, pyarrow as pa, pyarrow.json as pj, pyarrow.orc as po
schema = pa.schema([('delay', pa.int64()), ('distance', pa.int64()), ('time', pa.float64()), ('origin', pa.string()), ('dest', pa.string())])
t = pj.read_json(sys.argv[1], parse_options=pj.ParseOptions(explicit_schema=schema))
po.write_table(t, sys.argv[2], compression='zlib')
`;
  try {
    execFileSync('python3', ['-c', script, path.join(dir, 'flights.jsonl'), path.join(dir, 'flights.orc')], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** Writes every format into `dir`; returns the file name of each format that could be written. */
export async function writeFormats(dir: string, rows: Flight[]): Promise<Record<string, string>> {
  writeText(dir, rows);
  await writeAvro(path.join(dir, 'flights.avro'), rows);
  writeProtobuf(path.join(dir, 'flights.binpb'), rows);
  writeMsgpack(path.join(dir, 'flights.msgpack'), rows);
  await writeParquet(dir);
  const out: Record<string, string> = {
    Parquet: 'flights.parquet', CSV: 'flights.csv', 'JSON LINES': 'flights.jsonl', Avro: 'flights.avro',
    Protobuf: 'flights.binpb', MessagePack: 'flights.msgpack',
  };
  if (writeOrc(dir)) out.ORC = 'flights.orc';
  return out;
}
