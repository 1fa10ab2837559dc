// The flights-3m query set shared by the select-csv, select-json and select-parquet suites: aggregates,
// filters, narrow and wide projections, LIMIT and the GROUP BY extension, written once per format.
import type { SelectQuery } from './suite.js';

/** The flights-3m queries over one derivation (`csv`, `csv.gz`, `jsonl`, `parquet`…). */
export function flightsQueries(format: string): SelectQuery[] {
  // CSV fields are untyped text in S3 Select: arithmetic needs a CAST; JSON and Parquet values are typed.
  const n = (col: string): string => (format.startsWith('csv') ? `CAST(s.${col} AS INT)` : `s.${col}`);
  const q = (name: string, expression: string, baseline: string, extra: Partial<SelectQuery> = {}): SelectQuery => ({
    name: `${format}/${name}`, dataset: 'flights-3m', format, expression, baseline, ...extra,
  });
  return [
    q('count', 'SELECT COUNT(*) FROM S3Object s', 'SELECT count(*) FROM {input}'),
    q('aggregates', `SELECT SUM(${n('delay')}), AVG(${n('distance')}), MIN(${n('delay')}), MAX(${n('distance')}) FROM S3Object s`,
      'SELECT sum(delay), avg(distance), min(delay), max(distance) FROM {input}'),
    q('filter-count', `SELECT COUNT(*) FROM S3Object s WHERE ${n('delay')} > 60`,
      'SELECT count(*) FROM {input} WHERE delay > 60'),
    q('filter-rows', "SELECT * FROM S3Object s WHERE s.origin = 'SFO' AND s.destination = 'LAX'",
      "SELECT * FROM {input} WHERE origin = 'SFO' AND destination = 'LAX'", { ordered: true }),
    q('narrow', 'SELECT s.origin FROM S3Object s', 'SELECT origin FROM {input}', { ordered: true }),
    q('select-star', 'SELECT * FROM S3Object s', 'SELECT * FROM {input}', { ordered: true }),
    q('limit', 'SELECT * FROM S3Object s LIMIT 1000', 'SELECT * FROM {input} LIMIT 1000', { ordered: true }),
    q('group-by', `SELECT s.origin, COUNT(*), AVG(${n('delay')}) FROM S3Object s GROUP BY s.origin`,
      'SELECT origin, count(*), avg(delay) FROM {input} GROUP BY origin'),
  ];
}
