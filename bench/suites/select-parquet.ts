// S3 Select over flights-3m as Parquet.
import { flightsQueries } from '../flights-queries.js';
import type { SelectSuite } from '../suite.js';

const suite: SelectSuite = {
  name: 'select-parquet',
  kind: 'select',
  description: 'flights-3m (3M rows) as Parquet',
  queries: flightsQueries('parquet'),
};
export default suite;
