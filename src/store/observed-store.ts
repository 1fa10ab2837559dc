// A Store decorator that reports every key whose contents may have changed (put, copy destination,
// completed multipart upload, delete), so caches derived from object bytes can drop what they hold.
// The listener runs after the store call settles, whether it succeeded or not: a failed write normally
// leaves the old version, but reporting it anyway costs one needless rebuild and never a stale answer.
import type { Store } from './store.js';

export type ChangeListener = (bucket: string, key: string) => void;

async function reporting<T>(listener: ChangeListener, bucket: string, key: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } finally {
    listener(bucket, key);
  }
}

/** Wraps `store`; every other method passes through to it unchanged (bound to the store itself). */
export function observeStore(store: Store, listener: ChangeListener): Store {
  const overrides: Partial<Store> = {
    putObject: (bucket, key, body, meta, opts) =>
      reporting(listener, bucket, key, () => store.putObject(bucket, key, body, meta, opts)),
    copyObject: (src, dst, meta) =>
      reporting(listener, dst.bucket, dst.key, () => store.copyObject(src, dst, meta)),
    completeMultipartUpload: (bucket, key, uploadId, parts) =>
      reporting(listener, bucket, key, () => store.completeMultipartUpload(bucket, key, uploadId, parts)),
    deleteObject: (bucket, key) =>
      reporting(listener, bucket, key, () => store.deleteObject(bucket, key)),
  };
  return new Proxy(store, {
    get(target, prop) {
      if (Object.prototype.hasOwnProperty.call(overrides, prop)) return overrides[prop as keyof Store];
      const value: unknown = Reflect.get(target, prop);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
