// The server process: ready line, health/ready/metrics, virtual-hosted style, SIGTERM, crash safety, HTTPS with boto3.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, watch } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../src/auth/sign.js';
import { BOTO, expectOk, python } from './helpers/clients.js';
import { raw } from './helpers/raw.js';
import { ACCESS_KEY, REGION, SECRET_KEY, startServer, type RunningServer } from './helpers/server.js';

describe('a running server', () => {
  let server: RunningServer;
  beforeAll(async () => { server = await startServer(); });
  afterAll(async () => { await server?.stop(); });

  it('answers /health, /ready and /metrics without credentials', async () => {
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${server.url}/ready`)).json()).toEqual({ status: 'ready' });
    await raw(server.url, { method: 'PUT', path: '/metric-bucket' });
    await raw(server.url, { method: 'GET', path: '/metric-bucket/nope' });
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/selectd_requests_total\{operation="CreateBucket",status="200"\} 1/);
    expect(text).toMatch(/selectd_requests_total\{operation="GetObject",status="404"\} 1/);
    expect(text).toMatch(/selectd_request_duration_seconds_bucket\{le="\+Inf",operation="GetObject"\} 1/);
    expect(text).toMatch(/selectd_bytes_sent_total \d+/);
  });

  it('serves virtual-hosted-style requests', async () => {
    await raw(server.url, { method: 'PUT', path: '/vhost-bucket' });
    const u = new URL(server.url);
    const host = `vhost-bucket.localhost:${u.port}`;
    const body = 'virtual';
    const headers = signRequest({
      method: 'PUT', url: `http://${host}/k.txt`, body, accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, region: REGION,
    });
    const status = await new Promise<number>((resolve, reject) => {
      const r = http.request({ host: u.hostname, port: u.port, method: 'PUT', path: '/k.txt', headers: { ...headers, host, 'content-length': String(body.length) } },
        (res) => { res.resume(); res.on('end', () => resolve(res.statusCode!)); });
      r.on('error', reject);
      r.end(body);
    });
    expect(status).toBe(200);
    const got = await raw(server.url, { method: 'GET', path: '/vhost-bucket/k.txt' });
    expect(got.body.toString()).toBe('virtual');
  });

  it('works with the AWS SDK for JavaScript v3', async () => {
    const { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, ListObjectsV2Command, DeleteObjectCommand } = await import('@aws-sdk/client-s3');
    const s3 = new S3Client({ endpoint: server.url, region: REGION, forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY } });
    await s3.send(new CreateBucketCommand({ Bucket: 'js-sdk' }));
    await s3.send(new PutObjectCommand({ Bucket: 'js-sdk', Key: 'ü/a b.txt', Body: 'from js', ContentType: 'text/plain' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'js-sdk', Key: 'ü/a b.txt', ChecksumMode: 'ENABLED' }));
    expect(await got.Body!.transformToString()).toBe('from js');
    const list = await s3.send(new ListObjectsV2Command({ Bucket: 'js-sdk', Delimiter: '/' }));
    expect(list.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['ü/']);
    await s3.send(new DeleteObjectCommand({ Bucket: 'js-sdk', Key: 'ü/a b.txt' }));
    const after = await s3.send(new ListObjectsV2Command({ Bucket: 'js-sdk' }));
    expect(after.KeyCount).toBe(0);
    s3.destroy();
  });

  it('stops cleanly on SIGTERM', async () => {
    const other = await startServer();
    expect(await other.stop('SIGTERM')).toBe(0);
  });
});

describe('crash safety', () => {
  it('keeps the old object when the server is killed during a PUT', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'selectd-crash-'));
    try {
      let server = await startServer({ dataDir });
      await raw(server.url, { method: 'PUT', path: '/crash' });
      expect((await raw(server.url, { method: 'PUT', path: '/crash/obj', body: 'original' })).status).toBe(200);

      // Start a large unsigned-payload PUT, and kill -9 once the server has a temp file for it.
      const tmp = path.join(dataDir, 'tmp');
      const tempFileSeen = new Promise<void>((resolve) => {
        const w = watch(tmp, () => { w.close(); resolve(); });
      });
      const u = new URL(server.url);
      const size = 512 * 1024 * 1024;
      const headers = signRequest({ method: 'PUT', url: `${server.url}/crash/obj`, payloadHash: 'UNSIGNED-PAYLOAD', accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, region: REGION });
      const req = http.request({ host: u.hostname, port: u.port, method: 'PUT', path: '/crash/obj', headers: { ...headers, 'content-length': String(size) } });
      req.on('error', () => {});
      const chunk = Buffer.alloc(1024 * 1024, 'n');
      let sent = 0;
      const pump = () => { while (sent < size && req.write(chunk)) sent += chunk.length; };
      req.on('drain', pump);
      pump();
      await tempFileSeen;
      server.proc.kill('SIGKILL');
      await server.stop();
      req.destroy();

      server = await startServer({ dataDir });
      const got = await raw(server.url, { method: 'GET', path: '/crash/obj' });
      expect(got.body.toString()).toBe('original');
      expect(readdirSync(tmp)).toEqual([]);
      const list = await raw(server.url, { method: 'GET', path: '/crash?list-type=2' });
      expect(list.body.toString().match(/<Key>/g)).toHaveLength(1);
      expect(list.body.toString()).toContain('<Size>8</Size>');
      await server.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('HTTPS', () => {
  it('serves boto3 over TLS with aws-chunked trailers (default checksums on)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'selectd-tls-'));
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    const server = await startServer({ args: ['--tls-cert', cert, '--tls-key', key] });
    try {
      expect(server.url.startsWith('https://')).toBe(true);
      const out = expectOk(await python(server.url, BOTO + `
import urllib3, io, hashlib
urllib3.disable_warnings()
s3.create_bucket(Bucket='tls')
data = os.urandom(3 * 1024 * 1024 + 7)
s3.put_object(Bucket='tls', Key='chunked.bin', Body=io.BytesIO(data))
h = s3.head_object(Bucket='tls', Key='chunked.bin', ChecksumMode='ENABLED')
back = s3.get_object(Bucket='tls', Key='chunked.bin', ChecksumMode='ENABLED')['Body'].read()
print(json.dumps({'same': back == data, 'crc32': h.get('ChecksumCRC32'), 'etag': h['ETag'].strip('"') == hashlib.md5(data).hexdigest()}))
`));
      const r = JSON.parse(out);
      expect(r.same).toBe(true);
      expect(r.etag).toBe(true);
      expect(r.crc32).toMatch(/^[A-Za-z0-9+/]{6}==$/);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

