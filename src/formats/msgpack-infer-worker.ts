// The MessagePack schema thread (see msgpack-infer-thread.ts): one schema pass per message, over a
// local file, answered with the inference (a structured clone: maps and plain objects) or the failure.
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { S3Error } from '../errors.js';
import { inferMsgpack } from './msgpack.js';
import type { FromInferrer, ToInferrer } from './msgpack-infer-thread.js';

const port = parentPort!;
const streams = new Map<number, fs.ReadStream>();
const reply = (m: FromInferrer) => port.postMessage(m);

async function infer(id: number, file: string): Promise<void> {
  try {
    const inference = await inferMsgpack(() => {
      const s = fs.createReadStream(file, { highWaterMark: 1 << 20 });
      streams.set(id, s);
      return s;
    });
    reply({ type: 'inferred', id, inference: { fields: inference.fields, records: inference.records, bytes: inference.bytes } });
  } catch (e) {
    reply({ type: 'failed', id, message: (e as Error).message, code: e instanceof S3Error ? e.code : undefined });
  } finally {
    streams.delete(id);
  }
}

port.on('message', (m: ToInferrer) => {
  if (m.type === 'infer') void infer(m.id, m.file);
  else streams.get(m.id)?.destroy(new Error('aborted'));
});

reply({ type: 'ready' });
