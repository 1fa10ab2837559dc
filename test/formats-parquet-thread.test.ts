// Parquet files written on the writer thread (the built code: the thread runs compiled JavaScript), as
// the server writes them: complete files for many batches, nothing left when the source fails part-way,
// and a process that exits on its own once the writes are done.
import { DuckDBInstance } from '@duckdb/node-api';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/server.js';

const run = promisify(execFile);
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parquet-thread-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs a module script against dist/ in a child process (packages resolved from the project); returns what it printed. */
async function script(body: string): Promise<string> {
  const src = `
import * as arrow from 'apache-arrow';
import { writeParquetFile } from ${JSON.stringify(path.join(ROOT, 'dist/src/formats/to-parquet.js'))};
import { startParquetWriter } from ${JSON.stringify(path.join(ROOT, 'dist/src/formats/parquet-thread.js'))};
if (!(await startParquetWriter())) throw new Error('the writer thread did not start');
const batch = (from, n) => new arrow.RecordBatch({
  id: arrow.makeData({ type: new arrow.Int64(), length: n, data: BigInt64Array.from({ length: n }, (_, i) => BigInt(from + i)) }),
  name: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => 'n' + ((from + i) % 5)), new arrow.Utf8()).data[0],
});
const schema = batch(0, 1).schema;
${body}`;
  // Without the test runner's NODE_OPTIONS, which would make the script something other than string input.
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', src], { cwd: ROOT, timeout: 30_000, env: { ...process.env, NODE_OPTIONS: '' } });
  return stdout.trim();
}

describe('the Parquet writer thread', () => {
  it('writes every batch of a long stream, and the process then exits by itself', async () => {
    const file = path.join(tmp, 'many.parquet');
    const out = await script(`
async function* batches() { for (let k = 0; k < 40; k++) yield batch(k * 1000, 1000); }
const r = await writeParquetFile(${JSON.stringify(file)}, schema, batches(), { rowGroupRows: 5000 });
console.log(JSON.stringify(r.rows));`);
    expect(out).toBe('40000');
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    const rows = (await conn.runAndReadAll(`SELECT count(*)::INT AS n, sum(id)::BIGINT::VARCHAR AS s, count(DISTINCT name)::INT AS d,
      (SELECT count(*)::INT FROM parquet_metadata('${file}') WHERE column_id = 0) AS groups FROM '${file}'`)).getRowObjectsJson();
    expect(rows).toEqual([{ n: 40000, s: String((39999 * 40000) / 2), d: 5, groups: 8 }]);
  });

  it('leaves no file behind when the source fails part-way', async () => {
    const file = path.join(tmp, 'failed.parquet');
    const out = await script(`
async function* batches() { for (let k = 0; k < 10; k++) yield batch(k * 100, 100); throw new Error('source broke'); }
try { await writeParquetFile(${JSON.stringify(file)}, schema, batches()); console.log('written'); } catch (e) { console.log(e.message); }`);
    expect(out).toBe('source broke');
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith('failed'))).toEqual([]);
  });
});
