// The decoding thread (see decode-thread.ts): a MessagePack schema pass per message, over a local file,
// answered with the inference (a structured clone: maps and plain objects) or the failure; asked in time,
// the pass also decodes the object's tail (msgpack-split.ts), whose batches it sends as they are cut.
// It decodes the tails of Avro and Protobuf files too (tail-split.ts).
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { S3Error } from '../errors.js';
import type * as arrow from 'apache-arrow';
import { decodeAvroFrom } from './avro.js';
import { decodeProtobufToArrow, loadProtoTexts, messageAt } from './protobuf.js';
import type { FromDecodeThread, ToDecodeThread } from './decode-thread.js';
import { TailedInference, type TailEvent } from './msgpack-split.js';
import { batchToShared } from './tail-split.js';

const port = parentPort!;
const jobs = new Map<number, { stream: fs.ReadStream; walk: TailedInference }>();
const reply = (m: FromDecodeThread) => port.postMessage(m);

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

/** Avro and Protobuf tails being decoded, and those of them asked to stop. */
const tailJobs = new Set<number>();
const aborted = new Set<number>();

/** Where the tail starts and its batches. */
async function tailOf(m: Extract<ToDecodeThread, { type: 'avro-tail' | 'protobuf-tail' }>): Promise<{ start: number; batches: AsyncIterable<arrow.RecordBatch> }> {
  if (m.type === 'avro-tail') return decodeAvroFrom(m.file, m.from, { columns: m.columns });
  const root = await loadProtoTexts(m.schema);
  const start = await messageAt(m.file, m.from);
  const decoded = await decodeProtobufToArrow(fs.createReadStream(m.file, { start: start.offset, highWaterMark: 1 << 20 }),
    { root, messageType: m.messageType, columns: m.columns, start });
  return { start: start.offset, batches: decoded.batches };
}

async function tail(m: Extract<ToDecodeThread, { type: 'avro-tail' | 'protobuf-tail' }>): Promise<void> {
  const { id } = m;
  tailJobs.add(id);
  try {
    const { start, batches } = await tailOf(m);
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
    tailJobs.delete(id);
    aborted.delete(id);
  }
}

port.on('message', (m: ToDecodeThread) => {
  if (m.type === 'infer') void infer(m.id, m.file);
  else if (m.type === 'avro-tail' || m.type === 'protobuf-tail') void tail(m);
  else if (m.type === 'tail') reply({ type: 'tail-accepted', id: m.id, accepted: jobs.get(m.id)?.walk.offer(m.request) ?? false });
  else {
    if (tailJobs.has(m.id)) aborted.add(m.id);
    jobs.get(m.id)?.stream.destroy(new Error('aborted'));
  }
});

reply({ type: 'ready' });
