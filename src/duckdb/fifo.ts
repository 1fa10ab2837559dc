// Named pipes that DuckDB's COPY writes into and Node reads from.
// The read end is opened non-blocking and wrapped in a net.Socket (epoll, no libuv threadpool): a
// fs.createReadStream reader needs a threadpool thread per read and deadlocked with concurrent COPYs.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const FIFO_PREFIX = 'selectd-fifo-';

/** Creates `count` FIFOs in `dir` (one `mkfifo` process for all) and returns their paths. */
export async function createFifos(dir: string, count: number): Promise<string[]> {
  const paths = Array.from({ length: count }, (_, i) => path.join(dir, `${FIFO_PREFIX}${process.pid}-${i}`));
  await Promise.all(paths.map((p) => fs.promises.rm(p, { force: true })));
  await execFileAsync('mkfifo', ['-m', '600', ...paths]);
  return paths;
}

/** Removes FIFOs left in `dir` by an earlier process (the spill dir is ours alone). */
export async function removeStaleFifos(dir: string): Promise<void> {
  const names = await fs.promises.readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names.filter((n) => n.startsWith(FIFO_PREFIX)).map((n) => fs.promises.rm(path.join(dir, n), { force: true })),
  );
}

export async function removeFifos(paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map((p) => fs.promises.rm(p, { force: true })));
}

/**
 * Opens the read end without waiting for a writer. Linux reports end-of-file on it only after a writer
 * has opened and closed the pipe, so the socket simply waits until DuckDB starts writing.
 */
export function openFifoReader(fifoPath: string): net.Socket {
  const fd = fs.openSync(fifoPath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  return new net.Socket({ fd, readable: true, writable: false });
}

/**
 * Opens and closes a write end. When a query fails before DuckDB opened the pipe, this is what makes
 * the reader see end-of-file. Harmless otherwise; needs our reader to be open (else ENXIO, ignored).
 */
export function pokeFifoWriter(fifoPath: string): void {
  try {
    fs.closeSync(fs.openSync(fifoPath, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
  } catch {
    // No reader any more: nobody is waiting for end-of-file.
  }
}
