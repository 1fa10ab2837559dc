// The gateway's object operations against a bare loopback HTTP server and the raw file system.
import type { ObjectsSuite } from '../suite.js';

const suite: ObjectsSuite = {
  name: 'objects',
  kind: 'objects',
  description: 'PUT/GET of 1 MiB and 64 MiB objects, HEAD latency, ListObjectsV2 over 10,000 keys',
  sizes: [1024 ** 2, 64 * 1024 ** 2],
  headOps: 200,
  listKeys: 10_000,
};
export default suite;
