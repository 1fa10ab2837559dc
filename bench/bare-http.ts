// The objects suite's HTTP baseline: a bare loopback node:http server that does no more than an object store
// must (GET streams a file, HEAD stats it, PUT writes a temp file, fsyncs and renames), with no S3 on top.
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

export interface BareServer {
  url: string;
  close(): Promise<void>;
}

/** Streams `src` into `dest` the way a durable store does: temp file, fsync, rename. */
export async function durableWrite(src: NodeJS.ReadableStream, dest: string): Promise<void> {
  const tmp = `${dest}.tmp`;
  await pipeline(src, createWriteStream(tmp));
  const fh = await open(tmp, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, dest);
}

export async function startBareServer(dir: string): Promise<BareServer> {
  const server = http.createServer((req, res) => {
    // Names only: the path's last segment, so nothing outside `dir` is reachable.
    const file = path.join(dir, path.basename(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    const fail = (e: unknown): void => {
      if (!res.headersSent) res.writeHead((e as NodeJS.ErrnoException).code === 'ENOENT' ? 404 : 500);
      res.end();
    };
    if (req.method === 'PUT') {
      durableWrite(req, file).then(() => res.end(), fail);
    } else if (req.method === 'GET' || req.method === 'HEAD') {
      stat(file).then((st) => {
        res.writeHead(200, { 'content-length': st.size, 'content-type': 'application/octet-stream' });
        if (req.method === 'HEAD') res.end();
        else pipeline(createReadStream(file), res).catch(fail);
      }, fail);
    } else {
      res.writeHead(405).end();
    }
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
