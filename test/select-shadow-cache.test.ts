// The columnar cache's bookkeeping in-process, with builders that write plain files: LRU within the cap,
// pinned files outliving eviction, shared builds, stale builds discarded, dependency invalidation, the
// background queue, and the store decorator that reports writes and deletes.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ShadowCache, type ShadowBuilder } from '../src/select/shadow-cache.js';
import { observeStore } from '../src/store/observed-store.js';
import type { Store } from '../src/store/store.js';

let dir: string;
beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'selectd-shadow-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

const ref = (key: string, etag = 'e1') => ({ bucket: 'b', key, etag });

/** A builder writing `bytes` bytes, counting its calls; `deps` are reported as read. */
function builder(bytes: number, calls = { n: 0 }, deps: string[] = []): ShadowBuilder<{ bytes: number }> {
  return async (tmp) => {
    calls.n++;
    writeFileSync(tmp, Buffer.alloc(bytes));
    return { meta: { bytes }, deps: deps.map((key) => ({ bucket: 'b', key })) };
  };
}

async function open(maxBytes: number): Promise<ShadowCache> {
  return ShadowCache.open({ dir: path.join(dir, 'shadow'), maxBytes });
}

const files = () => readdirSync(path.join(dir, 'shadow'));

describe('ShadowCache', () => {
  it('empties its directory when it opens', async () => {
    const cache = await open(1000);
    writeFileSync(path.join(dir, 'shadow', 'left-over.parquet'), 'x');
    await open(1000);
    expect(files()).toEqual([]);
    await cache.close();
  });

  it('keeps the most recently used shadows within the cap and deletes the others', async () => {
    const cache = await open(250);
    for (const k of ['a', 'b']) await (await cache.getOrBuild(ref(k), 'v', 0, builder(100))).release();
    await (cache.lookup(ref('a'), 'v'))!.release(); // a is now the most recent
    await (await cache.getOrBuild(ref('c'), 'v', 0, builder(100))).release();
    expect(cache.lookup(ref('b'), 'v')).toBeUndefined();
    expect(cache.lookup(ref('a'), 'v')).toBeDefined();
    expect(cache.bytes).toBe(200);
    await cache.idle();
    expect(files()).toHaveLength(2);
  });

  it('keeps a pinned file until its last user releases it, and never keeps one larger than the cap', async () => {
    const cache = await open(150);
    const held = await cache.getOrBuild(ref('a'), 'v', 0, builder(100));
    await (await cache.getOrBuild(ref('b'), 'v', 0, builder(100))).release();
    expect(cache.lookup(ref('a'), 'v')).toBeUndefined();
    expect(existsSync(held.path)).toBe(true);
    await held.release();
    expect(existsSync(held.path)).toBe(false);

    const big = await cache.getOrBuild(ref('big'), 'v', 0, builder(500));
    expect(existsSync(big.path)).toBe(true);
    expect(cache.lookup(ref('big'), 'v')).toBeUndefined();
    await big.release();
    expect(existsSync(big.path)).toBe(false);
  });

  it('shares one build between concurrent callers and keys shadows by ETag and variant', async () => {
    const cache = await open(1000);
    const calls = { n: 0 };
    const leases = await Promise.all([1, 2, 3].map(() => cache.getOrBuild(ref('a'), 'v', 0, builder(10, calls))));
    expect(calls.n).toBe(1);
    expect(new Set(leases.map((l) => l.path)).size).toBe(1);
    for (const l of leases) await l.release();
    await (await cache.getOrBuild(ref('a', 'e2'), 'v', 0, builder(10, calls))).release();
    await (await cache.getOrBuild(ref('a'), 'other', 0, builder(10, calls))).release();
    expect(calls.n).toBe(3);
  });

  it('drops shadows of an object or a dependency that changed, and discards builds that started before', async () => {
    const cache = await open(1000);
    await (await cache.getOrBuild(ref('data'), 'v', 0, builder(10, undefined, ['schema.proto']))).release();
    cache.invalidate('b', 'schema.proto');
    expect(cache.lookup(ref('data'), 'v')).toBeUndefined();

    const stamp = cache.stamp();
    let finish!: () => void;
    const gate = new Promise<void>((r) => { finish = r; });
    const slow: ShadowBuilder<{ bytes: number }> = async (tmp) => {
      await gate;
      writeFileSync(tmp, 'x');
      return { meta: { bytes: 1 } };
    };
    const pending = cache.getOrBuild(ref('data'), 'v', stamp, slow);
    cache.invalidate('b', 'data');
    finish();
    const lease = await pending;
    expect(existsSync(lease.path)).toBe(true); // this query still reads what it built
    expect(cache.lookup(ref('data'), 'v')).toBeUndefined();
    await lease.release();
    expect(files()).toEqual([]);
  });

  it('treats builds older than forgotten invalidation records as stale', async () => {
    const cache = await ShadowCache.open({ dir: path.join(dir, 'shadow'), maxBytes: 1000, maxInvalidations: 2 });
    const stamp = cache.stamp();
    for (const k of ['x', 'y', 'z']) cache.invalidate('b', k);
    await (await cache.getOrBuild(ref('x'), 'v', stamp, builder(10))).release();
    expect(cache.lookup(ref('x'), 'v')).toBeUndefined();
    await (await cache.getOrBuild(ref('x'), 'v', cache.stamp(), builder(10))).release();
    expect(cache.lookup(ref('x'), 'v')).toBeDefined();
  });

  it('runs background builds one at a time, skips duplicates, and survives failures', async () => {
    const cache = await open(1000);
    let running = 0;
    let most = 0;
    const calls = { n: 0 };
    const tracked: ShadowBuilder<{ bytes: number }> = async (tmp, signal) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setImmediate(r));
      running--;
      return builder(10, calls)(tmp, signal);
    };
    cache.schedule(ref('fails'), 'v', 0, async () => { throw new Error('broken object'); });
    for (const k of ['a', 'b', 'a']) cache.schedule(ref(k), 'v', 0, tracked);
    await cache.idle();
    expect([calls.n, most]).toEqual([2, 1]);
    expect(cache.lookup(ref('a'), 'v')).toBeDefined();
    expect(cache.lookup(ref('fails'), 'v')).toBeUndefined();
    // Neither a broken object nor one whose shadow exceeds the cap is tried again in the background.
    const retries = { n: 0 };
    cache.schedule(ref('huge'), 'v', 0, builder(5000, retries));
    await cache.idle();
    cache.schedule(ref('fails'), 'v', 0, builder(10, retries));
    cache.schedule(ref('huge'), 'v', 0, builder(5000, retries));
    await cache.idle();
    expect(retries.n).toBe(1);
    cache.schedule(ref('fails', 'e2'), 'v', 0, builder(10, retries));
    await cache.idle();
    expect(retries.n).toBe(2);
    await cache.close();
    cache.schedule(ref('c'), 'v', 0, tracked);
    await cache.idle();
    expect(calls.n).toBe(2);
    expect(files().filter((f) => !f.endsWith('.parquet'))).toEqual([]);
  });

  it('counts hits, misses and bytes for /metrics', async () => {
    const cache = await open(1000);
    expect(cache.lookup(ref('a'), 'v')).toBeUndefined();
    await (await cache.getOrBuild(ref('a'), 'v', 0, builder(42))).release();
    await cache.lookup(ref('a'), 'v')!.release();
    const text = cache.metrics.map((m) => m.render()).join('\n');
    expect(text).toContain('selectd_select_shadow_lookups_total{result="hit"} 1');
    expect(text).toContain('selectd_select_shadow_lookups_total{result="miss"} 2');
    expect(text).toContain('selectd_select_shadow_bytes 42');
    expect(text).toContain('selectd_select_shadow_written_bytes_total 42');
  });

  it('shows builds queued or running as pending', async () => {
    const cache = await open(1000);
    const pending = () => cache.metrics.map((m) => m.render()).join('\n').match(/^selectd_select_shadow_pending (\d+)$/m)?.[1];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    cache.schedule(ref('slow'), 'v', 0, async (tmp) => {
      started();
      await gate;
      writeFileSync(tmp, Buffer.alloc(5));
      return { meta: { bytes: 5 } };
    });
    cache.schedule(ref('next'), 'v', 0, builder(5));
    await running;
    expect(pending()).toBe('2');
    release();
    await cache.idle();
    expect(pending()).toBe('0');
  });
});

