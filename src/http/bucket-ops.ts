// Bucket operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation, GetBucketVersioning.
import { s3Error } from '../errors.js';
import { bucketOf, sendXml, type Handler } from './context.js';
import { isoDate } from './object-headers.js';
import { parseXml, readSmallBody, text } from './xml.js';

export const OWNER = { ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a', DisplayName: 'selectd' };

export const listBuckets: Handler = async (ctx) => {
  const buckets = await ctx.store.listBuckets();
  sendXml(ctx, 'ListAllMyBucketsResult', {
    Owner: OWNER,
    Buckets: { Bucket: buckets.map((b) => ({ Name: b.name, CreationDate: isoDate(b.created) })) },
  });
};

export const createBucket: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const body = await readSmallBody(ctx.body, 64 * 1024);
  if (body.trim() !== '') {
    // The only configuration we understand is the location; it must name our region.
    const conf = parseXml(body, 'CreateBucketConfiguration');
    const location = text(conf.LocationConstraint);
    const expected = ctx.config.region === 'us-east-1' ? ['', 'us-east-1'] : [ctx.config.region];
    if (location !== undefined && !expected.includes(location)) {
      throw s3Error('InvalidLocationConstraint', `The specified location-constraint is not valid for this server (region ${ctx.config.region}).`);
    }
  }
  if (ctx.headers['x-amz-bucket-object-lock-enabled'] === 'true') {
    throw s3Error('NotImplemented', 'Object lock is not supported by this server.');
  }
  await ctx.store.createBucket(bucket);
  ctx.reply.code(200).header('location', `/${bucket}`).send();
};

export const headBucket: Handler = async (ctx) => {
  await ctx.store.headBucket(bucketOf(ctx));
  ctx.reply.code(200).header('x-amz-bucket-region', ctx.config.region).send();
};

export const deleteBucket: Handler = async (ctx) => {
  await ctx.store.deleteBucket(bucketOf(ctx));
  ctx.reply.code(204).send();
};

export const getBucketLocation: Handler = async (ctx) => {
  await ctx.store.headBucket(bucketOf(ctx));
  // us-east-1 is reported as an empty LocationConstraint, as AWS does.
  const region = ctx.config.region === 'us-east-1' ? '' : ctx.config.region;
  sendXml(ctx, 'LocationConstraint', { '#text': region });
};

/** Versioning is never enabled here; answering so lets clients that check it proceed. */
export const getBucketVersioning: Handler = async (ctx) => {
  await ctx.store.headBucket(bucketOf(ctx));
  sendXml(ctx, 'VersioningConfiguration', {});
};
