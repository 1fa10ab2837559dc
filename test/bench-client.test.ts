// The benchmark's S3 client and uploader against our real server: multipart uploads, paged listings,
// missing objects, Select errors, and uploads skipped when the object already holds the same bytes.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Client, S3RequestError } from '../bench/s3-client.js';
import { selectObject } from '../bench/select-client.js';
import { startLocalServer, type LocalServer } from '../bench/server.js';
import type { BuiltFile } from '../datasets/build.js';
import { SHA256_META, uploadFiles } from '../datasets/upload.js';

let server: LocalServer;
let client: S3Client;
let dir: string;
const MiB = 1024 ** 2;

beforeAll(async () => {
  server = await startLocalServer();
  client = new S3Client(server.endpoint, { multipartThreshold: 6 * MiB, partSize: 5 * MiB });
  dir = mkdtempSync(path.join(tmpdir(), 'bench-client-'));
  await client.createBucket('bkt');
});

afterAll(async () => {
  client.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('S3Client', () => {
  it('uploads a file above the threshold in parts and reads it back intact', async () => {
    const data = randomBytes(12 * MiB + 123);
    const file = path.join(dir, 'big.bin');
    writeFileSync(file, data);
    await client.putFile('bkt', 'dir/big file+1.bin', file);
    const head = await client.headObject('bkt', 'dir/big file+1.bin');
    expect(head?.etag).toMatch(/-3"$/);
    const h = createHash('sha256');
    expect(await client.getObject('bkt', 'dir/big file+1.bin', (c) => h.update(c))).toBe(data.length);
    expect(h.digest('hex')).toBe(sha(data));
  });

  it('lists every key across pages', async () => {
    // S3 orders keys by their UTF-8 bytes: 'é' (0xC3 0xA9) comes after 'z'.
    const keys = ['p/a', 'p/b c', 'p/d+e', 'p/z', 'p/é'];
    for (const k of keys) await client.putBuffer('bkt', k, Buffer.from(k));
    expect(await client.listKeys('bkt', 'p/', 2)).toEqual(keys);
  });

  it('answers undefined for a missing object and throws S3 errors with their code', async () => {
    expect(await client.headObject('bkt', 'nope')).toBeUndefined();
    await expect(client.getObject('bkt', 'nope')).rejects.toMatchObject({ status: 404, code: 'NoSuchKey' });
    const err = await selectObject(client, 'bkt', 'p/a', { expression: 'SELECT FROM', input: '<CSV/>' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(S3RequestError);
    expect((err as S3RequestError).status).toBe(400);
    expect((err as S3RequestError).message).toMatch(/^SelectObjectContent bkt\/p\/a: 400 Parse/);
  });
});

describe('uploadFiles', () => {
  it('stores the sha256 as metadata and skips objects that already hold the same bytes', async () => {
    const data = Buffer.from('x,y\n1,2\n');
    const file = path.join(dir, 'small.csv');
    writeFileSync(file, data);
    const built: BuiltFile = { format: 'csv', name: 'small.csv', path: file, bytes: data.length, sha256: sha(data), rows: 1, verification: 'match' };
    expect(await uploadFiles(client, 'upl', [built])).toEqual([{ key: 'small.csv', uploaded: true }]);
    expect((await client.headObject('upl', 'small.csv'))?.[SHA256_META]).toBe(sha(data));
    expect(await uploadFiles(client, 'upl', [built])).toEqual([{ key: 'small.csv', uploaded: false }]);
    const changed = Buffer.from('x,y\n3,4\n');
    writeFileSync(file, changed);
    expect(await uploadFiles(client, 'upl', [{ ...built, sha256: sha(changed) }])).toEqual([{ key: 'small.csv', uploaded: true }]);
  });
});
