// Bounded LRU of translated plans, keyed by everything a translation depends on: the expression, the
// serializations and the object's schema fingerprint (CSV header, Parquet schema…).
import type { Counter } from '../metrics.js';

export class PlanCache<T> {
  private readonly entries = new Map<string, T>();

  constructor(
    private readonly capacity: number,
    private readonly counters?: { lookups: Counter },
  ) {}

  /** Returns the cached value for `key`, or builds, stores and returns it. Build errors are not cached. */
  getOrBuild(key: string, build: () => T): T {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      this.counters?.lookups.inc({ result: 'hit' });
      return hit;
    }
    this.counters?.lookups.inc({ result: 'miss' });
    const value = build();
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
