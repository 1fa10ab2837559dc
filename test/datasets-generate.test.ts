import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { columnsStruct } from '../datasets/derivations.js';
import { generateLineitem, LINEITEM_COLUMNS, parseSize, Rng, writeLineitemFile } from '../datasets/generate.js';
import { loadManifest } from '../datasets/manifest.js';

async function generate(seed: number, bytes: number, chunkBytes?: number): Promise<{ data: Buffer; rows: number; chunks: number }> {
  const parts: Buffer[] = [];
  const r = await generateLineitem({ seed, bytes, chunkBytes }, (c) => { parts.push(Buffer.from(c)); });
  const data = Buffer.concat(parts);
  expect(r.bytes).toBe(data.length);
  return { data, rows: r.rows, chunks: parts.length };
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('Rng', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.next())).not.toEqual(xs);
  });

  it('keeps below() in range and covers it', () => {
    const r = new Rng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = r.below(7);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(7);
      seen.add(v);
    }
    expect(seen.size).toBe(7);
  });
});

describe('parseSize', () => {
  it.each([['1MB', 1e6], ['10GB', 1e10], ['64MiB', 64 * 1024 ** 2], ['1.5kb', 1500], ['512 B', 512]])('%s', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['10', 'MB', '1 TB', '-1MB', '0MB'])('rejects %s', (text) => {
    expect(() => parseSize(text)).toThrow();
  });
});

describe('generateLineitem', () => {
  it('gives the same bytes for the same seed, whatever the chunk size', async () => {
    const a = await generate(7, 300_000);
    const b = await generate(7, 300_000, 4096);
    expect(sha(b.data)).toBe(sha(a.data));
    expect(b.chunks).toBeGreaterThan(a.chunks);
  });

  it('gives different bytes for a different seed', async () => {
    const a = await generate(7, 100_000);
    const b = await generate(8, 100_000);
    expect(sha(b.data)).not.toBe(sha(a.data));
  });

  it('stops at the first row that reaches the size, and a smaller size is a prefix', async () => {
    const big = await generate(3, 200_000);
    const small = await generate(3, 50_000);
    expect(small.data.length).toBeGreaterThanOrEqual(50_000);
    const lines = small.data.toString('latin1').split('\n');
    const lastRowBytes = lines[lines.length - 2]!.length + 1;
    expect(small.data.length - lastRowBytes).toBeLessThan(50_000);
    expect(big.data.subarray(0, small.data.length).equals(small.data)).toBe(true);
  });

  it('writes a header and rows that DuckDB reads with the manifest schema, quoted commas included', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gen-test-'));
    try {
      const file = path.join(dir, 'l.csv');
      const { rows } = await writeLineitemFile(file, { seed: 11, bytes: 400_000 });
      const text = readFileSync(file, 'latin1');
      expect(text.split('\n', 1)[0]).toBe(LINEITEM_COLUMNS.join(','));
      expect(text).toMatch(/,"[^"\n]*,[^"\n]*"\n/);
      const db = await DuckDBInstance.create(':memory:');
      const conn = await db.connect();
      const schema = loadManifest('lineitem').schema;
      const r = await conn.runAndReadAll(`SELECT count(*), count(DISTINCT l_shipmode), min(l_quantity), max(l_quantity),
        count(*) FILTER (WHERE l_comment LIKE '%,%'), count(*) FILTER (WHERE l_receiptdate <= l_shipdate)
        FROM read_csv('${file}', header=true, auto_detect=false, columns=${columnsStruct(schema)})`);
      const [count, modes, minQ, maxQ, withComma, badDates] = r.getRows()[0]!.map(Number);
      expect(count).toBe(rows);
      expect(modes).toBe(7);
      expect(minQ).toBeGreaterThanOrEqual(1);
      expect(maxQ).toBeLessThanOrEqual(50);
      expect(withComma).toBeGreaterThan(0);
      expect(badDates).toBe(0);
      conn.closeSync();
      db.closeSync();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
