import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IndexDb } from '../src/store/index-db.js';
import { objectKey } from '../src/store/keys.js';
import { rollupPage, type OrderedTable } from '../src/store/listing.js';
import type { ListOptions, ListPage } from '../src/store/store.js';
import { body, expectS3Error, meta, tempStore, type StoreFixture } from './helpers/store.js';

// ~3000 keys: nested directories, top-level files, and non-ASCII names whose UTF-8 order differs from
// JavaScript's UTF-16 order ('\uffff' sorts before '\u{10000}' in UTF-8, after it in UTF-16).
const special = ['é.txt', '日本/データ.csv', '\uffff', '\u{10000}', 'Zed', 'a b', 'a+b', '~tilde', 'dir1', 'dir1/', 'dir1//double'];
const keys = [
  ...Array.from({ length: 2980 }, (_, i) => `dir${i % 10}/sub${i % 7}/file${String(i).padStart(4, '0')}.csv`),
  ...Array.from({ length: 10 }, (_, i) => `top${i}.json`),
  ...special,
];
const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const sorted = [...keys].sort(utf8Order);

let fx: StoreFixture;
beforeAll(async () => {
  fx = await tempStore();
  await fx.store.createBucket('bkt');
  await fx.store.createBucket('bkt2'); // a neighbour bucket whose keys must never leak into bkt
  await fx.store.putObject('bkt2', 'dir1/leak', body('x'), meta());
  // Bounded concurrency: the writes batch their index commits without flooding two cores.
  const queue = [...keys];
  await Promise.all(Array.from({ length: 16 }, async () => {
    for (let k = queue.pop(); k !== undefined; k = queue.pop()) await fx.store.putObject('bkt', k, body(k), meta());
  }));
});
afterAll(() => fx.dispose());

/** Follows `nextAfter` until the listing ends, checking that every page but the last is full. */
async function listAll(opts: Omit<ListOptions, 'after'>): Promise<{ keys: string[]; prefixes: string[]; pages: number }> {
  const out = { keys: [] as string[], prefixes: [] as string[], pages: 0 };
  let after: string | undefined;
  for (;;) {
    const page: ListPage = await fx.store.listObjects('bkt', { ...opts, after });
    out.pages++;
    out.keys.push(...page.objects.map((o) => o.key));
    out.prefixes.push(...page.commonPrefixes);
    if (!page.isTruncated) return out;
    expect(page.objects.length + page.commonPrefixes.length).toBe(opts.maxKeys);
    after = page.nextAfter;
  }
}

