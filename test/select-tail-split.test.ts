// Avro and Protobuf objects large enough to be split between two threads (src/formats/tail-split.ts): a
// first query decodes the head on the query's thread and the tail on the decoding thread. The answers
// must be those of the same object read gzip-compressed (one thread reads it all), and Stats must count
// every byte.
import avro from 'avsc';
import protobuf from 'protobufjs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAIL_SPLIT_MIN_BYTES } from '../src/formats/tail-split.js';
import { raw } from './helpers/raw.js';
import { runSelectCases } from './helpers/select-cases.js';
import { startServer, type RunningServer } from './helpers/server.js';

const B = 'split';
const N = 300_000;
let server: RunningServer;
const sizes = new Map<string, number>();
const PROTO = 'syntax = "proto3";\npackage t;\nmessage Flight { int64 id = 1; string origin = 2; double delay = 3; }\n';
const record = (i: number) => ({ id: i, origin: ['SFO', 'LAX', 'JFK', 'SEA'][i % 4]!, delay: i % 9 ? (i % 113) / 4 : null });

function protobufFile(): Buffer {
  const Flight = protobuf.parse(PROTO).root.lookupType('t.Flight');
  return Buffer.concat(Array.from({ length: N }, (_, i) => {
    const r = record(i);
    return Flight.encodeDelimited({ ...r, delay: r.delay ?? 0 }).finish();
  }));
}

function avroFile(): Promise<Buffer> {
  const type = avro.Type.forSchema({
    type: 'record', name: 'Flight',
    fields: [{ name: 'id', type: 'long' }, { name: 'origin', type: 'string' }, { name: 'delay', type: ['null', 'double'] }],
  });
  const enc = new avro.streams.BlockEncoder(type, { codec: 'deflate', blockSize: 16384 });
  const parts: Buffer[] = [];
  enc.on('data', (c: Buffer) => parts.push(c));
  const done = new Promise<Buffer>((resolve) => enc.on('end', () => resolve(Buffer.concat(parts))));
  for (let i = 0; i < N; i++) enc.write(record(i));
  enc.end();
  return done;
}

beforeAll(async () => {
  // Cache off: every query is a first query, decoded from the object.
  server = await startServer({ args: ['--cache-bytes', '0'] });
  await raw(server.url, { method: 'PUT', path: `/${B}` });
  expect((await raw(server.url, { method: 'PUT', path: `/${B}/f.proto`, body: Buffer.from(PROTO) })).status).toBe(200);
  const meta = { 'x-amz-meta-protobuf-message': 't.Flight', 'x-amz-meta-protobuf-schema': 'f.proto' };
  for (const [ext, body, headers] of [['avro', await avroFile(), {}], ['binpb', protobufFile(), meta]] as const) {
    sizes.set(ext, body.length);
    for (const [key, b] of [[`f.${ext}`, body], [`f.gz.${ext}`, gzipSync(body)]] as const) {
      expect((await raw(server.url, { method: 'PUT', path: `/${B}/${key}`, body: b, headers })).status).toBe(200);
    }
  }
});
afterAll(async () => {
  await server?.stop();
});

describe.each(['avro', 'binpb'])('a .%s object split between two threads', (ext) => {
  it('answers as one thread reading it all, and counts every byte', async () => {
    const size = sizes.get(ext)!;
    expect(size).toBeGreaterThan(TAIL_SPLIT_MIN_BYTES);
    const queries = [
      "SELECT COUNT(*), SUM(s.delay), MAX(s.id) FROM S3Object s WHERE s.origin = 'SEA' AND s.delay > 10",
      'SELECT s.id, s.delay FROM S3Object s WHERE s.id % 50000 = 7',
      `SELECT s.id, s.origin FROM S3Object s WHERE s.id >= ${N - 2}`,
    ];
    const run = (key: string, input: object) => runSelectCases(server.url, B, queries.map((expression) => ({ key, expression, input })));
    // boto3 sends compressed objects through the JSON element (it refuses compression with Parquet).
    const [split, one] = await Promise.all([run(`f.${ext}`, { Parquet: {} }), run(`f.gz.${ext}`, { JSON: { Type: 'LINES' }, CompressionType: 'GZIP' })]);
    queries.forEach((q, i) => {
      expect(one[i]!.error, q).toBeUndefined();
      expect({ q, records: split[i]!.records, error: split[i]!.error, scanned: split[i]!.stats?.BytesScanned }).toEqual({ q, records: one[i]!.records, error: undefined, scanned: size });
    });
    expect(split[2]!.records).toBe(`${N - 2},JFK\n${N - 1},SEA\n`);
  });
});
