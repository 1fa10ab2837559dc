// One page of a bucket's index in key order, with S3's delimiter roll-up. Work is proportional to the
// page: each common prefix costs one seek past its whole key range, never a walk over the keys under it.
import { boundKey, justAfter, nameOf, objectKey, pastPrefix } from './keys.js';

/** The part of an lmdb table a listing needs (kept narrow so tests can count what a page reads). */
export interface OrderedTable<V> {
  getRange(range: { start: Buffer; end: Buffer }): Iterable<{ key: Buffer; value: V }>;
}

export interface Entry<V> {
  /** The object key the index entry belongs to. */
  name: string;
  indexKey: Buffer;
  value: V;
}

export interface RollupPage<V> {
  entries: Entry<V>[];
  prefixes: string[];
  /** True when at least one more entry or prefix follows the page. */
  truncated: boolean;
  /** The last entry or prefix of the page, in listing order. */
  last?: { prefix: string } | { entry: Entry<V> };
}

export interface RollupOptions {
  prefix: string;
  delimiter?: string;
  /** First index key to consider (inclusive); see `seekAfter`. */
  start: Buffer;
  /** Entries plus prefixes on the page. */
  max: number;
}

/** The common prefix `name` rolls up into, if any. */
function rollupOf(name: string, prefix: string, delimiter: string | undefined): string | undefined {
  if (!delimiter || !name.startsWith(prefix)) return undefined;
  const i = name.indexOf(delimiter, prefix.length);
  return i < 0 ? undefined : name.slice(0, i + delimiter.length);
}

/**
 * Where a listing resumes after the name `after`. If `after` lies inside a common prefix, that prefix
 * sorts at or before `after` and was already returned, so the whole prefix range is skipped.
 * `afterName` maps the index key of `after` to the first index key past it (tables differ in what
 * follows a name: objects end there, uploads continue with an upload id).
 */
export function seekAfter(
  bucket: string,
  prefix: string,
  delimiter: string | undefined,
  after: string | undefined,
  afterName: (nameKey: Buffer) => Buffer = justAfter,
): Buffer {
  if (after === undefined) return objectKey(bucket, prefix);
  const rolled = rollupOf(after, prefix, delimiter);
  if (rolled !== undefined) return pastPrefix(objectKey(bucket, rolled));
  return afterName(objectKey(bucket, after));
}

export function rollupPage<V>(db: OrderedTable<V>, bucket: string, o: RollupOptions): RollupPage<V> {
  const bucketBytes = Buffer.byteLength(bucket);
  const prefixKey = objectKey(bucket, o.prefix);
  // Client-supplied prefixes and markers can be longer than lmdb allows a key to be.
  const end = boundKey(pastPrefix(prefixKey));
  let start = boundKey(Buffer.compare(o.start, prefixKey) > 0 ? o.start : prefixKey);
  const page: RollupPage<V> = { entries: [], prefixes: [], truncated: false };
  const full = () => page.entries.length + page.prefixes.length >= o.max;

  while (Buffer.compare(start, end) < 0) {
    let seek: Buffer | undefined;
    for (const { key, value } of db.getRange({ start, end })) {
      const name = nameOf(key, bucketBytes);
      if (full()) {
        page.truncated = true;
        return page;
      }
      const rolled = rollupOf(name, o.prefix, o.delimiter);
      if (rolled !== undefined) {
        page.prefixes.push(rolled);
        page.last = { prefix: rolled };
        seek = pastPrefix(objectKey(bucket, rolled));
        break;
      }
      const entry = { name, indexKey: Buffer.from(key), value };
      page.entries.push(entry);
      page.last = { entry };
    }
    if (!seek) break;
    start = seek;
  }
  return page;
}
