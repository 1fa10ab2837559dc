// S3 Select over flights-3m as JSON LINES.
import { flightsQueries } from '../flights-queries.js';
import type { SelectSuite } from '../suite.js';

const suite: SelectSuite = {
  name: 'select-json',
  kind: 'select',
  description: 'flights-3m (3M rows) as JSON LINES',
  queries: flightsQueries('jsonl'),
};
export default suite;
