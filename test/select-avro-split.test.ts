// An Avro object large enough to be split between two threads (src/formats/avro-split.ts): a first query
// decodes its head on the query's thread and its tail on the decoding thread. The answers must be those
// of the same object read gzip-compressed (one thread reads it all), and Stats must count every byte.
import avro from 'avsc';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AVRO_SPLIT_MIN_BYTES } from '../src/formats/avro-split.js';
import { raw } from './helpers/raw.js';
import { runSelectCases } from './helpers/select-cases.js';
import { startServer, type RunningServer } from './helpers/server.js';

const B = 'split';
const N = 300_000;
let server: RunningServer;
let size = 0;

function avroFile(): Promise<Buffer> {
  const type = avro.Type.forSchema({
    type: 'record', name: 'Flight',
    fields: [{ name: 'id', type: 'long' }, { name: 'origin', type: 'string' }, { name: 'delay', type: ['null', 'double'] }],
  });
  const enc = new avro.streams.BlockEncoder(type, { codec: 'deflate', blockSize: 16384 });
  const parts: Buffer[] = [];
  enc.on('data', (c: Buffer) => parts.push(c));
  const done = new Promise<Buffer>((resolve) => enc.on('end', () => resolve(Buffer.concat(parts))));
  for (let i = 0; i < N; i++) enc.write({ id: i, origin: ['SFO', 'LAX', 'JFK', 'SEA'][i % 4], delay: i % 9 ? (i % 113) / 4 : null });
  enc.end();
  return done;
}

beforeAll(async () => {
  // Cache off: every query is a first query, decoded from the object.
  server = await startServer({ args: ['--cache-bytes', '0'] });
  await raw(server.url, { method: 'PUT', path: `/${B}` });
  const body = await avroFile();
  size = body.length;
  for (const [key, b] of [['f.avro', body], ['f.gz.avro', gzipSync(body)]] as const) {
    expect((await raw(server.url, { method: 'PUT', path: `/${B}/${key}`, body: b })).status).toBe(200);
  }
});
afterAll(async () => {
  await server?.stop();
});

describe('an Avro object split between two threads', () => {
  it('answers as one thread reading it all, and counts every byte', async () => {
    expect(size).toBeGreaterThan(AVRO_SPLIT_MIN_BYTES);
    const queries = [
      "SELECT COUNT(*), SUM(s.delay), MAX(s.id) FROM S3Object s WHERE s.origin = 'SEA' AND s.delay > 10",
      'SELECT s.id, s.delay FROM S3Object s WHERE s.id % 50000 = 7',
      `SELECT * FROM S3Object s WHERE s.id >= ${N - 2}`,
    ];
    const run = (key: string, input: object) => runSelectCases(server.url, B, queries.map((expression) => ({ key, expression, input })));
    // boto3 sends compressed Avro through the JSON element (it refuses compression with Parquet).
    const [split, one] = await Promise.all([run('f.avro', { Parquet: {} }), run('f.gz.avro', { JSON: { Type: 'LINES' }, CompressionType: 'GZIP' })]);
    queries.forEach((q, i) => {
      expect(one[i]!.error, q).toBeUndefined();
      expect({ q, records: split[i]!.records, error: split[i]!.error, scanned: split[i]!.stats?.BytesScanned }).toEqual({ q, records: one[i]!.records, error: undefined, scanned: size });
    });
    expect(split[2]!.records).toBe(`${N - 2},JFK,24.0\n${N - 1},SEA,24.25\n`);
  });
});
