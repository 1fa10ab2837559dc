// Listing: ListObjectsV2, ListObjects (v1) and ListObjectVersions (current versions only: no versioning here).
import { s3Error } from '../errors.js';
import type { ListPage, ObjectInfo } from '../store/store.js';
import { OWNER } from './bucket-ops.js';
import { bucketOf, intParam, sendXml, type Handler, type S3Context } from './context.js';
import { isoDate } from './object-headers.js';

/** encoding-type=url: S3 percent-encodes keys and prefixes (botocore decodes them again). */
function encoder(ctx: S3Context): (s: string | undefined) => string | undefined {
  const type = ctx.query.get('encoding-type');
  if (type === null) return (s) => s;
  if (type !== 'url') throw s3Error('InvalidArgument', 'Invalid Encoding Method specified in Request', { ArgumentName: 'encoding-type', ArgumentValue: type });
  return (s) => (s === undefined ? undefined : encodeURIComponent(s).replace(/%2F/g, '/'));
}

function checksumAlgorithm(o: ObjectInfo): string | undefined {
  const algs = Object.keys(o.checksums ?? {});
  return algs.length ? algs[0] : undefined;
}

function contents(page: ListPage, enc: (s: string) => string | undefined, withOwner: boolean) {
  return page.objects.map((o) => ({
    Key: enc(o.key),
    LastModified: isoDate(o.lastModified),
    ETag: `"${o.etag}"`,
    ChecksumAlgorithm: checksumAlgorithm(o),
    Size: o.size,
    Owner: withOwner ? OWNER : undefined,
    StorageClass: o.storageClass ?? 'STANDARD',
  }));
}

function listParams(ctx: S3Context) {
  const prefix = ctx.query.get('prefix') ?? undefined;
  const delimiter = ctx.query.get('delimiter') || undefined;
  const maxKeys = intParam(ctx, 'max-keys', 1000, 0, 1000);
  return { prefix, delimiter, maxKeys };
}

const tokenPrefix = 'sd1:';

function encodeToken(after: string): string {
  return Buffer.from(tokenPrefix + after, 'utf8').toString('base64');
}

function decodeToken(token: string): string {
  const raw = Buffer.from(token, 'base64').toString('utf8');
  if (!raw.startsWith(tokenPrefix)) throw s3Error('InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
  return raw.slice(tokenPrefix.length);
}

export const listObjectsV2: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const enc = encoder(ctx);
  const { prefix, delimiter, maxKeys } = listParams(ctx);
  const token = ctx.query.get('continuation-token') ?? undefined;
  const startAfter = ctx.query.get('start-after') ?? undefined;
  const after = token !== undefined ? decodeToken(token) : startAfter;
  const page = await ctx.store.listObjects(bucket, { prefix, delimiter, after, maxKeys });
  sendXml(ctx, 'ListBucketResult', {
    Name: bucket,
    Prefix: enc(prefix ?? ''),
    Delimiter: enc(delimiter),
    MaxKeys: maxKeys,
    EncodingType: ctx.query.get('encoding-type') ?? undefined,
    KeyCount: page.objects.length + page.commonPrefixes.length,
    IsTruncated: page.isTruncated,
    ContinuationToken: token,
    NextContinuationToken: page.isTruncated && page.nextAfter !== undefined ? encodeToken(page.nextAfter) : undefined,
    StartAfter: enc(startAfter),
    Contents: contents(page, enc, ctx.query.get('fetch-owner') === 'true'),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
  });
};

export const listObjects: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const enc = encoder(ctx);
  const { prefix, delimiter, maxKeys } = listParams(ctx);
  const marker = ctx.query.get('marker') ?? undefined;
  const page = await ctx.store.listObjects(bucket, { prefix, delimiter, after: marker || undefined, maxKeys });
  sendXml(ctx, 'ListBucketResult', {
    Name: bucket,
    Prefix: enc(prefix ?? ''),
    Marker: enc(marker ?? ''),
    NextMarker: page.isTruncated ? enc(page.nextAfter) : undefined,
    MaxKeys: maxKeys,
    Delimiter: enc(delimiter),
    EncodingType: ctx.query.get('encoding-type') ?? undefined,
    IsTruncated: page.isTruncated,
    Contents: contents(page, enc, true),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
  });
};

export const listObjectVersions: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const enc = encoder(ctx);
  const { prefix, delimiter, maxKeys } = listParams(ctx);
  const keyMarker = ctx.query.get('key-marker') ?? undefined;
  const versionIdMarker = ctx.query.get('version-id-marker') ?? undefined;
  if (versionIdMarker && versionIdMarker !== 'null') {
    throw s3Error('InvalidArgument', 'Invalid version id specified', { ArgumentName: 'version-id-marker', ArgumentValue: versionIdMarker });
  }
  const page = await ctx.store.listObjects(bucket, { prefix, delimiter, after: keyMarker || undefined, maxKeys });
  sendXml(ctx, 'ListVersionsResult', {
    Name: bucket,
    Prefix: enc(prefix ?? ''),
    KeyMarker: enc(keyMarker ?? ''),
    VersionIdMarker: versionIdMarker ?? '',
    NextKeyMarker: page.isTruncated ? enc(page.nextAfter) : undefined,
    NextVersionIdMarker: page.isTruncated ? 'null' : undefined,
    MaxKeys: maxKeys,
    Delimiter: enc(delimiter),
    EncodingType: ctx.query.get('encoding-type') ?? undefined,
    IsTruncated: page.isTruncated,
    Version: page.objects.map((o) => ({
      Key: enc(o.key),
      VersionId: 'null',
      IsLatest: true,
      LastModified: isoDate(o.lastModified),
      ETag: `"${o.etag}"`,
      Size: o.size,
      Owner: OWNER,
      StorageClass: o.storageClass ?? 'STANDARD',
    })),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
  });
};
