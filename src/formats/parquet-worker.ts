// The Parquet writer thread: runs ParquetJobs for the caller's thread, so parquet-wasm encodes one batch
// while the caller decodes the next. Messages in: start (id, path, settings), batch (id, IPC bytes), end
// (id), abort (id). Messages out: ready (once loaded), taken (id: a batch went into parquet-wasm), done
// (id), failed (id, message).
import { parentPort } from 'node:worker_threads';
import { ParquetJob, type ParquetSettings } from './parquet-job.js';

export type ToWriter =
  | { type: 'start'; id: number; path: string; settings: ParquetSettings }
  | { type: 'batch'; id: number; ipc: Uint8Array }
  | { type: 'end' | 'abort'; id: number };

export type FromWriter =
  | { type: 'ready' }
  | { type: 'taken'; id: number }
  | { type: 'done'; id: number }
  | { type: 'failed'; id: number; message: string };

const port = parentPort!;
const jobs = new Map<number, ParquetJob>();
const reply = (m: FromWriter) => port.postMessage(m);

port.on('message', (m: ToWriter) => {
  if (m.type === 'start') {
    const job = new ParquetJob(m.path, m.settings, () => reply({ type: 'taken', id: m.id }));
    jobs.set(m.id, job);
    job.done.then(
      () => reply({ type: 'done', id: m.id }),
      (e: unknown) => reply({ type: 'failed', id: m.id, message: e instanceof Error ? e.message : String(e) }),
    ).finally(() => jobs.delete(m.id));
    return;
  }
  const job = jobs.get(m.id);
  if (m.type === 'batch') job?.push(m.ipc);
  else if (m.type === 'end') job?.end();
  else job?.abort(new Error('aborted by the caller'));
});

reply({ type: 'ready' });
