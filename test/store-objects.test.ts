import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { body, diskFiles, expectS3Error, failingBody, md5, meta, readAll, tempStore, type StoreFixture } from './helpers/store.js';

let fx: StoreFixture;
beforeEach(async () => {
  fx = await tempStore();
  await fx.store.createBucket('bkt');
});
afterEach(() => fx.dispose());

describe('buckets', () => {
  it('creates, lists in name order with creation time, heads and deletes', async () => {
    const before = Date.now();
    await fx.store.createBucket('alpha');
    const list = await fx.store.listBuckets();
    expect(list.map((b) => b.name)).toEqual(['alpha', 'bkt']);
    expect(list[0]!.created).toBeGreaterThanOrEqual(before);
    expect((await fx.store.headBucket('alpha')).created).toBe(list[0]!.created);
    await fx.store.deleteBucket('alpha');
    await expectS3Error(fx.store.headBucket('alpha'), 'NoSuchBucket');
    await expectS3Error(fx.store.deleteBucket('alpha'), 'NoSuchBucket');
  });

  it('rejects duplicates and invalid names', async () => {
    await expectS3Error(fx.store.createBucket('bkt'), 'BucketAlreadyOwnedByYou');
    await expectS3Error(fx.store.createBucket('Bad_Name'), 'InvalidBucketName');
    await expectS3Error(fx.store.headBucket('x'.repeat(300)), 'NoSuchBucket');
  });

  it('refuses to delete a bucket with objects, but discards unfinished uploads with it', async () => {
    await fx.store.putObject('bkt', 'k', body('x'), meta());
    await expectS3Error(fx.store.deleteBucket('bkt'), 'BucketNotEmpty');
    await fx.store.deleteObject('bkt', 'k');
    const up = await fx.store.createMultipartUpload('bkt', 'big', meta());
    await fx.store.uploadPart('bkt', 'big', up.uploadId, 1, body('part'));
    await fx.store.deleteBucket('bkt');
    expect((await diskFiles(fx.dir)).objects).toEqual([]);
    await fx.store.createBucket('bkt');
    expect((await fx.store.listMultipartUploads('bkt', { maxUploads: 10 })).uploads).toEqual([]);
  });
});

