// The one worker thread of a kind (the Parquet writer, the MessagePack schema pass), started on demand:
// only from the main thread and from compiled code (the worker file is .js; the unit tests run the
// TypeScript sources, where it is not there). A thread that dies is replaced by the next get(), unless it
// died before it was ready: it would again, and callers then keep the work on their own thread.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';

/** Builds the thread over the worker at `url`; `gone` learns that it died, and whether it had been ready. */
export type ThreadFactory<T> = (url: URL, gone: (wasReady: boolean) => void) => T;

export class ThreadSlot<T> {
  private current: T | undefined;
  private broken = false;

  constructor(private readonly url: URL, private readonly make: ThreadFactory<T>) {}

  /** The running thread, started now if there is none and one can run. */
  get(): T | undefined {
    if (!this.current && !this.broken && isMainThread && fs.existsSync(fileURLToPath(this.url))) {
      try {
        const t: T = this.make(this.url, (wasReady) => {
          if (this.current === t) this.current = undefined;
          if (!wasReady) this.broken = true;
        });
        this.current = t;
      } catch {
        this.current = undefined;
      }
    }
    return this.current;
  }
}
