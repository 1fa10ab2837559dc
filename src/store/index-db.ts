// The metadata index: an lmdb environment with one ordered table per record kind. Object and upload
// tables use binary keys from keys.ts, so a listing is a cursor walk over one page, not a bucket scan.
//
// Every blob file whose fate is undecided is named in the `pending` journal, durably, before it appears
// under objects/ and until the file it replaced is gone. Recovery therefore only looks at the journal:
// a journaled file survives start-up only if its owning index entry points at it.
import { open, type Database, type RootDatabase } from 'lmdb';
import { s3Error } from '../errors.js';
import type { BlobFiles } from './blobs.js';
import type { ChecksumAlgorithm, Checksums, ObjectInfo, ObjectWriteMeta } from './store.js';

export interface BucketRecord {
  created: number;
}

export interface ObjectRecord {
  /** Blob file id (see BlobFiles.pathOf). */
  file: string;
  size: number;
  etag: string;
  lastModified: number;
  parts?: number;
  meta: ObjectWriteMeta;
}

export interface UploadRecord {
  initiated: number;
  meta: ObjectWriteMeta;
  checksumAlgorithm?: ChecksumAlgorithm;
}

export interface PartRecord {
  file: string;
  etag: string;
  size: number;
  lastModified: number;
  checksums?: Checksums;
}

/** The index entry a journaled file belongs to. */
export interface FileOwner {
  table: 'objects' | 'parts';
  key: Uint8Array;
}

export class IndexDb {
  private constructor(
    private readonly root: RootDatabase,
    readonly buckets: Database<BucketRecord, string>,
    readonly objects: Database<ObjectRecord, Buffer>,
    readonly uploads: Database<UploadRecord, Buffer>,
    readonly parts: Database<PartRecord, Buffer>,
    readonly pending: Database<FileOwner, string>,
  ) {}

  static open(dir: string): IndexDb {
    const root = open({ path: dir, maxDbs: 8 });
    const binary = { keyEncoding: 'binary' as const };
    return new IndexDb(
      root,
      root.openDB<BucketRecord, string>('buckets', {}),
      root.openDB<ObjectRecord, Buffer>('objects', binary),
      root.openDB<UploadRecord, Buffer>('uploads', binary),
      root.openDB<PartRecord, Buffer>('parts', binary),
      root.openDB<FileOwner, string>('pending', {}),
    );
  }

  /**
   * Runs `fn` as one write transaction (a throw aborts all of it) and resolves once it is on disk.
   * Synchronous transactions on purpose: lmdb's asynchronous `transaction()` callbacks rely on native
   * thread-safe calls and never ran here (lmdb 3.5.6, Node 20, Linux); the commit itself is sub-millisecond.
   */
  async commit<T>(fn: () => T): Promise<T> {
    const result = this.root.transactionSync(fn);
    await this.root.flushed;
    return result;
  }

  /** The bucket's record; throws NoSuchBucket. Inside `commit` this reads the transaction's view. */
  requireBucket(name: string): BucketRecord {
    // Longer names cannot exist and would only make an oversized lmdb key.
    const record = name.length <= 63 ? this.buckets.get(name) : undefined;
    if (!record) throw s3Error('NoSuchBucket', undefined, { BucketName: name });
    return record;
  }

  owns(owner: FileOwner, fileId: string): boolean {
    const table = owner.table === 'objects' ? this.objects : this.parts;
    return table.get(Buffer.from(owner.key))?.file === fileId;
  }

  /** Settles every journaled file: kept when its entry points at it, deleted otherwise. */
  async recover(blobs: BlobFiles): Promise<void> {
    const settled: string[] = [];
    // Copied out first: no lmdb cursor stays open across the awaits below.
    for (const { key: id, value: owner } of [...this.pending.getRange()]) {
      if (!this.owns(owner, id)) await blobs.remove(id);
      settled.push(id);
    }
    if (settled.length > 0) await this.commit(() => settled.forEach((id) => this.pending.removeSync(id)));
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}

/** A copy without undefined fields, so records stay small and read back exactly as written. */
export function cleanMeta(meta: ObjectWriteMeta): ObjectWriteMeta {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(meta)) if (value !== undefined) out[name] = value;
  return { ...(out as Partial<ObjectWriteMeta>), userMeta: { ...meta.userMeta } };
}

export function toObjectInfo(bucket: string, key: string, r: ObjectRecord): ObjectInfo {
  const info: ObjectInfo = { ...r.meta, bucket, key, size: r.size, etag: r.etag, lastModified: r.lastModified };
  if (r.parts !== undefined) info.parts = r.parts;
  return info;
}
