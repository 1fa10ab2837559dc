// S3 flexible checksums: computing them while a body streams, reading the ones a client sent,
// and deriving multipart values. Values travel as base64 of the big-endian digest.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { s3Error } from '../errors.js';
import { checksumAlgorithms, type ChecksumAlgorithm, type Checksums } from '../store/store.js';
import { combineCrc, createCrc, type CrcAlgorithm } from './crc.js';
import { headerValue, type HeaderBag } from './sigv4-core.js';

export interface Checksum {
  update(buf: Uint8Array): void;
  digest(): Buffer;
  digestBase64(): string;
}

/** Digest sizes in bytes, which also fix the length of a valid base64 value. */
export const digestLength: Readonly<Record<ChecksumAlgorithm, number>> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

export function createChecksum(alg: ChecksumAlgorithm): Checksum {
  let state: { update(b: Uint8Array): unknown; digest(): Buffer };
  if (alg === 'SHA1' || alg === 'SHA256') {
    const h: Hash = createHash(alg === 'SHA1' ? 'sha1' : 'sha256');
    state = { update: (b) => h.update(b), digest: () => h.digest() };
  } else {
    state = createCrc(alg);
  }
  let done: Buffer | undefined;
  return {
    update(buf) {
      if (done) throw new Error('checksum already finalised');
      state.update(buf);
    },
    digest() {
      return (done ??= state.digest());
    },
    digestBase64() {
      return this.digest().toString('base64');
    },
  };
}

export function checksumOf(alg: ChecksumAlgorithm, data: Uint8Array | string): string {
  const c = createChecksum(alg);
  c.update(typeof data === 'string' ? Buffer.from(data) : data);
  return c.digestBase64();
}

export interface DigestResult {
  size: number;
  md5Hex: string;
  md5Base64: string;
  checksums: Checksums;
}

/** Pass-through that measures what flows: byte count, MD5 (for the ETag) and the requested checksums. */
export class DigestStream extends Transform {
  private size = 0;
  private readonly md5 = createHash('md5');
  private readonly sums: [ChecksumAlgorithm, Checksum][];
  private final?: DigestResult;

  constructor(algorithms: Iterable<ChecksumAlgorithm> = []) {
    super();
    this.sums = [...new Set(algorithms)].map((a) => [a, createChecksum(a)]);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.size += chunk.length;
    this.md5.update(chunk);
    for (const [, c] of this.sums) c.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    const md5 = this.md5.digest();
    const checksums: Checksums = {};
    for (const [a, c] of this.sums) checksums[a] = c.digestBase64();
    this.final = { size: this.size, md5Hex: md5.toString('hex'), md5Base64: md5.toString('base64'), checksums };
    cb();
  }

  /** Available once the stream has flushed ('end' on the readable side). */
  result(): DigestResult {
    if (!this.final) throw new Error('DigestStream.result() called before the stream ended');
    return this.final;
  }
}

const headerAlgorithm = new Map<string, ChecksumAlgorithm>(checksumAlgorithms.map((a) => [`x-amz-checksum-${a.toLowerCase()}`, a]));

/** The algorithm named by an `x-amz-checksum-<alg>` header (or trailer) name, if it is one. */
export function algorithmOfHeader(name: string): ChecksumAlgorithm | undefined {
  return headerAlgorithm.get(name.toLowerCase());
}

