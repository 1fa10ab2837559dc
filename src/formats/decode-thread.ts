// The decoding thread: work a query's thread hands over while it decodes an object itself.
// - MessagePack's schema pass: while the caller's thread decodes the object with the columns a sample
//   of its first records gave, this thread reads every record to learn the object's real columns, and
//   the caller checks the two agree (see binary-decode.ts); asked in time, it decodes the object's tail
//   as well (msgpack-split.ts).
// - The tails of Avro and Protobuf files (tail-split.ts).
// One thread, started on first use; it holds the process open only while it has work. Where it cannot
// run (the unit tests run the TypeScript sources, where its compiled file is not) or died before it was
// ready, there is none and the caller does the work itself.
import { Worker } from 'node:worker_threads';
import { s3Error, type S3ErrorCode } from '../errors.js';
import type { MsgpackInference } from './msgpack.js';
import type { ProtoTexts } from './protobuf-schema.js';
import type { TailJob, TailRequest } from './msgpack-split.js';
import type { Tail } from './tail-split.js';
import { ThreadSlot } from './thread-slot.js';

export type ToDecodeThread =
  | { type: 'infer'; id: number; file: string }
  | { type: 'tail'; id: number; request: TailRequest }
  | { type: 'avro-tail'; id: number; file: string; from: number; columns?: string[] }
  | { type: 'protobuf-tail'; id: number; file: string; from: number; columns?: string[]; messageType: string; schema: ProtoTexts }
  | { type: 'abort'; id: number };
/** A tail-only job, as a caller asks for it (the thread numbers it). */
type TailMessage = DistributiveOmit<Extract<ToDecodeThread, { type: 'avro-tail' | 'protobuf-tail' }>, 'id'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export type FromDecodeThread =
  | { type: 'ready' }
  | { type: 'inferred'; id: number; inference: MsgpackInference }
  | { type: 'failed'; id: number; message: string; code?: string }
  | { type: 'tail-accepted'; id: number; accepted: boolean }
  | { type: 'tail-batch'; id: number; bytes: Uint8Array }
  | { type: 'tail-done'; id: number; first: number; records: number }
  | { type: 'tail-failed'; id: number; message: string };

/** A settled-once promise with its settlers. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

class Pending {
  /** A tail without a schema pass (Avro, Protobuf): the job ends with its tail. */
  constructor(readonly tailOnly = false) {}
  readonly whole = deferred<MsgpackInference>();
  readonly accepted = deferred<boolean>();
  readonly tail = deferred<Tail>();
  readonly batches: Uint8Array[] = [];

  /** Settles whatever is still open: the thread is done with this object. */
  end(e: Error): void {
    this.whole.reject(e);
    this.accepted.resolve(false);
    this.tail.reject(e);
  }
}

/** The thread's answer for one object: its inference, and its tail when asked for. */
export interface InferJob { whole: Promise<MsgpackInference>; job: TailJob }

class DecodeThread {
  private readonly worker: Worker;
  private readonly jobs = new Map<number, Pending>();
  private next = 0;
  ready = false;

  constructor(url: URL, private readonly gone: (wasReady: boolean) => void) {
    // No inherited node options: some (--input-type, -e) would stop the worker from loading.
    this.worker = new Worker(url, { execArgv: [] });
    this.worker.on('message', (m: FromDecodeThread) => this.receive(m));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`the decoding thread exited with code ${code}`)));
    this.worker.unref();
  }

  infer(file: string, signal: AbortSignal): InferJob {
    const id = this.next++;
    const pending = new Pending();
    const whole = this.start({ type: 'infer', id, file }, pending, signal, pending.whole.promise);
    const job: TailJob = {
      request: (request) => {
        if (this.jobs.get(id) === pending) this.worker.postMessage({ type: 'tail', id, request } satisfies ToDecodeThread);
        else pending.accepted.resolve(false);
        return pending.accepted.promise;
      },
      tail: () => pending.tail.promise,
    };
    return { whole, job };
  }

  private receive(m: FromDecodeThread): void {
    if (m.type === 'ready') {
      this.ready = true;
      return;
    }
    const job = this.jobs.get(m.id);
    if (!job) return;
    switch (m.type) {
      case 'tail-accepted':
        job.accepted.resolve(m.accepted);
        return;
      case 'tail-batch':
        job.batches.push(m.bytes);
        return;
      case 'tail-done':
        job.tail.resolve({ first: m.first, records: m.records, batches: job.batches.splice(0) });
        if (job.tailOnly) this.finish(m.id);
        return;
      case 'tail-failed':
        job.batches.length = 0;
        job.tail.reject(new Error(m.message));
        if (job.tailOnly) this.finish(m.id);
        return;
    }
    this.finish(m.id);
    if (m.type === 'inferred') job.whole.resolve(m.inference);
    const e = m.type === 'failed' ? (m.code ? s3Error(m.code as S3ErrorCode, m.message) : new Error(m.message)) : new Error('the schema pass ended without the tail');
    job.end(e);
  }

  private finish(id: number): void {
    this.jobs.delete(id);
    if (this.jobs.size === 0) this.worker.unref();
  }

  /** A tail decoded on the thread (Avro blocks or Protobuf messages from the first at or past `from`). */
  tail(message: TailMessage, signal: AbortSignal): Promise<Tail> {
    const pending = new Pending(true);
    return this.start({ ...message, id: this.next++ }, pending, signal, pending.tail.promise);
  }

  /** Sends the job's first message; `done` settles when the job does (until then, an abort is passed on). */
  private start<T>(message: Extract<ToDecodeThread, { id: number }>, pending: Pending, signal: AbortSignal, done: Promise<T>): Promise<T> {
    this.jobs.set(message.id, pending);
    this.worker.ref();
    this.worker.postMessage(message);
    const onAbort = () => this.worker.postMessage({ type: 'abort', id: message.id } satisfies ToDecodeThread);
    signal.addEventListener('abort', onAbort, { once: true });
    return done.finally(() => signal.removeEventListener('abort', onAbort));
  }

  private fail(e: Error): void {
    const wasReady = this.ready;
    this.ready = false;
    this.gone(wasReady);
    for (const job of this.jobs.values()) job.end(e);
    this.jobs.clear();
  }
}

const slot = new ThreadSlot(new URL('./decode-worker.js', import.meta.url), (url, gone) => new DecodeThread(url, gone));

/** Starts the thread if it is not running and can run; true once it is ready for work. */
export function decodeThreadReady(): boolean {
  return slot.get()?.ready ?? false;
}

/** The schema pass over the local file `file` on the thread (call when decodeThreadReady()). */
export function inferOnThread(file: string, signal: AbortSignal): InferJob {
  return slot.get()!.infer(file, signal);
}

/** An Avro file's tail decoded on the thread (call when decodeThreadReady()). */
export function avroTailOnThread(file: string, from: number, columns: string[] | undefined, signal: AbortSignal): Promise<Tail> {
  return slot.get()!.tail({ type: 'avro-tail', file, from, columns }, signal);
}

/** A Protobuf file's tail decoded on the thread (call when decodeThreadReady()). */
export function protobufTailOnThread(file: string, from: number, columns: string[] | undefined, messageType: string, schema: ProtoTexts, signal: AbortSignal): Promise<Tail> {
  return slot.get()!.tail({ type: 'protobuf-tail', file, from, columns, messageType, schema }, signal);
}
