// Facts about one version of an object that every query over it would otherwise look up again: its
// leading bytes (format detection) and its Parquet schema. Keyed by bucket, key, ETag and size: a new
// version has another ETag (and equal ETags mean equal bytes), so entries never need invalidating and
// merely age out of a bounded LRU.
import type { ObjectInfo } from '../store/store.js';

export class ObjectFacts {
  private readonly entries = new Map<string, unknown>();

  constructor(private readonly capacity = 1024) {}

  /** The fact `name` of this object version: cached, or computed (a failure is not cached). */
  async get<T>(bucket: string, key: string, info: ObjectInfo, name: string, compute: () => Promise<T>): Promise<T> {
    const id = JSON.stringify([bucket, key, info.etag, info.size, name]);
    if (this.entries.has(id)) {
      const hit = this.entries.get(id) as T;
      this.entries.delete(id);
      this.entries.set(id, hit);
      return hit;
    }
    const value = await compute();
    this.entries.set(id, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}
