// The tiny suite end to end: our server spawned on an ephemeral port, airports built and uploaded, every
// query answered over S3 Select and checked against DuckDB; plus a suite whose baseline is wrong on purpose,
// which must be reported as a mismatch.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBench } from '../bench/runner.js';
import type { SuiteReport } from '../bench/report.js';
import type { SelectSuite } from '../bench/suite.js';
import { loadManifest } from '../datasets/manifest.js';

const wrong: SelectSuite = {
  name: 'wrong-on-purpose',
  kind: 'select',
  description: 'a baseline that disagrees with the right answer',
  queries: [
    { name: 'count', dataset: 'airports', format: 'csv', expression: 'SELECT COUNT(*) FROM S3Object', baseline: 'SELECT count(*) + 1 FROM {input}' },
    { name: 'missing-row', dataset: 'airports', format: 'parquet', expression: "SELECT s.iata FROM S3Object s WHERE s.state = 'CA'",
      baseline: "SELECT iata FROM {input} WHERE state = 'CA' AND iata <> 'SFO'", ordered: true },
  ],
};

let dir: string;
let reports: SuiteReport[];
const lines: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'bench-e2e-'));
  reports = await runBench({
    suites: ['tiny', wrong], runs: 1, resultsDir: path.join(dir, 'results'), datasetsDir: path.join(dir, 'datasets'),
    log: (l) => lines.push(l),
  });
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run bench -- --suite tiny', () => {
  it('answers every query like DuckDB, with timings, memory and plan-cache figures', () => {
    const tiny = reports[0]!;
    expect(tiny.suite).toBe('tiny');
    expect(tiny.results.map((r) => [r.name, r.error ?? r.checks.map((c) => c.detail).join()])
      .filter(([, d]) => !/equal/.test(d!))).toEqual([]);
    expect(tiny.ok).toBe(true);
    expect(tiny.results).toHaveLength(8);
    for (const r of tiny.results) {
      expect(r.checks).toEqual([expect.objectContaining({ against: 'duckdb', ok: true })]);
      expect(r.ours!.samplesMs).toHaveLength(1);
      expect(r.ours!.medianMs).toBeGreaterThan(0);
      expect(r.baselines[0]!.medianMs).toBeGreaterThan(0);
      expect(r.ratio).toBeGreaterThan(0);
      expect(r.peakRssBytes).toBeGreaterThan(10 * 1024 ** 2);
      // One miss in the check round, then a hit in the timed run; except where the check round was the
      // first over a CSV or JSON object: the timed run waits for its Parquet shadow, a new plan.
      if (r.name.startsWith('parquet/')) expect(r.planCacheHitRate).toBe(0.5);
      else expect([0, 0.5]).toContain(r.planCacheHitRate);
    }
    const star = tiny.results.find((r) => r.name === 'parquet/select-star')!;
    expect(star.ours!.bytesReturned).toBeGreaterThan(150_000);
  });

  it('records the checksums of the files it read, equal to the manifest', () => {
    const m = loadManifest('airports');
    const used = reports[0]!.datasets.find((d) => d.name === 'airports')!;
    expect(used.files.map((f) => f.name).sort()).toEqual(['airports.csv', 'airports.csv.gz', 'airports.json', 'airports.jsonl', 'airports.parquet']);
    for (const f of used.files) expect(f.sha256).toBe(m.files[f.name]!.sha256);
  });

  it('writes the JSON and a well-formed SVG with a bar pair per query', () => {
    const json = JSON.parse(readFileSync(path.join(dir, 'results', 'tiny.json'), 'utf8')) as SuiteReport;
    expect(json.results.map((r) => r.name)).toEqual(reports[0]!.results.map((r) => r.name));
    expect(json.machine.cores).toBeGreaterThan(0);
    const svg = readFileSync(path.join(dir, 'results', 'tiny.svg'), 'utf8');
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg.match(/class="bar ours"/g)).toHaveLength(8);
    expect(svg.match(/class="bar baseline"/g)).toHaveLength(8);
  });

  it('marks wrong answers loudly', () => {
    const bad = reports[1]!;
    expect(bad.ok).toBe(false);
    expect(bad.results.map((r) => [r.name, r.ok, r.checks[0]?.detail])).toEqual([
      ['count', false, 'row 1 (sorted): ["3376"] against ["3377"]'],
      ['missing-row', false, expect.stringMatching(/rows against/)],
    ]);
    expect(lines).toContain('count: MISMATCH against duckdb: row 1 (sorted): ["3376"] against ["3377"]');
    expect(existsSync(path.join(dir, 'results', 'wrong-on-purpose.svg'))).toBe(true);
  });
});
