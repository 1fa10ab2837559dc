// JSON rendering of DuckDB values: the fast date / timestamp / decimal formatters agree with DuckDB's own
// text for values across the supported range, and the Accept/format negotiation picks the right format.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DuckDBValue } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/duckdb/engine.js';
import { chooseFormat } from '../src/sql-endpoint/formats.js';
import { jsonConverter } from '../src/sql-endpoint/json-values.js';

let root: string;
let engine: Engine;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'selectd-formats-'));
  engine = await Engine.open({ dataDir: root, maxConnections: 1 });
});

afterAll(async () => {
  await engine?.close();
  rmSync(root, { recursive: true, force: true });
});

/** Each row's value as converted to JSON, next to DuckDB's own text of it. */
async function compare(sql: string): Promise<{ json: string; text: string }[]> {
  const chunks = await engine.streamChunks(`SELECT v, v::VARCHAR AS text FROM (${sql}) t(v)`);
  const conv = jsonConverter(chunks.columnTypes[0]!);
  const out: { json: string; text: string }[] = [];
  for await (const chunk of chunks) {
    const values = chunk.getColumnVector(0).toArray();
    const texts = chunk.getColumnVector(1).toArray();
    for (let i = 0; i < chunk.rowCount; i++) out.push({ json: conv(values[i] as DuckDBValue), text: String(texts[i]) });
  }
  return out;
}

describe('JSON values match DuckDB text', () => {
  it('timestamps, with and without time zone, across centuries and fractions', async () => {
    const rows = await compare(`SELECT TIMESTAMP '1000-01-01 00:00:00' + to_microseconds(x * 9876543210123) FROM range(0, 3200) t(x)`);
    expect(rows.length).toBe(3200);
    for (const r of rows) expect(r.json).toBe(JSON.stringify(r.text));
    const tz = await compare(`SELECT TIMESTAMPTZ '1969-12-31 23:59:59.999999+00' + to_microseconds(x * 123456789) FROM range(-500, 500) t(x)`);
    for (const r of tz) expect(r.json).toBe(JSON.stringify(r.text));
  });

  it('dates before and after the epoch', async () => {
    for (const r of await compare(`SELECT DATE '1000-01-01' + (x * 97)::INT FROM range(0, 33000) t(x)`)) expect(r.json).toBe(JSON.stringify(r.text));
  });

  it('decimals of every scale, negative and below one', async () => {
    for (const type of ['DECIMAL(6, 1)', 'DECIMAL(12, 4)', 'DECIMAL(15, 9)']) {
      const rows = await compare(`SELECT CAST((x * 7919 - 500000) / 100000.0 AS ${type}) FROM range(0, 200) t(x)`);
      expect(rows.some((r) => r.text.startsWith('-0.'))).toBe(true);
      for (const r of rows) expect(r.json).toBe(r.text);
    }
    const wide = await compare(`SELECT -0.000000000000000000001::DECIMAL(38, 21) UNION ALL SELECT 12345678901234567.891::DECIMAL(38, 3)`);
    for (const r of wide) expect(r.json).toBe(JSON.stringify(r.text));
  });
});

describe('format negotiation', () => {
  it('prefers ?format=, then Accept, then JSON', () => {
    expect(chooseFormat('CSV', 'application/json')).toBe('csv');
    expect(chooseFormat(undefined, 'text/html, application/vnd.apache.arrow.stream;q=0.9')).toBe('arrow');
    expect(chooseFormat(undefined, '*/*')).toBe('json');
    expect(() => chooseFormat('xml', undefined)).toThrow(/Unknown format/);
  });
});
