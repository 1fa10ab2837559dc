import { describe, expect, it } from 'vitest';
import { S3Error } from '../src/errors.js';
import { analyze, type Analysis, type InputDescription } from '../src/select/sql/analyze.js';
import type { PathExpr } from '../src/select/sql/ast.js';
import { parseSql } from '../src/select/sql/parser.js';

const CSV: InputDescription = { format: 'csv' };
const CSV_HEADER: InputDescription = { format: 'csv', csvHeader: ['id', 'Name', 'city', 'NAME2', 'CAST'] };
const JSON_IN: InputDescription = { format: 'json' };

const run = (sql: string, input: InputDescription): Analysis => analyze(parseSql(sql), input);

function failure(sql: string, input: InputDescription): S3Error {
  try {
    run(sql, input);
  } catch (e) {
    if (e instanceof S3Error) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(sql)} to fail`);
}

/** Resolutions of the select-list expressions that are plain paths, in order. */
function refs(a: Analysis) {
  const out = [];
  const p = a.statement.projection;
  if (p.kind === 'items') for (const it of p.items) if (it.kind === 'expr' && it.expr.kind === 'path') out.push(a.resolved.get(it.expr));
  return out;
}

function names(a: Analysis): string[] {
  return a.output.kind === 'items' ? a.output.columns.map((c) => (c.kind === 'expr' ? c.name : '.*')) : ['*'];
}

describe('CSV column resolution', () => {
  it('resolves positional and qualified positional names', () => {
    const a = run('SELECT _1, s._3, S._2 FROM S3Object s', CSV);
    expect(refs(a)).toEqual([
      { kind: 'column', index: 0, matched: 'position' },
      { kind: 'column', index: 2, matched: 'position' },
      { kind: 'column', index: 1, matched: 'position' },
    ]);
  });

  it('matches header names case-insensitively unless quoted', () => {
    const a = run('SELECT name, s.CITY, "Name", s."CAST", _1 FROM S3Object s', CSV_HEADER);
    expect(refs(a)).toEqual([
      { kind: 'column', index: 1, header: 'Name', matched: 'header' },
      { kind: 'column', index: 2, header: 'city', matched: 'header' },
      { kind: 'column', index: 1, header: 'Name', matched: 'header' },
      { kind: 'column', index: 4, header: 'CAST', matched: 'header' },
      { kind: 'column', index: 0, header: 'id', matched: 'position' },
    ]);
    expect(names(a)).toEqual(['Name', 'city', 'Name', 'CAST', '_1']);
  });

  it('treats the default table name S3Object as the alias', () => {
    expect(refs(run('SELECT s3object._2, S3Object FROM S3Object', CSV))).toEqual([
      { kind: 'column', index: 1, matched: 'position' },
      { kind: 'row' },
    ]);
  });

  it.each<[string, InputDescription, string, string]>([
    ['SELECT name FROM S3Object', { format: 'csv', csvHeader: ['NAME', 'name'] }, 'AmbiguousFieldName', 'name'],
    ['SELECT "name" FROM S3Object', CSV_HEADER, 'MissingHeaderName', '"name"'],
    ['SELECT nosuch FROM S3Object', CSV_HEADER, 'InvalidColumnIndex', 'nosuch'],
    ['SELECT name FROM S3Object', CSV, 'InvalidColumnIndex', 'name'],
    ['SELECT _0 FROM S3Object', CSV, 'InvalidColumnIndex', '_0'],
    ['SELECT _6 FROM S3Object', CSV_HEADER, 'InvalidColumnIndex', '_6'],
    ['SELECT _100001 FROM S3Object', CSV, 'InvalidColumnIndex', '_100001'],
    ['SELECT * FROM S3Object WHERE s._2 = 1', CSV, 'InvalidTableAlias', 's._2'],
    ['SELECT * FROM S3Object WHERE s."oddf" = 1', CSV_HEADER, 'InvalidTableAlias', 's."oddf"'],
    ['SELECT s._1.x FROM S3Object s', CSV, 'InvalidKeyPath', 'x FROM'],
    ['SELECT s[0] FROM S3Object s', CSV, 'InvalidKeyPath', '0'],
    ['SELECT s._1.* FROM S3Object s', CSV, 'InvalidKeyPath', 's._1'],
    ['SELECT * FROM S3Object[*].a', CSV, 'InvalidKeyPath', 'a'],
    ['SELECT * FROM S3Object[*].a', { format: 'columnar' }, 'InvalidKeyPath', 'a'],
  ])('%j fails with %s', (sql, input, code, needle) => {
    const e = failure(sql, input);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(new RegExp(`at line 1, column ${sql.indexOf(needle) + 1}$`));
  });

  it('allows _N beyond the data width when there is no header (the value is null)', () => {
    expect(refs(run('SELECT _100 FROM S3Object', CSV))).toEqual([{ kind: 'column', index: 99, matched: 'position' }]);
  });
});

describe('JSON and columnar resolution', () => {
  it('strips the alias and keeps other first names as attributes', () => {
    const a = run('SELECT s.a.b, a.b, s, "S".x, s[1] FROM S3Object s', JSON_IN);
    const steps = refs(a).map((r) => (r?.kind === 'value' ? r.steps.map((s) => (s.kind === 'field' ? s.name : s.kind === 'index' ? s.index : s.kind)) : r?.kind));
    expect(steps).toEqual([['a', 'b'], ['a', 'b'], 'row', ['S', 'x'], [1]]);
  });

  it('binds the implicit alias of a FROM path: last name, else _1', () => {
    expect(run('SELECT id FROM S3Object[*].Rules[*].id', JSON_IN).table).toEqual({ name: 'id', quoted: false });
    expect(run('SELECT _1.x FROM S3Object[*].books[*]', JSON_IN).table).toEqual({ name: '_1', quoted: false });
    expect(run('SELECT _1.x FROM S3Object[*]', JSON_IN).table).toEqual({ name: '_1', quoted: false });
    expect(run('SELECT x FROM S3Object', JSON_IN).table).toEqual({ name: 'S3Object', quoted: false });
    expect(refs(run('SELECT id FROM S3Object[*].Rules[*].id', JSON_IN))).toEqual([{ kind: 'row' }]);
  });

  it('names output columns by alias, last path name, or position', () => {
    const a = run("SELECT s.a.b, s.c AS x, s.d[0], 1 + 1, COUNT(*) AS n, UPPER('q'), id FROM S3Object[*].r[*].id s GROUP BY s.a.b, s.c, s.d[0], id", JSON_IN);
    expect(names(a)).toEqual(['b', 'x', '_3', '_4', 'n', '_6', 'id']);
    expect(names(run('SELECT id FROM S3Object[*].Rules[*].id', JSON_IN))).toEqual(['id']);
    expect(names(run('SELECT COUNT(*) FROM S3Object', JSON_IN))).toEqual(['_1']);
  });

  it('resolves columnar names against a known schema', () => {
    const input: InputDescription = { format: 'columnar', columns: ['Id', 'tags', 'TAGS2'] };
    expect(refs(run('SELECT id, s.tags[0], "Id" FROM S3Object s', input))).toEqual([
      { kind: 'field', column: 'Id', rest: [] },
      { kind: 'field', column: 'tags', rest: [expect.objectContaining({ kind: 'index', index: 0 })] },
      { kind: 'field', column: 'Id', rest: [] },
    ]);
    expect(failure('SELECT nope FROM S3Object', input).code).toBe('EvaluatorBindingDoesNotExist');
    expect(failure('SELECT id FROM S3Object', { format: 'columnar', columns: ['ID', 'id'] }).code).toBe('AmbiguousFieldName');
    expect(refs(run('SELECT id FROM S3Object', { format: 'columnar' }))).toEqual([
      { kind: 'value', steps: [expect.objectContaining({ kind: 'field', name: 'id' })] },
    ]);
  });

  it('describes SELECT * and s.* outputs', () => {
    expect(run('SELECT * FROM S3Object', CSV_HEADER).output).toEqual({ kind: 'all', names: ['id', 'Name', 'city', 'NAME2', 'CAST'] });
    expect(run('SELECT * FROM S3Object', JSON_IN).output).toEqual({ kind: 'all' });
    const star = run('SELECT s.*, s.a.* FROM S3Object s', JSON_IN).output;
    expect(star).toMatchObject({ kind: 'items', columns: [{ kind: 'star', ref: { kind: 'row' } }, { kind: 'star', ref: { kind: 'value' } }] });
  });
});

describe('referenced columns for projection pushdown', () => {
  it('collects CSV indexes from every clause', () => {
    const a = run('SELECT _3, name FROM S3Object s WHERE s._1 = 1 ORDER BY city', CSV_HEADER);
    expect(a.referenced).toEqual({ format: 'csv', all: false, indexes: [0, 1, 2] });
  });

  it('needs everything for SELECT * or a bare alias', () => {
    expect(run('SELECT * FROM S3Object WHERE _2 = 1', CSV).referenced).toEqual({ format: 'csv', all: true, indexes: [1] });
    expect(run('SELECT s FROM S3Object s', JSON_IN).referenced).toMatchObject({ all: true });
    expect(run('SELECT s[0] FROM S3Object s', JSON_IN).referenced).toMatchObject({ all: true });
  });

  it('collects JSON top-level keys, folding unquoted case', () => {
    const a = run('SELECT s.a.b, A, "A", s.c[2] FROM S3Object s WHERE d IS NOT MISSING', JSON_IN);
    expect(a.referenced).toEqual({
      format: 'json', all: false,
      keys: [{ name: 'a', caseSensitive: false }, { name: 'A', caseSensitive: true }, { name: 'c', caseSensitive: false }, { name: 'd', caseSensitive: false }],
    });
  });

  it('reads only the first FROM path attribute', () => {
    expect(run('SELECT * FROM S3Object[*].books[*].price', JSON_IN).referenced).toEqual({ format: 'json', all: false, keys: [{ name: 'books', caseSensitive: false }] });
    expect(run('SELECT * FROM S3Object[*][0]', JSON_IN).referenced).toEqual({ format: 'json', all: true, keys: [] });
  });
});

describe('aggregate rules', () => {
  it('recognises aggregate queries and the LIMIT', () => {
    expect(run('SELECT COUNT(*) FROM S3Object LIMIT 1', CSV)).toMatchObject({ aggregate: true, limit: 1n });
    expect(run('SELECT _1 FROM S3Object GROUP BY _1', CSV).aggregate).toBe(true);
    expect(run('SELECT COUNT(_1) FROM S3Object HAVING COUNT(*) > 1', CSV).aggregate).toBe(true);
    expect(run('SELECT _1 FROM S3Object', CSV)).toMatchObject({ aggregate: false });
    expect(run('SELECT _1 FROM S3Object', CSV).limit).toBeUndefined();
  });

  it.each([
    'SELECT COUNT(*), 1, UTCNOW() FROM S3Object',
    'SELECT SUM(CAST(_1 AS INT)) + 1 FROM S3Object WHERE _2 = 1',
    'SELECT _1, COUNT(*) FROM S3Object GROUP BY _1',
    'SELECT s._1, MAX(_2) FROM S3Object s GROUP BY _1',
    'SELECT UPPER(_1) AS u, COUNT(*) AS n FROM S3Object GROUP BY UPPER(s3object._1) HAVING COUNT(*) > 1 ORDER BY n DESC, u',
    'SELECT _1 FROM S3Object ORDER BY _2',
    'SELECT COUNT(*) FROM S3Object HAVING COUNT(*) > 1',
    'SELECT DISTINCT _1, UPPER(_2) AS u FROM S3Object ORDER BY s3object._1, u',
  ])('accepts %s', (sql) => {
    expect(() => run(sql, CSV)).not.toThrow();
  });

  it.each([
    ['SELECT COUNT(*), _1 FROM S3Object', '_1 FROM'],
    ['SELECT _1, SUM(_2) FROM S3Object GROUP BY _3', '_1,'],
    ['SELECT SUM(COUNT(*)) FROM S3Object', 'COUNT(*)'],
    ['SELECT _1 FROM S3Object WHERE COUNT(*) > 1', 'COUNT'],
    ['SELECT COUNT(*) FROM S3Object GROUP BY MAX(_1)', 'MAX'],
    ['SELECT * FROM S3Object GROUP BY _1', '*'],
    ['SELECT s.*, COUNT(*) FROM S3Object s', 's.*'],
    ['SELECT _1 FROM S3Object HAVING COUNT(*) > 1', '_1'],
    ['SELECT COUNT(*) FROM S3Object ORDER BY _1', '_1'],
    ["SELECT _1 FROM S3Object HAVING _1 = 'a'", '_1 FROM'],
    ['SELECT DISTINCT _1 FROM S3Object ORDER BY _2', '_2'],
  ])('rejects %s with UnsupportedSqlStructure', (sql, needle) => {
    const e = failure(sql, CSV);
    expect(e.code).toBe('UnsupportedSqlStructure');
    expect(e.message).toMatch(new RegExp(`at line 1, column ${sql.indexOf(needle) + 1}$`));
  });

  it('resolves ORDER BY names to select aliases first', () => {
    const a = run('SELECT _2 AS total FROM S3Object ORDER BY total', CSV);
    const key = a.statement.orderBy[0].expr as PathExpr;
    expect(a.resolved.get(key)).toEqual({ kind: 'outputAlias', item: 0 });
  });
});
