import { describe, expect, it } from 'vitest';
import { derivation } from '../datasets/derivations.js';
import { listManifests, loadManifest, ManifestError, parseManifest } from '../datasets/manifest.js';

const valid = {
  name: 'tiny-set',
  description: 'two columns',
  source: { kind: 'package', package: 'vega-datasets', version: '3.2.1', path: 'data/x.csv', format: 'csv', sha256: 'a'.repeat(64) },
  rows: 3,
  schema: [{ name: 'a', type: 'BIGINT' }, { name: 'b c', type: 'DECIMAL(12,2)' }],
  derivations: ['csv', 'parquet'],
  files: { 'tiny-set.csv': { sha256: 'b'.repeat(64), bytes: 10, rows: 3 } },
};

const parse = (v: unknown): ReturnType<typeof parseManifest> => parseManifest(JSON.stringify(v), 'test');

describe('parseManifest', () => {
  it('reads a complete manifest', () => {
    const m = parse(valid);
    expect(m.name).toBe('tiny-set');
    expect(m.source).toMatchObject({ kind: 'package', format: 'csv' });
    expect(m.schema.map((c) => c.type)).toEqual(['BIGINT', 'DECIMAL(12,2)']);
    expect(m.files['tiny-set.csv']).toEqual({ sha256: 'b'.repeat(64), bytes: 10, rows: 3 });
  });

  it('reads a generator source with a null row count and no files', () => {
    const { files: _files, ...rest } = valid;
    const m = parse({ ...rest, rows: null, source: { kind: 'generator', generator: 'lineitem', seed: 7, scale: '1MB' } });
    expect(m.source).toEqual({ kind: 'generator', generator: 'lineitem', seed: 7, scale: '1MB' });
    expect(m.files).toEqual({});
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['a bad name', { ...valid, name: '../x' }, /name/],
    ['an unknown source kind', { ...valid, source: { kind: 'url' } }, /source kind/],
    ['a short source checksum', { ...valid, source: { ...valid.source, sha256: 'abc' } }, /sha256/],
    ['a package source without rows', { ...valid, rows: null }, /row count/],
    ['an empty schema', { ...valid, schema: [] }, /schema/],
    ['a duplicate column', { ...valid, schema: [{ name: 'a', type: 'INT' }, { name: 'a', type: 'INT' }] }, /duplicate/],
    ['a type with SQL in it', { ...valid, schema: [{ name: 'a', type: 'INT); DROP' }] }, /bad type/],
    ['a file record with a bad checksum', { ...valid, files: { f: { sha256: 'x', bytes: 1, rows: 1 } } }, /sha256/],
    ['a negative byte count', { ...valid, files: { f: { sha256: 'b'.repeat(64), bytes: -1, rows: 1 } } }, /bytes/],
  ])('rejects %s', (_what, input, message) => {
    expect(() => parseManifest(typeof input === 'string' ? input : JSON.stringify(input), 'test')).toThrow(message);
    expect(() => parseManifest(typeof input === 'string' ? input : JSON.stringify(input), 'test')).toThrow(ManifestError);
  });
});

describe('the committed manifests', () => {
  const names = listManifests();

  it('include the required data sets', () => {
    expect(names).toEqual(expect.arrayContaining(['flights-3m', 'flights-200k', 'airports', 'movies', 'zipcodes', 'lineitem']));
  });

  it.each(names)('%s parses, names known formats and records a checksum for each default file', (name) => {
    const m = loadManifest(name);
    expect(m.name).toBe(name);
    for (const f of m.derivations) {
      expect(() => derivation(f)).not.toThrow();
      const rec = m.files[`${name}.${f}`];
      expect(rec, `${name}.${f}`).toBeDefined();
      if (m.rows !== null) expect(rec!.rows).toBe(m.rows);
    }
  });

  it('refuses an unknown data set, listing the known ones', () => {
    expect(() => loadManifest('nope')).toThrow(/unknown data set "nope" \(known: .*airports/);
  });
});
