// The operation table: one handler per S3 operation.
import * as bucket from './bucket-ops.js';
import type { Handler } from './context.js';
import * as list from './list-ops.js';
import * as multipart from './multipart-ops.js';
import * as object from './object-ops.js';
import type { Operation } from './router.js';

export const handlers: Record<Exclude<Operation, 'SelectObjectContent'>, Handler> = {
  ListBuckets: bucket.listBuckets,
  CreateBucket: bucket.createBucket,
  HeadBucket: bucket.headBucket,
  DeleteBucket: bucket.deleteBucket,
  GetBucketLocation: bucket.getBucketLocation,
  GetBucketVersioning: bucket.getBucketVersioning,
  ListObjects: list.listObjects,
  ListObjectsV2: list.listObjectsV2,
  ListObjectVersions: list.listObjectVersions,
  ListMultipartUploads: multipart.listMultipartUploads,
  DeleteObjects: object.deleteObjects,
  PutObject: object.putObject,
  GetObject: object.getObject,
  HeadObject: object.headObject,
  DeleteObject: object.deleteObject,
  CopyObject: object.copyObject,
  CreateMultipartUpload: multipart.createMultipartUpload,
  UploadPart: multipart.uploadPart,
  UploadPartCopy: multipart.uploadPartCopy,
  CompleteMultipartUpload: multipart.completeMultipartUpload,
  AbortMultipartUpload: multipart.abortMultipartUpload,
  ListParts: multipart.listParts,
};
