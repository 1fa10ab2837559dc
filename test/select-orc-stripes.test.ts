// Stripe filters derived from S3 Select WHERE clauses: a stripe is skipped only when its statistics
// prove that no row can match, and conditions the statistics cannot decide keep every stripe.
import { describe, expect, it } from 'vitest';
import type { ColumnStats } from '../src/formats/orc/index.js';
import { orcStripeFilter } from '../src/select/sources/orc-stripes.js';

const COLUMNS = [
  { name: 'id', type: 'BIGINT' },
  { name: 'score', type: 'DOUBLE' },
  { name: 'name', type: 'VARCHAR' },
  { name: 'day', type: 'DATE' },
  { name: 'Mixed', type: 'INTEGER' },
];

/** A stripe holding ids lo..hi, scores lo/2..hi/2 and names between the two given. */
function stripe(lo: number, hi: number, names: [string, string] = ['a', 'z']): Record<string, ColumnStats> {
  return {
    id: { numberOfValues: 10, hasNull: false, min: BigInt(lo), max: BigInt(hi) },
    score: { numberOfValues: 10, hasNull: false, min: lo / 2, max: hi / 2 },
    name: { numberOfValues: 10, hasNull: false, min: names[0], max: names[1] },
    day: { numberOfValues: 10, hasNull: false, min: 0, max: 100 },
    Mixed: { numberOfValues: 0, hasNull: true },
  };
}

function keeps(where: string, stats: Record<string, ColumnStats>): boolean {
  const filter = orcStripeFilter(`SELECT * FROM S3Object s WHERE ${where}`, COLUMNS);
  return filter ? filter(stats) : true;
}

describe('ORC stripe filters', () => {
  it('skip stripes whose integer bounds exclude the comparison', () => {
    const s = stripe(100, 199);
    expect([keeps('s.id = 150', s), keeps('s.id = 99', s), keeps('s.id = 200', s)]).toEqual([true, false, false]);
    expect([keeps('s.id < 100', s), keeps('s.id <= 100', s), keeps('s.id > 199', s), keeps('s.id >= 199', s)]).toEqual([false, true, false, true]);
    expect([keeps('100 > s.id', s), keeps('-5 < s.id', s), keeps('s.id > -5', s)]).toEqual([false, true, true]);
    expect([keeps('s.id BETWEEN 0 AND 99', s), keeps('s.id BETWEEN 190 AND 300', s), keeps('s.id NOT BETWEEN 0 AND 500', s)]).toEqual([false, true, true]);
    expect([keeps('s.id IN (1, 2, 300)', s), keeps('s.id IN (1, 150)', s), keeps('s.id NOT IN (150)', s)]).toEqual([false, true, true]);
  });

  it('combine conditions with AND and OR, and keep stripes for anything undecidable', () => {
    const s = stripe(100, 199);
    expect(keeps('s.id < 50 AND s.name LIKE \'%x\'', s)).toBe(false);
    expect(keeps('s.id < 50 OR s.name LIKE \'%x\'', s)).toBe(true);
    expect(keeps('s.id < 50 OR s.id > 500', s)).toBe(false);
    expect(keeps('s.id < 50 OR s.id > 150', s)).toBe(true);
    expect(keeps('NOT (s.id < 50)', s)).toBe(true);
    expect(keeps('s.id + 1 < 50', s)).toBe(true);
    expect(keeps('s.id <> 150', s)).toBe(true);
    expect(keeps('s.id < 50.5', s)).toBe(true);
    expect(keeps("s.day < 5", s)).toBe(true);
    expect(keeps("s.id < '50'", s)).toBe(true);
  });

  it('compare text in UTF-8 byte order, and doubles only where NaN cannot matter', () => {
    const s = stripe(100, 199, ['b', 'd']);
    expect([keeps("s.name = 'a'", s), keeps("s.name = 'c'", s), keeps("s.name > 'd'", s), keeps("s.name >= 'd'", s)]).toEqual([false, true, false, true]);
    // U+FB01 sorts after U+1F600 in UTF-16 code units but before it in UTF-8 bytes.
    const astral = stripe(0, 1, ['\u{1F600}', '\u{1F600}']);
    expect(keeps("s.name < '\uFB01'", astral)).toBe(false);
    expect([keeps('s.score < 50', s), keeps('s.score <= 50', s), keeps('s.score = 120', s)]).toEqual([false, true, false]);
    expect(keeps('s.score > 500', s)).toBe(true);
  });

  it('skip stripes where the column holds only nulls, and resolve names as the query does', () => {
    const s = stripe(100, 199);
    expect(keeps('s.mixed = 1', s)).toBe(false);
    expect(keeps('s."Mixed" = 1', s)).toBe(false);
    expect(keeps('s.mixed IS NULL', s)).toBe(true);
    expect(keeps('s.id < 50', {})).toBe(true);
  });

  it('give no filter without a usable WHERE clause, or for a query that does not resolve', () => {
    expect(orcStripeFilter('SELECT * FROM S3Object', COLUMNS)).toBeUndefined();
    expect(orcStripeFilter('SELECT * FROM S3Object s WHERE s.nope = 1', COLUMNS)).toBeUndefined();
    expect(orcStripeFilter('SELECT * FROM S3Object s WHERE', COLUMNS)).toBeUndefined();
  });
});
