import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { encodeAwsChunked } from '../src/auth/aws-chunked.js';
import { checksumOf } from '../src/auth/checksums.js';
import { decodePayload, storedContentEncoding, type DecodedPayload } from '../src/auth/payload.js';
import { presignUrl, signRequestWithContext } from '../src/auth/sign.js';
import { verifyRequest, type AuthResult } from '../src/auth/sigv4.js';
import { sha256Hex } from '../src/auth/sigv4-core.js';
import { S3Error } from '../src/errors.js';

const creds = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret/key+value', region: 'eu-central-1' };
const lookup = (id: string) => (id === creds.accessKeyId ? creds.secretAccessKey : undefined);
const URL_ = 'http://127.0.0.1:9000/bucket/object.bin';

/** Signs like a client, then verifies like the server: returns the server's view of the request. */
function signed(payloadHash: string, headers: Record<string, string>) {
  const now = new Date();
  const { headers: added, signing } = signRequestWithContext({ ...creds, method: 'PUT', url: URL_, headers, payloadHash, now });
  const all = { ...headers, ...added, host: '127.0.0.1:9000' };
  const auth = verifyRequest({ method: 'PUT', rawUrl: '/bucket/object.bin', headers: all, now }, lookup, creds.region);
  return { auth, headers: all, signing };
}

/** Collects the decoded body, recording whether 'end' fired (it must not when a check fails). */
async function collect(p: DecodedPayload): Promise<{ data?: Buffer; error?: S3Error; ended: boolean }> {
  const chunks: Buffer[] = [];
  let ended = false;
  return new Promise((resolve) => {
    p.body.on('data', (c: Buffer) => chunks.push(c));
    p.body.on('end', () => { ended = true; resolve({ data: Buffer.concat(chunks), ended }); });
    p.body.on('error', (e) => resolve({ error: e as S3Error, ended }));
  });
}

const pieces = (b: Buffer) => Readable.from([b.subarray(0, 5), b.subarray(5, 70_000), b.subarray(70_000)]);

