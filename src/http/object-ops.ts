// Single-object operations: PutObject, GetObject, HeadObject, DeleteObject, DeleteObjects, CopyObject.
import { s3Error, S3Error } from '../errors.js';
import type { ObjectInfo } from '../store/store.js';
import { bucketOf, keyOf, sendXml, type Handler, type S3Context } from './context.js';
import {
  applyResponseOverrides, checkConditions, checksumHeaders, isoDate, objectHeaders, parseRange, writeMetaFromHeaders,
} from './object-headers.js';
import { receiveBody, verifySmallBody } from './upload.js';
import { parseXml, readSmallBody, text, type XmlObject } from './xml.js';

function checksumMode(ctx: S3Context): boolean {
  return ctx.headers['x-amz-checksum-mode']?.toUpperCase() === 'ENABLED';
}

/** Conditional writes (If-None-Match: * / If-Match) checked against the current version, if any. */
async function checkWriteConditions(ctx: S3Context, bucket: string, key: string): Promise<void> {
  const ifNoneMatch = ctx.headers['if-none-match'];
  const ifMatch = ctx.headers['if-match'];
  if (ifNoneMatch === undefined && ifMatch === undefined) return;
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') throw s3Error('NotImplemented', 'If-None-Match on writes only accepts *.');
  const current = await ctx.store.headObject(bucket, key).catch((e) => {
    if (e instanceof S3Error && e.code === 'NoSuchKey') return undefined;
    throw e;
  });
  if (ifNoneMatch !== undefined && current) throw s3Error('PreconditionFailed', undefined, { Condition: 'If-None-Match' });
  if (ifMatch !== undefined) {
    if (!current) throw s3Error('NoSuchKey');
    const tags = ifMatch.split(',').map((t) => t.trim().replace(/^"|"$/g, ''));
    if (!tags.includes('*') && !tags.includes(current.etag)) throw s3Error('PreconditionFailed', undefined, { Condition: 'If-Match' });
  }
}

export const putObject: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  await ctx.store.headBucket(bucket);
  const meta = writeMetaFromHeaders(ctx.headers);
  await checkWriteConditions(ctx, bucket, key);
  const upload = receiveBody(ctx);
  const info = await ctx.store.putObject(bucket, key, upload.stream, meta, { beforeCommit: upload.beforeCommit });
  ctx.reply.code(200).headers({ etag: `"${info.etag}"`, ...checksumHeaders(info) }).send();
};

function setBodyHeaders(ctx: S3Context, info: ObjectInfo): { start: number; end: number } | undefined {
  checkConditions(ctx.headers, info);
  if (ctx.query.has('partNumber')) throw s3Error('NotImplemented', 'GetObject by partNumber is not supported; use a Range.');
  const range = parseRange(ctx.headers['range'], info.size);
  const headers = objectHeaders(info, checksumMode(ctx) && range === undefined);
  applyResponseOverrides(headers, ctx.query);
  if (range) {
    headers['content-range'] = `bytes ${range.start}-${range.end}/${info.size}`;
    headers['content-length'] = String(range.end - range.start + 1);
  } else {
    headers['content-length'] = String(info.size);
  }
  ctx.reply.code(range ? 206 : 200).headers(headers);
  return range;
}

export const getObject: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const info = await ctx.store.headObject(bucket, key);
  const range = setBodyHeaders(ctx, info);
  if (info.size === 0) return void ctx.reply.send('');
  const body = await ctx.store.getObject(bucket, key, range);
  ctx.reply.send(body.stream);
};

export const headObject: Handler = async (ctx) => {
  const info = await ctx.store.headObject(bucketOf(ctx), keyOf(ctx));
  setBodyHeaders(ctx, info);
  ctx.reply.send();
};

export const deleteObject: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  await ctx.store.headBucket(bucket);
  const versionId = ctx.query.get('versionId');
  if (versionId !== null && versionId !== 'null') throw s3Error('InvalidArgument', 'Invalid version id specified', { ArgumentName: 'versionId', ArgumentValue: versionId });
  await ctx.store.deleteObject(bucket, keyOf(ctx));
  ctx.reply.code(204).send();
};

