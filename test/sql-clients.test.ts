// Real clients against the SQL endpoint: Python requests, pandas (read_csv on a GET URL, read_parquet on a
// POST response), pyarrow's IPC stream reader, polars, a botocore SigV4 signer, and curl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './helpers/clients.js';
import { SQL_ACCESS_KEY, SQL_SECRET_KEY, startSqlServer, type SqlServer } from './helpers/sql-server.js';

let s: SqlServer;

beforeAll(async () => {
  s = await startSqlServer();
  await s.put('data', 'flights.csv', 'id,carrier,delay\n1,AA,10\n2,UA,-3\n3,AA,25\n4,DL,0\n');
});

afterAll(async () => {
  await s?.close();
});

function python(script: string): Promise<Record<string, unknown>> {
  return run('python3', ['-c', script], {
    env: { ...process.env, SQL_URL: `${s.url}/_sql`, AK: SQL_ACCESS_KEY, SK: SQL_SECRET_KEY },
  }).then((r) => {
    if (r.code !== 0) throw new Error(`python exited ${r.code}\n${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  });
}

const TYPES_SQL = `SELECT 9007199254740993::BIGINT AS big, 170141183460469231731687303715884105727::HUGEINT AS huge,
  123.45::DECIMAL(10,2) AS dec, TIMESTAMPTZ '2024-01-02 03:04:05.123456+00' AS tz, TIMESTAMP '2024-01-02 03:04:05.123456' AS ts,
  DATE '2024-02-29' AS d, TIME '01:02:03.5' AS t, [1, NULL, 3] AS l, {'a': 1, 'b': 'x'} AS st, MAP {'k': 2} AS m,
  [1, 2]::INTEGER[2] AS arr, 'xyz'::BLOB AS bl, NULL::INTEGER AS n, true AS b, 1.5::FLOAT AS f, INTERVAL 3 DAY AS i`;

describe('python clients', () => {
  it('requests, pandas, pyarrow, polars and a botocore SigV4 signer read results', async () => {
    const out = await python(`
import io, json, os, urllib.parse
import requests, pandas as pd, pyarrow as pa, pyarrow.ipc as ipc, polars as pl
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

url, auth = os.environ['SQL_URL'], (os.environ['AK'], os.environ['SK'])
header = {'Authorization': requests.auth._basic_auth_str(*auth)}
out = {}

r = requests.post(url, data="SELECT carrier, sum(delay) AS total FROM 's3://data/flights.csv' GROUP BY carrier ORDER BY carrier", auth=auth)
out['json'] = r.json()['data']

q = urllib.parse.quote("SELECT id, carrier FROM 's3://data/flights.csv' ORDER BY id")
df = pd.read_csv(f"{url}?format=csv&query={q}", storage_options=header)
out['pandas_csv'] = df.to_dict(orient='list')

r = requests.post(url, params={'format': 'parquet'}, data=${JSON.stringify(TYPES_SQL)}, auth=auth)
pq = pd.read_parquet(io.BytesIO(r.content))
out['parquet_big'] = int(pq['big'][0])
out['parquet_tz'] = str(pq['tz'][0])

r = requests.post(url, headers={'Accept': 'application/vnd.apache.arrow.stream'}, data=${JSON.stringify(TYPES_SQL)}, auth=auth)
out['arrow_content_type'] = r.headers['Content-Type']
table = ipc.open_stream(r.content).read_all()
out['arrow_types'] = {f.name: str(f.type) for f in table.schema}
row = table.to_pylist()[0]
out['arrow_values'] = {k: (v.isoformat() if hasattr(v, 'isoformat') else str(v) if not isinstance(v, (int, float, bool, list, dict, type(None))) else v) for k, v in row.items() if k not in ('bl', 'i', 'm')}
out['arrow_blob'] = row['bl'].decode()
out['arrow_map'] = [list(e) for e in row['m']]

big = requests.post(url, params={'format': 'arrow'}, data="SELECT x, x % 7 AS k FROM range(100000) t(x)", auth=auth)
pdf = pl.read_ipc_stream(io.BytesIO(big.content))
out['polars'] = [pdf.height, int(pdf['x'].sum()), str(pdf.schema['x'])]

creds = Credentials(os.environ['AK'], os.environ['SK'])
req = AWSRequest(method='POST', url=url, data=b'SELECT 7 AS seven', headers={'Content-Type': 'text/plain'})
S3SigV4Auth(creds, 's3', 'us-east-1').add_auth(req)
signed = requests.post(url, data=b'SELECT 7 AS seven', headers=dict(req.headers))
out['sigv4'] = [signed.status_code, signed.json()['data']]
print(json.dumps(out))
`);
    expect(out.json).toEqual([{ carrier: 'AA', total: 35 }, { carrier: 'DL', total: 0 }, { carrier: 'UA', total: -3 }]);
    expect(out.pandas_csv).toEqual({ id: [1, 2, 3, 4], carrier: ['AA', 'UA', 'AA', 'DL'] });
    expect(out.parquet_big).toBe(9007199254740993);
    expect(out.parquet_tz).toBe('2024-01-02 03:04:05.123456+00:00');
    expect(out.arrow_content_type).toBe('application/vnd.apache.arrow.stream');
    expect(out.arrow_types).toEqual({
      big: 'int64', huge: 'decimal128(38, 0)', dec: 'decimal128(10, 2)', tz: 'timestamp[us, tz=UTC]', ts: 'timestamp[us]',
      d: 'date32[day]', t: 'time64[us]', l: 'list<item: int32>', st: 'struct<a: int32, b: string>',
      m: 'map<string, int32>', arr: 'fixed_size_list<item: int32>[2]', bl: 'binary', n: 'int32', b: 'bool', f: 'float', i: 'string',
    });
    expect(out.arrow_values).toEqual({
      big: 9007199254740993, huge: '170141183460469231731687303715884105727', dec: '123.45', tz: '2024-01-02T03:04:05.123456+00:00',
      ts: '2024-01-02T03:04:05.123456', d: '2024-02-29', t: '01:02:03.500000', l: [1, null, 3], st: { a: 1, b: 'x' },
      arr: [1, 2], n: null, b: true, f: 1.5,
    });
    expect(out.arrow_blob).toBe('xyz');
    expect(out.arrow_map).toEqual([['k', 2]]);
    expect(out.polars).toEqual([100000, 4999950000, 'Int64']);
    expect(out.sigv4).toEqual([200, [{ seven: 7 }]]);
  });
});

describe('curl', () => {
  it('posts SQL with -u and gets CSV; a refusal is a JSON 400', async () => {
    const ok = await run('curl', ['-sS', '-u', `${SQL_ACCESS_KEY}:${SQL_SECRET_KEY}`, '-H', 'Accept: text/csv',
      '--data-binary', "SELECT carrier, count(*) AS n FROM 's3://data/flights.csv' GROUP BY 1 ORDER BY 1", `${s.url}/_sql`]);
    expect(ok.stdout).toBe('carrier,n\nAA,2\nDL,1\nUA,1\n');
    const refused = await run('curl', ['-sS', '-w', '\n%{http_code}', '-u', `${SQL_ACCESS_KEY}:${SQL_SECRET_KEY}`,
      '--data-binary', "SELECT * FROM read_text('/etc/passwd')", `${s.url}/_sql`]);
    const cut = refused.stdout.lastIndexOf('\n');
    expect(refused.stdout.slice(cut + 1)).toBe('400');
    expect(JSON.parse(refused.stdout.slice(0, cut)).error).toMatchObject({ code: 'SqlNotAllowed', refused: 'path /etc/passwd' });
  });
});
