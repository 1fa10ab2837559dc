// The object store behind the HTTP and query layers. The local implementation keeps bytes in files and
// metadata in an embedded ordered index; a remote S3-compatible backend can implement the same interface.
import type { Readable } from 'node:stream';

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';
export const checksumAlgorithms: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

/** Base64 checksum values by algorithm; a multipart object's value ends in `-N` (composite). */
export type Checksums = Partial<Record<ChecksumAlgorithm, string>>;

/** What the client says about an object when writing it. */
export interface ObjectWriteMeta {
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  /** `x-amz-meta-*` headers, names lower-cased without the prefix. */
  userMeta: Record<string, string>;
  checksums?: Checksums;
  storageClass?: string;
}

export interface ObjectInfo extends ObjectWriteMeta {
  bucket: string;
  key: string;
  size: number;
  /** ETag without quotes: hex MD5, or `hex-N` for multipart objects. */
  etag: string;
  /** Milliseconds since the epoch. */
  lastModified: number;
  /** Part count for multipart objects. */
  parts?: number;
}

export interface BucketInfo {
  name: string;
  created: number;
}

/** What a write saw, handed to `beforeCommit` so the caller can validate digests before the object becomes visible. */
export interface WrittenBody {
  size: number;
  md5Hex: string;
}

export interface WriteOptions {
  /**
   * Called after every byte is durably written to a temporary file and before it replaces the key.
   * Throwing (e.g. BadDigest) aborts the write and leaves the previous version intact.
   * May return metadata known only after the body (checksums computed while streaming).
   */
  beforeCommit?: (written: WrittenBody) => Promise<Partial<ObjectWriteMeta> | void> | Partial<ObjectWriteMeta> | void;
}

export interface ListOptions {
  prefix?: string;
  delimiter?: string;
  /** Return keys strictly greater than this (ListObjectsV2 start-after / continuation, v1 marker). */
  after?: string;
  maxKeys: number;
}

export interface ListPage {
  objects: ObjectInfo[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix returned, for the next page's `after`. */
  nextAfter?: string;
}

export interface ByteRange {
  /** Inclusive first and last byte. */
  start: number;
  end: number;
}

export interface ObjectBody {
  info: ObjectInfo;
  stream: Readable;
}

export interface MultipartUpload {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: number;
  meta: ObjectWriteMeta;
  /** Checksum algorithm requested at creation, if any. */
  checksumAlgorithm?: ChecksumAlgorithm;
}

export interface PartInfo {
  partNumber: number;
  etag: string;
  size: number;
  lastModified: number;
  checksums?: Checksums;
}

export interface CompletedPart {
  partNumber: number;
  /** ETag as sent by the client, quotes optional. */
  etag: string;
}

export interface ListUploadsOptions {
  prefix?: string;
  delimiter?: string;
  keyMarker?: string;
  uploadIdMarker?: string;
  maxUploads: number;
}

export interface ListUploadsPage {
  uploads: MultipartUpload[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextUploadIdMarker?: string;
}

export interface ListPartsPage {
  parts: PartInfo[];
  isTruncated: boolean;
  nextPartNumberMarker?: number;
}

/**
 * The storage contract. Methods throw `S3Error` (src/errors.ts) with S3 codes:
 * NoSuchBucket, NoSuchKey, NoSuchUpload, BucketNotEmpty, BucketAlreadyOwnedByYou, InvalidPart,
 * InvalidPartOrder, EntityTooSmall, InvalidObjectName / KeyTooLongError (keys that cannot be stored safely).
 */
export interface Store {
  listBuckets(): Promise<BucketInfo[]>;
  createBucket(name: string): Promise<void>;
  headBucket(name: string): Promise<BucketInfo>;
  deleteBucket(name: string): Promise<void>;

  putObject(bucket: string, key: string, body: Readable, meta: ObjectWriteMeta, opts?: WriteOptions): Promise<ObjectInfo>;
  headObject(bucket: string, key: string): Promise<ObjectInfo>;
  /** Streams the object, or the inclusive byte range of it. */
  getObject(bucket: string, key: string, range?: ByteRange): Promise<ObjectBody>;
  /** Deleting a missing key succeeds, as in S3. */
  deleteObject(bucket: string, key: string): Promise<void>;
  copyObject(src: { bucket: string; key: string }, dst: { bucket: string; key: string }, meta: ObjectWriteMeta): Promise<ObjectInfo>;
  listObjects(bucket: string, opts: ListOptions): Promise<ListPage>;

  createMultipartUpload(bucket: string, key: string, meta: ObjectWriteMeta, checksumAlgorithm?: ChecksumAlgorithm): Promise<MultipartUpload>;
  getMultipartUpload(bucket: string, key: string, uploadId: string): Promise<MultipartUpload>;
  uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, body: Readable, opts?: WriteOptions): Promise<PartInfo>;
  listParts(bucket: string, key: string, uploadId: string, opts: { partNumberMarker?: number; maxParts: number }): Promise<ListPartsPage>;
  /** Concatenates the parts (streaming) into the object; validates order, ETags and the 5 MiB minimum for all but the last part. */
  completeMultipartUpload(bucket: string, key: string, uploadId: string, parts: CompletedPart[]): Promise<ObjectInfo>;
  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void>;
  listMultipartUploads(bucket: string, opts: ListUploadsOptions): Promise<ListUploadsPage>;

  /**
   * A local filesystem path holding the object's current bytes, for engines (DuckDB) that read files.
   * Undefined for backends without local files; the query layer then streams via getObject.
   */
  localPath?(bucket: string, key: string): Promise<string | undefined>;

  /** True when the store can write (used by /ready). */
  isWritable(): Promise<boolean>;
  close(): Promise<void>;
}
