import { beforeAll, describe, expect, it } from 'vitest';
import { derivation } from '../datasets/derivations.js';
import { loadManifest } from '../datasets/manifest.js';
import { baselineSql } from '../bench/select-cases.js';
import { selectRequestXml } from '../bench/select-client.js';
import { loadSuite, parseSuite, type SelectSuite, type Suite } from '../bench/suite.js';
import objects from '../bench/suites/objects.js';
import scale from '../bench/suites/scale.js';
import selectCsv from '../bench/suites/select-csv.js';
import selectJson from '../bench/suites/select-json.js';
import selectParquet from '../bench/suites/select-parquet.js';

const query = { name: 'q', dataset: 'airports', format: 'csv', expression: 'SELECT COUNT(*) FROM S3Object', baseline: 'SELECT count(*) FROM {input}' };

describe('parseSuite', () => {
  it('accepts a select suite and an objects suite', () => {
    expect(parseSuite({ name: 's', kind: 'select', queries: [query] }, 's.json')).toMatchObject({ kind: 'select', description: '' });
    expect(parseSuite({ name: 'o', kind: 'objects', description: '', sizes: [1024], headOps: 5, listKeys: 10 }, 'o.json').kind).toBe('objects');
  });

  it.each([
    [{ name: 's', kind: 'nope', queries: [query] }, /kind/],
    [{ name: 's', kind: 'select', queries: [] }, /non-empty/],
    [{ name: 's', kind: 'select', queries: [{ ...query, expression: '' }] }, /expression/],
    [{ name: 's', kind: 'select', queries: [{ ...query, baseline: 'SELECT 1' }] }, /\{input\}/],
    [{ name: 's', kind: 'select', queries: [query, query] }, /duplicate/],
    [{ name: 's', kind: 'select', queries: [{ ...query, output: 'xml' }] }, /output/],
    [{ name: 'o', kind: 'objects', sizes: [0], headOps: 1, listKeys: 1 }, /sizes/],
  ])('rejects %j', (raw, message) => {
    expect(() => parseSuite(raw, 'x.json')).toThrow(message);
  });
});

describe('the suites', () => {
  const selects: SelectSuite[] = [selectCsv, selectJson, selectParquet, scale];
  beforeAll(async () => {
    selects.push((await loadSuite('tiny')) as SelectSuite);
  });

  it('load by name, JSON ones included', async () => {
    expect(selects.at(-1)).toMatchObject({ name: 'tiny', kind: 'select' });
    await expect(loadSuite('nope')).rejects.toThrow(/unknown suite "nope" \(known: .*tiny/);
  });

  it('cover flights-3m as CSV, gzip CSV, JSON LINES and Parquet with the same query shapes', () => {
    const shapes = (s: SelectSuite, f: string): string[] => s.queries.filter((q) => q.format === f).map((q) => q.name.split('/')[1]!);
    const csv = shapes(selectCsv, 'csv');
    expect(csv).toEqual(expect.arrayContaining(['count', 'aggregates', 'filter-count', 'narrow', 'select-star', 'limit', 'group-by']));
    expect(shapes(selectCsv, 'csv.gz')).toEqual(csv);
    expect(shapes(selectJson, 'jsonl')).toEqual(csv);
    expect(shapes(selectParquet, 'parquet')).toEqual(csv);
  });

  it('only reference data sets, formats and baselines that exist', () => {
    for (const s of selects) {
      for (const q of s.queries) {
        const m = loadManifest(q.dataset);
        expect(derivation(q.format).selectInput, `${s.name} ${q.name}`).toBeDefined();
        const sql = baselineSql(q, '/tmp/x', m.schema);
        expect(sql).not.toContain('{input}');
        expect(selectRequestXml({ expression: q.expression, input: derivation(q.format).selectInput! })).toContain('<Expression>');
      }
    }
    const o: Suite = objects;
    expect(o).toMatchObject({ kind: 'objects', sizes: [1024 ** 2, 64 * 1024 ** 2], listKeys: 10_000 });
  });

  it('escape the expression in the request XML', () => {
    const xml = selectRequestXml({ expression: "SELECT * FROM S3Object s WHERE s.a < 3 AND s.b = 'x&y'", input: '<Parquet/>' });
    expect(xml).toContain('<Expression>SELECT * FROM S3Object s WHERE s.a &lt; 3 AND s.b = &apos;x&amp;y&apos;</Expression>');
  });
});
