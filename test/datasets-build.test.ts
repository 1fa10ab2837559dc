import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDataset, ChecksumMismatchError, sha256File } from '../datasets/build.js';
import { loadManifest, MANIFEST_DIR } from '../datasets/manifest.js';

let dir: string;
let manifests: string;
let out: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'datasets-build-'));
  manifests = path.join(dir, 'manifests');
  out = path.join(dir, 'out');
  // Work on copies: --update-manifest cases must not touch the committed manifests.
  cpSync(MANIFEST_DIR, manifests, { recursive: true });
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('buildDataset', () => {
  it('builds airports with the checksums the manifest records, then reuses the files', async () => {
    const lines: string[] = [];
    const built = await buildDataset({ name: 'airports', formats: ['csv', 'csv.gz', 'jsonl', 'parquet'], outDir: out, manifestDir: manifests, log: (l) => lines.push(l) });
    expect(built.files.map((f) => f.name)).toEqual(['airports.csv', 'airports.csv.gz', 'airports.jsonl', 'airports.parquet']);
    const m = loadManifest('airports', manifests);
    for (const f of built.files) {
      expect(f.verification).toBe('match');
      expect(f.rows).toBe(3376);
      expect(await sha256File(f.path)).toBe(m.files[f.name]!.sha256);
    }
    const mtime = statSync(built.files[0]!.path).mtimeMs;
    const again = await buildDataset({ name: 'airports', formats: ['csv'], outDir: out, manifestDir: manifests, log: (l) => lines.push(l) });
    expect(again.files[0]!.sha256).toBe(built.files[0]!.sha256);
    expect(statSync(again.files[0]!.path).mtimeMs).toBe(mtime);
    expect(lines.at(-1)).toBe('airports.csv: up to date');
  });

  it('fails loudly when the built bytes differ from the manifest, and records them when asked', async () => {
    const file = path.join(manifests, 'airports.json');
    const m = JSON.parse(readFileSync(file, 'utf8'));
    m.files['airports.parquet'].sha256 = '0'.repeat(64);
    writeFileSync(file, JSON.stringify(m));
    await expect(buildDataset({ name: 'airports', formats: ['parquet'], outDir: out, manifestDir: manifests }))
      .rejects.toThrow(ChecksumMismatchError);
    const fixed = await buildDataset({ name: 'airports', formats: ['parquet'], outDir: out, manifestDir: manifests, updateManifest: true });
    expect(fixed.files[0]!.verification).toBe('recorded');
    expect(loadManifest('airports', manifests).files['airports.parquet']!.sha256).toBe(fixed.files[0]!.sha256);
  });

  it('refuses a source whose bytes are not the ones the manifest names', async () => {
    const file = path.join(manifests, 'movies.json');
    const m = JSON.parse(readFileSync(file, 'utf8'));
    m.source.sha256 = 'f'.repeat(64);
    writeFileSync(file, JSON.stringify(m));
    await expect(buildDataset({ name: 'movies', formats: ['csv'], outDir: out, manifestDir: manifests })).rejects.toThrow(/source vega-datasets@3.2.1/);
  });

  it('names generator variants by scale and seed; same inputs give the same checksums', async () => {
    const a = await buildDataset({ name: 'lineitem', formats: ['csv', 'parquet'], scale: '200KB', seed: 5, outDir: out, manifestDir: manifests });
    expect(a.files.map((f) => f.name)).toEqual(['lineitem.200KB.s5.csv', 'lineitem.200KB.s5.parquet']);
    expect(a.files.every((f) => f.verification === 'unrecorded')).toBe(true);
    expect(a.files[1]!.rows).toBe(a.files[0]!.rows);
    const other = path.join(dir, 'out2');
    const b = await buildDataset({ name: 'lineitem', formats: ['csv', 'parquet'], scale: '200KB', seed: 5, outDir: other, manifestDir: manifests });
    expect(b.files.map((f) => f.sha256)).toEqual(a.files.map((f) => f.sha256));
  });

  it('checks the scale argument against the source kind', async () => {
    await expect(buildDataset({ name: 'airports', scale: '1MB', outDir: out, manifestDir: manifests })).rejects.toThrow(/number of copies/);
    await expect(buildDataset({ name: 'lineitem', scale: '3', outDir: out, manifestDir: manifests })).rejects.toThrow(/not a size/);
  });

  it('repeats a real data set for an integer scale', async () => {
    const built = await buildDataset({ name: 'airports', formats: ['csv'], scale: '2', outDir: out, manifestDir: manifests });
    expect(built.files[0]!.name).toBe('airports.x2.csv');
    expect(built.files[0]!.rows).toBe(2 * 3376);
  });
});