export function checksumHeaderName(alg: ChecksumAlgorithm): string {
  return `x-amz-checksum-${alg.toLowerCase()}`;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** True when `value` is canonical base64 of exactly the digest length of `alg`. */
export function isValidChecksum(alg: ChecksumAlgorithm, value: string): boolean {
  return BASE64.test(value) && Buffer.from(value, 'base64').length === digestLength[alg];
}

export function parseAlgorithm(value: string, header: string): ChecksumAlgorithm {
  const alg = checksumAlgorithms.find((a) => a === value.trim().toUpperCase());
  if (!alg) throw s3Error('InvalidRequest', `Value for ${header} header is invalid.`);
  return alg;
}

export interface SentChecksums {
  /** Values from `x-amz-checksum-<alg>` headers (at most one algorithm, as S3 requires). */
  checksums: Checksums;
  /** `x-amz-sdk-checksum-algorithm` (or `x-amz-checksum-algorithm`), when sent. */
  algorithm?: ChecksumAlgorithm;
  /** The checksum the client announced in `x-amz-trailer`, to arrive after the body. */
  trailer?: ChecksumAlgorithm;
  /** `Content-MD5` as sent (base64 of 16 bytes). */
  contentMd5?: string;
}

/** Reads and validates the integrity headers of an upload (lower-case header names). */
export function parseChecksumHeaders(headers: HeaderBag): SentChecksums {
  const out: SentChecksums = { checksums: {} };
  for (const [name, alg] of headerAlgorithm) {
    const v = headerValue(headers, name);
    if (v === undefined) continue;
    if (!isValidChecksum(alg, v.trim())) throw s3Error('InvalidRequest', `Value for ${name} header is invalid.`);
    out.checksums[alg] = v.trim();
  }
  if (Object.keys(out.checksums).length > 1) {
    throw s3Error('InvalidRequest', 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  }
  for (const name of ['x-amz-sdk-checksum-algorithm', 'x-amz-checksum-algorithm']) {
    const v = headerValue(headers, name);
    if (v !== undefined && v !== '') out.algorithm = parseAlgorithm(v, name);
  }
  const trailer = headerValue(headers, 'x-amz-trailer');
  if (trailer !== undefined && trailer.trim() !== '') {
    for (const name of trailer.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
      const alg = algorithmOfHeader(name);
      if (!alg) throw s3Error('InvalidRequest', `The value specified in the x-amz-trailer header is not supported: ${name}`);
      if (out.trailer && out.trailer !== alg) {
        throw s3Error('InvalidRequest', 'Expecting a single x-amz-checksum- trailer. Multiple checksum Types are not allowed.');
      }
      out.trailer = alg;
    }
  }
  const sent = (Object.keys(out.checksums) as ChecksumAlgorithm[])[0] ?? out.trailer;
  if (out.algorithm && sent && sent !== out.algorithm) {
    throw s3Error('InvalidRequest', `Value for x-amz-sdk-checksum-algorithm header is invalid: the checksum sent is ${sent}.`);
  }
  if (out.algorithm && !sent && headerValue(headers, 'x-amz-sdk-checksum-algorithm') !== undefined) {
    throw s3Error(
      'InvalidRequest',
      'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.',
    );
  }
  const md5 = headerValue(headers, 'content-md5');
  if (md5 !== undefined) {
    if (!BASE64.test(md5.trim()) || Buffer.from(md5.trim(), 'base64').length !== 16) {
      throw s3Error('InvalidDigest', 'The Content-MD5 you specified is not valid.');
    }
    out.contentMd5 = md5.trim();
  }
  return out;
}

/**
 * COMPOSITE multipart checksum: the checksum of the concatenated binary part checksums, suffixed `-N`.
 * Part values may carry their own suffix-free base64 form only.
 */
export function compositeChecksum(alg: ChecksumAlgorithm, partChecksums: readonly string[]): string {
  const c = createChecksum(alg);
  for (const p of partChecksums) {
    if (!isValidChecksum(alg, p)) throw s3Error('InvalidPart', `The ${alg} checksum of a part is invalid.`);
    c.update(Buffer.from(p, 'base64'));
  }
  return `${c.digestBase64()}-${partChecksums.length}`;
}

/** FULL_OBJECT multipart checksum of a CRC algorithm: the CRC of the whole object, from part CRCs and sizes. */
export function fullObjectChecksum(alg: CrcAlgorithm, parts: readonly { checksum: string; size: number }[]): string {
  let acc: Buffer | undefined;
  for (const p of parts) {
    if (!isValidChecksum(alg, p.checksum)) throw s3Error('InvalidPart', `The ${alg} checksum of a part is invalid.`);
    const d = Buffer.from(p.checksum, 'base64');
    acc = acc ? combineCrc(alg, acc, d, p.size) : d;
  }
  return (acc ?? createChecksum(alg).digest()).toString('base64');
}