export const deleteObjects: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  await ctx.store.headBucket(bucket);
  const raw = await readSmallBody(ctx.body);
  verifySmallBody(ctx, Buffer.from(raw, 'utf8'));
  const doc = parseXml(raw, 'Delete');
  const objects = (doc.Object ?? []) as XmlObject[];
  if (!Array.isArray(objects) || objects.length === 0 || objects.length > 1000) {
    throw s3Error('MalformedXML', 'A Delete request must name between 1 and 1000 objects.');
  }
  const quiet = text(doc.Quiet)?.trim().toLowerCase() === 'true';
  const deleted: XmlObject[] = [];
  const errors: XmlObject[] = [];
  for (const o of objects) {
    const key = text(o.Key);
    if (key === undefined) throw s3Error('MalformedXML', 'Every Object needs a Key.');
    const versionId = text(o.VersionId);
    try {
      if (versionId !== undefined && versionId !== 'null') throw s3Error('NoSuchVersion', 'The specified version does not exist.');
      await ctx.store.deleteObject(bucket, key);
      if (!quiet) deleted.push({ Key: key, VersionId: versionId });
    } catch (e) {
      if (!(e instanceof S3Error)) throw e;
      errors.push({ Key: key, VersionId: versionId, Code: e.code, Message: e.message });
    }
  }
  sendXml(ctx, 'DeleteResult', { Deleted: deleted, Error: errors });
};

/** `x-amz-copy-source: /bucket/key[?versionId=null]`, URL-encoded; the leading slash is optional. */
export function parseCopySource(header: string): { bucket: string; key: string } {
  const [pathPart, query] = header.split('?', 2);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathPart);
  } catch {
    throw s3Error('InvalidArgument', 'Invalid copy source encoding.', { ArgumentName: 'x-amz-copy-source' });
  }
  const p = decoded.startsWith('/') ? decoded.slice(1) : decoded;
  const slash = p.indexOf('/');
  if (slash <= 0 || slash === p.length - 1) throw s3Error('InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', { ArgumentName: 'x-amz-copy-source' });
  if (query !== undefined) {
    const v = new URLSearchParams(query).get('versionId');
    if (v !== null && v !== 'null') throw s3Error('NoSuchVersion', 'The specified version does not exist.');
  }
  return { bucket: p.slice(0, slash), key: p.slice(slash + 1) };
}

export const copyObject: Handler = async (ctx) => {
  const dst = { bucket: bucketOf(ctx), key: keyOf(ctx) };
  const src = parseCopySource(ctx.headers['x-amz-copy-source']);
  const srcInfo = await ctx.store.headObject(src.bucket, src.key);
  checkConditions(ctx.headers, srcInfo, 'x-amz-copy-source-', false);
  const directive = (ctx.headers['x-amz-metadata-directive'] ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw s3Error('InvalidArgument', 'Unknown metadata directive.', { ArgumentName: 'x-amz-metadata-directive', ArgumentValue: directive });
  }
  const sameObject = src.bucket === dst.bucket && src.key === dst.key;
  if (sameObject && directive === 'COPY' && ctx.headers['x-amz-storage-class'] === undefined) {
    throw s3Error('InvalidRequest', "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
  }
  await ctx.store.headBucket(dst.bucket);
  await checkWriteConditions(ctx, dst.bucket, dst.key);
  const meta = directive === 'REPLACE'
    ? writeMetaFromHeaders(ctx.headers)
    : {
      contentType: srcInfo.contentType, contentEncoding: srcInfo.contentEncoding, contentDisposition: srcInfo.contentDisposition,
      contentLanguage: srcInfo.contentLanguage, cacheControl: srcInfo.cacheControl, expires: srcInfo.expires,
      userMeta: srcInfo.userMeta, storageClass: ctx.headers['x-amz-storage-class'] ?? srcInfo.storageClass,
    };
  const info = await ctx.store.copyObject(src, dst, meta);
  const sums = checksumHeaders(info);
  ctx.reply.header('x-amz-copy-source-version-id', 'null');
  sendXml(ctx, 'CopyObjectResult', {
    LastModified: isoDate(info.lastModified),
    ETag: `"${info.etag}"`,
    ...Object.fromEntries(Object.entries(sums).filter(([k]) => k !== 'x-amz-checksum-type').map(([k, v]) => [`Checksum${k.slice('x-amz-checksum-'.length).toUpperCase()}`, v])),
  });
};
