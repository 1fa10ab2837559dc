// The MessagePack schema thread (see msgpack-infer-thread.ts): one schema pass per message, over a
// local file, answered with the inference (a structured clone: maps and plain objects) or the failure;
// asked in time, the pass also decodes the object's tail (msgpack-split.ts), whose batches it sends as
// they are cut. It decodes the tail of Avro files too (avro-split.ts).
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { S3Error } from '../errors.js';
import { decodeAvroFrom } from './avro.js';
import type { FromInferrer, ToInferrer } from './msgpack-infer-thread.js';
import { batchToShared, TailedInference, type TailEvent } from './msgpack-split.js';

const port = parentPort!;
const jobs = new Map<number, { stream: fs.ReadStream; walk: TailedInference }>();
const reply = (m: FromInferrer) => port.postMessage(m);

function tailEvent(id: number, e: TailEvent): void {
  if (e.kind === 'batch') {
    reply({ type: 'tail-batch', id, bytes: batchToShared(e.batch) });
  } else if (e.kind === 'done') reply({ type: 'tail-done', id, first: e.first, records: e.records });
  else reply({ type: 'tail-failed', id, message: e.message });
}

async function infer(id: number, file: string): Promise<void> {
  const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  const walk = new TailedInference(stream, (e) => tailEvent(id, e));
  jobs.set(id, { stream, walk });
  try {
    const inference = await walk.run();
    reply({ type: 'inferred', id, inference: { fields: inference.fields, records: inference.records, bytes: inference.bytes } });
  } catch (e) {
    reply({ type: 'failed', id, message: (e as Error).message, code: e instanceof S3Error ? e.code : undefined });
  } finally {
    jobs.delete(id);
  }
}

/** Avro tails being decoded, and those of them asked to stop. */
const avroJobs = new Set<number>();
const aborted = new Set<number>();

async function avroTail(id: number, file: string, from: number, columns: string[] | undefined): Promise<void> {
  avroJobs.add(id);
  try {
    const { start, batches } = await decodeAvroFrom(file, from, { columns });
    let records = 0;
    for await (const batch of batches) {
      if (aborted.has(id)) throw new Error('aborted');
      records += batch.numRows;
      reply({ type: 'tail-batch', id, bytes: batchToShared(batch) });
    }
    reply({ type: 'tail-done', id, first: start, records });
  } catch (e) {
    reply({ type: 'tail-failed', id, message: (e as Error).message });
  } finally {
    avroJobs.delete(id);
    aborted.delete(id);
  }
}

port.on('message', (m: ToInferrer) => {
  if (m.type === 'infer') void infer(m.id, m.file);
  else if (m.type === 'avro-tail') void avroTail(m.id, m.file, m.from, m.columns);
  else if (m.type === 'tail') reply({ type: 'tail-accepted', id: m.id, accepted: jobs.get(m.id)?.walk.offer(m.request) ?? false });
  else {
    if (avroJobs.has(m.id)) aborted.add(m.id);
    jobs.get(m.id)?.stream.destroy(new Error('aborted'));
  }
});

reply({ type: 'ready' });
