// Object metadata in and out of HTTP headers: user metadata, content headers, checksums, conditionals, ranges.
import { s3Error } from '../errors.js';
import { checksumAlgorithms, type ByteRange, type ObjectInfo, type ObjectWriteMeta } from '../store/store.js';

export type Headers = Record<string, string>;

const MAX_USER_META_BYTES = 2048;

/** Content headers and `x-amz-meta-*` of a PUT, Copy (REPLACE) or CreateMultipartUpload. */
export function writeMetaFromHeaders(h: Headers): ObjectWriteMeta {
  const userMeta: Record<string, string> = {};
  let metaBytes = 0;
  for (const [name, value] of Object.entries(h)) {
    if (!name.startsWith('x-amz-meta-')) continue;
    const k = name.slice('x-amz-meta-'.length);
    userMeta[k] = value;
    metaBytes += Buffer.byteLength(k) + Buffer.byteLength(value);
  }
  if (metaBytes > MAX_USER_META_BYTES) throw s3Error('MetadataTooLarge', `Your metadata headers exceed the maximum allowed metadata size of ${MAX_USER_META_BYTES} bytes.`);
  const storageClass = h['x-amz-storage-class'];
  if (storageClass !== undefined && !['STANDARD', 'REDUCED_REDUNDANCY', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER', 'DEEP_ARCHIVE', 'GLACIER_IR'].includes(storageClass)) {
    throw s3Error('InvalidArgument', `Invalid storage class ${storageClass}.`, { ArgumentName: 'x-amz-storage-class', ArgumentValue: storageClass });
  }
  return {
    contentType: h['content-type'],
    contentEncoding: stripAwsChunked(h['content-encoding']),
    contentDisposition: h['content-disposition'],
    contentLanguage: h['content-language'],
    cacheControl: h['cache-control'],
    expires: h['expires'],
    storageClass,
    userMeta,
  };
}

/** `aws-chunked` is a transfer detail of SigV4 streaming, never part of the stored object. */
function stripAwsChunked(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const rest = v.split(',').map((s) => s.trim()).filter((s) => s && s.toLowerCase() !== 'aws-chunked');
  return rest.length ? rest.join(', ') : undefined;
}

export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '.000Z');
}

/** Headers describing a stored object on GET and HEAD (before response-* overrides). */
export function objectHeaders(info: ObjectInfo, withChecksums: boolean): Headers {
  const out: Headers = {
    'last-modified': httpDate(info.lastModified),
    etag: `"${info.etag}"`,
    'content-type': info.contentType ?? 'binary/octet-stream',
    'accept-ranges': 'bytes',
  };
  if (info.contentEncoding) out['content-encoding'] = info.contentEncoding;
  if (info.contentDisposition) out['content-disposition'] = info.contentDisposition;
  if (info.contentLanguage) out['content-language'] = info.contentLanguage;
  if (info.cacheControl) out['cache-control'] = info.cacheControl;
  if (info.expires) out['expires'] = info.expires;
  if (info.storageClass && info.storageClass !== 'STANDARD') out['x-amz-storage-class'] = info.storageClass;
  if (info.parts) out['x-amz-mp-parts-count'] = String(info.parts);
  for (const [k, v] of Object.entries(info.userMeta)) out[`x-amz-meta-${k}`] = v;
  if (withChecksums) Object.assign(out, checksumHeaders(info));
  return out;
}

export function checksumHeaders(info: { checksums?: ObjectInfo['checksums'] }): Headers {
  const out: Headers = {};
  for (const alg of checksumAlgorithms) {
    const v = info.checksums?.[alg];
    if (v) {
      out[`x-amz-checksum-${alg.toLowerCase()}`] = v;
      out['x-amz-checksum-type'] = v.includes('-') ? 'COMPOSITE' : 'FULL_OBJECT';
    }
  }
  return out;
}

const overrides: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};

export function applyResponseOverrides(headers: Headers, query: URLSearchParams): void {
  for (const [param, header] of Object.entries(overrides)) {
    const v = query.get(param);
    if (v !== null) headers[header] = v;
  }
}

function etagList(v: string): string[] {
  return v.split(',').map((s) => s.trim().replace(/^W\//, '').replace(/^"|"$/g, ''));
}

function parseHttpDate(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * RFC 7232 precedence as S3 applies it: If-Match, then If-Unmodified-Since (ignored when If-Match is present),
 * then If-None-Match, then If-Modified-Since (ignored when If-None-Match is present).
 * `prefix` is '' for GET/HEAD and 'x-amz-copy-source-' for copy sources (where failures are all 412).
 */
export function checkConditions(h: Headers, info: ObjectInfo, prefix = '', readOnly = true): void {
  const ifMatch = h[`${prefix}if-match`];
  const ifNoneMatch = h[`${prefix}if-none-match`];
  const unmodifiedSince = parseHttpDate(h[`${prefix}if-unmodified-since`]);
  const modifiedSince = parseHttpDate(h[`${prefix}if-modified-since`]);
  const lastModSec = Math.floor(info.lastModified / 1000) * 1000;
  const notModified = () => (readOnly && prefix === '' ? s3Error('NotModified') : s3Error('PreconditionFailed', undefined, { Condition: `${prefix}If-None-Match` }));
  if (ifMatch !== undefined) {
    const tags = etagList(ifMatch);
    if (!tags.includes('*') && !tags.includes(info.etag)) throw s3Error('PreconditionFailed', undefined, { Condition: `${prefix}If-Match` });
  } else if (unmodifiedSince !== undefined && lastModSec > unmodifiedSince) {
    throw s3Error('PreconditionFailed', undefined, { Condition: `${prefix}If-Unmodified-Since` });
  }
  if (ifNoneMatch !== undefined) {
    const tags = etagList(ifNoneMatch);
    if (tags.includes('*') || tags.includes(info.etag)) throw notModified();
  } else if (modifiedSince !== undefined && lastModSec <= modifiedSince) {
    throw notModified();
  }
}

/**
 * Parses a single `bytes=` range against the object size. Returns undefined when the header is absent or
 * not a syntactically valid single range (S3 then serves the whole object); throws InvalidRange (416) when
 * it is valid but unsatisfiable.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) throw rangeError(size, header);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return undefined;
    if (start >= size) throw rangeError(size, header);
  }
  return { start, end };
}

function rangeError(size: number, requested: string) {
  const e = s3Error('InvalidRange', undefined, { RangeRequested: requested, ActualObjectSize: String(size) });
  e.headers['content-range'] = `bytes */${size}`;
  return e;
}
