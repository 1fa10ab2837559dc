import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import {
  DigestStream, checksumOf, compositeChecksum, createChecksum, fullObjectChecksum, isValidChecksum, parseChecksumHeaders,
} from '../src/auth/checksums.js';
import { combineCrc, createCrc, type CrcAlgorithm } from '../src/auth/crc.js';
import { S3Error } from '../src/errors.js';
import { checksumAlgorithms } from '../src/store/store.js';

const hex = (alg: CrcAlgorithm, s: string | Buffer) => {
  const c = createCrc(alg);
  c.update(Buffer.from(s));
  return c.digest().toString('hex');
};

/** Bit-at-a-time reference CRC (reflected, init and xorout all ones), independent of the table code. */
function referenceCrc(width: 32 | 64, poly: bigint, data: Buffer): string {
  const mask = (1n << BigInt(width)) - 1n;
  let reflected = 0n;
  for (let i = 0; i < width; i++) if ((poly >> BigInt(i)) & 1n) reflected |= 1n << BigInt(width - 1 - i);
  let crc = mask;
  for (const b of data) {
    crc ^= BigInt(b);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ reflected : crc >> 1n;
  }
  return ((crc ^ mask) & mask).toString(16).padStart(width / 4, '0');
}

const polys: Record<CrcAlgorithm, [32 | 64, bigint]> = {
  CRC32: [32, 0x04c11db7n],
  CRC32C: [32, 0x1edc6f41n],
  CRC64NVME: [64, 0xad93d23594c93659n],
};

