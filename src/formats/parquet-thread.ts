// Where Parquet files are encoded: on one worker thread shared by every write (started by the first
// write, or earlier by startParquetWriter), so a decoder's next batch is decoded while parquet-wasm
// encodes the last; or on the caller's thread while that thread is not ready, when its compiled code is
// not there (running from the TypeScript sources, as the unit tests do), or when it could not start (see
// thread-slot.ts). The thread holds the process open only until it is ready and while it has work.
import { Worker } from 'node:worker_threads';
import { ParquetJob, type ParquetSettings } from './parquet-job.js';
import type { FromWriter, ToWriter } from './parquet-worker.js';
import { ThreadSlot } from './thread-slot.js';

/** Batches handed over but not yet taken by parquet-wasm before `push` waits: bounds memory. */
const IN_FLIGHT = 2;

export interface ParquetWriter {
  /** Hands over one batch as IPC bytes (given up by the caller); waits while too many are queued. */
  push(ipc: Uint8Array): Promise<void>;
  /** Ends the input; resolves once the file is complete. */
  finish(): Promise<void>;
  /** Stops the job; resolves once its file is no longer being written. */
  abort(error: unknown): Promise<void>;
}

interface Channel {
  push(ipc: Uint8Array): void;
  end(): void;
  abort(error: unknown): void;
}

class Writer implements ParquetWriter {
  private pending = 0;
  private settled = false;
  private wake: (() => void) | undefined;

  constructor(private readonly done: Promise<void>, private readonly channel: Channel) {
    done.then(() => this.settle(), () => this.settle());
  }

  /** parquet-wasm took one batch. */
  taken(): void {
    this.pending--;
    this.poke();
  }

  async push(ipc: Uint8Array): Promise<void> {
    if (this.settled) return this.done; // failed early: its error, not a hang
    this.channel.push(ipc);
    this.pending++;
    while (this.pending >= IN_FLIGHT && !this.settled) await new Promise<void>((r) => (this.wake = r));
    if (this.settled) await this.done;
  }

  async finish(): Promise<void> {
    this.channel.end();
    await this.done;
  }

  async abort(error: unknown): Promise<void> {
    this.channel.abort(error);
    await this.done.catch(() => undefined);
  }

  private settle(): void {
    this.settled = true;
    this.poke();
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

function localWriter(path: string, settings: ParquetSettings): ParquetWriter {
  let writer: Writer | undefined;
  const job = new ParquetJob(path, settings, () => writer?.taken());
  writer = new Writer(job.done, { push: (ipc) => job.push(ipc), end: () => job.end(), abort: (e) => job.abort(e) });
  return writer;
}

interface Pending {
  writer: Writer;
  resolve(): void;
  reject(e: Error): void;
}

class WriterThread {
  private readonly worker: Worker;
  private readonly jobs = new Map<number, Pending>();
  private next = 0;
  /** Set once the thread has loaded parquet-wasm; until then writes stay on the caller's thread. */
  ready = false;
  /** Settles with `ready` once the thread is ready or gone. */
  readonly started: Promise<boolean>;
  private startedNow!: (ok: boolean) => void;

  /** `gone` learns that the thread died, and whether it had ever been ready. */
  constructor(url: URL, private readonly gone: (wasReady: boolean) => void) {
    this.started = new Promise((resolve) => (this.startedNow = resolve));
    // No inherited node options: some (--input-type, -e) would stop the worker from loading.
    this.worker = new Worker(url, { execArgv: [] });
    this.worker.on('message', (m: FromWriter) => this.receive(m));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`the Parquet writer thread exited with code ${code}`)));
    // Held (ref'd) until it is ready, so that `started` can be awaited; then only while it has jobs.
  }

  open(path: string, settings: ParquetSettings): ParquetWriter {
    const id = this.next++;
    const send = (m: ToWriter, transfer?: ArrayBuffer[]) => this.worker.postMessage(m, transfer);
    let pending!: Pending;
    const done = new Promise<void>((resolve, reject) => {
      pending = { writer: undefined as unknown as Writer, resolve, reject };
    });
    pending.writer = new Writer(done, {
      push: (ipc) => {
        const own = ipc.byteOffset === 0 && ipc.byteLength === ipc.buffer.byteLength ? ipc : ipc.slice();
        send({ type: 'batch', id, ipc: own }, [own.buffer as ArrayBuffer]);
      },
      end: () => send({ type: 'end', id }),
      abort: () => send({ type: 'abort', id }),
    });
    this.jobs.set(id, pending);
    this.worker.ref();
    send({ type: 'start', id, path, settings });
    return pending.writer;
  }

  private receive(m: FromWriter): void {
    if (m.type === 'ready') {
      this.ready = true;
      if (this.jobs.size === 0) this.worker.unref();
      return this.startedNow(true);
    }
    const job = this.jobs.get(m.id);
    if (!job) return;
    if (m.type === 'taken') return job.writer.taken();
    this.jobs.delete(m.id);
    if (this.jobs.size === 0) this.worker.unref();
    if (m.type === 'done') job.resolve();
    else job.reject(new Error(m.message));
  }

  /** The thread died: its jobs fail, and the next write starts a new thread. */
  private fail(e: Error): void {
    this.startedNow(false);
    this.gone(this.ready);
    for (const job of this.jobs.values()) job.reject(e);
    this.jobs.clear();
  }
}

const slot = new ThreadSlot(new URL('./parquet-worker.js', import.meta.url), (url, gone) => new WriterThread(url, gone));

/**
 * Starts the writer thread if it is not running (and can run), so that a first write does not wait for
 * the thread and parquet-wasm to load; resolves with whether writes go to it.
 */
export async function startParquetWriter(): Promise<boolean> {
  const thread = slot.get();
  return thread ? thread.started : false;
}

/** A writer for a new Parquet file at `path`. */
export function openParquetWriter(path: string, settings: ParquetSettings): ParquetWriter {
  const thread = slot.get();
  return thread?.ready ? thread.open(path, settings) : localWriter(path, settings);
}
