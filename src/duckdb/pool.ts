// A fixed set of resources handed out one holder at a time, with a bounded FIFO of waiters.
// When the queue is full, acquiring fails at once with S3 `Busy` (503) instead of piling up work.
import { S3Error } from '../errors.js';

interface Waiter<T> {
  resolve: (item: T) => void;
  reject: (err: unknown) => void;
  cleanup: () => void;
}

export class Pool<T> {
  private readonly idle: T[];
  private readonly waiters: Waiter<T>[] = [];
  private readonly busy = new Set<T>();
  private closedWith: Error | undefined;

  constructor(items: readonly T[], private readonly maxQueue: number) {
    this.idle = [...items];
  }

  get size(): number {
    return this.idle.length + this.busy.size;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Items currently handed out. */
  get inUse(): ReadonlySet<T> {
    return this.busy;
  }

  acquire(signal?: AbortSignal): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (signal?.aborted) return Promise.reject(signal.reason);
    const item = this.idle.pop();
    if (item !== undefined) {
      this.busy.add(item);
      return Promise.resolve(item);
    }
    if (this.waiters.length >= this.maxQueue) {
      return Promise.reject(new S3Error('Busy', 'Too many queries are running or waiting; retry later.'));
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal!.reason);
      };
      const waiter: Waiter<T> = {
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(item: T): void {
    if (!this.busy.delete(item)) throw new Error('Pool.release: item is not in use');
    const next = this.waiters.shift();
    if (next) {
      next.cleanup();
      this.busy.add(item);
      next.resolve(item);
    } else {
      this.idle.push(item);
    }
  }

  /** Fails every waiter and all later acquires; items in use stay with their holders until released. */
  close(reason: Error): void {
    this.closedWith = reason;
    for (const w of this.waiters.splice(0)) {
      w.cleanup();
      w.reject(reason);
    }
  }

  /** Idle items (e.g. to dispose of them after close). */
  takeIdle(): T[] {
    return this.idle.splice(0);
  }
}
