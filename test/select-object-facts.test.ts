// Facts cached per object version: computed once per (bucket, key, ETag, size), again for a new version,
// never cached when computing them failed, and bounded.
import { describe, expect, it } from 'vitest';
import { ObjectFacts } from '../src/select/object-facts.js';
import type { ObjectInfo } from '../src/store/store.js';

const info = (etag: string, size = 10) => ({ etag, size } as ObjectInfo);

describe('ObjectFacts', () => {
  it('computes a fact once per object version', async () => {
    const facts = new ObjectFacts();
    let calls = 0;
    const compute = async () => ++calls;
    expect(await facts.get('b', 'k', info('"e1"'), 'head', compute)).toBe(1);
    expect(await facts.get('b', 'k', info('"e1"'), 'head', compute)).toBe(1);
    expect(await facts.get('b', 'k', info('"e2"'), 'head', compute)).toBe(2);
    expect(await facts.get('b', 'k', info('"e1"'), 'schema', compute)).toBe(3);
    expect(await facts.get('b', 'other', info('"e1"'), 'head', compute)).toBe(4);
  });

  it('does not keep failures, and forgets the least recently used beyond its capacity', async () => {
    const facts = new ObjectFacts(2);
    await expect(facts.get('b', 'k', info('"e"'), 'f', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await facts.get('b', 'k', info('"e"'), 'f', async () => 'ok')).toBe('ok');
    await facts.get('b', 'k2', info('"e"'), 'f', async () => 'two');
    await facts.get('b', 'k', info('"e"'), 'f', async () => 'recomputed'); // a hit: k is now the most recent
    await facts.get('b', 'k3', info('"e"'), 'f', async () => 'three'); // evicts k2
    expect(await facts.get('b', 'k', info('"e"'), 'f', async () => 'recomputed')).toBe('ok');
    expect(await facts.get('b', 'k2', info('"e"'), 'f', async () => 'again')).toBe('again');
  });
});
