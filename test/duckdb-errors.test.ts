// mapDuckDbError against the errors DuckDB really raises.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Error } from '../src/errors.js';
import { isInterruptError, mapDuckDbError } from '../src/duckdb/errors.js';

let dir: string;
let instance: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'selectd-errors-'));
  fs.writeFileSync(path.join(dir, 'bad.json'), '{"a": 1}\n{"a": \n');
  fs.writeFileSync(path.join(dir, 'bad.parquet'), 'this is not parquet at all');
  fs.writeFileSync(path.join(dir, 'bad.csv'), 'a,b\n1,2\n3,4,5,6\n');
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
});

afterAll(() => {
  conn?.closeSync();
  instance?.closeSync();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function mapped(sql: string): Promise<S3Error> {
  try {
    await conn.run(sql);
  } catch (err) {
    return mapDuckDbError(err);
  }
  throw new Error(`no error from ${sql}`);
}

describe('mapDuckDbError', () => {
  it('honours the <S3Code>: convention of the macros', async () => {
    const e = await mapped(`SELECT error('ValueParseFailure: not a timestamp: x')`);
    expect(e).toMatchObject({ code: 'ValueParseFailure', message: 'not a timestamp: x', status: 400 });
  });

  it('ignores prefixes that are not S3 codes', async () => {
    expect((await mapped(`SELECT error('NotACode: nope')`)).code).toBe('InternalError');
  });

  it.each([
    ["SELECT CAST('x' AS INTEGER)", 'CastFailed'],
    ['SELECT 9223372036854775807::BIGINT + 1', 'IntegerOverflow'],
    ['SELECT nope FROM range(1)', 'EvaluatorBindingDoesNotExist'],
    ['SELECT no_such_function(1)', 'UnsupportedFunction'],
    ['SELEC 1', 'UnsupportedSyntax'],
  ])('%s → %s', async (sql, code) => {
    expect((await mapped(sql)).code).toBe(code);
  });

  it('classifies input format errors and hides server paths', async () => {
    const csv = await mapped(`SELECT * FROM read_csv('${path.join(dir, 'bad.csv')}', header = true, strict_mode = true, auto_detect = false, columns = {'a': 'INT', 'b': 'INT'})`);
    expect(csv.code).toBe('CSVParsingError');
    expect(csv.message).not.toContain(dir);
    expect((await mapped(`SELECT * FROM read_json('${path.join(dir, 'bad.json')}')`)).code).toBe('JSONParsingError');
    const pq = await mapped(`SELECT * FROM read_parquet('${path.join(dir, 'bad.parquet')}')`);
    expect(pq.code).toBe('ParquetParsingError');
    expect(pq.message).not.toContain(dir);
  });

  it('maps sandbox refusals and server faults', () => {
    expect(mapDuckDbError(new Error("Permission Error: Cannot access file '/x' - file system operations are disabled by configuration")).code).toBe('AccessDenied');
    expect(mapDuckDbError(new Error('Out of Memory Error: failed to allocate')).code).toBe('InternalError');
    expect(mapDuckDbError('something odd').code).toBe('InternalError');
    const own = new S3Error('Busy');
    expect(mapDuckDbError(own)).toBe(own);
  });

  it('recognises interrupts', () => {
    expect(isInterruptError(new Error('INTERRUPT Error: Interrupted!'))).toBe(true);
    expect(isInterruptError(new Error('Conversion Error: x'))).toBe(false);
  });
});
