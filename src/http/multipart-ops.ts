// Multipart uploads: Create, UploadPart, UploadPartCopy, Complete, Abort, ListParts, ListMultipartUploads.
import { Readable } from 'node:stream';
import { s3Error } from '../errors.js';
import { checksumAlgorithms, type ChecksumAlgorithm, type CompletedPart } from '../store/store.js';
import { OWNER } from './bucket-ops.js';
import { bucketOf, intParam, keyOf, sendXml, type Handler, type S3Context } from './context.js';
import { checkConditions, checksumHeaders, isoDate, writeMetaFromHeaders } from './object-headers.js';
import { parseCopySource } from './object-ops.js';
import { receiveBody } from './upload.js';
import { parseXml, readSmallBody, text, type XmlObject } from './xml.js';

function uploadIdOf(ctx: S3Context): string {
  const id = ctx.query.get('uploadId');
  if (!id) throw s3Error('NoSuchUpload');
  return id;
}

function partNumberOf(ctx: S3Context): number {
  const raw = ctx.query.get('partNumber') ?? '';
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 10000) {
    throw s3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', { ArgumentName: 'partNumber', ArgumentValue: raw });
  }
  return n;
}

function checksumXml(sums: { checksums?: Partial<Record<ChecksumAlgorithm, string>> }): XmlObject {
  const out: XmlObject = {};
  for (const alg of checksumAlgorithms) if (sums.checksums?.[alg]) out[`Checksum${alg}`] = sums.checksums[alg];
  return out;
}

export const createMultipartUpload: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  await ctx.store.headBucket(bucket);
  const rawAlg = ctx.headers['x-amz-checksum-algorithm']?.toUpperCase();
  if (rawAlg !== undefined && !checksumAlgorithms.includes(rawAlg as ChecksumAlgorithm)) {
    throw s3Error('InvalidRequest', `Checksum algorithm ${rawAlg} is not supported.`);
  }
  const upload = await ctx.store.createMultipartUpload(bucket, key, writeMetaFromHeaders(ctx.headers), rawAlg as ChecksumAlgorithm | undefined);
  if (rawAlg) ctx.reply.header('x-amz-checksum-algorithm', rawAlg);
  sendXml(ctx, 'InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: upload.uploadId });
};

export const uploadPart: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const uploadId = uploadIdOf(ctx);
  const partNumber = partNumberOf(ctx);
  await ctx.store.getMultipartUpload(bucket, key, uploadId);
  const upload = receiveBody(ctx);
  const part = await ctx.store.uploadPart(bucket, key, uploadId, partNumber, upload.stream, { beforeCommit: upload.beforeCommit });
  ctx.reply.code(200).headers({ etag: `"${part.etag}"`, ...checksumHeaders(part) }).send();
};

export const uploadPartCopy: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const uploadId = uploadIdOf(ctx);
  const partNumber = partNumberOf(ctx);
  await ctx.store.getMultipartUpload(bucket, key, uploadId);
  const src = parseCopySource(ctx.headers['x-amz-copy-source']);
  const info = await ctx.store.headObject(src.bucket, src.key);
  checkConditions(ctx.headers, info, 'x-amz-copy-source-', false);
  let range: { start: number; end: number } | undefined;
  const rawRange = ctx.headers['x-amz-copy-source-range'];
  if (rawRange !== undefined) {
    const m = /^bytes=(\d+)-(\d+)$/.exec(rawRange.trim());
    if (!m || Number(m[1]) > Number(m[2]) || Number(m[2]) >= info.size) {
      throw s3Error('InvalidArgument', 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy', { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: rawRange });
    }
    range = { start: Number(m[1]), end: Number(m[2]) };
  }
  const source: Readable = info.size === 0 ? Readable.from([]) : (await ctx.store.getObject(src.bucket, src.key, range)).stream;
  const part = await ctx.store.uploadPart(bucket, key, uploadId, partNumber, source);
  sendXml(ctx, 'CopyPartResult', { LastModified: isoDate(part.lastModified), ETag: `"${part.etag}"`, ...checksumXml(part) });
};

