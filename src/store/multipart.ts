// Multipart uploads: parts are blob files indexed by (upload id, part number); completion streams the
// listed parts into one new file and publishes it like a single PUT, dropping the upload and its parts
// in the same transaction.
import { createReadStream } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { compositeChecksum, fullObjectChecksum } from '../auth/checksums.js';
import { s3Error } from '../errors.js';
import type { BlobFiles } from './blobs.js';
import { cleanMeta, toObjectInfo, type FileOwner, type IndexDb, type ObjectRecord, type PartRecord, type UploadRecord } from './index-db.js';
import { justAfter, nameOf, objectKey, partKey, pastPrefix, partNumberOf, uploadIdOf, uploadKey, validateObjectKey } from './keys.js';
import { rollupPage, seekAfter } from './listing.js';
import type { RetiredFile, Publisher } from './publisher.js';
import type {
  ChecksumAlgorithm, Checksums, CompletedPart, ListPartsPage, ListUploadsOptions, ListUploadsPage, MultipartUpload,
  ObjectInfo, ObjectWriteMeta, PartInfo, WriteOptions,
} from './store.js';

export const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PART_NUMBER = 10_000;
/** 12 hex digits of creation time (so ids sort by initiation, as S3 lists them) and 16 random bytes. */
const UPLOAD_ID = /^[0-9a-f]{12}[A-Za-z0-9_-]{22}$/;

let lastStamp = 0;

function newUploadId(): string {
  // Strictly increasing within the process, so two uploads in one millisecond still list in creation order.
  lastStamp = Math.max(Date.now(), lastStamp + 1);
  return lastStamp.toString(16).padStart(12, '0') + randomBytes(16).toString('base64url');
}

function validatePartNumber(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_PART_NUMBER) {
    throw s3Error('InvalidArgument', `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive.`, {
      ArgumentName: 'partNumber', ArgumentValue: String(n),
    });
  }
}

/** An ETag as a client echoes it back: quotes optional, hex in any case. */
function normalizeEtag(etag: string): string {
  return etag.trim().replace(/^"(.*)"$/, '$1').toLowerCase();
}

function toUpload(bucket: string, key: string, uploadId: string, r: UploadRecord): MultipartUpload {
  const upload: MultipartUpload = { uploadId, bucket, key, initiated: r.initiated, meta: r.meta };
  if (r.checksumAlgorithm) upload.checksumAlgorithm = r.checksumAlgorithm;
  return upload;
}

function toPartInfo(partNumber: number, r: PartRecord): PartInfo {
  const part: PartInfo = { partNumber, etag: r.etag, size: r.size, lastModified: r.lastModified };
  if (r.checksums) part.checksums = r.checksums;
  return part;
}

/** The object checksum S3 derives from part checksums: CRC64NVME only exists as FULL_OBJECT, the rest are COMPOSITE. */
function multipartChecksum(alg: ChecksumAlgorithm | undefined, parts: PartRecord[]): Checksums | undefined {
  if (!alg || !parts.every((p) => p.checksums?.[alg])) return undefined;
  const sums = parts.map((p) => p.checksums![alg]!);
  if (alg === 'CRC64NVME') return { [alg]: fullObjectChecksum(alg, parts.map((p, i) => ({ checksum: sums[i]!, size: p.size }))) };
  return { [alg]: compositeChecksum(alg, sums) };
}

/** Streams files one after another; a file that vanished (its part was replaced meanwhile) fails the part. */
async function* concatenate(paths: string[]): AsyncGenerator<Buffer> {
  for (const [i, p] of paths.entries()) {
    try {
      for await (const chunk of createReadStream(p)) yield chunk as Buffer;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      throw s3Error('InvalidPart', `Part ${i + 1} of the list changed while the upload was being completed.`);
    }
  }
}

export class Multipart {
  constructor(
    private readonly db: IndexDb,
    private readonly blobs: BlobFiles,
    private readonly publisher: Publisher,
    private readonly minPartSize: number,
  ) {}

  async create(bucket: string, key: string, meta: ObjectWriteMeta, checksumAlgorithm?: ChecksumAlgorithm): Promise<MultipartUpload> {
    validateObjectKey(key);
    const uploadId = newUploadId();
    const record: UploadRecord = { initiated: Date.now(), meta: cleanMeta(meta) };
    if (checksumAlgorithm) record.checksumAlgorithm = checksumAlgorithm;
    await this.db.commit(() => {
      this.db.requireBucket(bucket);
      this.db.uploads.putSync(uploadKey(bucket, key, uploadId), record);
    });
    return toUpload(bucket, key, uploadId, record);
  }

