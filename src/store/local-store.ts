// The local Store: object bytes in files under the data directory (blobs.ts), metadata in an lmdb index
// (index-db.ts), every visible change made through the journaled publish path (publisher.ts).
//
// Layout: <data>/index (lmdb), <data>/objects/<2 hex>/<uuid> (bytes), <data>/tmp (writes in progress).
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { s3Error } from '../errors.js';
import { BlobFiles, type TempFile } from './blobs.js';
import { cleanMeta, IndexDb, toObjectInfo, type FileOwner, type ObjectRecord } from './index-db.js';
import { objectKey, pastPrefix, validateBucketName, validateObjectKey } from './keys.js';
import { rollupPage, seekAfter } from './listing.js';
import { Multipart, MIN_PART_SIZE } from './multipart.js';
import { Publisher } from './publisher.js';
import type {
  BucketInfo, ByteRange, ChecksumAlgorithm, CompletedPart, ListOptions, ListPage, ListPartsPage, ListUploadsOptions,
  ListUploadsPage, MultipartUpload, ObjectBody, ObjectInfo, ObjectWriteMeta, PartInfo, Store, WriteOptions,
} from './store.js';

export interface LocalStoreOptions {
  /** Smallest size of every part but the last when completing a multipart upload (S3: 5 MiB). */
  minPartSize?: number;
}

/** How often a read retries when the file it looked up was replaced before it could be opened. */
const OPEN_ATTEMPTS = 8;

export class LocalStore implements Store {
  private readonly publisher: Publisher;
  private readonly multipart: Multipart;

  private constructor(
    readonly dataDir: string,
    private readonly db: IndexDb,
    private readonly blobs: BlobFiles,
    options: LocalStoreOptions,
  ) {
    this.publisher = new Publisher(db, blobs);
    this.multipart = new Multipart(db, blobs, this.publisher, options.minPartSize ?? MIN_PART_SIZE);
  }

  /** Opens (creating if needed) the store in `dataDir` and settles anything a crash left behind. */
  static async open(dataDir: string, options: LocalStoreOptions = {}): Promise<LocalStore> {
    const blobs = new BlobFiles(dataDir);
    await blobs.init();
    const db = IndexDb.open(path.join(dataDir, 'index'));
    try {
      await db.recover(blobs);
    } catch (err) {
      await db.close();
      throw err;
    }
    return new LocalStore(dataDir, db, blobs, options);
  }

  async listBuckets(): Promise<BucketInfo[]> {
    return [...this.db.buckets.getRange()].map(({ key, value }) => ({ name: key, created: value.created }));
  }

  async createBucket(name: string): Promise<void> {
    validateBucketName(name);
    await this.db.commit(() => {
      if (this.db.buckets.get(name)) throw s3Error('BucketAlreadyOwnedByYou', undefined, { BucketName: name });
      this.db.buckets.putSync(name, { created: Date.now() });
    });
  }

  async headBucket(name: string): Promise<BucketInfo> {
    return { name, created: this.db.requireBucket(name).created };
  }

  /** Fails with BucketNotEmpty while objects remain; unfinished multipart uploads are discarded with the bucket. */
  async deleteBucket(name: string): Promise<void> {
    await this.publisher.retire(() => {
      this.db.requireBucket(name);
      const all = objectKey(name, '');
      if ([...this.db.objects.getKeys({ start: all, end: pastPrefix(all), limit: 1 })].length > 0) {
        throw s3Error('BucketNotEmpty', undefined, { BucketName: name });
      }
      const retired = this.multipart.dropBucketUploads(name);
      this.db.buckets.removeSync(name);
      return { result: undefined, retired };
    });
  }

  async putObject(bucket: string, key: string, body: Readable, meta: ObjectWriteMeta, opts?: WriteOptions): Promise<ObjectInfo> {
    this.db.requireBucket(bucket);
    validateObjectKey(key);
    const { temp, extra } = await this.blobs.writeValidated(body, opts?.beforeCommit);
    const late = Object.fromEntries(Object.entries(extra ?? {}).filter(([, v]) => v !== undefined)) as Partial<ObjectWriteMeta>;
    const merged: ObjectWriteMeta = { ...meta, ...late, userMeta: late.userMeta ?? meta.userMeta };
    if (meta.checksums || late.checksums) merged.checksums = { ...meta.checksums, ...late.checksums };
    return this.install(bucket, key, temp, { file: temp.id, size: temp.size, etag: temp.md5Hex, lastModified: Date.now(), meta: cleanMeta(merged) });
  }

  /** Publishes `temp` as the object's new version (the bucket must still exist at the switch). */
  private install(bucket: string, key: string, temp: TempFile, record: ObjectRecord): Promise<ObjectInfo> {
    const k = objectKey(bucket, key);
    const owner: FileOwner = { table: 'objects', key: k };
    return this.publisher.publish(temp, owner, () => {
      this.db.requireBucket(bucket);
      const old = this.db.objects.get(k);
      this.db.objects.putSync(k, record);
      return { result: toObjectInfo(bucket, key, record), retired: old ? [{ id: old.file, owner }] : [] };
    });
  }

