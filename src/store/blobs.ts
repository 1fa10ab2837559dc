// Object and part bytes as files under the data directory. Names are generated (`objects/<2 hex>/<uuid>`),
// never taken from keys, so no key can reach outside the directory. Every file is first streamed into
// `tmp/`, synced, and only then renamed into place: a file under `objects/` is always complete.
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { ObjectWriteMeta, WriteOptions } from './store.js';
import { pipeline } from 'node:stream/promises';

export interface TempFile {
  /** The generated id, also the final file name. */
  id: string;
  size: number;
  /** Hex MD5 of the bytes, when asked for. */
  md5Hex: string;
}

type Source = Readable | AsyncIterable<Buffer | string>;

export class BlobFiles {
  readonly objectsDir: string;
  readonly tmpDir: string;

  constructor(dataDir: string) {
    this.objectsDir = path.join(dataDir, 'objects');
    this.tmpDir = path.join(dataDir, 'tmp');
  }

  /** Creates the directories and drops temp files left by a previous run (they were never published). */
  async init(): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true });
    for (const name of await readdir(this.tmpDir)) await rm(path.join(this.tmpDir, name), { recursive: true, force: true });
    await mkdir(this.objectsDir, { recursive: true });
  }

  pathOf(id: string): string {
    return path.join(this.objectsDir, id.slice(0, 2), id);
  }

  private tempPathOf(id: string): string {
    return path.join(this.tmpDir, id);
  }

  /**
   * Streams `source` into a new temp file and syncs it, measuring size (and MD5 unless `md5` is false).
   * On any failure, including the source erroring or being destroyed, the temp file is removed.
   */
  async writeTemp(source: Source, opts: { md5?: boolean } = {}): Promise<TempFile> {
    const id = randomUUID();
    const tmp = this.tempPathOf(id);
    const md5 = opts.md5 === false ? undefined : createHash('md5');
    let size = 0;
    // `flush` fsyncs before the close that the pipeline waits for.
    const out = createWriteStream(tmp, { flags: 'wx', flush: true });
    try {
      await pipeline(
        source,
        async function* measure(chunks: AsyncIterable<Buffer | string>) {
          for await (const chunk of chunks) {
            const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
            size += buf.length;
            md5?.update(buf);
            yield buf;
          }
        },
        out,
      );
    } catch (err) {
      // The open may still be in flight when the pipeline fails: unlink only after the stream is closed.
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    return { id, size, md5Hex: md5 ? md5.digest('hex') : '' };
  }

  /** Drops a temp file that will not be published. */
  /**
   * Writes `source` to a temp file, then lets `beforeCommit` validate it (digests) and add late metadata;
   * the temp file is removed when that throws.
   */
  async writeValidated(source: Source, beforeCommit: WriteOptions['beforeCommit']): Promise<{ temp: TempFile; extra: Partial<ObjectWriteMeta> | void }> {
    const temp = await this.writeTemp(source);
    try {
      return { temp, extra: await beforeCommit?.({ size: temp.size, md5Hex: temp.md5Hex }) };
    } catch (err) {
      await this.discard(temp);
      throw err;
    }
  }

  async discard(temp: TempFile): Promise<void> {
    await unlink(this.tempPathOf(temp.id)).catch(ignoreMissing);
  }

  /** Moves a synced temp file to its final place and syncs the directory so the rename survives a crash. */
  async publish(temp: TempFile): Promise<void> {
    const target = this.pathOf(temp.id);
    try {
      await rename(this.tempPathOf(temp.id), target);
    } catch (err) {
      // Shard directories are made on first use.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(path.dirname(target), { recursive: true });
      await syncDir(this.objectsDir);
      await rename(this.tempPathOf(temp.id), target);
    }
    await syncDir(path.dirname(target));
  }

  async remove(id: string): Promise<void> {
    await unlink(this.pathOf(id)).catch(ignoreMissing);
  }

  /** Writes and removes a probe file: true when the data directory accepts writes. */
  async probe(): Promise<boolean> {
    const probe = this.tempPathOf(`probe-${randomUUID()}`);
    try {
      const fh = await open(probe, 'wx');
      try {
        await fh.write('ok');
      } finally {
        await fh.close();
      }
      await unlink(probe);
      return true;
    } catch {
      return false;
    }
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}
