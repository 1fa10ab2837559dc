// Upload integrity: hash the decoded body while it streams to the store, then check Content-MD5 and
// x-amz-checksum-* (header or aws-chunked trailer) before the store publishes the object.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { checksumHeaderName, checksumOf, DigestStream, parseChecksumHeaders } from '../auth/checksums.js';
import { s3Error } from '../errors.js';
import type { ChecksumAlgorithm, Checksums, ObjectWriteMeta, WrittenBody } from '../store/store.js';
import type { S3Context } from './context.js';

export interface ReceivedBody {
  stream: Readable;
  beforeCommit: (written: WrittenBody) => Partial<ObjectWriteMeta>;
}

function mismatch(alg: string): Error {
  return s3Error('BadDigest', `The ${alg} you specified did not match the calculated checksum.`);
}

export function receiveBody(ctx: S3Context, extra: ChecksumAlgorithm[] = []): ReceivedBody {
  const sent = parseChecksumHeaders(ctx.headers);
  const algorithms = new Set<ChecksumAlgorithm>(extra);
  for (const a of Object.keys(sent.checksums) as ChecksumAlgorithm[]) algorithms.add(a);
  if (sent.trailer) algorithms.add(sent.trailer);
  if (sent.algorithm) algorithms.add(sent.algorithm);
  const digest = new DigestStream(algorithms);
  ctx.body.on('error', (e) => digest.destroy(e));
  const stream = ctx.body.pipe(digest);
  return {
    stream,
    beforeCommit: () => {
      const r = digest.result();
      if (sent.contentMd5 !== undefined && sent.contentMd5 !== r.md5Base64) {
        throw s3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.');
      }
      for (const [alg, value] of Object.entries(sent.checksums) as [ChecksumAlgorithm, string][]) {
        if (r.checksums[alg] !== value) throw mismatch(alg);
      }
      if (sent.trailer) {
        const value = ctx.trailers()[checksumHeaderName(sent.trailer)];
        if (value === undefined) throw s3Error('IncompleteBody', `The ${sent.trailer} trailer announced in x-amz-trailer was not sent.`);
        if (r.checksums[sent.trailer] !== value.trim()) throw mismatch(sent.trailer);
      }
      const checksums: Checksums = { ...r.checksums };
      return { checksums };
    },
  };
}

/** The same checks for small bodies read whole (DeleteObjects). */
export function verifySmallBody(ctx: S3Context, body: Buffer): void {
  const sent = parseChecksumHeaders(ctx.headers);
  if (sent.contentMd5 !== undefined) {
    const md5 = checksumOfMd5(body);
    if (md5 !== sent.contentMd5) throw s3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
  for (const [alg, value] of Object.entries(sent.checksums) as [ChecksumAlgorithm, string][]) {
    if (checksumOf(alg, body) !== value) throw mismatch(alg);
  }
  if (sent.trailer) {
    const value = ctx.trailers()[checksumHeaderName(sent.trailer)];
    if (value !== undefined && checksumOf(sent.trailer, body) !== value.trim()) throw mismatch(sent.trailer);
  }
}

function checksumOfMd5(body: Buffer): string {
  return createHash('md5').update(body).digest('base64');
}