describe('listObjects', () => {
  it('pages through every key in UTF-8 byte order', async () => {
    const all = await listAll({ maxKeys: 1000 });
    expect(all.keys).toEqual(sorted);
    expect(all.pages).toBe(Math.ceil(keys.length / 1000));
    expect(sorted.indexOf('\uffff')).toBeLessThan(sorted.indexOf('\u{10000}'));
    const odd = await listAll({ maxKeys: 337 });
    expect(odd.keys).toEqual(sorted);
  });

  it('returns object info with each key', async () => {
    const page = await fx.store.listObjects('bkt', { prefix: 'top3', maxKeys: 10 });
    expect(page.objects).toEqual([expect.objectContaining({ bucket: 'bkt', key: 'top3.json', size: 9 })]);
    expect(page).toMatchObject({ isTruncated: false, commonPrefixes: [] });
  });

  it('rolls keys up into common prefixes with a delimiter', async () => {
    const page = await fx.store.listObjects('bkt', { delimiter: '/', maxKeys: 1000 });
    expect(page.commonPrefixes).toEqual(['dir0/', 'dir1/', 'dir2/', 'dir3/', 'dir4/', 'dir5/', 'dir6/', 'dir7/', 'dir8/', 'dir9/', '日本/']);
    expect(page.objects.map((o) => o.key)).toEqual(
      ['Zed', 'a b', 'a+b', 'dir1', 'top0.json', 'top1.json', 'top2.json', 'top3.json', 'top4.json', 'top5.json', 'top6.json', 'top7.json', 'top8.json', 'top9.json', '~tilde', 'é.txt', '\uffff', '\u{10000}'],
    );
    expect(page.isTruncated).toBe(false);
  });

  it('counts keys and prefixes together against maxKeys and resumes after a prefix', async () => {
    const whole = await fx.store.listObjects('bkt', { delimiter: '/', maxKeys: 1000 });
    const paged = await listAll({ delimiter: '/', maxKeys: 4 });
    expect(paged.prefixes).toEqual(whole.commonPrefixes);
    expect(paged.keys).toEqual(whole.objects.map((o) => o.key));
    expect(paged.pages).toBe(Math.ceil((whole.commonPrefixes.length + whole.objects.length) / 4));
    const first = await fx.store.listObjects('bkt', { delimiter: '/', maxKeys: 5 });
    expect(first.objects.map((o) => o.key)).toEqual(['Zed', 'a b', 'a+b', 'dir1']);
    expect(first).toMatchObject({ commonPrefixes: ['dir0/'], isTruncated: true, nextAfter: 'dir1' });
    const second = await fx.store.listObjects('bkt', { delimiter: '/', maxKeys: 1, after: first.nextAfter });
    expect(second).toMatchObject({ objects: [], commonPrefixes: ['dir1/'], isTruncated: true, nextAfter: 'dir1/' });
  });

  it('combines prefix and delimiter', async () => {
    const page = await fx.store.listObjects('bkt', { prefix: 'dir3/', delimiter: '/', maxKeys: 100 });
    expect(page.commonPrefixes).toEqual(['dir3/sub0/', 'dir3/sub1/', 'dir3/sub2/', 'dir3/sub3/', 'dir3/sub4/', 'dir3/sub5/', 'dir3/sub6/']);
    expect(page.objects).toEqual([]);
    const dir1 = await fx.store.listObjects('bkt', { prefix: 'dir1/', delimiter: '/', maxKeys: 100 });
    expect(dir1.objects.map((o) => o.key)).toEqual(['dir1/']);
    expect(dir1.commonPrefixes).toContain('dir1//');
    const leaf = await listAll({ prefix: 'dir3/sub4/', delimiter: '/', maxKeys: 10 });
    expect(leaf.keys).toEqual(sorted.filter((k) => k.startsWith('dir3/sub4/')));
    expect(leaf.prefixes).toEqual([]);
  });

  it('lists by prefix alone, never straying into the neighbour bucket', async () => {
    const all = await listAll({ prefix: 'dir1', maxKeys: 500 });
    expect(all.keys).toEqual(sorted.filter((k) => k.startsWith('dir1')));
    expect(all.keys).not.toContain('dir1/leak');
    expect((await fx.store.listObjects('bkt', { prefix: 'nothing-here', maxKeys: 5 })).objects).toEqual([]);
    expect((await fx.store.listObjects('bkt', { prefix: 'd'.repeat(3000), delimiter: '/', maxKeys: 5 })).objects).toEqual([]);
  });

  it('starts strictly after `after`, skipping a common prefix that `after` falls in', async () => {
    const page = await fx.store.listObjects('bkt', { after: 'top8.json', maxKeys: 3 });
    expect(page.objects.map((o) => o.key)).toEqual(['top9.json', '~tilde', 'é.txt']);
    const skip = await fx.store.listObjects('bkt', { delimiter: '/', after: 'dir3/sub1/file0001.csv', maxKeys: 1 });
    expect(skip.commonPrefixes).toEqual(['dir4/']);
    const atPrefix = await fx.store.listObjects('bkt', { delimiter: '/', after: 'dir9/', maxKeys: 1 });
    expect(atPrefix.objects.map((o) => o.key)).toEqual(['top0.json']);
    const afterLast = await fx.store.listObjects('bkt', { after: '\u{10ffff}', maxKeys: 10 });
    expect(afterLast).toMatchObject({ objects: [], commonPrefixes: [], isTruncated: false });
    const long = 'a'.repeat(3000); // longer than any key can be
    const huge = await fx.store.listObjects('bkt', { after: long, maxKeys: 1 });
    expect(huge.objects.map((o) => o.key)).toEqual([sorted.find((k) => utf8Order(k, long) > 0)]);
  });

  it('returns an empty page for maxKeys 0, truncated only when keys match', async () => {
    expect(await fx.store.listObjects('bkt', { maxKeys: 0 })).toMatchObject({ objects: [], commonPrefixes: [], isTruncated: true });
    expect(await fx.store.listObjects('bkt', { prefix: 'zzz', maxKeys: 0 })).toMatchObject({ objects: [], isTruncated: false });
  });

  it('fails for a missing bucket', async () => {
    await expectS3Error(fx.store.listObjects('missing', { maxKeys: 1 }), 'NoSuchBucket');
  });
});

describe('listing cost', () => {
  it('reads one index entry per common prefix, not every key under it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'selectd-index-'));
    const db = IndexDb.open(dir);
    try {
      // 20 prefixes x 500 keys, written straight into the index (no files needed to list).
      await db.commit(() => {
        for (let p = 0; p < 20; p++) {
          for (let i = 0; i < 500; i++) db.objects.putSync(objectKey('bkt', `p${p}/k${i}`), { file: 'f', size: 0, etag: '', lastModified: 0, meta: { userMeta: {} } });
        }
        db.objects.putSync(objectKey('bkt', 'zz-top'), { file: 'f', size: 0, etag: '', lastModified: 0, meta: { userMeta: {} } });
      });
      let read = 0;
      const counting: OrderedTable<unknown> = {
        *getRange(range) {
          for (const row of db.objects.getRange(range)) {
            read++;
            yield row;
          }
        },
      };
      const page = rollupPage(counting, 'bkt', { prefix: '', delimiter: '/', start: objectKey('bkt', ''), max: 1000 });
      expect(page.prefixes).toHaveLength(20);
      expect(page.entries.map((e) => e.name)).toEqual(['zz-top']);
      expect(read).toBe(21);
      read = 0;
      const paged = rollupPage(counting, 'bkt', { prefix: '', delimiter: '/', start: objectKey('bkt', ''), max: 5 });
      expect(paged).toMatchObject({ truncated: true, prefixes: ['p0/', 'p1/', 'p10/', 'p11/', 'p12/'] });
      expect(read).toBe(6); // five prefixes and the look-ahead that proves truncation
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
