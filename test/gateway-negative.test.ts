// Bad requests get the right S3 error and status, and the server keeps serving afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeAwsChunked } from '../src/auth/aws-chunked.js';
import { presignUrl } from '../src/auth/sign.js';
import { BOTO, python } from './helpers/clients.js';
import { errorCode, raw, send, signStreaming } from './helpers/raw.js';
import { ACCESS_KEY, REGION, SECRET_KEY, startServer, type RunningServer } from './helpers/server.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
  const r = await raw(server.url, { method: 'PUT', path: '/neg' });
  expect(r.status).toBe(200);
  expect((await raw(server.url, { method: 'PUT', path: '/neg/present.txt', body: 'here' })).status).toBe(200);
});
afterAll(async () => { await server?.stop(); });

async function stillServing() {
  const r = await raw(server.url, { method: 'GET', path: '/neg/present.txt' });
  expect(r.status).toBe(200);
  expect(r.body.toString()).toBe('here');
}

describe('authentication failures', () => {
  it('rejects a wrong secret (boto3) with SignatureDoesNotMatch', async () => {
    const r = await python(server.url, BOTO + `
s3 = boto3.client('s3', endpoint_url=os.environ['ENDPOINT'], aws_access_key_id=os.environ['AWS_ACCESS_KEY_ID'], aws_secret_access_key='wrong', config=Config(retries={'max_attempts': 1}))
try:
    s3.list_objects_v2(Bucket='neg')
except botocore.exceptions.ClientError as e:
    print(e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode'])
`);
    expect(r.stdout.trim()).toBe('SignatureDoesNotMatch 403');
    await stillServing();
  });

  it('rejects anonymous requests and unknown access keys', async () => {
    const anon = await raw(server.url, { method: 'GET', path: '/neg/present.txt', unsigned: true });
    expect([anon.status, errorCode(anon)]).toEqual([403, 'AccessDenied']);
    const r = await python(server.url, BOTO + `
s3 = boto3.client('s3', endpoint_url=os.environ['ENDPOINT'], aws_access_key_id='NOPE', aws_secret_access_key='whatever', config=Config(retries={'max_attempts': 1}))
try:
    s3.head_bucket(Bucket='neg')
except botocore.exceptions.ClientError as e:
    print(e.response['ResponseMetadata']['HTTPStatusCode'])
`);
    expect(r.stdout.trim()).toBe('403');
  });

  it('rejects an expired presigned URL with AccessDenied', async () => {
    const url = presignUrl({
      method: 'GET', url: `${server.url}/neg/present.txt`, expiresIn: 60, now: new Date(Date.now() - 3600_000),
      accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, region: REGION,
    });
    const res = await fetch(url);
    const body = await res.text();
    expect(res.status).toBe(403);
    expect(body).toContain('<Code>AccessDenied</Code>');
    expect(body).toContain('expired');
    await stillServing();
  });

  it('rejects a request signed too far in the past with RequestTimeTooSkewed', async () => {
    const url = `${server.url}/neg/present.txt`;
    const { signRequest } = await import('../src/auth/sign.js');
    const headers = signRequest({ method: 'GET', url, body: '', accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, region: REGION, now: new Date(Date.now() - 3600_000) });
    const res = await fetch(url, { headers });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>RequestTimeTooSkewed</Code>');
  });

  it('rejects a tampered chunk signature and keeps the old object', async () => {
    const path = '/neg/present.txt';
    const data = Buffer.alloc(100_000, 'z');
    const headers: Record<string, string> = {
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(data.length),
    };
    const { headers: signed, signing } = signStreaming(server.url, path, headers, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
    const body = encodeAwsChunked(data, { signing, chunkSize: 65536 });
    const at = body.indexOf('chunk-signature=') + 'chunk-signature='.length;
    body[at] = body[at] === 0x61 ? 0x62 : 0x61;
    const r = await send(server.url, { ...headers, ...signed, 'content-length': String(body.length) }, { method: 'PUT', path }, body);
    expect([r.status, errorCode(r)]).toEqual([403, 'SignatureDoesNotMatch']);
    await stillServing();
  });

  it('rejects a body that does not match x-amz-content-sha256', async () => {
    const r = await raw(server.url, { method: 'PUT', path: '/neg/present.txt', body: 'other', payloadHash: 'a'.repeat(64) });
    expect([r.status, errorCode(r)]).toEqual([400, 'XAmzContentSHA256Mismatch']);
    await stillServing();
  });

  it('rejects a wrong Content-MD5 with BadDigest', async () => {
    const r = await raw(server.url, { method: 'PUT', path: '/neg/present.txt', body: 'other', headers: { 'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==' } });
    expect([r.status, errorCode(r)]).toEqual([400, 'BadDigest']);
    await stillServing();
  });

  it('rejects a wrong x-amz-checksum-crc32 with BadDigest', async () => {
    const r = await raw(server.url, { method: 'PUT', path: '/neg/present.txt', body: 'other', headers: { 'x-amz-checksum-crc32': 'AAAAAA==' } });
    expect([r.status, errorCode(r)]).toEqual([400, 'BadDigest']);
    await stillServing();
  });
});

describe('bad addresses and documents', () => {
  it.each([
    ['/neg/..%2F..%2Fetc%2Fpasswd', 'InvalidObjectName'],
    ['/neg/a%2F..%2F..%2Fx', 'InvalidObjectName'],
    ['/neg/%2Fabsolute', 'InvalidObjectName'],
    ['/neg/nul%00byte', 'InvalidObjectName'],
    [`/neg/${'k'.repeat(1100)}`, 'KeyTooLongError'],
  ])('refuses the key in %s', async (path, code) => {
    const r = await raw(server.url, { method: 'PUT', path, body: 'evil' });
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe(code);
    await stillServing();
  });

  it('refuses malformed XML', async () => {
    const r = await raw(server.url, { method: 'POST', path: '/neg?delete', body: '<Delete><Object><Key>x</Key>', headers: { 'content-type': 'application/xml' } });
    expect([r.status, errorCode(r)]).toEqual([400, 'MalformedXML']);
    await stillServing();
  });

  it('answers NoSuchBucket and NoSuchKey', async () => {
    const nb = await raw(server.url, { method: 'GET', path: '/no-such-bucket/x' });
    expect([nb.status, errorCode(nb)]).toEqual([404, 'NoSuchBucket']);
    const nk = await raw(server.url, { method: 'GET', path: '/neg/missing' });
    expect([nk.status, errorCode(nk)]).toEqual([404, 'NoSuchKey']);
    expect(nk.body.toString()).toContain('<Resource>/neg/missing</Resource>');
    expect(nk.headers['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
  });

  it('refuses bad bucket names', async () => {
    for (const name of ['ab', 'UPPER', '-dash', 'a..b', '192.168.1.1']) {
      const r = await raw(server.url, { method: 'PUT', path: `/${name}` });
      expect([name, errorCode(r)]).toEqual([name, 'InvalidBucketName']);
    }
  });

  it('answers NotImplemented for sub-resources it does not serve', async () => {
    const r = await raw(server.url, { method: 'GET', path: '/neg?acl' });
    expect([r.status, errorCode(r)]).toEqual([501, 'NotImplemented']);
  });
});
