// Runs the Python notebook examples of the README's SQL section exactly as written (all ```python blocks, in
// order, as one script) against a server holding the demo objects they use.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { run } from './helpers/clients.js';
import { ROOT } from './helpers/server.js';
import { SQL_ACCESS_KEY, SQL_SECRET_KEY, startSqlServer, type SqlServer } from './helpers/sql-server.js';

let s: SqlServer;

beforeAll(async () => {
  s = await startSqlServer();
  await s.put('demo', 'flights.csv', 'id,carrier,delay\n1,AA,10\n2,UA,-3\n3,AA,25\n4,DL,0\n5,UA,7\n');
  const carriers = await s.sql(`SELECT * FROM (VALUES ('AA', 'American'), ('UA', 'United'), ('DL', 'Delta')) t(code, name)`, { query: 'format=parquet' });
  await s.put('demo', 'carriers.parquet', Buffer.from(await carriers.arrayBuffer()));
});

afterAll(async () => {
  await s?.close();
});

it('runs the notebook examples from the README', async () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## SQL over HTTP');
  const next = readme.indexOf('\n## ', start + 1);
  const doc = readme.slice(start, next < 0 ? undefined : next);
  const blocks = [...doc.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks).toHaveLength(5);
  const r = await run('python3', ['-c', blocks.join('\n')], {
    env: { ...process.env, SELECTD_URL: s.url, SELECTD_ACCESS_KEY: SQL_ACCESS_KEY, SELECTD_SECRET_KEY: SQL_SECRET_KEY },
  });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lines = r.stdout.split('\n').map((l) => l.trim());
  // pandas.read_csv on the GET URL
  expect(lines).toEqual(expect.arrayContaining(['carrier  avg_delay', 'AA       17.5', 'DL        0.0', 'UA        2.0']));
  // pandas.read_parquet of the POST response (the CSV ⋈ Parquet join)
  expect(lines).toEqual(expect.arrayContaining(['id  delay     name', '1     10 American', '5      7   United']));
  // pyarrow IPC stream with a named parameter
  expect(lines).toEqual(expect.arrayContaining(['id: int64', 'carrier: string', 'delay: int64', '[1, 3, 5]']));
  // polars
  expect(r.stdout).toMatch(/│ AA\s+┆ 2\s+│/);
  expect(r.stdout).toMatch(/│ UA\s+┆ 2\s+│/);
});