describe('objects', () => {
  it('round-trips bytes and metadata', async () => {
    const m = meta({ contentType: 'text/csv', cacheControl: 'no-cache', userMeta: { owner: 'me' }, checksums: { CRC32: 'DUoRhQ==' } });
    const put = await fx.store.putObject('bkt', 'data/a.csv', body('a,b\n1,2\n'), m);
    expect(put).toMatchObject({ bucket: 'bkt', key: 'data/a.csv', size: 8, etag: md5('a,b\n1,2\n'), contentType: 'text/csv' });
    const head = await fx.store.headObject('bkt', 'data/a.csv');
    expect(head).toEqual(put);
    expect(head).toMatchObject({ cacheControl: 'no-cache', userMeta: { owner: 'me' }, checksums: { CRC32: 'DUoRhQ==' } });
    expect(head.parts).toBeUndefined();
    const got = await fx.store.getObject('bkt', 'data/a.csv');
    expect(got.info).toEqual(put);
    expect((await readAll(got.stream)).toString()).toBe('a,b\n1,2\n');
  });

  it('stores empty objects', async () => {
    const info = await fx.store.putObject('bkt', 'empty', body(''), meta());
    expect(info).toMatchObject({ size: 0, etag: 'd41d8cd98f00b204e9800998ecf8427e' });
    expect((await readAll((await fx.store.getObject('bkt', 'empty')).stream)).length).toBe(0);
  });

  it.each(['with space', 'a+b', '100%25', 'ü/日本/😀.txt', 'dir/', 'a//b', '\uffff'])('stores key %j', async (key) => {
    await fx.store.putObject('bkt', key, body(key), meta());
    expect((await readAll((await fx.store.getObject('bkt', key)).stream)).toString()).toBe(key);
    expect((await fx.store.listObjects('bkt', { maxKeys: 10 })).objects.map((o) => o.key)).toEqual([key]);
  });

  it('rejects traversal-like and oversized keys before writing anything', async () => {
    for (const key of ['../x', 'a/../b', './a', '/abs', 'a\0b']) {
      await expectS3Error(fx.store.putObject('bkt', key, body('x'), meta()), 'InvalidObjectName');
    }
    await expectS3Error(fx.store.putObject('bkt', 'k'.repeat(1025), body('x'), meta()), 'KeyTooLongError');
    await expectS3Error(fx.store.putObject('nobucket', 'k', body('x'), meta()), 'NoSuchBucket');
    expect(await diskFiles(fx.dir)).toEqual({ objects: [], tmp: [] });
  });

  it('reads inclusive ranges, clamping the end to the object', async () => {
    await fx.store.putObject('bkt', 'r', body('0123456789'), meta());
    const read = async (start: number, end: number) => (await readAll((await fx.store.getObject('bkt', 'r', { start, end })).stream)).toString();
    expect(await read(0, 0)).toBe('0');
    expect(await read(2, 5)).toBe('2345');
    expect(await read(7, 100)).toBe('789');
    await expectS3Error(fx.store.getObject('bkt', 'r', { start: 10, end: 12 }), 'InvalidRange');
    await expectS3Error(fx.store.getObject('bkt', 'r', { start: 5, end: 4 }), 'InvalidRange');
  });

  it('reports missing keys', async () => {
    await expectS3Error(fx.store.headObject('bkt', 'nope'), 'NoSuchKey');
    await expectS3Error(fx.store.getObject('bkt', 'nope'), 'NoSuchKey');
    await expectS3Error(fx.store.localPath('bkt', 'nope'), 'NoSuchKey');
    await fx.store.deleteObject('bkt', 'nope'); // S3: deleting a missing key succeeds
  });

  it('keeps exactly one file per key across overwrites and deletes it with the object', async () => {
    await fx.store.putObject('bkt', 'k', body('one'), meta());
    const first = await fx.store.localPath('bkt', 'k');
    await fx.store.putObject('bkt', 'k', body('two'), meta());
    const second = await fx.store.localPath('bkt', 'k');
    expect(second).not.toBe(first);
    expect(await readFile(second!, 'utf8')).toBe('two');
    expect((await diskFiles(fx.dir)).objects).toHaveLength(1);
    await fx.store.deleteObject('bkt', 'k');
    expect(await diskFiles(fx.dir)).toEqual({ objects: [], tmp: [] });
    await expectS3Error(fx.store.headObject('bkt', 'k'), 'NoSuchKey');
  });

  it('lets an open reader finish the old bytes while the key is overwritten', async () => {
    await fx.store.putObject('bkt', 'k', body('old bytes'), meta());
    const reading = await fx.store.getObject('bkt', 'k');
    await fx.store.putObject('bkt', 'k', body('new bytes'), meta());
    expect((await readAll(reading.stream)).toString()).toBe('old bytes');
    expect((await readAll((await fx.store.getObject('bkt', 'k')).stream)).toString()).toBe('new bytes');
  });

  it('leaves the previous version and no temp file when the body errors midway', async () => {
    await fx.store.putObject('bkt', 'k', body('previous'), meta());
    await expect(fx.store.putObject('bkt', 'k', failingBody([Buffer.alloc(64 * 1024, 1)]), meta())).rejects.toThrow('client went away');
    expect((await readAll((await fx.store.getObject('bkt', 'k')).stream)).toString()).toBe('previous');
    const files = await diskFiles(fx.dir);
    expect(files.tmp).toEqual([]);
    expect(files.objects).toHaveLength(1);
  });

  it('leaves nothing behind when the body is destroyed without an error (disconnect)', async () => {
    let reads = 0;
    // The first pull (the store is consuming) delivers data, then the connection dies.
    const src = new Readable({
      read() {
        if (reads++ > 0) return;
        this.push(Buffer.alloc(1000, 2));
        setImmediate(() => this.destroy());
      },
    });
    await expect(fx.store.putObject('bkt', 'gone', src, meta())).rejects.toThrow();
    expect(reads).toBeGreaterThan(0);
    await expectS3Error(fx.store.headObject('bkt', 'gone'), 'NoSuchKey');
    expect(await diskFiles(fx.dir)).toEqual({ objects: [], tmp: [] });
  });

  it('hands size and MD5 to beforeCommit and stores the metadata it returns', async () => {
    const seen: unknown[] = [];
    const info = await fx.store.putObject('bkt', 'k', body('hello world'), meta({ contentType: 'text/plain', checksums: { SHA1: 'x' } }), {
      beforeCommit: (w) => {
        seen.push(w);
        return { checksums: { CRC32: 'DUoRhQ==' }, contentType: undefined };
      },
    });
    expect(seen).toEqual([{ size: 11, md5Hex: md5('hello world') }]);
    expect(info.checksums).toEqual({ SHA1: 'x', CRC32: 'DUoRhQ==' });
    expect(info.contentType).toBe('text/plain');
  });

  it('aborts the write when beforeCommit throws', async () => {
    await fx.store.putObject('bkt', 'k', body('kept'), meta());
    const bad = new Error('BadDigest');
    await expect(fx.store.putObject('bkt', 'k', body('rejected'), meta(), { beforeCommit: () => { throw bad; } })).rejects.toBe(bad);
    expect((await readAll((await fx.store.getObject('bkt', 'k')).stream)).toString()).toBe('kept');
    expect((await diskFiles(fx.dir)).tmp).toEqual([]);
    expect((await diskFiles(fx.dir)).objects).toHaveLength(1);
  });

  it('resolves concurrent writes to one key to exactly one intact version', async () => {
    const versions = Array.from({ length: 6 }, (_, i) => Buffer.alloc(256 * 1024, 65 + i));
    // Each body arrives in small chunks across event-loop turns, so the writes interleave.
    const slow = (buf: Buffer) => Readable.from((async function* () {
      for (let o = 0; o < buf.length; o += 16 * 1024) {
        await new Promise((r) => setImmediate(r));
        yield buf.subarray(o, o + 16 * 1024);
      }
    })());
    const infos = await Promise.all(versions.map((v) => fx.store.putObject('bkt', 'hot', slow(v), meta())));
    expect(new Set(infos.map((i) => i.etag)).size).toBe(versions.length);
    const final = await readAll((await fx.store.getObject('bkt', 'hot')).stream);
    expect(versions.some((v) => v.equals(final))).toBe(true);
    expect((await fx.store.headObject('bkt', 'hot')).etag).toBe(md5(final));
    expect(await diskFiles(fx.dir)).toMatchObject({ objects: [expect.any(String)], tmp: [] });
  });

  it('copies to another key with the caller\'s metadata, keeping source checksums unless replaced', async () => {
    await fx.store.createBucket('other');
    await fx.store.putObject('bkt', 'src', body('payload'), meta({ contentType: 'a/b', checksums: { CRC32: 'AAAAAA==' } }));
    const copy = await fx.store.copyObject({ bucket: 'bkt', key: 'src' }, { bucket: 'other', key: 'dst' }, meta({ contentType: 'c/d', userMeta: { m: '1' } }));
    expect(copy).toMatchObject({ bucket: 'other', key: 'dst', size: 7, etag: md5('payload'), contentType: 'c/d', userMeta: { m: '1' }, checksums: { CRC32: 'AAAAAA==' } });
    expect((await readAll((await fx.store.getObject('other', 'dst')).stream)).toString()).toBe('payload');
    const replaced = await fx.store.copyObject({ bucket: 'bkt', key: 'src' }, { bucket: 'bkt', key: 'src' }, meta({ checksums: { SHA256: 'y' } }));
    expect(replaced.checksums).toEqual({ SHA256: 'y' });
    expect(replaced.contentType).toBeUndefined();
    expect((await readAll((await fx.store.getObject('bkt', 'src')).stream)).toString()).toBe('payload');
    expect((await diskFiles(fx.dir)).objects).toHaveLength(2);
    await expectS3Error(fx.store.copyObject({ bucket: 'bkt', key: 'missing' }, { bucket: 'bkt', key: 'x' }, meta()), 'NoSuchKey');
    await expectS3Error(fx.store.copyObject({ bucket: 'bkt', key: 'src' }, { bucket: 'nobucket', key: 'x' }, meta()), 'NoSuchBucket');
  });

  it('gives a local path inside the data directory holding the current bytes', async () => {
    await fx.store.putObject('bkt', 'a/b.parquet', body('PAR1'), meta());
    const p = (await fx.store.localPath('bkt', 'a/b.parquet'))!;
    expect(path.relative(fx.dir, p).startsWith('objects' + path.sep)).toBe(true);
    expect(await readFile(p, 'utf8')).toBe('PAR1');
  });

  it('reports whether the data directory is writable', async () => {
    expect(await fx.store.isWritable()).toBe(true);
    await rm(path.join(fx.dir, 'tmp'), { recursive: true });
    await writeFile(path.join(fx.dir, 'tmp'), 'not a directory');
    expect(await fx.store.isWritable()).toBe(false);
  });

  it('keeps everything across close and reopen', async () => {
    await fx.store.putObject('bkt', 'persist', body('still here'), meta({ userMeta: { a: 'b' } }));
    await fx.store.close();
    const { openLocalStore } = await import('../src/store/local-store.js');
    fx.store = await openLocalStore(fx.dir);
    expect((await fx.store.listBuckets()).map((b) => b.name)).toEqual(['bkt']);
    expect((await fx.store.headObject('bkt', 'persist')).userMeta).toEqual({ a: 'b' });
    expect((await readAll((await fx.store.getObject('bkt', 'persist')).stream)).toString()).toBe('still here');
  });
});