describe('observeStore', () => {
  it('reports every key a write or delete touches, after the call, and passes the rest through', async () => {
    const seen: string[] = [];
    const calls: string[] = [];
    const fake = {
      label: 'inner',
      async putObject(_b: string, key: string) { calls.push(`put ${key}`); return {}; },
      async copyObject(_s: unknown, dst: { key: string }) { calls.push(`copy ${dst.key}`); return {}; },
      async completeMultipartUpload(_b: string, key: string) { calls.push(`complete ${key}`); throw new Error('InvalidPart'); },
      async deleteObject(_b: string, key: string) { calls.push(`delete ${key}`); },
      async headObject(this: { label: string }) { return this.label; },
    } as unknown as Store;
    const store = observeStore(fake, (bucket, key) => seen.push(`${bucket}/${key}:${calls.length}`));
    await store.putObject('b', 'p', Readable.from([]), { userMeta: {} });
    await store.copyObject({ bucket: 'b', key: 'src' }, { bucket: 'b', key: 'dst' }, { userMeta: {} });
    await expect(store.completeMultipartUpload('b', 'm', 'id', [])).rejects.toThrow('InvalidPart');
    await store.deleteObject('b', 'd');
    expect(seen).toEqual(['b/p:1', 'b/dst:2', 'b/m:3', 'b/d:4']);
    expect(await store.headObject('b', 'x')).toBe('inner');
  });
});
