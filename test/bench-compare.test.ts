import { describe, expect, it } from 'vitest';
import { cellsEqual, compareAnswers, compareSummaries, normalizeCell, numericValue, ResultSummarizer, type ResultSummary } from '../bench/compare.js';

function summarize(rows: string[][], keep?: number): ResultSummary {
  const s = new ResultSummarizer(keep);
  for (const r of rows) s.row(r);
  return s.summary();
}

describe('cells', () => {
  it.each([
    ['1.0', '1'], ['-0', '0'], ['+5', '5'], ['2.50', '2.5'], ['1e3', '1000'], ['TRUE', 'true'], ['False', 'false'],
    ['2001-01-01T00:01:00.000Z', '2001-01-01 00:01:00'], ['2001-01-01 00:01', '2001-01-01 00:01:00'],
    ['2001-01-01T00:01:02.500+00:00', '2001-01-01 00:01:02.5'], ['0.1234567890123456', '0.123456789012'],
  ])('normalizes %s as %s', (cell, want) => {
    expect(normalizeCell(cell)).toBe(want);
  });

  it.each(['00501', 'abc', '', '1.2.3', 'e5', '.', '--1'])('keeps %j as text', (cell) => {
    expect(numericValue(cell)).toBeUndefined();
    expect(normalizeCell(cell)).toBe(cell);
  });

  it('compares numbers with a relative tolerance', () => {
    expect(cellsEqual('8.123456789012345', '8.1234567890123')).toBe(true);
    expect(cellsEqual('8.1234', '8.1235')).toBe(false);
    expect(cellsEqual('8.1234', '8.1235', 1e-3)).toBe(true);
    expect(cellsEqual('0', '0.0')).toBe(true);
    expect(cellsEqual('00501', '501')).toBe(false);
    expect(cellsEqual('', '0')).toBe(false);
  });
});

describe('compareSummaries', () => {
  const rows = [['SFO', '3', '1.5'], ['LAX', '2', '0.25'], ['JFK', '1', '']];

  it('accepts equal answers and the same rows in another order when unordered', () => {
    expect(compareSummaries(summarize(rows), summarize(rows), { ordered: true }).ok).toBe(true);
    const shuffled = [rows[2]!, rows[0]!, rows[1]!];
    expect(compareSummaries(summarize(rows), summarize(shuffled)).ok).toBe(true);
    const r = compareSummaries(summarize(rows), summarize(shuffled), { ordered: true });
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/row 1: \["SFO","3","1.5"\] against \["JFK","1",""\]/);
  });

  it('tolerates float rendering but not a different value', () => {
    const close = rows.map((r) => (r[0] === 'SFO' ? ['SFO', '3', '1.50000000000001'] : r));
    expect(compareSummaries(summarize(rows), summarize(close)).ok).toBe(true);
    const off = rows.map((r) => (r[0] === 'SFO' ? ['SFO', '3', '1.51'] : r));
    const res = compareSummaries(summarize(rows), summarize(off));
    expect(res).toMatchObject({ ok: false });
    expect(res.detail).toContain('1.51');
  });

  it('reports a different row count or width', () => {
    expect(compareSummaries(summarize(rows), summarize(rows.slice(1)))).toEqual({ ok: false, detail: '3 rows against 2' });
    expect(compareSummaries(summarize(rows), summarize(rows.map((r) => [...r, 'x']))).ok).toBe(false);
  });

  it('falls back to digests for large answers: order-free by default, ordered on request', () => {
    const many = Array.from({ length: 50 }, (_, i) => [`k${i}`, String(i * 0.1)]);
    const a = summarize(many, 10);
    expect(a.kept).toBeNull();
    const reversed = summarize([...many].reverse(), 10);
    expect(compareSummaries(a, reversed)).toEqual({ ok: true, detail: '50 rows equal (digest)' });
    expect(compareSummaries(a, reversed, { ordered: true }).ok).toBe(false);
    // 0.30000000000000004 and 0.3 agree after rounding to 12 significant digits.
    const rendered = summarize(many.map(([k, v]) => [k!, String(Number(Number(v).toPrecision(6)))]), 10);
    expect(compareSummaries(a, rendered, { ordered: true }).ok).toBe(true);
    const changed = summarize(many.map((r, i) => (i === 20 ? [r[0]!, '99'] : r)), 10);
    expect(compareSummaries(a, changed)).toMatchObject({ ok: false, detail: expect.stringMatching(/contents differ/) });
  });
});

describe('compareAnswers', () => {
  it('compares digests and refuses answers of different kinds', () => {
    expect(compareAnswers({ kind: 'digest', value: 'a' }, { kind: 'digest', value: 'a' }).ok).toBe(true);
    expect(compareAnswers({ kind: 'digest', value: 'a' }, { kind: 'digest', value: 'b' }).ok).toBe(false);
    expect(compareAnswers({ kind: 'digest', value: 'a' }, { kind: 'rows', summary: summarize([]) }).ok).toBe(false);
  });
});