function expectS3Error(f: () => unknown, code: string): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(S3Error);
    expect((e as S3Error).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe('CRC implementations', () => {
  it('match the catalogue check values for "123456789"', () => {
    expect(hex('CRC32', '123456789')).toBe('cbf43926');
    expect(hex('CRC32C', '123456789')).toBe('e3069283');
    expect(hex('CRC64NVME', '123456789')).toBe('ae8b14860a799888');
  });

  it('match a bitwise reference on random data of every length mod 8', () => {
    for (const alg of ['CRC32', 'CRC32C', 'CRC64NVME'] as const) {
      for (const len of [0, 1, 7, 8, 9, 15, 16, 17, 1000, 4099]) {
        const data = randomBytes(len);
        expect(hex(alg, data), `${alg} len ${len}`).toBe(referenceCrc(polys[alg][0], polys[alg][1], data));
      }
    }
  });

  it('combine: crc(A||B) from crc(A), crc(B) and len(B)', () => {
    for (const alg of ['CRC32', 'CRC32C', 'CRC64NVME'] as const) {
      for (const [la, lb] of [[0, 5], [5, 0], [1, 1], [100, 3000], [70000, 12345]]) {
        const a = randomBytes(la);
        const b = randomBytes(lb);
        const d = (x: Buffer) => { const c = createCrc(alg); c.update(x); return c.digest(); };
        expect(combineCrc(alg, d(a), d(b), lb).toString('hex'), `${alg} ${la}+${lb}`).toBe(d(Buffer.concat([a, b])).toString('hex'));
      }
    }
  });
});

describe('createChecksum', () => {
  it('produces base64 of the big-endian digest ("hello world" vectors)', () => {
    expect(checksumOf('CRC32', 'hello world')).toBe('DUoRhQ==');
    expect(checksumOf('CRC32C', 'hello world')).toBe('yZRlqg==');
    expect(checksumOf('CRC64NVME', 'hello world')).toBe('jSnVw/bqjr4=');
    expect(checksumOf('SHA1', 'hello world')).toBe('Kq5sNclPz7QV2+lfQIuc6R7oRu0=');
    expect(checksumOf('SHA256', 'hello world')).toBe('uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=');
    expect(checksumOf('CRC64NVME', '123456789')).toBe(Buffer.from('ae8b14860a799888', 'hex').toString('base64'));
  });

  it('gives the same value when fed in odd-sized pieces', () => {
    const data = randomBytes(100_003);
    for (const alg of checksumAlgorithms) {
      const c = createChecksum(alg);
      for (let i = 0, step = 1; i < data.length; i += step, step = (step * 7 + 3) % 997 || 1) c.update(data.subarray(i, i + step));
      expect(c.digestBase64(), alg).toBe(checksumOf(alg, data));
    }
  });
});

describe('DigestStream', () => {
  it('passes data through and reports size, MD5 and the requested checksums', async () => {
    const data = randomBytes(300_001);
    const pieces = [data.subarray(0, 1), data.subarray(1, 65_537), data.subarray(65_537)];
    const ds = new DigestStream(['CRC32', 'CRC64NVME', 'SHA256']);
    const out: Buffer[] = [];
    await pipeline(Readable.from(pieces), ds, async (src: AsyncIterable<Buffer>) => { for await (const c of src) out.push(c); });
    expect(Buffer.concat(out).equals(data)).toBe(true);
    const r = ds.result();
    expect(r.size).toBe(data.length);
    const { createHash } = await import('node:crypto');
    expect(r.md5Hex).toBe(createHash('md5').update(data).digest('hex'));
    expect(r.md5Base64).toBe(createHash('md5').update(data).digest('base64'));
    expect(r.checksums).toEqual({ CRC32: checksumOf('CRC32', data), CRC64NVME: checksumOf('CRC64NVME', data), SHA256: checksumOf('SHA256', data) });
  });

  it('refuses to report before the end', () => {
    expect(() => new DigestStream().result()).toThrow(/before the stream ended/);
  });
});

describe('parseChecksumHeaders', () => {
  it('reads a checksum header, the SDK algorithm and Content-MD5', () => {
    const r = parseChecksumHeaders({
      'x-amz-checksum-crc32': 'DUoRhQ==',
      'x-amz-sdk-checksum-algorithm': 'crc32',
      'content-md5': 'XrY7u+Ae7tCTyyK7j1rNww==',
    });
    expect(r).toEqual({ checksums: { CRC32: 'DUoRhQ==' }, algorithm: 'CRC32', contentMd5: 'XrY7u+Ae7tCTyyK7j1rNww==' });
  });

  it('reads the announced trailer', () => {
    const r = parseChecksumHeaders({ 'x-amz-trailer': 'x-amz-checksum-crc64nvme', 'x-amz-sdk-checksum-algorithm': 'CRC64NVME' });
    expect(r.trailer).toBe('CRC64NVME');
    expect(r.checksums).toEqual({});
  });

  it('validates base64 and digest length per algorithm', () => {
    expect(isValidChecksum('CRC32', 'DUoRhQ==')).toBe(true);
    expect(isValidChecksum('CRC32', 'jSnVw/bqjr4=')).toBe(false);
    expect(isValidChecksum('CRC64NVME', 'jSnVw/bqjr4=')).toBe(true);
    expect(isValidChecksum('SHA1', 'DUoRhQ==')).toBe(false);
    expectS3Error(() => parseChecksumHeaders({ 'x-amz-checksum-crc32': 'DUoRhQ' }), 'InvalidRequest');
    expectS3Error(() => parseChecksumHeaders({ 'x-amz-checksum-sha256': 'DUoRhQ==' }), 'InvalidRequest');
    expectS3Error(() => parseChecksumHeaders({ 'x-amz-checksum-crc32c': 'not base64!' }), 'InvalidRequest');
    expectS3Error(() => parseChecksumHeaders({ 'content-md5': 'DUoRhQ==' }), 'InvalidDigest');
  });

  it('rejects conflicting or dangling declarations', () => {
    expectS3Error(() => parseChecksumHeaders({ 'x-amz-checksum-crc32': 'DUoRhQ==', 'x-amz-checksum-crc32c': 'yZRlqg==' }), 'InvalidRequest');
    expectS3Error(() => parseChecksumHeaders({ 'x-amz-checksum-crc32': 'DUoRhQ==', 'x-amz-sdk-checksum-algorithm': 'SHA1' }), 'InvalidRequest');
    expectS3Error(() => parseChecksumHeaders({ 'x-amz-sdk-checksum-algorithm': 'CRC32' }), 'InvalidRequest');
    expectS3Error(() => parseChecksumHeaders({ 'x-amz-sdk-checksum-algorithm': 'MD5' }), 'InvalidRequest');
    expectS3Error(() => parseChecksumHeaders({ 'x-amz-trailer': 'x-amz-meta-foo' }), 'InvalidRequest');
  });
});

describe('multipart checksums', () => {
  it('composite: checksum of the concatenated binary part checksums, suffixed -N', () => {
    const parts = [randomBytes(1000), randomBytes(77)];
    const partSums = parts.map((p) => checksumOf('SHA256', p));
    const expected = checksumOf('SHA256', Buffer.concat(partSums.map((s) => Buffer.from(s, 'base64'))));
    expect(compositeChecksum('SHA256', partSums)).toBe(`${expected}-2`);
    expectS3Error(() => compositeChecksum('CRC32', ['DUoRhQ==', 'bad']), 'InvalidPart');
  });

  it('full object: the CRC of the whole object from part CRCs and sizes', () => {
    const parts = [randomBytes(5000), randomBytes(1), randomBytes(3333)];
    for (const alg of ['CRC32', 'CRC32C', 'CRC64NVME'] as const) {
      const value = fullObjectChecksum(alg, parts.map((p) => ({ checksum: checksumOf(alg, p), size: p.length })));
      expect(value, alg).toBe(checksumOf(alg, Buffer.concat(parts)));
    }
    expect(fullObjectChecksum('CRC32', [])).toBe(checksumOf('CRC32', ''));
  });
});
