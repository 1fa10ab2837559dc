import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { AwsChunkedDecoder, AwsChunkedEncoder, encodeAwsChunked, type AwsChunkedDecoderOptions, type ChunkSigning } from '../src/auth/aws-chunked.js';
import { checksumOf } from '../src/auth/checksums.js';
import { signRequestWithContext } from '../src/auth/sign.js';
import { verifyRequest } from '../src/auth/sigv4.js';
import { S3Error } from '../src/errors.js';

// AWS's sigv4-streaming example: PUT of 66560 bytes of 'a' in a 64 KiB and a 1 KiB chunk.
const AK = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const T0 = new Date('2013-05-24T00:00:00Z');
const SEED = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
const CHUNK_SIGS = [
  'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
  '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
  'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
];
const SIGNED_HEADERS = 'content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class';

/** The seed request verified by the server-side verifier: its result is the decoder's signing context. */
function exampleSigning(): ChunkSigning {
  const r = verifyRequest({
    method: 'PUT',
    rawUrl: '/examplebucket/chunkObject.txt',
    now: T0,
    headers: {
      'content-encoding': 'aws-chunked', 'content-length': '66824', host: 's3.amazonaws.com',
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'x-amz-date': '20130524T000000Z',
      'x-amz-decoded-content-length': '66560', 'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      authorization: `AWS4-HMAC-SHA256 Credential=${AK}/20130524/us-east-1/s3/aws4_request,SignedHeaders=${SIGNED_HEADERS},Signature=${SEED}`,
    },
  }, (id) => (id === AK ? SECRET : undefined), 'us-east-1');
  return { signingKey: r.signingKey, amzDate: r.amzDate, scope: r.scope, seedSignature: r.signature };
}

const exampleData = Buffer.alloc(66560, 'a');
const exampleBody = Buffer.concat([
  Buffer.from(`10000;chunk-signature=${CHUNK_SIGS[0]}\r\n`), Buffer.alloc(65536, 'a'), Buffer.from('\r\n'),
  Buffer.from(`400;chunk-signature=${CHUNK_SIGS[1]}\r\n`), Buffer.alloc(1024, 'a'), Buffer.from('\r\n'),
  Buffer.from(`0;chunk-signature=${CHUNK_SIGS[2]}\r\n\r\n`),
]);

/** Deterministic pseudo-random cut points, so a failure reproduces. */
function split(buf: Buffer, seed: number, maxPiece: number): Buffer[] {
  const out: Buffer[] = [];
  let x = seed;
  for (let i = 0; i < buf.length;) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const n = 1 + (x % maxPiece);
    out.push(buf.subarray(i, i + n));
    i += n;
  }
  return out;
}

async function decode(pieces: Buffer[], opts: AwsChunkedDecoderOptions): Promise<{ data: Buffer; decoder: AwsChunkedDecoder }> {
  const decoder = new AwsChunkedDecoder(opts);
  const out: Buffer[] = [];
  await pipeline(Readable.from(pieces), decoder, async (src: AsyncIterable<Buffer>) => { for await (const c of src) out.push(c); });
  return { data: Buffer.concat(out), decoder };
}

async function decodeError(pieces: Buffer[], opts: AwsChunkedDecoderOptions): Promise<S3Error> {
  const err = await decode(pieces, opts).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(S3Error);
  return err as S3Error;
}

