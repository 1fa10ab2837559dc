// Larger inputs through boto3: quoted newlines across DuckDB's buffer boundaries, SELECT * over an object
// larger than DuckDB's memory limit, a failure after the stream started, plan-cache hits, cancellation,
// and a MessagePack object whose decoded rows (a DuckDB table) outgrow the memory limit.
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { encode } from '@msgpack/msgpack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aws, BOTO, expectOk, python } from './helpers/clients.js';
import { raw } from './helpers/raw.js';
import { runSelectCases } from './helpers/select-cases.js';
import { startServer, type RunningServer } from './helpers/server.js';

let server: RunningServer;
let work: string;
let bigPath: string;
let rows = 0;
/** Records of the MessagePack object, each with a 200-character text. */
const PACKED_ROWS = 600_000;
const packedText = (i: number) => `${String(i).padStart(8, '0')}${'x'.repeat(192)}`;

/** ~130 MB of MessagePack records, written in parts. */
async function writeBigMsgpack(file: string): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < PACKED_ROWS; i += 10_000) {
    const part = Array.from({ length: 10_000 }, (_, k) => encode({ id: i + k, text: packedText(i + k) }));
    if (!out.write(Buffer.concat(part))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** ~160 MB: every 7th row has a quoted field with an embedded newline and an escaped quote. */
async function writeBigCsv(file: string): Promise<void> {
  const out = createWriteStream(file);
  out.write('id,name,note,value\n');
  const target = 160 * 1024 * 1024;
  let written = 0;
  let chunk: string[] = [];
  while (written < target) {
    rows++;
    const note = rows % 7 === 0 ? `"line one\nline ""two"" ${rows}"` : `plain note ${rows}`;
    const line = `${rows},name-${rows % 1000},${note},${rows % 100}\n`;
    chunk.push(line);
    written += line.length;
    if (chunk.length === 10_000) {
      if (!out.write(chunk.join(''))) await once(out, 'drain');
      chunk = [];
    }
  }
  out.end(chunk.join(''));
  await once(out, 'finish');
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'selectd-large-'));
  bigPath = path.join(work, 'big.csv');
  await writeBigCsv(bigPath);
  await writeBigMsgpack(path.join(work, 'big.msgpack'));
  server = await startServer({ args: ['--memory-limit', '100MB'] });
  expectOk(await aws(server.url, ['s3', 'mb', 's3://large']));
  expectOk(await aws(server.url, ['s3', 'cp', bigPath, 's3://large/big.csv']));
  expectOk(await aws(server.url, ['s3', 'cp', path.join(work, 'big.msgpack'), 's3://large/big.msgpack']));
}, 300_000);
afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('large CSV objects', () => {
  it('counts records with quoted newlines like an independent CSV parser', async () => {
    const independent = expectOk(await python(server.url, `
import csv, sys
csv.field_size_limit(10**9)
with open(${JSON.stringify(bigPath)}, newline='') as f:
    r = csv.reader(f); next(r); print(sum(1 for _ in r))
`));
    const [res] = await runSelectCases(server.url, 'large', [
      { key: 'big.csv', expression: 'SELECT COUNT(*) FROM S3Object s WHERE s.note LIKE \'%two%\' OR s.note LIKE \'plain%\'', input: { CSV: { FileHeaderInfo: 'USE', AllowQuotedRecordDelimiter: true } } },
    ]);
    expect(Number(independent.trim())).toBe(rows);
    const [refused] = await runSelectCases(server.url, 'large', [
      { key: 'big.csv', expression: 'SELECT COUNT(*) FROM S3Object', input: { CSV: { FileHeaderInfo: 'USE' } } },
    ]);
    if (refused.error === 'InternalError') console.error(server.output.slice(-5).join('\n'));
    expect(refused.error).toBe('CSVEscapingRecordDelimiter');
    expect(res.records).toBe(`${rows}\n`);
    expect(res.stats!.BytesScanned).toBe(statSync(bigPath).size);
  }, 120_000);

  it('streams SELECT * of an object larger than the memory limit', async () => {
    const out = expectOk(await python(server.url, BOTO + `
r = s3.select_object_content(Bucket='large', Key='big.csv', Expression='SELECT * FROM S3Object', ExpressionType='SQL',
    InputSerialization={'CSV': {'FileHeaderInfo': 'USE', 'AllowQuotedRecordDelimiter': True}}, OutputSerialization={'CSV': {}})
n, size, last, messages = 0, 0, None, 0
for ev in r['Payload']:
    if 'Records' in ev:
        p = ev['Records']['Payload']; size += len(p); messages += 1; last = p
    if 'Stats' in ev: stats = ev['Stats']['Details']
    if 'End' in ev: n = 1
print(json.dumps({'end': n, 'bytes': size, 'returned': stats['BytesReturned'], 'messages': messages, 'tail': last[-40:].decode()}))
`));
    const r = JSON.parse(out);
    expect(r.end).toBe(1);
    expect(r.bytes).toBe(r.returned);
    expect(r.bytes).toBeGreaterThan(150 * 1024 * 1024);
    expect(r.messages).toBeGreaterThan(1000);
    expect(r.tail.endsWith(`,${rows % 100}\n`)).toBe(true);
  }, 180_000);

  // DuckDB's ordered COPY holds back much of its output, so a late failure usually reaches the client before the
  // 200 (an XML error); when records were already sent it must be an error event. Either way: never an End.
  it('reports a failure late in the scan as CastFailed, never as a complete answer', async () => {
    const [res] = await runSelectCases(server.url, 'large', [
      { key: 'big.csv', expression: "SELECT s.id, CAST(CASE WHEN s.id = '" + (rows - 5) + "' THEN 'x' ELSE '1' END AS INT) FROM S3Object s", input: { CSV: { FileHeaderInfo: 'USE', AllowQuotedRecordDelimiter: true } } },
    ]);
    expect(res.error).toBe('CastFailed');
    if (res.errorKind === 'event') {
      expect(res.events).not.toContain('End');
      expect((res.records ?? '').length).toBeGreaterThan(0);
    } else {
      expect(res.errorKind).toBe('http');
    }
  }, 120_000);

  it('caches plans and stops the query when the client goes away', async () => {
    const metric = async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      return Number(/selectd_select_plan_cache_total\{result="hit"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const before = await metric();
    const q = { key: 'big.csv', expression: "SELECT s.id FROM S3Object s WHERE s.\"value\" = '42' LIMIT 3", input: { CSV: { FileHeaderInfo: 'USE', AllowQuotedRecordDelimiter: true } } };
    const [a, b] = await runSelectCases(server.url, 'large', [q, q]);
    expect(a).toMatchObject({ records: '42\n142\n242\n' });
    expect(b.records).toBe(a.records);
    expect(await metric()).toBe(before + 1);

    // Start a full scan and drop the connection after the first bytes; the server must stay responsive
    // and free the query slot (the server runs 4 query slots: five more queries must all complete).
    const { signRequest } = await import('../src/auth/sign.js');
    const { ACCESS_KEY, SECRET_KEY, REGION } = await import('./helpers/server.js');
    const body = `<SelectObjectContentRequest><Expression>SELECT * FROM S3Object</Expression><ExpressionType>SQL</ExpressionType><InputSerialization><CSV><FileHeaderInfo>USE</FileHeaderInfo><AllowQuotedRecordDelimiter>TRUE</AllowQuotedRecordDelimiter></CSV></InputSerialization><OutputSerialization><CSV/></OutputSerialization></SelectObjectContentRequest>`;
    for (let i = 0; i < 4; i++) {
      const url = `${server.url}/large/big.csv?select&select-type=2`;
      const headers = signRequest({ method: 'POST', url, body, accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, region: REGION });
      const controller = new AbortController();
      const res = await fetch(url, { method: 'POST', body, headers, signal: controller.signal });
      const reader = res.body!.getReader();
      await reader.read();
      controller.abort();
    }
    const again = await runSelectCases(server.url, 'large', Array(5).fill(q));
    for (const r of again) expect(r.records).toBe('42\n142\n242\n');
    expect((await raw(server.url, { method: 'GET', path: '/large?list-type=2' })).status).toBe(200);
  }, 120_000);
});

describe('large decoded objects', () => {
  it('answers over a MessagePack object whose decoded table outgrows the memory limit', async () => {
    // Every column and row decoded (~130 MB of strings in the table, over the 100 MB limit: DuckDB spills it).
    const [all, picked] = await runSelectCases(server.url, 'large', [
      { key: 'big.msgpack', expression: 'SELECT COUNT(*), SUM(s.id), MAX(s.text), MIN(s.text) FROM S3Object s', input: { Parquet: {} } },
      { key: 'big.msgpack', expression: `SELECT s.text FROM S3Object s WHERE s.id = ${PACKED_ROWS - 7}`, input: { Parquet: {} } },
    ]);
    expect(all.records).toBe(`${PACKED_ROWS},${(PACKED_ROWS * (PACKED_ROWS - 1)) / 2},${packedText(PACKED_ROWS - 1)},${packedText(0)}\n`);
    expect(picked.records).toBe(`${packedText(PACKED_ROWS - 7)}\n`);
  }, 180_000);
});
