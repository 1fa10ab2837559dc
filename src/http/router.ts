// Which S3 operation a request is: bucket and key from path-style or virtual-hosted-style addresses,
// then the method and sub-resource query parameters.
import { s3Error } from '../errors.js';

export type Operation =
  | 'ListBuckets' | 'CreateBucket' | 'HeadBucket' | 'DeleteBucket' | 'GetBucketLocation' | 'GetBucketVersioning'
  | 'ListObjects' | 'ListObjectsV2' | 'ListObjectVersions' | 'ListMultipartUploads' | 'DeleteObjects'
  | 'PutObject' | 'GetObject' | 'HeadObject' | 'DeleteObject' | 'CopyObject'
  | 'CreateMultipartUpload' | 'UploadPart' | 'UploadPartCopy' | 'CompleteMultipartUpload' | 'AbortMultipartUpload' | 'ListParts'
  | 'SelectObjectContent';

export interface Address {
  bucket?: string;
  key?: string;
  /** Path as received, still percent-encoded (for SigV4). */
  rawPath: string;
  /** Raw query string without '?'. */
  rawQuery: string;
  query: URLSearchParams;
}

/** Splits the request target; with a Host of `<bucket>.<domain>` the bucket comes from the host. */
export function parseAddress(rawUrl: string, host: string | undefined, domain: string): Address {
  const q = rawUrl.indexOf('?');
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
  const query = new URLSearchParams(rawQuery);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    throw s3Error('InvalidURI', 'Could not parse the specified URI.');
  }
  const hostname = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  const suffix = `.${domain.toLowerCase()}`;
  if (hostname.endsWith(suffix) && hostname.length > suffix.length) {
    const key = path.slice(1);
    return { bucket: hostname.slice(0, -suffix.length), key: key === '' ? undefined : key, rawPath, rawQuery, query };
  }
  const rest = path.slice(1);
  const slash = rest.indexOf('/');
  if (rest === '') return { rawPath, rawQuery, query };
  if (slash < 0) return { bucket: rest, rawPath, rawQuery, query };
  const key = rest.slice(slash + 1);
  return { bucket: rest.slice(0, slash), key: key === '' ? undefined : key, rawPath, rawQuery, query };
}

/** Query parameters that select a sub-resource we do not serve; requests naming them get NotImplemented. */
const unsupportedSubresources = [
  'acl', 'policy', 'policyStatus', 'cors', 'lifecycle', 'replication', 'tagging', 'website', 'logging', 'notification',
  'encryption', 'accelerate', 'requestPayment', 'object-lock', 'legal-hold', 'retention', 'restore', 'torrent',
  'analytics', 'inventory', 'metrics', 'intelligent-tiering', 'ownershipControls', 'publicAccessBlock', 'attributes',
  'rename', 'session', 'metadataTable',
];

export function resolveOperation(method: string, a: Address, headers: Record<string, string>): Operation {
  const has = (p: string) => a.query.has(p);
  for (const p of unsupportedSubresources) {
    if (has(p)) throw s3Error('NotImplemented', `The ${p} sub-resource is not supported by this server.`);
  }
  if (a.bucket === undefined) {
    if (method === 'GET') return 'ListBuckets';
    throw s3Error('MethodNotAllowed');
  }
  if (a.key === undefined) {
    switch (method) {
      case 'GET':
        if (has('location')) return 'GetBucketLocation';
        if (has('versioning')) return 'GetBucketVersioning';
        if (has('uploads')) return 'ListMultipartUploads';
        if (has('versions')) return 'ListObjectVersions';
        return a.query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
      case 'HEAD': return 'HeadBucket';
      case 'PUT':
        if (has('versioning')) throw s3Error('NotImplemented', 'Bucket versioning cannot be enabled on this server.');
        return 'CreateBucket';
      case 'DELETE': return 'DeleteBucket';
      case 'POST':
        if (has('delete')) return 'DeleteObjects';
        break;
    }
    throw s3Error('MethodNotAllowed');
  }
  const uploadId = has('uploadId');
  switch (method) {
    case 'GET': return uploadId ? 'ListParts' : 'GetObject';
    case 'HEAD': return 'HeadObject';
    case 'PUT':
      if (uploadId && has('partNumber')) return headers['x-amz-copy-source'] !== undefined ? 'UploadPartCopy' : 'UploadPart';
      if (uploadId || has('partNumber')) throw s3Error('InvalidRequest', 'UploadPart needs both uploadId and partNumber.');
      return headers['x-amz-copy-source'] !== undefined ? 'CopyObject' : 'PutObject';
    case 'DELETE': return uploadId ? 'AbortMultipartUpload' : 'DeleteObject';
    case 'POST':
      if (has('uploads')) return 'CreateMultipartUpload';
      if (uploadId) return 'CompleteMultipartUpload';
      if (has('select')) {
        if (a.query.get('select-type') !== '2') throw s3Error('InvalidArgument', 'select-type must be 2.');
        return 'SelectObjectContent';
      }
      break;
  }
  throw s3Error('MethodNotAllowed');
}
