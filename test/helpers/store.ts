// Fixtures for the local store tests: a fresh store in a temp directory, bodies, and file counts.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'vitest';
import { S3Error, type S3ErrorCode } from '../../src/errors.js';
import { openLocalStore, type LocalStore, type LocalStoreOptions } from '../../src/store/local-store.js';

export interface StoreFixture {
  dir: string;
  store: LocalStore;
  /** Closes the store (if still open) and deletes the directory. */
  dispose(): Promise<void>;
}

export async function tempStore(options?: LocalStoreOptions): Promise<StoreFixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'selectd-store-'));
  const fixture: StoreFixture = {
    dir,
    store: await openLocalStore(dir, options),
    async dispose() {
      await fixture.store.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}

export function body(data: string | Buffer): Readable {
  return Readable.from([Buffer.from(data)]);
}

export function md5(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

export const meta = (extra: Record<string, unknown> = {}) => ({ userMeta: {}, ...extra });

/** Files under `<dir>/objects` (all shards) and `<dir>/tmp`. */
export async function diskFiles(dir: string): Promise<{ objects: string[]; tmp: string[] }> {
  const shards = await readdir(path.join(dir, 'objects'));
  const objects = (await Promise.all(shards.map(async (s) => (await readdir(path.join(dir, 'objects', s))).map((f) => path.join(s, f))))).flat();
  return { objects, tmp: await readdir(path.join(dir, 'tmp')) };
}

export async function expectS3Error(p: Promise<unknown> | (() => unknown), code: S3ErrorCode): Promise<S3Error> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err, `expected S3Error ${code}`).toBeInstanceOf(S3Error);
  expect((err as S3Error).code).toBe(code);
  return err as S3Error;
}

/** A body that yields `chunks` and then fails, as a client that disconnects mid-upload. */
export function failingBody(chunks: Buffer[], error = new Error('client went away')): Readable {
  return Readable.from((async function* () {
    for (const c of chunks) yield c;
    throw error;
  })());
}