describe('decodePayload', () => {
  const data = randomBytes(150_000);

  it('verifies a signed SHA-256 payload and passes the body through', async () => {
    const { auth, headers } = signed(sha256Hex(data), {});
    const p = decodePayload(auth, headers, pieces(data));
    expect(p.mode).toBe('sha256');
    const r = await collect(p);
    expect(r.data?.equals(data)).toBe(true);
    expect(p.trailerChecksums()).toEqual({});
  });

  it('fails XAmzContentSHA256Mismatch before the end when the body differs', async () => {
    const { auth, headers } = signed(sha256Hex(data), {});
    const other = Buffer.from(data);
    other[100_000] ^= 1;
    const r = await collect(decodePayload(auth, headers, pieces(other)));
    expect(r.ended).toBe(false);
    expect(r.error?.code).toBe('XAmzContentSHA256Mismatch');
    expect(r.error?.details.ClientComputedContentSHA256).toBe(sha256Hex(data));
  });

  it('passes UNSIGNED-PAYLOAD through untouched, with Content-Length as the length', async () => {
    const { auth, headers } = signed('UNSIGNED-PAYLOAD', { 'content-length': String(data.length) });
    const src = pieces(data);
    const p = decodePayload(auth, headers, src);
    expect(p.body).toBe(src);
    expect(p.length).toBe(data.length);
  });

  it('decodes a signed aws-chunked body', async () => {
    const h = { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(data.length) };
    const { auth, headers, signing } = signed('STREAMING-AWS4-HMAC-SHA256-PAYLOAD', h);
    const p = decodePayload(auth, headers, pieces(encodeAwsChunked(data, { signing })));
    expect(p).toMatchObject({ mode: 'streaming-signed', length: data.length });
    expect((await collect(p)).data?.equals(data)).toBe(true);
  });

  it('decodes a signed body with a checksum trailer and reports it', async () => {
    const crc = checksumOf('CRC32C', data);
    const h = { 'x-amz-decoded-content-length': String(data.length), 'x-amz-trailer': 'x-amz-checksum-crc32c' };
    const { auth, headers, signing } = signed('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', h);
    const p = decodePayload(auth, headers, pieces(encodeAwsChunked(data, { signing, trailers: { 'x-amz-checksum-crc32c': crc } })));
    expect((await collect(p)).data?.equals(data)).toBe(true);
    expect(p.trailerChecksums()).toEqual({ CRC32C: crc });
    expect(p.trailers()).toEqual({ 'x-amz-checksum-crc32c': crc });
  });

  it('decodes STREAMING-UNSIGNED-PAYLOAD-TRAILER and rejects an invalid checksum trailer', async () => {
    const h = { 'x-amz-decoded-content-length': String(data.length), 'x-amz-trailer': 'x-amz-checksum-crc64nvme' };
    const { auth, headers } = signed('STREAMING-UNSIGNED-PAYLOAD-TRAILER', h);
    const crc = checksumOf('CRC64NVME', data);
    const ok = decodePayload(auth, headers, pieces(encodeAwsChunked(data, { chunkSize: 1 << 20, trailers: { 'x-amz-checksum-crc64nvme': crc } })));
    expect((await collect(ok)).data?.equals(data)).toBe(true);
    expect(ok.trailerChecksums()).toEqual({ CRC64NVME: crc });
    const bad = decodePayload(auth, headers, pieces(encodeAwsChunked(data, { trailers: { 'x-amz-checksum-crc64nvme': 'DUoRhQ==' } })));
    const r = await collect(bad);
    expect(r).toMatchObject({ ended: false, error: { code: 'InvalidRequest' } });
  });

  it('fails a signed chunked body with a tampered chunk', async () => {
    const h = { 'x-amz-decoded-content-length': String(data.length) };
    const { auth, headers, signing } = signed('STREAMING-AWS4-HMAC-SHA256-PAYLOAD', h);
    const body = encodeAwsChunked(data, { signing });
    body[body.length - 200] ^= 1;
    const r = await collect(decodePayload(auth, headers, pieces(body)));
    expect(r).toMatchObject({ ended: false, error: { code: 'SignatureDoesNotMatch' } });
  });

  it('requires x-amz-decoded-content-length for streaming payloads', () => {
    const { auth, headers } = signed('STREAMING-UNSIGNED-PAYLOAD-TRAILER', {});
    expect(() => decodePayload(auth, headers, pieces(data))).toThrow(expect.objectContaining({ code: 'MissingContentLength' }));
  });

  it('checks a hash sent with a presigned request, and refuses signed streaming without a signature', async () => {
    const now = new Date();
    const u = new URL(presignUrl({ ...creds, method: 'PUT', url: URL_, expiresIn: 60, now }));
    const auth: AuthResult = verifyRequest({ method: 'PUT', rawUrl: u.pathname + u.search, headers: { host: u.host }, now }, lookup, creds.region);
    const headers = { 'x-amz-content-sha256': sha256Hex('something else') };
    expect((await collect(decodePayload(auth, headers, pieces(data)))).error?.code).toBe('XAmzContentSHA256Mismatch');
    const anon = { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'x-amz-decoded-content-length': '1' };
    expect(() => decodePayload(null, anon, pieces(data))).toThrow(expect.objectContaining({ code: 'AccessDenied' }));
  });

  it('forwards an error of the request stream to the body', async () => {
    const { auth, headers } = signed(sha256Hex(data), {});
    const src = new PassThrough();
    const p = decodePayload(auth, headers, src);
    const result = collect(p);
    src.write(data.subarray(0, 10));
    src.destroy(new Error('client went away'));
    expect((await result).error?.message).toBe('client went away');
  });
});

describe('storedContentEncoding', () => {
  it('drops aws-chunked and keeps the rest', () => {
    expect(storedContentEncoding('aws-chunked')).toBeUndefined();
    expect(storedContentEncoding('gzip,aws-chunked')).toBe('gzip');
    expect(storedContentEncoding('aws-chunked, gzip')).toBe('gzip');
    expect(storedContentEncoding(undefined)).toBeUndefined();
  });
});
