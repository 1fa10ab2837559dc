import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobFiles } from '../src/store/blobs.js';
import { IndexDb } from '../src/store/index-db.js';
import { objectKey, partKey } from '../src/store/keys.js';
import { openLocalStore } from '../src/store/local-store.js';
import { body, diskFiles, expectS3Error, meta, readAll, tempStore, type StoreFixture } from './helpers/store.js';

let fx: StoreFixture;
beforeEach(async () => {
  fx = await tempStore();
  await fx.store.createBucket('bkt');
});
afterEach(() => fx.dispose());

/** A blob file as a crash would leave it: complete on disk and named in the journal. */
async function journaledFile(db: IndexDb, blobs: BlobFiles, owner: Parameters<IndexDb['owns']>[0]): Promise<string> {
  const id = randomUUID();
  await mkdir(path.dirname(blobs.pathOf(id)), { recursive: true });
  await writeFile(blobs.pathOf(id), 'orphan bytes');
  await db.commit(() => db.pending.putSync(id, owner));
  return id;
}

/** A body that hands over one chunk, then waits for `release` before the rest. */
function gatedBody(release: Promise<void>): { stream: Readable; started: Promise<void> } {
  let started!: () => void;
  const startedP = new Promise<void>((r) => { started = r; });
  const stream = Readable.from((async function* () {
    yield Buffer.from('first half ');
    started();
    await release;
    yield Buffer.from('second half');
  })());
  return { stream, started: startedP };
}

describe('start-up recovery', () => {
  it('removes temp files and journaled files no index entry points to, keeping the live ones', async () => {
    await fx.store.putObject('bkt', 'k', body('v1'), meta());
    const live = path.basename((await fx.store.localPath('bkt', 'k'))!);
    await fx.store.close();

    // The states a crash can leave, between the publish steps.
    const db = IndexDb.open(path.join(fx.dir, 'index'));
    const blobs = new BlobFiles(fx.dir);
    const k = objectKey('bkt', 'k');
    const renamedNotSwitched = await journaledFile(db, blobs, { table: 'objects', key: k });
    const deletedNotUnlinked = await journaledFile(db, blobs, { table: 'objects', key: objectKey('bkt', 'deleted') });
    const abortedPart = await journaledFile(db, blobs, { table: 'parts', key: partKey('0'.repeat(34), 1) });
    await db.commit(() => db.pending.putSync(live, { table: 'objects', key: k })); // switched, not yet settled
    await db.close();
    await writeFile(path.join(fx.dir, 'tmp', 'half-written'), 'partial');
    await mkdir(path.join(fx.dir, 'tmp', 'some-dir'));
    const before = (await diskFiles(fx.dir)).objects.map((f) => path.basename(f)).sort();
    expect(before).toEqual([live, renamedNotSwitched, deletedNotUnlinked, abortedPart].sort());

    fx.store = await openLocalStore(fx.dir);
    expect((await diskFiles(fx.dir)).tmp).toEqual([]);
    expect((await diskFiles(fx.dir)).objects.map((f) => path.basename(f))).toEqual([live]);
    expect((await readAll((await fx.store.getObject('bkt', 'k')).stream)).toString()).toBe('v1');
    await fx.store.close();

    const after = IndexDb.open(path.join(fx.dir, 'index'));
    expect([...after.pending.getKeys()]).toEqual([]);
    await after.close();
  });

  it('keeps the journal empty after normal operation', async () => {
    await fx.store.putObject('bkt', 'a', body('1'), meta());
    await fx.store.putObject('bkt', 'a', body('2'), meta());
    await fx.store.copyObject({ bucket: 'bkt', key: 'a' }, { bucket: 'bkt', key: 'b' }, meta());
    await fx.store.deleteObject('bkt', 'b');
    const up = await fx.store.createMultipartUpload('bkt', 'm', meta());
    await fx.store.uploadPart('bkt', 'm', up.uploadId, 1, body('p'));
    await fx.store.uploadPart('bkt', 'm', up.uploadId, 1, body('q'));
    await fx.store.close();
    const db = IndexDb.open(path.join(fx.dir, 'index'));
    expect([...db.pending.getKeys()]).toEqual([]);
    await db.close();
  });
});

describe('writes racing removals', () => {
  it('drops a PUT whose bucket was deleted while the body streamed', async () => {
    await fx.store.createBucket('short-lived');
    let release!: () => void;
    const gate = gatedBody(new Promise((r) => { release = r; }));
    const writing = fx.store.putObject('short-lived', 'k', gate.stream, meta());
    await gate.started;
    await fx.store.deleteBucket('short-lived');
    release();
    await expectS3Error(writing, 'NoSuchBucket');
    expect(await diskFiles(fx.dir)).toEqual({ objects: [], tmp: [] });
  });

  it('drops a part whose upload was aborted while it streamed', async () => {
    const up = await fx.store.createMultipartUpload('bkt', 'm', meta());
    let release!: () => void;
    const gate = gatedBody(new Promise((r) => { release = r; }));
    const writing = fx.store.uploadPart('bkt', 'm', up.uploadId, 1, gate.stream);
    await gate.started;
    await fx.store.abortMultipartUpload('bkt', 'm', up.uploadId);
    release();
    await expectS3Error(writing, 'NoSuchUpload');
    expect(await diskFiles(fx.dir)).toEqual({ objects: [], tmp: [] });
  });
});
