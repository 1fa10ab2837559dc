// The HTTP SQL endpoint (/_sql) over flights-3m as Parquet: small-query latency with one query text and a
// bound parameter against a text that differs every time, and the throughput of a 3M-row answer as JSON,
// CSV and Arrow, each beside in-process DuckDB doing the same.
import type { SqlSuite } from '../suite.js';

const COUNT = 'SELECT count(*) FROM {object} WHERE delay > {n}';
const ALL = 'SELECT * FROM {object}';
const common = { dataset: 'flights-3m', format: 'parquet' } as const;
const checked = { checksum: ['delay', 'origin'], ordered: true };

const suite: SqlSuite = {
  name: 'sql',
  kind: 'sql',
  description: 'the /_sql endpoint over flights-3m (3M rows, Parquet): small-query latency and 3M-row results',
  runs: 3,
  queries: [
    { kind: 'latency', name: 'latency/same-text', ...common, sql: COUNT, bind: true, ops: 20 },
    { kind: 'latency', name: 'latency/new-text', ...common, sql: COUNT, bind: false, ops: 20 },
    { kind: 'result', name: 'result/json', ...common, sql: ALL, output: 'json', ...checked },
    { kind: 'result', name: 'result/csv', ...common, sql: ALL, output: 'csv', ...checked },
    { kind: 'result', name: 'result/arrow', ...common, sql: ALL, output: 'arrow', ...checked },
  ],
};
export default suite;