describe('aws-chunked: AWS streaming example', () => {
  const signing = exampleSigning();

  it('the verifier yields the published seed signature', () => {
    expect(signing.seedSignature).toBe(SEED);
  });

  it('the encoder reproduces the published chunk signatures byte for byte', () => {
    const body = encodeAwsChunked(exampleData, { chunkSize: 65536, signing });
    expect(body.length).toBe(66824);
    expect(body.equals(exampleBody)).toBe(true);
  });

  it('decodes it whole, one byte at a time and in random splits', async () => {
    const opts = { signing, trailers: false, decodedLength: 66560 };
    for (const pieces of [[exampleBody], split(exampleBody, 1, 1), split(exampleBody, 7, 97), split(exampleBody, 42, 20000)]) {
      const { data } = await decode(pieces, opts);
      expect(data.equals(exampleData)).toBe(true);
    }
  });

  it('fails SignatureDoesNotMatch on tampered data, a tampered final signature, or a wrong seed', async () => {
    const tampered = Buffer.from(exampleBody);
    tampered[66_000] = 0x62; // inside the second chunk's data (bytes 65712..66735)
    expect(tampered.equals(exampleBody)).toBe(false);
    expect((await decodeError([tampered], { signing, trailers: false })).code).toBe('SignatureDoesNotMatch');
    const badFinal = Buffer.from(exampleBody.toString('latin1').replace(CHUNK_SIGS[2], CHUNK_SIGS[1]), 'latin1');
    expect((await decodeError([badFinal], { signing, trailers: false })).code).toBe('SignatureDoesNotMatch');
    const wrongSeed = { ...signing, seedSignature: CHUNK_SIGS[0] };
    expect((await decodeError([exampleBody], { signing: wrongSeed, trailers: false })).code).toBe('SignatureDoesNotMatch');
  });

  it('enforces x-amz-decoded-content-length both ways', async () => {
    expect((await decodeError([exampleBody], { signing, trailers: false, decodedLength: 66561 })).code).toBe('IncompleteBody');
    expect((await decodeError([exampleBody], { signing, trailers: false, decodedLength: 1000 })).code).toBe('IncompleteBody');
  });
});

describe('aws-chunked: trailers', () => {
  const now = new Date();
  const { signing } = signRequestWithContext({
    accessKeyId: AK, secretAccessKey: SECRET, region: 'us-east-1', method: 'PUT', url: 'http://localhost/b/k', now,
    payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  });
  const data = randomBytes(200_000);
  const crc = checksumOf('CRC32', data);

  it('decodes a signed-trailer body and exposes the verified trailer', async () => {
    const body = encodeAwsChunked(data, { chunkSize: 65536, signing, trailers: { 'x-amz-checksum-crc32': crc } });
    expect(body.toString('latin1')).toMatch(/\r\nx-amz-checksum-crc32:.*\r\nx-amz-trailer-signature:[0-9a-f]{64}\r\n\r\n$/);
    let seen: Record<string, string> | undefined;
    const opts = { signing, trailers: true, decodedLength: data.length, declaredTrailers: ['x-amz-checksum-crc32'], onTrailers: (t: Record<string, string>) => { seen = { ...t }; } };
    for (const pieces of [[body], split(body, 3, 1), split(body, 5, 4000)]) {
      const { data: out, decoder } = await decode(pieces, opts);
      expect(out.equals(data)).toBe(true);
      expect(decoder.trailers()).toEqual({ 'x-amz-checksum-crc32': crc });
      expect(seen).toEqual({ 'x-amz-checksum-crc32': crc });
    }
  });

  it('rejects a tampered or missing trailer signature', async () => {
    const body = encodeAwsChunked(data, { signing, trailers: { 'x-amz-checksum-crc32': crc } }).toString('latin1');
    const tampered = Buffer.from(body.replace(crc, checksumOf('CRC32', 'other')), 'latin1');
    expect((await decodeError([tampered], { signing, trailers: true })).code).toBe('SignatureDoesNotMatch');
    const unsignedTrailer = Buffer.from(body.replace(/x-amz-trailer-signature:[0-9a-f]{64}\r\n/, ''), 'latin1');
    expect((await decodeError([unsignedTrailer], { signing, trailers: true })).code).toBe('SignatureDoesNotMatch');
  });

  it('decodes STREAMING-UNSIGNED-PAYLOAD-TRAILER as botocore frames it', async () => {
    const body = encodeAwsChunked(data, { chunkSize: 1 << 20, trailers: { 'x-amz-checksum-crc32': crc } });
    expect(body.subarray(0, 7).toString()).toBe(`${data.length.toString(16)}\r\n`);
    expect(body.subarray(-50).toString()).toContain(`\r\n0\r\nx-amz-checksum-crc32:${crc}\r\n\r\n`);
    for (const pieces of [[body], split(body, 11, 1), split(body, 13, 333)]) {
      const { data: out, decoder } = await decode(pieces, { trailers: true, decodedLength: data.length });
      expect(out.equals(data)).toBe(true);
      expect(decoder.trailers()).toEqual({ 'x-amz-checksum-crc32': crc });
    }
  });

  it('checks trailers against x-amz-trailer', async () => {
    const body = encodeAwsChunked(data, { trailers: { 'x-amz-checksum-crc32': crc } });
    expect((await decodeError([body], { trailers: true, declaredTrailers: ['x-amz-checksum-sha256'] })).code).toBe('MalformedTrailerError');
    const none = encodeAwsChunked(data, {});
    expect((await decodeError([none], { trailers: true, declaredTrailers: ['x-amz-checksum-crc32'] })).code).toBe('MalformedTrailerError');
  });

  it('fails the stream when the trailer callback rejects a value', async () => {
    const body = encodeAwsChunked(data, { trailers: { 'x-amz-checksum-crc32': 'bogus' } });
    const err = await decodeError([body], { trailers: true, onTrailers: () => { throw new S3Error('InvalidRequest', 'bad trailer'); } });
    expect(err.message).toBe('bad trailer');
  });
});

