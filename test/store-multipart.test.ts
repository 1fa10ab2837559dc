import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checksumOf, compositeChecksum, fullObjectChecksum } from '../src/auth/checksums.js';
import type { ChecksumAlgorithm } from '../src/store/store.js';
import { body, diskFiles, expectS3Error, md5, meta, readAll, tempStore, type StoreFixture } from './helpers/store.js';

const MIN = 1024; // minPartSize for these tests, so parts stay small
let fx: StoreFixture;
beforeEach(async () => {
  fx = await tempStore({ minPartSize: MIN });
  await fx.store.createBucket('bkt');
});
afterEach(() => fx.dispose());

const partA = Buffer.alloc(MIN, 'a');
const partB = Buffer.alloc(MIN + 10, 'b');
const partC = Buffer.from('tail');

/** Uploads a part the way the HTTP layer does: the checksum arrives through beforeCommit. */
function upload(uploadId: string, n: number, data: Buffer, alg?: ChecksumAlgorithm, key = 'big') {
  return fx.store.uploadPart('bkt', key, uploadId, n, body(data), {
    beforeCommit: () => (alg ? { checksums: { [alg]: checksumOf(alg, data) } } : undefined),
  });
}

describe('multipart uploads', () => {
  it('assembles listed parts into one object with the multipart ETag and composite checksum', async () => {
    const up = await fx.store.createMultipartUpload('bkt', 'big', meta({ contentType: 'text/csv', userMeta: { a: '1' } }), 'SHA256');
    expect(up.uploadId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(await fx.store.getMultipartUpload('bkt', 'big', up.uploadId)).toEqual(up);
    // Out of order, and part 2 uploaded twice: the second upload replaces the first.
    await upload(up.uploadId, 3, partC, 'SHA256');
    await upload(up.uploadId, 2, Buffer.alloc(MIN, 'x'), 'SHA256');
    const p2 = await upload(up.uploadId, 2, partB, 'SHA256');
    const p1 = await upload(up.uploadId, 1, partA, 'SHA256');
    expect(p1).toMatchObject({ partNumber: 1, etag: md5(partA), size: MIN, checksums: { SHA256: checksumOf('SHA256', partA) } });
    expect((await diskFiles(fx.dir)).objects).toHaveLength(3);

    const info = await fx.store.completeMultipartUpload('bkt', 'big', up.uploadId, [
      { partNumber: 1, etag: `"${p1.etag}"` }, { partNumber: 2, etag: p2.etag.toUpperCase() }, { partNumber: 3, etag: md5(partC) },
    ]);
    const whole = Buffer.concat([partA, partB, partC]);
    const etagOfEtags = createHash('md5').update(Buffer.from(md5(partA) + md5(partB) + md5(partC), 'hex')).digest('hex');
    const sums = [partA, partB, partC].map((p) => createHash('sha256').update(p).digest());
    expect(info).toMatchObject({
      bucket: 'bkt', key: 'big', size: whole.length, etag: `${etagOfEtags}-3`, parts: 3, contentType: 'text/csv', userMeta: { a: '1' },
      checksums: { SHA256: `${createHash('sha256').update(Buffer.concat(sums)).digest('base64')}-3` },
    });
    expect(await fx.store.headObject('bkt', 'big')).toEqual(info);
    expect((await readAll((await fx.store.getObject('bkt', 'big')).stream)).equals(whole)).toBe(true);
    // The upload and its part files are gone; only the object's file remains.
    await expectS3Error(fx.store.getMultipartUpload('bkt', 'big', up.uploadId), 'NoSuchUpload');
    expect(await diskFiles(fx.dir)).toMatchObject({ objects: [expect.any(String)], tmp: [] });
  });

  it('derives CRC32 as COMPOSITE and CRC64NVME as FULL_OBJECT, and none when a part lacks the checksum', async () => {
    const parts = [partA, partC];
    for (const alg of ['CRC32', 'CRC64NVME'] as const) {
      const up = await fx.store.createMultipartUpload('bkt', alg, meta(), alg);
      const done = await Promise.all(parts.map((p, i) => upload(up.uploadId, i + 1, p, alg, alg)));
      const info = await fx.store.completeMultipartUpload('bkt', alg, up.uploadId, done.map((p) => ({ partNumber: p.partNumber, etag: p.etag })));
      const expected = alg === 'CRC32'
        ? compositeChecksum(alg, parts.map((p) => checksumOf(alg, p)))
        : fullObjectChecksum(alg, parts.map((p) => ({ checksum: checksumOf(alg, p), size: p.length })));
      expect(info.checksums).toEqual({ [alg]: expected });
    }
    expect((await fx.store.headObject('bkt', 'CRC64NVME')).checksums!.CRC64NVME).toBe(checksumOf('CRC64NVME', Buffer.concat(parts)));
    const up = await fx.store.createMultipartUpload('bkt', 'mixed', meta(), 'CRC32');
    const a = await upload(up.uploadId, 1, partA, 'CRC32', 'mixed');
    const c = await upload(up.uploadId, 2, partC, undefined, 'mixed');
    const info = await fx.store.completeMultipartUpload('bkt', 'mixed', up.uploadId, [a, c]);
    expect(info.checksums).toBeUndefined();
  });

  it('completes with a subset of parts and discards the rest, replacing an existing object', async () => {
    await fx.store.putObject('bkt', 'big', body('old'), meta());
    const up = await fx.store.createMultipartUpload('bkt', 'big', meta());
    const p1 = await upload(up.uploadId, 1, partA);
    await upload(up.uploadId, 2, partB);
    const p3 = await upload(up.uploadId, 3, partC);
    const info = await fx.store.completeMultipartUpload('bkt', 'big', up.uploadId, [p1, p3]);
    expect(info).toMatchObject({ size: partA.length + partC.length, parts: 2 });
    expect(info.checksums).toBeUndefined();
    expect((await diskFiles(fx.dir)).objects).toHaveLength(1);
  });

  it('validates the part list', async () => {
    const up = await fx.store.createMultipartUpload('bkt', 'big', meta());
    const id = up.uploadId;
    const p1 = await upload(id, 1, partA);
    const p2 = await upload(id, 2, partC); // below the minimum: fine only as the last part
    const p3 = await upload(id, 3, partB);
    const complete = (parts: { partNumber: number; etag: string }[]) => fx.store.completeMultipartUpload('bkt', 'big', id, parts);
    await expectS3Error(complete([]), 'MalformedXML');
    await expectS3Error(complete([p2, p1]), 'InvalidPartOrder');
    await expectS3Error(complete([p1, p1]), 'InvalidPartOrder');
    await expectS3Error(complete([p1, { partNumber: 4, etag: p1.etag }]), 'InvalidPart');
    await expectS3Error(complete([{ partNumber: 1, etag: md5('other') }]), 'InvalidPart');
    const small = await expectS3Error(complete([p1, p2, p3]), 'EntityTooSmall');
    expect(small.details).toMatchObject({ PartNumber: '2', MinSizeAllowed: String(MIN) });
    // None of the failures consumed the upload.
    expect((await fx.store.listParts('bkt', 'big', id, { maxParts: 10 })).parts).toHaveLength(3);
    expect((await complete([p1, p2])).size).toBe(partA.length + partC.length);
  });

  it('enforces the 5 MiB minimum by default', async () => {
    await fx.store.close();
    const { openLocalStore } = await import('../src/store/local-store.js');
    fx.store = await openLocalStore(fx.dir);
    const up = await fx.store.createMultipartUpload('bkt', 'big', meta());
    const almost = Buffer.alloc(5 * 1024 * 1024 - 1);
    const p1 = await fx.store.uploadPart('bkt', 'big', up.uploadId, 1, body(almost));
    const p2 = await fx.store.uploadPart('bkt', 'big', up.uploadId, 2, body('x'));
    await expectS3Error(fx.store.completeMultipartUpload('bkt', 'big', up.uploadId, [p1, p2]), 'EntityTooSmall');
  });

  it('rejects part numbers outside 1..10000', async () => {
    const up = await fx.store.createMultipartUpload('bkt', 'big', meta());
    for (const n of [0, 10001, 1.5, -1]) await expectS3Error(upload(up.uploadId, n, partC), 'InvalidArgument');
    await upload(up.uploadId, 10000, partC);
  });

  it('reports unknown, malformed and foreign upload ids as NoSuchUpload', async () => {
    const up = await fx.store.createMultipartUpload('bkt', 'big', meta());
    for (const [key, id] of [['big', '0'.repeat(12) + 'A'.repeat(22)], ['big', 'not-an-id'], ['other-key', up.uploadId]]) {
      await expectS3Error(fx.store.getMultipartUpload('bkt', key!, id!), 'NoSuchUpload');
      await expectS3Error(fx.store.uploadPart('bkt', key!, id!, 1, body('x')), 'NoSuchUpload');
      await expectS3Error(fx.store.listParts('bkt', key!, id!, { maxParts: 1 }), 'NoSuchUpload');
      await expectS3Error(fx.store.completeMultipartUpload('bkt', key!, id!, [{ partNumber: 1, etag: 'x' }]), 'NoSuchUpload');
      await expectS3Error(fx.store.abortMultipartUpload('bkt', key!, id!), 'NoSuchUpload');
    }
    await expectS3Error(fx.store.createMultipartUpload('missing', 'k', meta()), 'NoSuchBucket');
    await expectS3Error(fx.store.createMultipartUpload('bkt', '../k', meta()), 'InvalidObjectName');
  });

  it('aborts: parts and their files go, and later parts are refused', async () => {
    const up = await fx.store.createMultipartUpload('bkt', 'big', meta());
    await upload(up.uploadId, 1, partA);
    await upload(up.uploadId, 2, partB);
    await fx.store.abortMultipartUpload('bkt', 'big', up.uploadId);
    expect(await diskFiles(fx.dir)).toEqual({ objects: [], tmp: [] });
    await expectS3Error(fx.store.abortMultipartUpload('bkt', 'big', up.uploadId), 'NoSuchUpload');
    await expectS3Error(upload(up.uploadId, 3, partC), 'NoSuchUpload');
    expect((await diskFiles(fx.dir)).tmp).toEqual([]);
  });

  it('paginates parts by part number', async () => {
    const up = await fx.store.createMultipartUpload('bkt', 'big', meta());
    for (const n of [1, 2, 3, 10, 300]) await upload(up.uploadId, n, partC);
    const first = await fx.store.listParts('bkt', 'big', up.uploadId, { maxParts: 2 });
    expect(first).toMatchObject({ isTruncated: true, nextPartNumberMarker: 2 });
    expect(first.parts.map((p) => p.partNumber)).toEqual([1, 2]);
    const rest = await fx.store.listParts('bkt', 'big', up.uploadId, { partNumberMarker: 2, maxParts: 10 });
    expect(rest.parts.map((p) => p.partNumber)).toEqual([3, 10, 300]);
    expect(rest).toMatchObject({ isTruncated: false });
    expect(rest.parts[0]).toMatchObject({ etag: md5(partC), size: partC.length });
    expect((await fx.store.listParts('bkt', 'big', up.uploadId, { partNumberMarker: 300, maxParts: 10 })).parts).toEqual([]);
  });

  it('lists uploads by key then initiation, with prefix, delimiter and markers', async () => {
    const ids: Record<string, string[]> = {};
    for (const key of ['b/2', 'a', 'b/1', 'a', 'c', 'b/1']) {
      (ids[key] ??= []).push((await fx.store.createMultipartUpload('bkt', key, meta())).uploadId);
    }
    const all = await fx.store.listMultipartUploads('bkt', { maxUploads: 100 });
    expect(all.uploads.map((u) => [u.key, u.uploadId])).toEqual([
      ['a', ids.a![0]], ['a', ids.a![1]], ['b/1', ids['b/1']![0]], ['b/1', ids['b/1']![1]], ['b/2', ids['b/2']![0]], ['c', ids.c![0]],
    ]);
    expect(all.isTruncated).toBe(false);

    const page1 = await fx.store.listMultipartUploads('bkt', { maxUploads: 3 });
    expect(page1).toMatchObject({ isTruncated: true, nextKeyMarker: 'b/1', nextUploadIdMarker: ids['b/1']![0] });
    const page2 = await fx.store.listMultipartUploads('bkt', { maxUploads: 3, keyMarker: page1.nextKeyMarker, uploadIdMarker: page1.nextUploadIdMarker });
    expect(page2.uploads.map((u) => u.uploadId)).toEqual([ids['b/1']![1], ids['b/2']![0], ids.c![0]]);
    // A key marker alone skips every upload of that key.
    const afterA = await fx.store.listMultipartUploads('bkt', { maxUploads: 10, keyMarker: 'a' });
    expect(afterA.uploads[0]!.key).toBe('b/1');

    const rolled = await fx.store.listMultipartUploads('bkt', { maxUploads: 10, delimiter: '/' });
    expect(rolled.commonPrefixes).toEqual(['b/']);
    expect(rolled.uploads.map((u) => u.key)).toEqual(['a', 'a', 'c']);
    const underB = await fx.store.listMultipartUploads('bkt', { maxUploads: 10, prefix: 'b/' });
    expect(underB.uploads.map((u) => u.key)).toEqual(['b/1', 'b/1', 'b/2']);
    const prefixPage = await fx.store.listMultipartUploads('bkt', { maxUploads: 3, delimiter: '/' });
    expect(prefixPage).toMatchObject({ isTruncated: true, nextKeyMarker: 'b/', commonPrefixes: ['b/'] });
    expect(prefixPage.nextUploadIdMarker).toBeUndefined();
    const afterPrefix = await fx.store.listMultipartUploads('bkt', { maxUploads: 2, delimiter: '/', keyMarker: 'b/' });
    expect(afterPrefix.uploads.map((u) => u.key)).toEqual(['c']);
  });
});