  get(bucket: string, key: string, uploadId: string): MultipartUpload {
    return toUpload(bucket, key, uploadId, this.find(bucket, key, uploadId));
  }

  private find(bucket: string, key: string, uploadId: string): UploadRecord {
    this.db.requireBucket(bucket);
    validateObjectKey(key);
    const record = UPLOAD_ID.test(uploadId) ? this.db.uploads.get(uploadKey(bucket, key, uploadId)) : undefined;
    if (!record) throw s3Error('NoSuchUpload', undefined, { UploadId: uploadId });
    return record;
  }

  async uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, body: Readable, opts?: WriteOptions): Promise<PartInfo> {
    validatePartNumber(partNumber);
    this.find(bucket, key, uploadId);
    const { temp, extra } = await this.blobs.writeValidated(body, opts?.beforeCommit);
    const record: PartRecord = { file: temp.id, etag: temp.md5Hex, size: temp.size, lastModified: Date.now() };
    if (extra?.checksums && Object.keys(extra.checksums).length > 0) record.checksums = extra.checksums;
    const pk = partKey(uploadId, partNumber);
    const owner: FileOwner = { table: 'parts', key: pk };
    return this.publisher.publish(temp, owner, () => {
      this.find(bucket, key, uploadId); // aborted or completed while the part streamed in
      const old = this.db.parts.get(pk);
      this.db.parts.putSync(pk, record);
      return { result: toPartInfo(partNumber, record), retired: old ? [{ id: old.file, owner }] : [] };
    });
  }

  listParts(bucket: string, key: string, uploadId: string, opts: { partNumberMarker?: number; maxParts: number }): ListPartsPage {
    this.find(bucket, key, uploadId);
    const marker = Math.min(Math.max(Math.trunc(opts.partNumberMarker ?? 0), 0), MAX_PART_NUMBER);
    const max = Math.max(0, opts.maxParts);
    const rows = [...this.db.parts.getRange({ start: partKey(uploadId, marker + 1), end: partKey(uploadId, MAX_PART_NUMBER + 1), limit: max + 1 })];
    const parts = rows.slice(0, max).map((r) => toPartInfo(partNumberOf(r.key), r.value));
    const page: ListPartsPage = { parts, isTruncated: rows.length > max };
    if (page.isTruncated && parts.length > 0) page.nextPartNumberMarker = parts[parts.length - 1]!.partNumber;
    return page;
  }

  /** Index rows of every part of the upload, current transaction's view. */
  private partRows(uploadId: string): { key: Buffer; value: PartRecord }[] {
    return [...this.db.parts.getRange({ start: partKey(uploadId, 0), end: partKey(uploadId, MAX_PART_NUMBER + 1) })]
      .map(({ key, value }) => ({ key: Buffer.from(key), value }));
  }

  /** Removes the upload and its parts inside the current transaction; returns their files. */
  private dropUpload(bucket: string, key: string, uploadId: string): RetiredFile[] {
    const retired: RetiredFile[] = [];
    for (const row of this.partRows(uploadId)) {
      this.db.parts.removeSync(row.key);
      retired.push({ id: row.value.file, owner: { table: 'parts', key: row.key } });
    }
    this.db.uploads.removeSync(uploadKey(bucket, key, uploadId));
    return retired;
  }

  /** Checks the client's part list against the stored parts; returns the stored records in list order. */
  private checkParts(uploadId: string, parts: CompletedPart[]): PartRecord[] {
    if (parts.length === 0) throw s3Error('MalformedXML', 'You must specify at least one part.');
    const records = parts.map((p, i) => {
      if (i > 0 && p.partNumber <= parts[i - 1]!.partNumber) {
        throw s3Error('InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.', { UploadId: uploadId });
      }
      const found = Number.isInteger(p.partNumber) && p.partNumber >= 1 && p.partNumber <= MAX_PART_NUMBER
        ? this.db.parts.get(partKey(uploadId, p.partNumber)) : undefined;
      if (!found || found.etag !== normalizeEtag(p.etag)) {
        throw s3Error('InvalidPart', 'One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part\'s entity tag.', {
          UploadId: uploadId, PartNumber: String(p.partNumber), ETag: p.etag,
        });
      }
      return found;
    });
    records.forEach((r, i) => {
      if (i < records.length - 1 && r.size < this.minPartSize) {
        throw s3Error('EntityTooSmall', undefined, {
          ProposedSize: String(r.size), MinSizeAllowed: String(this.minPartSize), PartNumber: String(parts[i]!.partNumber), ETag: r.etag,
        });
      }
    });
    return records;
  }

  async complete(bucket: string, key: string, uploadId: string, parts: CompletedPart[]): Promise<ObjectInfo> {
    const upload = this.find(bucket, key, uploadId);
    const records = this.checkParts(uploadId, parts);
    const temp = await this.blobs.writeTemp(concatenate(records.map((r) => this.blobs.pathOf(r.file))), { md5: false });
    const md5s = createHash('md5');
    for (const r of records) md5s.update(Buffer.from(r.etag, 'hex'));
    const record: ObjectRecord = {
      file: temp.id,
      size: temp.size,
      etag: `${md5s.digest('hex')}-${records.length}`,
      lastModified: Date.now(),
      parts: records.length,
      meta: { ...upload.meta },
    };
    // Checksums sent at creation describe no bytes; the object's own come from its parts.
    delete record.meta.checksums;
    let checksums: Checksums | undefined;
    try {
      checksums = multipartChecksum(upload.checksumAlgorithm, records);
    } catch (err) {
      await this.blobs.discard(temp);
      throw err;
    }
    if (checksums) record.meta.checksums = checksums;
    const objKey = objectKey(bucket, key);
    const owner: FileOwner = { table: 'objects', key: objKey };
    return this.publisher.publish(temp, owner, () => {
      this.find(bucket, key, uploadId); // a concurrent complete or abort won
      const retired = this.dropUpload(bucket, key, uploadId);
      const old = this.db.objects.get(objKey);
      this.db.objects.putSync(objKey, record);
      if (old) retired.push({ id: old.file, owner });
      return { result: toObjectInfo(bucket, key, record), retired };
    });
  }

  async abort(bucket: string, key: string, uploadId: string): Promise<void> {
    this.find(bucket, key, uploadId);
    await this.publisher.retire(() => {
      this.find(bucket, key, uploadId);
      return { result: undefined, retired: this.dropUpload(bucket, key, uploadId) };
    });
  }

  /** Inside a transaction: drops every upload of the bucket (they go with it). */
  dropBucketUploads(bucket: string): RetiredFile[] {
    const all = objectKey(bucket, '');
    const rows = [...this.db.uploads.getKeys({ start: all, end: pastPrefix(all) })].map((k) => Buffer.from(k));
    const bucketBytes = Buffer.byteLength(bucket);
    return rows.flatMap((k) => this.dropUpload(bucket, nameOf(k, bucketBytes), uploadIdOf(k)));
  }

  listUploads(bucket: string, opts: ListUploadsOptions): ListUploadsPage {
    this.db.requireBucket(bucket);
    const prefix = opts.prefix ?? '';
    const delimiter = opts.delimiter || undefined;
    const marker = opts.uploadIdMarker;
    const start = seekAfter(bucket, prefix, delimiter, opts.keyMarker, (k) =>
      // Without an upload-id marker every upload of the key-marker is skipped: past `key 0x00 <id>` rows.
      marker ? justAfter(Buffer.concat([k, Buffer.from([0]), Buffer.from(marker, 'latin1')])) : Buffer.concat([k, Buffer.from([1])]));
    const page = rollupPage(this.db.uploads, bucket, { prefix, delimiter, start, max: Math.max(0, opts.maxUploads) });
    const out: ListUploadsPage = {
      uploads: page.entries.map((e) => toUpload(bucket, e.name, uploadIdOf(e.indexKey), e.value)),
      commonPrefixes: page.prefixes,
      isTruncated: page.truncated,
    };
    if (page.truncated && page.last) {
      if ('prefix' in page.last) out.nextKeyMarker = page.last.prefix;
      else {
        out.nextKeyMarker = page.last.entry.name;
        out.nextUploadIdMarker = uploadIdOf(page.last.entry.indexKey);
      }
    }
    return out;
  }
}
