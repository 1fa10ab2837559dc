// S3 Select through real clients: boto3 select_object_content and `aws s3api select-object-content`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aws, BOTO, expectOk, python } from './helpers/clients.js';
import { startServer, type RunningServer } from './helpers/server.js';

let server: RunningServer;
let work: string;

const CSV = 'name,city,age\nAnn,Oslo,34\nBob,"Paris, FR",27\n"Zoë ""Z""",Rome,41\n';
const JSONL = '{"name":"Ann","tags":["a","b"],"info":{"age":34}}\n{"name":"Bob","info":{"age":27,"pets":null}}\n{"name":"Cy","tags":[]}\n';

beforeAll(async () => {
  server = await startServer();
  work = mkdtempSync(path.join(tmpdir(), 'selectd-sel-'));
  writeFileSync(path.join(work, 'people.csv'), CSV);
  writeFileSync(path.join(work, 'people.jsonl'), JSONL);
  expectOk(await aws(server.url, ['s3', 'mb', 's3://sel']));
  expectOk(await aws(server.url, ['s3', 'cp', path.join(work, 'people.csv'), 's3://sel/people.csv']));
  expectOk(await aws(server.url, ['s3', 'cp', path.join(work, 'people.jsonl'), 's3://sel/people.jsonl']));
});
afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Runs select_object_content in boto3 and prints {"records": "...", "stats": {...}, "events": [...]} or {"error": code}. */
function boto3Select(key: string, expression: string, input: string, output: string, extra = '') {
  return python(server.url, BOTO + `
try:
    r = s3.select_object_content(Bucket='sel', Key=${JSON.stringify(key)}, Expression=${JSON.stringify(expression)}, ExpressionType='SQL',
        InputSerialization=${input}, OutputSerialization=${output}${extra})
    recs, stats, events = b'', None, []
    for ev in r['Payload']:
        events.append(list(ev.keys())[0])
        if 'Records' in ev: recs += ev['Records']['Payload']
        if 'Stats' in ev: stats = ev['Stats']['Details']
    print(json.dumps({'records': recs.decode(), 'stats': stats, 'events': sorted(set(events)), 'last': events[-1]}))
except botocore.exceptions.ClientError as e:
    print(json.dumps({'error': e.response['Error']['Code'], 'status': e.response['ResponseMetadata'].get('HTTPStatusCode')}))
`).then(expectOk).then((o) => JSON.parse(o));
}

describe('boto3 select_object_content', () => {
  it('filters CSV with a header and reports Stats then End', async () => {
    const r = await boto3Select('people.csv', "SELECT s.name, s.age FROM S3Object s WHERE CAST(s.age AS INT) > 30",
      "{'CSV': {'FileHeaderInfo': 'USE'}}", "{'CSV': {}}");
    expect(r.records).toBe('Ann,34\n"Zoë ""Z""",41\n');
    expect(r.events).toEqual(['End', 'Records', 'Stats']);
    expect(r.last).toBe('End');
    expect(r.stats).toEqual({ BytesScanned: Buffer.byteLength(CSV), BytesProcessed: Buffer.byteLength(CSV), BytesReturned: Buffer.byteLength(r.records) });
  });

  it('answers JSON output from CSV and aggregates', async () => {
    const r = await boto3Select('people.csv', 'SELECT count(*) AS n, max(CAST(age AS INT)) FROM S3Object', "{'CSV': {'FileHeaderInfo': 'USE'}}", "{'JSON': {}}");
    expect(r.records).toBe('{"n":3,"_2":41}\n');
  });

  it('queries JSON LINES with paths, MISSING and arrays', async () => {
    const r = await boto3Select('people.jsonl', "SELECT s.name, s.info.age, s.tags[0] AS t FROM S3Object[*] s WHERE s.info IS NOT MISSING",
      "{'JSON': {'Type': 'LINES'}}", "{'JSON': {}}");
    expect(r.records).toBe('{"name":"Ann","age":34,"t":"a"}\n{"name":"Bob","age":27}\n');
  });

  it('reports SQL errors before the stream with their S3 code', async () => {
    const r = await boto3Select('people.csv', 'SELECT FROM S3Object', "{'CSV': {}}", "{'CSV': {}}");
    expect(r.error).toMatch(/^Parse/);
    expect(r.status).toBe(400);
    const missing = await boto3Select('nope.csv', 'SELECT * FROM S3Object', "{'CSV': {}}", "{'CSV': {}}");
    expect(missing.error).toBe('NoSuchKey');
  });
});

describe('aws s3api select-object-content', () => {
  it('writes the records to the outfile', async () => {
    const out = path.join(work, 'out.csv');
    expectOk(await aws(server.url, ['s3api', 'select-object-content', '--bucket', 'sel', '--key', 'people.csv',
      '--expression', "SELECT name FROM S3Object WHERE city LIKE 'P%'", '--expression-type', 'SQL',
      '--input-serialization', '{"CSV": {"FileHeaderInfo": "USE"}}', '--output-serialization', '{"CSV": {}}', out]));
    expect(readFileSync(out, 'utf8')).toBe('Bob\n');
  });
});
