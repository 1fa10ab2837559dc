// JSON paths read once per row (src/select/translate/rows.ts, json-views.ts): one parse per record for
// all paths, case-insensitive names with exact spellings first, AmbiguousFieldName only for the rows
// where a value is used, and WHERE conditions that keep a filter's left-to-right evaluation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translate } from '../src/select/translate/index.js';
import { CSV_OUT, Dataset, failureCode, TranslateDb } from './helpers/translate-db.js';

let db: TranslateDb;
let scores: Dataset;

beforeAll(async () => {
  db = await TranslateDb.open();
  scores = Dataset.json(db, 'scores.json', [
    '{"id":1,"score":1,"kind":"n","v":"10","name":"a"}',
    '{"id":2,"Score":2,"kind":"s","v":"ten","name":"b"}',
    '{"id":3,"SCORE":3.5,"kind":"n","v":"30","Name":"c","NAME":"C"}',
    '{"id":4,"score":null,"kind":"s","v":[1],"name":"d"}',
    '{"id":5,"name":"e,\\"x\\"","nested":{"Deep":{"x":7}}}',
  ].join('\n'));
});

afterAll(() => db?.close());

const count = (text: string, part: string) => text.split(part).length - 1;

describe('one parse per record', () => {
  it('extracts every path of a query with a single json_extract', () => {
    const sql = translate('SELECT SUM(s.score), AVG(s.id), MIN(s.score), MAX(s.id) FROM S3Object s',
      { format: 'json' }, CSV_OUT).sql('R AS t');
    expect(count(sql, 'json_extract(')).toBe(1);
    expect(sql).toContain(`json_extract("j", ['$."score"', '$."id"'])`);
  });

  it('extracts the paths WHERE reads beneath the filter and the others only for the rows it keeps', () => {
    const sql = translate("SELECT SUM(s.score), MAX(s.name) FROM S3Object s WHERE s.id > 0 AND s.kind = 'n'",
      { format: 'json' }, CSV_OUT).sql('R AS t');
    expect(count(sql, 'json_extract(')).toBe(2);
    const filter = sql.indexOf('"s3_where"');
    const below = sql.indexOf(`json_extract("j", ['$."id"', '$."kind"'])`);
    const above = sql.indexOf(`json_extract("j", ['$."score"', '$."name"'])`);
    expect(below).toBeGreaterThan(filter); // nested deeper: rendered after the condition's column
    expect(above).toBeGreaterThan(0);
    expect(above).toBeLessThan(filter);
  });

  it('extracts a path once when both WHERE and the select list read it', () => {
    const sql = translate('SELECT s.id, s.score FROM S3Object s WHERE s.id > 1', { format: 'json' }, CSV_OUT).sql('R AS t');
    expect(count(sql, 'json_extract(')).toBe(2);
    expect(sql).toContain(`json_extract("j", '$."id"')`);
    expect(sql).toContain(`json_extract("j", '$."score"')`);
  });

  it('answers alike whichever side of the filter a path is extracted on', async () => {
    expect(await scores.run("SELECT s.id, s.v FROM S3Object s WHERE s.kind = 'n' AND s.id > 0")).toEqual(['1,10', '3,30']);
    expect(await scores.run('SELECT s.id, s.kind FROM S3Object s WHERE s.id > 2 ORDER BY s.id DESC')).toEqual(['5,', '4,s', '3,n']);
    expect(await scores.run('SELECT COUNT(*) FROM S3Object s WHERE s.nested.deep.x = 7')).toEqual(['1']);
  });

  it('aggregates values found exactly and ignoring case, with MISSING and null skipped', async () => {
    expect(await scores.run('SELECT SUM(s.score), COUNT(s.score), MIN(s.score), MAX(s.score), AVG(s.score) FROM S3Object s'))
      .toEqual(['6.5,3,1,3.5,2.16666666666667']);
    expect(await scores.run('SELECT SUM(s."score"), COUNT(s."score") FROM S3Object s')).toEqual(['1,1']);
  });

  it('groups and orders by paths while aggregating others', async () => {
    expect(await scores.run('SELECT s.kind, COUNT(*), SUM(s.score) FROM S3Object s WHERE s.kind IS NOT MISSING GROUP BY s.kind ORDER BY s.kind'))
      .toEqual(['n,2,4.5', 's,2,2']);
    expect(await scores.run('SELECT s.id FROM S3Object s ORDER BY s.score DESC NULLS LAST, s.id')).toEqual(['3', '2', '1', '4', '5']);
  });

  it('renders records and nested values as CSV fields', async () => {
    expect(await scores.run('SELECT * FROM S3Object s WHERE s.id = 5')).toEqual(['5,"e,""x""","{""Deep"":{""x"":7}}"']);
    expect(await scores.run('SELECT s.nested.deep.X, s.name FROM S3Object s WHERE s.id >= 4')).toEqual([',d', '7,"e,""x"""']);
  });
});

describe('errors only where a value is used', () => {
  it('fails with AmbiguousFieldName for a record where several keys match and none exactly', async () => {
    expect(await failureCode(() => scores.run('SELECT s.name FROM S3Object s'))).toBe('AmbiguousFieldName');
    expect(await failureCode(() => scores.run('SELECT COUNT(s.name) FROM S3Object s'))).toBe('AmbiguousFieldName');
  });

  it('skips that record when WHERE drops it first, or when AND / OR decide without the name', async () => {
    expect(await scores.run('SELECT s.name FROM S3Object s WHERE s.id <> 3')).toEqual(['a', 'b', 'd', '"e,""x"""']);
    expect(await scores.run("SELECT s.id FROM S3Object s WHERE s.id <> 3 AND s.name = 'b'")).toEqual(['2']);
    expect(await scores.run("SELECT s.id FROM S3Object s WHERE s.id = 3 OR s.name = 'b'")).toEqual(['2', '3']);
  });

  it('evaluates a WHERE operand that would fail only for the rows the ones before it leave undecided', async () => {
    expect(await scores.run("SELECT s.id FROM S3Object s WHERE s.kind = 'n' AND CAST(s.v AS INT) > 15")).toEqual(['3']);
    expect(await scores.run("SELECT s.id FROM S3Object s WHERE s.kind <> 'n' OR CAST(s.v AS INT) > 15")).toEqual(['2', '3', '4']);
    expect(await failureCode(() => scores.run('SELECT s.id FROM S3Object s WHERE CAST(s.v AS INT) > 15'))).toBe('CastFailed');
  });
});
