// Name rules for buckets and object keys, and the byte encoding of index keys.
// Index keys are `bucket 0x00 key` in UTF-8, so lmdb's bytewise order is S3's listing order
// (UTF-8 binary order of keys within a bucket). Keys never contain 0x00 (control characters are
// rejected), which lets 0x00 act as a separator and makes `x + 0x00` the smallest key after `x`.
import { s3Error } from '../errors.js';

const MAX_KEY_BYTES = 1024;
const BUCKET_SHAPE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IPV4_SHAPE = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** S3 bucket naming rules (the DNS-compatible set AWS enforces for new buckets). */
export function validateBucketName(name: string): void {
  const problem =
    !BUCKET_SHAPE.test(name) ? 'Bucket names must be 3-63 characters of lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit.'
    : name.includes('..') ? 'Bucket names must not contain two adjacent periods.'
    : name.includes('.-') || name.includes('-.') ? 'Bucket names must not contain a period next to a hyphen.'
    : IPV4_SHAPE.test(name) ? 'Bucket names must not be formatted as an IP address.'
    : name.startsWith('xn--') || name.startsWith('sthree-') ? 'Bucket names must not start with a reserved prefix.'
    : name.endsWith('-s3alias') || name.endsWith('--ol-s3') ? 'Bucket names must not end with a reserved suffix.'
    : undefined;
  if (problem) throw s3Error('InvalidBucketName', problem, { BucketName: name });
}

/**
 * Rejects keys that cannot be stored or listed safely. Bytes on disk never use the key, but tools that
 * mirror keys to paths (aws s3 sync, rclone) would turn `..`/`.` segments or a leading `/` into traversal.
 */
export function validateObjectKey(key: string): void {
  if (key.length === 0) throw s3Error('InvalidObjectName', 'Object key must not be empty.', { Key: key });
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw s3Error('KeyTooLongError', `Your key is too long: the maximum is ${MAX_KEY_BYTES} bytes of UTF-8.`, { Key: key.slice(0, 64) });
  }
  // In `u` mode a paired surrogate is one code point, so \p{Cs} only matches lone halves (not UTF-8 encodable).
  if (/\p{Cs}/u.test(key)) throw s3Error('InvalidObjectName', 'Object key must be valid UTF-8.');
  if (/[\u0000-\u001f]/.test(key)) throw s3Error('InvalidObjectName', 'Object key must not contain control characters.');
  if (key.startsWith('/')) throw s3Error('InvalidObjectName', 'Object key must not start with "/".', { Key: key });
  if (key.split('/').some((seg) => seg === '.' || seg === '..')) {
    throw s3Error('InvalidObjectName', 'Object key must not contain "." or ".." path segments.', { Key: key });
  }
}

const SEP = Buffer.from([0]);
const LAST = Buffer.from([0xff]);

/** Index key of an object: bucket, 0x00, key. */
export function objectKey(bucket: string, key: string): Buffer {
  return Buffer.concat([Buffer.from(bucket, 'utf8'), SEP, Buffer.from(key, 'utf8')]);
}

/** Index key of an upload: bucket, 0x00, key, 0x00, uploadId — ordered by key, then by upload id. */
export function uploadKey(bucket: string, key: string, uploadId: string): Buffer {
  return Buffer.concat([objectKey(bucket, key), SEP, Buffer.from(uploadId, 'latin1')]);
}

/** Index key of a part: uploadId, 0x00, big-endian part number (numeric order). */
export function partKey(uploadId: string, partNumber: number): Buffer {
  const n = Buffer.alloc(4);
  n.writeUInt32BE(partNumber);
  return Buffer.concat([Buffer.from(uploadId, 'latin1'), SEP, n]);
}

export function partNumberOf(indexKey: Buffer): number {
  return indexKey.readUInt32BE(indexKey.length - 4);
}

/** The smallest index key strictly greater than `k` (keys never contain 0x00). */
export function justAfter(k: Buffer): Buffer {
  return Buffer.concat([k, SEP]);
}

/**
 * A bound above every index key that starts with `k`, and below every other key greater than `k`:
 * UTF-8 never contains 0xFF, so nothing sorts between the keys under `k` and `k + 0xFF`.
 */
export function pastPrefix(k: Buffer): Buffer {
  return Buffer.concat([k, LAST]);
}

/** Longer than any stored index key (bucket 63 + key 1024 + upload id and separators), within lmdb's 1978-byte limit. */
const MAX_STORED_KEY = 1200;

/**
 * A range bound lmdb accepts that compares the same against every stored key: a bound longer than any
 * key sorts exactly like its first MAX_STORED_KEY bytes followed by 0x00.
 */
export function boundKey(bound: Buffer): Buffer {
  return bound.length <= MAX_STORED_KEY ? bound : justAfter(bound.subarray(0, MAX_STORED_KEY));
}

/** The part of an index key after `bucket 0x00`, up to the next 0x00 if any, as a string. */
export function nameOf(indexKey: Buffer, bucketBytes: number): string {
  const end = indexKey.indexOf(0, bucketBytes + 1);
  return indexKey.toString('utf8', bucketBytes + 1, end < 0 ? indexKey.length : end);
}

/** The trailing id of an upload index key. */
export function uploadIdOf(indexKey: Buffer): string {
  return indexKey.toString('latin1', indexKey.lastIndexOf(0) + 1);
}
