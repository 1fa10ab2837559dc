// Column pruning: only the columns a query references are read. DuckDB's own plan shows which columns the
// reader projects; an unused column must not be among them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translate } from '../src/select/translate/index.js';
import { CSV_OUT, KeyedJsonShadow, TranslateDb } from './helpers/translate-db.js';

let db: TranslateDb;
beforeAll(async () => { db = await TranslateDb.open(); });
afterAll(() => db?.close());

async function plan(sql: string): Promise<string> {
  const r = await db.conn.runAndReadAll(`EXPLAIN ${sql}`);
  return r.getRowObjectsJS().map((row) => String(row.explain_value)).join('\n');
}

/** The column names listed under the reader's "Projections:" in the physical plan. */
function projections(text: string): string[] {
  const m = /Projections:\s*([\s\S]*?)(?:\n\s*│?\s*─|\n\s*│\s*\n|Filters|Estimated|~)/.exec(text);
  if (!m) throw new Error(`no projections in plan:\n${text}`);
  return m[1].split(/[\s│]+/).map((s) => s.trim()).filter((s) => /^c\d+$|^[a-z_]+$|^s3_[ki]\d+$/.test(s));
}

describe('projection pushdown', () => {
  it('reads only the referenced CSV columns', async () => {
    const file = db.file('wide.csv', 'a1,b1,c1,d1,e1\na2,b2,c2,d2,e2\n');
    const shape = { format: 'csv' as const, csvWidth: 5, csvHeader: ['a', 'b', 'c', 'd', 'e'] };
    const t = translate("SELECT s.b FROM S3Object s WHERE s.d = 'd2'", shape, CSV_OUT);
    const sql = t.sql(db.csvRelation(file, 5));
    expect(await db.lines(sql)).toEqual(['b2']);
    expect(t.referenced.csvIndexes?.sort()).toEqual([2, 4]);
    const cols = projections(await plan(sql));
    expect(cols.length).toBeGreaterThan(0);
    expect(cols).toContain('c2');
    expect(cols).not.toContain('c1');
    expect(cols).not.toContain('c3');
    expect(cols).not.toContain('c5');
  });

  it('reads only the referenced Parquet columns', async () => {
    const file = `${db.dir}/wide.parquet`;
    await db.conn.run(`COPY (SELECT i AS a, i * 2 AS b, 'x' || i AS c FROM range(100) t(i)) TO '${file}' (FORMAT parquet)`);
    const shape = { format: 'columnar' as const, columns: [{ name: 'a', type: 'BIGINT' }, { name: 'b', type: 'BIGINT' }, { name: 'c', type: 'VARCHAR' }] };
    const t = translate('SELECT s.b FROM S3Object s WHERE s.a = 7', shape, CSV_OUT);
    const sql = t.sql(`read_parquet('${file}') AS t`);
    expect(await db.lines(sql)).toEqual(['14']);
    const text = await plan(sql);
    expect(text).toMatch(/PARQUET_SCAN|READ_PARQUET/);
    expect(projections(text)).toContain('b');
    expect(projections(text)).not.toContain('c');
  });
});

describe('JSON key columns of the columnar cache', () => {
  it('read a referenced top-level key from its own column, never the whole record', async () => {
    const file = db.file('keys.json', '{"a":1,"b":{"x":"p"},"c":"wide"}\n{"a":2,"b":{"x":"q"}}\n');
    const { shape, relation } = await new KeyedJsonShadow(db, file, `${db.dir}/keys.parquet`).open();
    expect(shape.jsonKeys).toEqual(['a', 'b', 'c']);
    expect(shape.jsonIntKeys).toEqual(['a']);
    const sql = translate('SELECT s.b.x FROM S3Object s WHERE s.a = 2', shape, CSV_OUT).sql(relation);
    expect(await db.lines(sql)).toEqual(['q']);
    const text = await plan(sql);
    const cols = projections(text);
    // s.a = 2 compares a's BIGINT column (DuckDB may push that filter into the scan); s.b.x parses only b's value.
    expect(text).toContain('s3_i1');
    expect(cols).toContain('s3_k2');
    expect(cols).not.toContain('s3_k1');
    expect(cols).not.toContain('j');
    expect(cols).not.toContain('s3_k3');
  });
});
