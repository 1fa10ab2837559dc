// Cross-check against an independent client: the AWS SDK for JavaScript signs and frames real requests
// to a bare HTTP listener, which verifies and decodes them with src/auth.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checksumOf } from '../src/auth/checksums.js';
import { decodePayload } from '../src/auth/payload.js';
import { verifyRequest } from '../src/auth/sigv4.js';
import { S3Error } from '../src/errors.js';

const creds = { accessKeyId: 'AKIDSDKTEST', secretAccessKey: 'sdk/secret+key=' };
const REGION = 'us-west-2';

interface Seen {
  method: string;
  url: string;
  mode?: string;
  body?: Buffer;
  trailers?: Record<string, string>;
  error?: string;
}

let server: Server;
let client: S3Client;
const seen: Seen[] = [];

async function handle(req: IncomingMessage): Promise<Seen> {
  const s: Seen = { method: req.method ?? '', url: req.url ?? '' };
  try {
    const auth = verifyRequest({ method: s.method, rawUrl: s.url, headers: req.headers, now: new Date() },
      (id) => (id === creds.accessKeyId ? creds.secretAccessKey : undefined), REGION);
    const p = decodePayload(auth, req.headers, req);
    s.mode = p.mode;
    const chunks: Buffer[] = [];
    for await (const c of p.body) chunks.push(c as Buffer);
    s.body = Buffer.concat(chunks);
    s.trailers = p.trailers();
  } catch (e) {
    s.error = e instanceof S3Error ? e.code : String(e);
    req.resume();
  }
  return s;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void handle(req).then((s) => {
      seen.push(s);
      res.writeHead(s.error ? 403 : 200, { 'content-type': 'application/xml', etag: '"0"' });
      res.end(req.url?.includes('list-type=2') ? '<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = makeClient(creds.secretAccessKey);
});

function makeClient(secretAccessKey: string): S3Client {
  return new S3Client({
    region: REGION, credentials: { ...creds, secretAccessKey }, forcePathStyle: true, maxAttempts: 1,
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  });
}

afterAll(async () => {
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const last = () => seen[seen.length - 1];
const KEY = "dir/a b+c!$&='(x)*~é%.txt";

describe('AWS SDK for JavaScript requests verify', () => {
  it('PutObject with a buffer body (signed or checksum header)', async () => {
    const body = Buffer.from('hello from the sdk\n'.repeat(1000));
    await client.send(new PutObjectCommand({ Bucket: 'bkt', Key: KEY, Body: body }));
    expect(last().error).toBeUndefined();
    expect(last().body?.equals(body)).toBe(true);
  });

  it('PutObject with a stream body (aws-chunked with a checksum trailer)', async () => {
    const body = Buffer.alloc(300_000, 'z');
    await client.send(new PutObjectCommand({
      Bucket: 'bkt', Key: 'stream.bin', Body: Readable.from([body.subarray(0, 100_000), body.subarray(100_000)]),
      ContentLength: body.length, ChecksumAlgorithm: 'CRC32',
    }));
    expect(last().error).toBeUndefined();
    expect(last().mode).toMatch(/^streaming-/);
    expect(last().body?.equals(body)).toBe(true);
    expect(last().trailers).toEqual({ 'x-amz-checksum-crc32': checksumOf('CRC32', body) });
  });

  it('GetObject and ListObjectsV2 with awkward keys and query values', async () => {
    await client.send(new GetObjectCommand({ Bucket: 'bkt', Key: KEY, Range: 'bytes=0-9' })).catch(() => undefined);
    expect(last()).toMatchObject({ method: 'GET', body: Buffer.alloc(0) });
    expect(last().error).toBeUndefined();
    await client.send(new ListObjectsV2Command({ Bucket: 'bkt', Prefix: "a b+c/é'*", StartAfter: 'x=y&z', MaxKeys: 5 }));
    expect(last().url).toContain('list-type=2');
    expect(last().error).toBeUndefined();
  });

  it('a wrong secret is rejected', async () => {
    const bad = makeClient('nope');
    await bad.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'k', Body: 'x' })).catch(() => undefined);
    bad.destroy();
    expect(last().error).toBe('SignatureDoesNotMatch');
  });
});
