// Feeding DuckDB from Node: a per-query named pipe that a pre-pass (decompression, CSV re-encoding, scan
// ranges, remote objects) writes into while DuckDB reads it like a file.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
let counter = 0;

export interface InputFifo {
  path: string;
  /** Starts writing `source` into the pipe once DuckDB opens it; resolves when all is written or the reader left. */
  feed(source: Readable): Promise<void>;
  /** Unblocks a writer still waiting for DuckDB (the query ended without opening the pipe) and removes the pipe. */
  close(): Promise<void>;
}

/** Creates the pipe inside DuckDB's allowed spill directory (the `selectd-fifo-` prefix is cleaned at start-up). */
export async function createInputFifo(dir: string): Promise<InputFifo> {
  const p = path.join(dir, `selectd-fifo-in-${process.pid}-${++counter}`);
  await execFileAsync('mkfifo', ['-m', '600', p]);
  let opened = false;
  let closed = false;
  let socket: net.Socket | undefined;
  return {
    path: p,
    async feed(source: Readable) {
      // A blocking open waits (on a pool thread) until DuckDB opens the read end: writing earlier could
      // leave bytes in a pipe nobody has opened yet, and closing it would lose them.
      // A plain fd, not a FileHandle: the socket owns and closes it (a FileHandle would close it again on GC).
      const fd = await new Promise<number>((resolve, reject) => fs.open(p, 'w', (e, n) => (e ? reject(e) : resolve(n))));
      opened = true;
      if (closed) {
        fs.close(fd, () => {});
        source.destroy();
        return;
      }
      socket = new net.Socket({ fd, readable: false, writable: true });
      try {
        await pipeline(source, socket);
      } catch (e) {
        // EPIPE: DuckDB stopped reading (LIMIT, error, cancel) — not a failure of the feed itself.
        if ((e as NodeJS.ErrnoException).code !== 'EPIPE' && (e as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw e;
      } finally {
        source.destroy();
      }
    },
    async close() {
      closed = true;
      if (!opened) {
        try {
          fs.closeSync(fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK));
        } catch {
          // Nothing was waiting.
        }
      }
      socket?.destroy();
      await fs.promises.rm(p, { force: true });
    },
  };
}
