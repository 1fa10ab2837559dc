// The one path by which bytes become visible or go away: journal the new file, move it into place,
// switch the index entry in one transaction, then delete the files the entry no longer points at.
// A crash at any step leaves either the old entry with its file or the new one with its file;
// whatever else is left on disk is named in the journal and settled by IndexDb.recover.
import type { BlobFiles, TempFile } from './blobs.js';
import type { FileOwner, IndexDb } from './index-db.js';

export interface RetiredFile {
  id: string;
  owner: FileOwner;
}

export interface Switch<T> {
  result: T;
  /** Files the index stopped pointing at in this transaction. */
  retired: RetiredFile[];
}

export class Publisher {
  constructor(
    private readonly db: IndexDb,
    private readonly blobs: BlobFiles,
  ) {}

  /**
   * Makes `temp` the file of `owner`'s entry. `apply` runs inside the switching transaction: it checks
   * that the write is still valid (throwing aborts everything), writes the entry and reports replaced files.
   */
  async publish<T>(temp: TempFile, owner: FileOwner, apply: () => Switch<T>): Promise<T> {
    await this.db.commit(() => this.db.pending.putSync(temp.id, owner));
    try {
      await this.blobs.publish(temp);
    } catch (err) {
      // The rename may have happened before the directory sync failed: clear both places.
      await this.blobs.discard(temp);
      await this.blobs.remove(temp.id);
      await this.settle([temp.id]);
      throw err;
    }
    let switched: Switch<T>;
    try {
      switched = await this.db.commit(() => {
        const out = apply();
        this.db.pending.removeSync(temp.id);
        for (const f of out.retired) this.db.pending.putSync(f.id, f.owner);
        return out;
      });
    } catch (err) {
      // A failed flush can follow a successful commit: only drop the file if the index does not use it.
      if (!this.db.owns(owner, temp.id)) {
        await this.blobs.remove(temp.id);
        await this.settle([temp.id]);
      }
      throw err;
    }
    await this.drop(switched.retired);
    return switched.result;
  }

  /** Runs an index change that removes entries (`apply` in one transaction), then deletes their files. */
  async retire<T>(apply: () => Switch<T>): Promise<T> {
    const out = await this.db.commit(() => {
      const r = apply();
      for (const f of r.retired) this.db.pending.putSync(f.id, f.owner);
      return r;
    });
    await this.drop(out.retired);
    return out.result;
  }

  /** Deletes retired files; one that cannot be deleted now stays journaled for the next start-up. */
  private async drop(files: RetiredFile[]): Promise<void> {
    const gone: string[] = [];
    for (const f of files) {
      try {
        await this.blobs.remove(f.id);
        gone.push(f.id);
      } catch {
        // Left in the journal on purpose.
      }
    }
    await this.settle(gone);
  }

  private async settle(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.db.commit(() => ids.forEach((id) => this.db.pending.removeSync(id)));
  }
}
