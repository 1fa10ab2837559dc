// S3 Select over flights-3m as CSV and gzip CSV.
import { flightsQueries } from '../flights-queries.js';
import type { SelectSuite } from '../suite.js';

const suite: SelectSuite = {
  name: 'select-csv',
  kind: 'select',
  description: 'flights-3m (3M rows) as CSV with a header and as gzip CSV',
  queries: [...flightsQueries('csv'), ...flightsQueries('csv.gz')],
};
export default suite;
