import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { CaseResult, SideResult } from '../bench/measure.js';
import { fmtBytes, formatTable, type SuiteReport } from '../bench/report.js';
import { renderSvg } from '../bench/svg.js';

function side(name: string, ms: number): SideResult {
  return { name, samplesMs: [ms], medianMs: ms, minMs: ms, maxMs: ms, mibPerSec: 100, rowsPerSec: 1e6, bytesReturned: 2048 };
}

function result(name: string, ours: number, base: number, ok = true): CaseResult {
  return {
    name, ours: side('selectd', ours), baselines: [side('duckdb', base)], ratio: ours / base, peakRssBytes: 200 * 1024 ** 2,
    planCacheHitRate: 0.75, checks: [{ against: 'duckdb', ok, detail: ok ? '3 rows equal' : '3 rows against 4' }], ok,
  };
}

function report(results: CaseResult[]): SuiteReport {
  return {
    suite: 'demo', description: 'demo suite', startedAt: '2025-01-01T00:00:00Z', finishedAt: '2025-01-01T00:01:00Z',
    machine: { cpu: 'Test CPU', cores: 2, memoryBytes: 1, os: 'linux', node: 'v20', duckdb: 'v1.5.6' },
    endpoint: { url: 'http://127.0.0.1:1', local: true, serverArgs: [] }, runs: 3, datasets: [], results, ok: results.every((r) => r.ok),
  };
}

type Node = Record<string, unknown>;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });
const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

describe('renderSvg', () => {
  const results = [result('csv/count', 120, 100), result('parquet/<wide> & "all"', 50, 200), result('bad', 10, 10, false),
    { name: 'broken', baselines: [], planCacheHitRate: null, checks: [], ok: false, error: 'boom <XML>' }];
  const svg = renderSvg(report(results));

  it('is well-formed XML with an svg root', () => {
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(Object.keys(parser.parse(svg))).toContain('svg');
  });

  it('draws one ours and one baseline bar per timed query, the longer one full width', () => {
    const groups = asArray((parser.parse(svg) as { svg: { g: Node | Node[] } }).svg.g);
    expect(groups.map((g) => g['data-name'])).toEqual(['csv/count', 'parquet/<wide> & "all"', 'bad', 'broken']);
    const bars = (g: Node): Record<string, number> => Object.fromEntries(asArray(g.rect as Node[]).map((r) => [String(r.class), Number(r.width)]));
    expect(bars(groups[0]!)).toEqual({ 'bar ours': 520, 'bar baseline': expect.closeTo(520 * 100 / 120, 1) });
    expect(bars(groups[1]!)).toEqual({ 'bar ours': 130, 'bar baseline': 520 });
    expect(asArray(groups[3]!.rect as Node[])).toHaveLength(0);
  });

  it('prints ratios and marks mismatches and errors', () => {
    expect(svg).toContain('>1.20x<');
    expect(svg).toContain('>0.25x<');
    expect(svg).toContain('>MISMATCH<');
    expect(svg).toContain('ERROR: boom &lt;XML&gt;');
  });
});

describe('formatTable', () => {
  it('shows each query with its ratio and says loudly when answers differ', () => {
    const text = formatTable(report([result('csv/count', 120, 100), result('bad', 10, 10, false)]));
    const lines = text.trimEnd().split('\n');
    expect(lines[1]).toMatch(/^query\s+selectd ms/);
    expect(lines[2]).toMatch(/^csv\/count\s+120\s+\(120-120\)\s+duckdb\s+100\s+1\.20x\s+100\.0\s+1\.00M\s+2\.0 KiB\s+200 MiB\s+75%\s+ok$/);
    expect(lines[3]).toMatch(/MISMATCH vs duckdb: 3 rows against 4$/);
    expect(lines.at(-1)).toBe('!!! 1 of 2 queries FAILED (wrong answer or error) !!!');
  });

  it('lists extra baselines on their own rows', () => {
    const r = result('PUT 1MiB', 20, 10);
    r.baselines.push(side('fs', 5));
    const lines = formatTable(report([r])).split('\n');
    expect(lines[3]).toMatch(/^\s+fs\s+5\.00\s+4\.00x$/);
    expect(lines.at(-2)).toBe('all answers match their baselines');
  });

  it('formats sizes', () => {
    expect(fmtBytes(512)).toBe('512 B');
    expect(fmtBytes(1536)).toBe('1.5 KiB');
    expect(fmtBytes(300 * 1024 ** 2)).toBe('300 MiB');
  });
});
