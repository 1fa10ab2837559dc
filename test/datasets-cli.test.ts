// `npm run datasets` as users run it (the built CLI), including the message when bzip2 is missing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../datasets/manifest.js';

const CLI = path.join(ROOT, 'dist', 'datasets', 'cli.js');
const out = mkdtempSync(path.join(tmpdir(), 'datasets-cli-'));
// A PATH with no bzip2 on it.
const emptyBin = mkdtempSync(path.join(tmpdir(), 'datasets-cli-bin-'));

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args, '--out', out], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  rmSync(emptyBin, { recursive: true, force: true });
});

describe('datasets CLI', () => {
  it('builds the formats asked for and reports their checksums as matching the manifest', () => {
    const r = run(['movies', '--formats', 'csv,parquet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/movies\.csv {2}439085 bytes {2}3201 rows {2}sha256 [0-9a-f]{64} {2}match/);
    expect(r.stdout).toMatch(/movies\.parquet .* match/);
  });

  it('fails with a clear message when bzip2 is asked for and missing, and skips it otherwise', () => {
    const asked = run(['movies', '--formats', 'csv.bz2'], { PATH: emptyBin });
    expect(asked.code).toBe(1);
    expect(asked.stdout).toContain('movies.csv.bz2: SKIPPED: the bzip2 command is not installed (e.g. `apt-get install bzip2`)');
    const byDefault = run(['movies'], { PATH: emptyBin });
    expect(byDefault.code).toBe(0);
    expect(byDefault.stdout).toContain('movies.csv.bz2: SKIPPED');
    expect(byDefault.stdout).toMatch(/movies\.jsonl .* match/);
  });

  it('names the known data sets when given an unknown one', () => {
    const r = run(['nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown data set "nope" \(known: airports, flights-200k, flights-3m, lineitem, movies, zipcodes\)/);
  });
});
