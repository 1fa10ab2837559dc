// The scale run (not for CI): generated lineitem CSV at 10 GB by default (`--scale` to choose), SELECT *
// and a filtered aggregate through the gateway, with the server's RSS sampled throughout.
import type { SelectSuite } from '../suite.js';

const suite: SelectSuite = {
  name: 'scale',
  kind: 'select',
  description: 'generated lineitem CSV at scale: SELECT * and a filtered aggregate, server memory sampled throughout',
  scale: '10GB',
  runs: 1,
  recordRss: true,
  queries: [
    {
      name: 'csv/filtered-aggregate', dataset: 'lineitem', format: 'csv',
      expression: "SELECT COUNT(*), SUM(CAST(s.l_quantity AS INT)), MAX(CAST(s.l_extendedprice AS DECIMAL)) FROM S3Object s " +
        "WHERE s.l_shipmode = 'AIR' AND s.l_returnflag = 'R'",
      baseline: "SELECT count(*), sum(l_quantity), max(l_extendedprice) FROM {input} WHERE l_shipmode = 'AIR' AND l_returnflag = 'R'",
    },
    {
      name: 'csv/select-star', dataset: 'lineitem', format: 'csv',
      expression: 'SELECT * FROM S3Object s',
      baseline: 'SELECT * FROM {input}',
      ordered: true,
    },
  ],
};
export default suite;