describe('aws-chunked: framing errors', () => {
  const data = Buffer.from('hello world, hello chunks');
  const body = encodeAwsChunked(data, { chunkSize: 10 });

  it('decodes a well-formed unsigned body without trailers', async () => {
    expect((await decode(split(body, 9, 3), { trailers: false, decodedLength: data.length })).data.toString()).toBe(data.toString());
  });

  it('InvalidRequest on bad sizes, missing CRLF, missing chunk signatures or bytes after the end', async () => {
    const s = body.toString('latin1');
    for (const bad of [s.replace(/^a/, 'zz'), s.replace('hello worl\r\n', 'hello worlXX'), `${s}extra`]) {
      expect((await decodeError([Buffer.from(bad, 'latin1')], { trailers: false })).code).toBe('InvalidRequest');
    }
    const signing: ChunkSigning = { signingKey: randomBytes(32), amzDate: '20130524T000000Z', scope: 'x', seedSignature: 'y' };
    expect((await decodeError([body], { signing, trailers: false })).code).toBe('InvalidRequest');
    expect((await decodeError([Buffer.from(`${'f'.repeat(5000)}\r\n`)], { trailers: false })).code).toBe('InvalidRequest');
    const withTrailer = encodeAwsChunked(data, { trailers: { 'x-amz-checksum-crc32': 'AAAAAA==' } });
    expect((await decodeError([withTrailer], { trailers: false })).code).toBe('InvalidRequest');
  });

  it('IncompleteBody when the body stops early', async () => {
    for (const cut of [3, 20, body.length - 2]) {
      expect((await decodeError([body.subarray(0, cut)], { trailers: false })).code).toBe('IncompleteBody');
    }
  });
});

describe('aws-chunked: streaming', () => {
  it('passes a large chunk on as it arrives instead of buffering it', () => {
    const enc = new AwsChunkedEncoder();
    const frame = enc.chunk(Buffer.alloc(4 << 20, 1));
    const decoder = new AwsChunkedDecoder({ trailers: false });
    decoder.write(frame.subarray(0, 1 << 20));
    // Nearly 1 MiB of data is readable although the 4 MiB chunk is far from complete.
    expect(decoder.readableLength).toBeGreaterThan((1 << 20) - 16);
    expect(decoder.decodedBytes).toBe(decoder.readableLength);
    decoder.destroy();
  });
});