  private record(bucket: string, key: string): ObjectRecord {
    this.db.requireBucket(bucket);
    validateObjectKey(key);
    const record = this.db.objects.get(objectKey(bucket, key));
    if (!record) throw s3Error('NoSuchKey', undefined, { Key: key });
    return record;
  }

  async headObject(bucket: string, key: string): Promise<ObjectInfo> {
    return toObjectInfo(bucket, key, this.record(bucket, key));
  }

  /**
   * The current version with its file already open, so a concurrent overwrite (which deletes the old
   * file) cannot pull the bytes away mid-read. If the file went between lookup and open, look up again.
   */
  private async openCurrent(bucket: string, key: string): Promise<{ record: ObjectRecord; handle: FileHandle }> {
    for (let attempt = 1; ; attempt++) {
      const record = this.record(bucket, key);
      try {
        return { record, handle: await open(this.blobs.pathOf(record.file), 'r') };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= OPEN_ATTEMPTS) throw err;
      }
    }
  }

  async getObject(bucket: string, key: string, range?: ByteRange): Promise<ObjectBody> {
    const { record, handle } = await this.openCurrent(bucket, key);
    const info = toObjectInfo(bucket, key, record);
    if (!range) return { info, stream: handle.createReadStream() };
    const { start } = range;
    const end = Math.min(range.end, record.size - 1);
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || start > end) {
      await handle.close();
      throw s3Error('InvalidRange', undefined, { RangeRequested: `bytes=${range.start}-${range.end}`, ActualObjectSize: String(record.size) });
    }
    return { info, stream: handle.createReadStream({ start, end }) };
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    this.db.requireBucket(bucket);
    validateObjectKey(key);
    const k = objectKey(bucket, key);
    await this.publisher.retire(() => {
      const old = this.db.objects.get(k);
      if (old) this.db.objects.removeSync(k);
      return { result: undefined, retired: old ? [{ id: old.file, owner: { table: 'objects' as const, key: k } }] : [] };
    });
  }

  /** Streams the source into a new version of `dst` with `meta` (the caller resolves COPY vs REPLACE). */
  async copyObject(src: { bucket: string; key: string }, dst: { bucket: string; key: string }, meta: ObjectWriteMeta): Promise<ObjectInfo> {
    this.db.requireBucket(dst.bucket);
    validateObjectKey(dst.key);
    const { record: source, handle } = await this.openCurrent(src.bucket, src.key);
    const temp = await this.blobs.writeTemp(handle.createReadStream());
    const merged: ObjectWriteMeta = { ...meta };
    if (merged.checksums === undefined && source.meta.checksums) merged.checksums = source.meta.checksums;
    return this.install(dst.bucket, dst.key, temp, { file: temp.id, size: temp.size, etag: temp.md5Hex, lastModified: Date.now(), meta: cleanMeta(merged) });
  }

  async listObjects(bucket: string, opts: ListOptions): Promise<ListPage> {
    this.db.requireBucket(bucket);
    const prefix = opts.prefix ?? '';
    const delimiter = opts.delimiter || undefined;
    const start = seekAfter(bucket, prefix, delimiter, opts.after);
    const page = rollupPage(this.db.objects, bucket, { prefix, delimiter, start, max: Math.max(0, opts.maxKeys) });
    const out: ListPage = {
      objects: page.entries.map((e) => toObjectInfo(bucket, e.name, e.value)),
      commonPrefixes: page.prefixes,
      isTruncated: page.truncated,
    };
    if (page.last) out.nextAfter = 'prefix' in page.last ? page.last.prefix : page.last.entry.name;
    return out;
  }

  async createMultipartUpload(bucket: string, key: string, meta: ObjectWriteMeta, checksumAlgorithm?: ChecksumAlgorithm): Promise<MultipartUpload> {
    return this.multipart.create(bucket, key, meta, checksumAlgorithm);
  }

  async getMultipartUpload(bucket: string, key: string, uploadId: string): Promise<MultipartUpload> {
    return this.multipart.get(bucket, key, uploadId);
  }

  async uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, body: Readable, opts?: WriteOptions): Promise<PartInfo> {
    return this.multipart.uploadPart(bucket, key, uploadId, partNumber, body, opts);
  }

  async listParts(bucket: string, key: string, uploadId: string, opts: { partNumberMarker?: number; maxParts: number }): Promise<ListPartsPage> {
    return this.multipart.listParts(bucket, key, uploadId, opts);
  }

  async completeMultipartUpload(bucket: string, key: string, uploadId: string, parts: CompletedPart[]): Promise<ObjectInfo> {
    return this.multipart.complete(bucket, key, uploadId, parts);
  }

  async abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    return this.multipart.abort(bucket, key, uploadId);
  }

  async listMultipartUploads(bucket: string, opts: ListUploadsOptions): Promise<ListUploadsPage> {
    return this.multipart.listUploads(bucket, opts);
  }

  async localPath(bucket: string, key: string): Promise<string | undefined> {
    return this.blobs.pathOf(this.record(bucket, key).file);
  }

  async isWritable(): Promise<boolean> {
    return this.blobs.probe();
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

export function openLocalStore(dataDir: string, options?: LocalStoreOptions): Promise<LocalStore> {
  return LocalStore.open(dataDir, options);
}
