// MessagePack's schema pass on a thread of its own: while the caller's thread decodes the object with
// the columns a sample of its first records gave, this thread reads every record to learn the object's
// real columns, and the caller checks the two agree (see binary-decode.ts). One thread, started on first
// use; it holds the process open only while it has work. Where it cannot run (the unit tests run the
// TypeScript sources, where its compiled file is not) or died before it was ready, there is none and the
// caller reads the object twice as before.
import { Worker } from 'node:worker_threads';
import { s3Error, type S3ErrorCode } from '../errors.js';
import type { MsgpackInference } from './msgpack.js';
import { ThreadSlot } from './thread-slot.js';

export type ToInferrer = { type: 'infer'; id: number; file: string } | { type: 'abort'; id: number };
export type FromInferrer =
  | { type: 'ready' }
  | { type: 'inferred'; id: number; inference: MsgpackInference }
  | { type: 'failed'; id: number; message: string; code?: string };

interface Pending { resolve(i: MsgpackInference): void; reject(e: Error): void }

class InferThread {
  private readonly worker: Worker;
  private readonly jobs = new Map<number, Pending>();
  private next = 0;
  ready = false;

  constructor(url: URL, private readonly gone: (wasReady: boolean) => void) {
    // No inherited node options: some (--input-type, -e) would stop the worker from loading.
    this.worker = new Worker(url, { execArgv: [] });
    this.worker.on('message', (m: FromInferrer) => this.receive(m));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`the MessagePack schema thread exited with code ${code}`)));
    this.worker.unref();
  }

  infer(file: string, signal: AbortSignal): Promise<MsgpackInference> {
    const id = this.next++;
    const done = new Promise<MsgpackInference>((resolve, reject) => this.jobs.set(id, { resolve, reject }));
    this.worker.ref();
    this.worker.postMessage({ type: 'infer', id, file } satisfies ToInferrer);
    const onAbort = () => this.worker.postMessage({ type: 'abort', id } satisfies ToInferrer);
    signal.addEventListener('abort', onAbort, { once: true });
    return done.finally(() => signal.removeEventListener('abort', onAbort));
  }

  private receive(m: FromInferrer): void {
    if (m.type === 'ready') {
      this.ready = true;
      return;
    }
    const job = this.jobs.get(m.id);
    if (!job) return;
    this.jobs.delete(m.id);
    if (this.jobs.size === 0) this.worker.unref();
    if (m.type === 'inferred') job.resolve(m.inference);
    else job.reject(m.code ? s3Error(m.code as S3ErrorCode, m.message) : new Error(m.message));
  }

  private fail(e: Error): void {
    const wasReady = this.ready;
    this.ready = false;
    this.gone(wasReady);
    for (const job of this.jobs.values()) job.reject(e);
    this.jobs.clear();
  }
}

const slot = new ThreadSlot(new URL('./msgpack-infer-worker.js', import.meta.url), (url, gone) => new InferThread(url, gone));

/** Starts the thread if it is not running and can run; true once it is ready for work. */
export function inferThreadReady(): boolean {
  return slot.get()?.ready ?? false;
}

/** The schema pass over the local file `file` on the thread (call when inferThreadReady()). */
export function inferOnThread(file: string, signal: AbortSignal): Promise<MsgpackInference> {
  return slot.get()!.infer(file, signal);
}
