// Presigned URLs in the legacy Signature Version 2 query form (AWSAccessKeyId, Expires, Signature):
// boto3's generate_presigned_url still produces these unless configured for s3v4, so they must work.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { s3Error } from '../errors.js';
import { UNSIGNED_PAYLOAD } from './sigv4-core.js';
import type { AuthResult, CredentialLookup, SigV4Request } from './sigv4.js';

/** Query parameters that are part of the signed resource (the S3 SigV2 sub-resource list). */
const SUBRESOURCES = new Set([
  'acl', 'cors', 'delete', 'lifecycle', 'location', 'logging', 'notification', 'partNumber', 'policy', 'requestPayment',
  'restore', 'select', 'select-type', 'tagging', 'torrent', 'uploadId', 'uploads', 'versionId', 'versioning', 'versions',
  'website', 'response-content-type', 'response-content-language', 'response-expires', 'response-cache-control',
  'response-content-disposition', 'response-content-encoding',
]);

function headerOf(headers: SigV4Request['headers'], name: string): string {
  const v = headers[name];
  return (Array.isArray(v) ? v.join(',') : v ?? '').trim();
}

export function isSigV2Query(params: URLSearchParams): boolean {
  return params.has('AWSAccessKeyId') && params.has('Signature') && params.has('Expires');
}

export function verifySigV2Query(req: SigV4Request, lookup: CredentialLookup, rawPath: string, params: URLSearchParams): AuthResult {
  const accessKeyId = params.get('AWSAccessKeyId')!;
  const expires = params.get('Expires')!;
  const signature = params.get('Signature')!;
  if (!/^\d+$/.test(expires)) throw s3Error('AccessDenied', 'Invalid date (should be seconds since epoch): ' + expires);
  if (Number(expires) * 1000 < req.now.getTime()) throw s3Error('AccessDenied', 'Request has expired');
  const secret = lookup(accessKeyId);
  if (secret === undefined) throw s3Error('InvalidAccessKeyId');
  const amz = Object.keys(req.headers)
    .filter((h) => h.startsWith('x-amz-'))
    .sort()
    .map((h) => `${h}:${headerOf(req.headers, h)}\n`)
    .join('');
  const sub = [...params.entries()]
    .filter(([k]) => SUBRESOURCES.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => (v === '' ? k : `${k}=${v}`));
  const resource = rawPath + (sub.length ? `?${sub.join('&')}` : '');
  const toSign = [req.method, headerOf(req.headers, 'content-md5'), headerOf(req.headers, 'content-type'), expires, amz + resource].join('\n');
  const expected = createHmac('sha1', secret).update(toSign, 'utf8').digest();
  const given = Buffer.from(signature, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw s3Error('SignatureDoesNotMatch', undefined, { StringToSign: toSign });
  }
  return {
    accessKeyId, payloadHash: UNSIGNED_PAYLOAD, signature, amzDate: '', scope: '', signingKey: Buffer.alloc(0),
    presigned: true, requestTime: req.now,
  };
}