export const completeMultipartUpload: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const uploadId = uploadIdOf(ctx);
  await ctx.store.getMultipartUpload(bucket, key, uploadId);
  const doc = parseXml(await readSmallBody(ctx.body), 'CompleteMultipartUpload');
  const rawParts = (doc.Part ?? []) as XmlObject[];
  if (rawParts.length === 0) throw s3Error('MalformedXML', 'You must specify at least one part.');
  const parts: CompletedPart[] = rawParts.map((p) => {
    const n = Number(text(p.PartNumber));
    const etag = text(p.ETag);
    if (!Number.isInteger(n) || etag === undefined) throw s3Error('MalformedXML', 'Every Part needs a PartNumber and an ETag.');
    return { partNumber: n, etag: etag.trim() };
  });
  const info = await ctx.store.completeMultipartUpload(bucket, key, uploadId, parts);
  sendXml(ctx, 'CompleteMultipartUploadResult', {
    Location: `/${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`,
    Bucket: bucket,
    Key: key,
    ETag: `"${info.etag}"`,
    ...checksumXml(info),
  });
};

export const abortMultipartUpload: Handler = async (ctx) => {
  await ctx.store.abortMultipartUpload(bucketOf(ctx), keyOf(ctx), uploadIdOf(ctx));
  ctx.reply.code(204).send();
};

export const listParts: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const uploadId = uploadIdOf(ctx);
  const upload = await ctx.store.getMultipartUpload(bucket, key, uploadId);
  const maxParts = intParam(ctx, 'max-parts', 1000, 0, 1000);
  const marker = intParam(ctx, 'part-number-marker', 0, 0, 10000);
  const page = await ctx.store.listParts(bucket, key, uploadId, { partNumberMarker: marker, maxParts });
  sendXml(ctx, 'ListPartsResult', {
    Bucket: bucket,
    Key: key,
    UploadId: uploadId,
    PartNumberMarker: marker,
    NextPartNumberMarker: page.nextPartNumberMarker,
    MaxParts: maxParts,
    IsTruncated: page.isTruncated,
    ChecksumAlgorithm: upload.checksumAlgorithm,
    Initiator: OWNER,
    Owner: OWNER,
    StorageClass: upload.meta.storageClass ?? 'STANDARD',
    Part: page.parts.map((p) => ({
      PartNumber: p.partNumber, LastModified: isoDate(p.lastModified), ETag: `"${p.etag}"`, Size: p.size, ...checksumXml(p),
    })),
  });
};

export const listMultipartUploads: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  await ctx.store.headBucket(bucket);
  const maxUploads = intParam(ctx, 'max-uploads', 1000, 0, 1000);
  const opts = {
    prefix: ctx.query.get('prefix') ?? undefined,
    delimiter: ctx.query.get('delimiter') || undefined,
    keyMarker: ctx.query.get('key-marker') || undefined,
    uploadIdMarker: ctx.query.get('upload-id-marker') || undefined,
    maxUploads,
  };
  const page = await ctx.store.listMultipartUploads(bucket, opts);
  sendXml(ctx, 'ListMultipartUploadsResult', {
    Bucket: bucket,
    KeyMarker: opts.keyMarker ?? '',
    UploadIdMarker: opts.uploadIdMarker ?? '',
    NextKeyMarker: page.nextKeyMarker,
    NextUploadIdMarker: page.nextUploadIdMarker,
    Prefix: opts.prefix ?? '',
    Delimiter: opts.delimiter,
    MaxUploads: maxUploads,
    IsTruncated: page.isTruncated,
    Upload: page.uploads.map((u) => ({
      Key: u.key, UploadId: u.uploadId, Initiator: OWNER, Owner: OWNER, StorageClass: u.meta.storageClass ?? 'STANDARD',
      Initiated: isoDate(u.initiated), ChecksumAlgorithm: u.checksumAlgorithm,
    })),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: p })),
  });
};
