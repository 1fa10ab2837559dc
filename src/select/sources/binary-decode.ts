// One interface over the four decoders for the Select pipeline: the object's full Arrow schema, and its
// rows as Arrow batches (optionally only some top-level columns, and for ORC only the stripes a filter
// keeps). Streams (decompressed when the request says so) come from the object's local file when the
// store has one, else from the store; ORC reads byte ranges, from the local file too when there is one.
// Byte counters feed the Stats event.
import type * as arrow from 'apache-arrow';
import fs from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { S3Error, s3Error } from '../../errors.js';
import { decodeAvroFrom, decodeAvroToArrow } from '../../formats/avro.js';
import { joinTail, tailSplitOffset, type Tail } from '../../formats/tail-split.js';
import type { ArrowDecoded } from '../../formats/batches.js';
import { cutterFor, decodeMsgpackToArrow, inferMsgpack, sameFields, wantedShapes, type MsgpackInference } from '../../formats/msgpack.js';
import { decodeWithTail, splitOffset, type TailJob } from '../../formats/msgpack-split.js';
import { avroTailOnThread, inferOnThread, decodeThreadReady, protobufTailOnThread } from '../../formats/decode-thread.js';
import { openOrc, type ColumnStats, type OrcReader } from '../../formats/orc/index.js';
import { decodeProtobufToArrow, messageAt } from '../../formats/protobuf.js';
import { tableColumns } from './decoded-table.js';
import { decompressionError, decompressor } from './decompress.js';
import { loadProtobufSchema, type ProtobufChoice } from './protobuf-input.js';
import type { ByteCounters, SourceContext } from './source.js';

export type BinaryKind = 'avro' | 'orc' | 'msgpack' | 'protobuf';

export type StripeFilter = (stats: Record<string, ColumnStats>) => boolean;

export interface DecodeRequest {
  /** Top-level columns to decode; all when absent. */
  columns?: string[];
  /** ORC only: stripes for which this returns false are not read. */
  stripeFilter?: StripeFilter;
}

export interface ObjectDecoder {
  /** The object's full schema (every top-level column). */
  schema(): Promise<arrow.Schema>;
  decode(req: DecodeRequest): Promise<ArrowDecoded>;
  /** Bytes read from the object by the most complete pass so far. */
  counters(): ByteCounters;
  /** Other objects read to decode this one (Protobuf schema files), as keys in the same bucket. */
  readonly deps: string[];
  /**
   * MessagePack decoded with a sample's columns: the whole object's inference, from the schema thread
   * (undefined when there was no sample). A decode fails with SampleMismatch when the two differ.
   */
  wholeInference?(): Promise<MsgpackInference> | undefined;
  /** Decodes with this inference from now on (the whole object's, after a sample's proved wrong). */
  reinfer?(inference: MsgpackInference): void;
  /** Stops every stream or file still open. */
  close(): Promise<void>;
}

/**
 * The object's bytes: its local file when the store keeps one (the version the request started with),
 * read in 1 MiB chunks, as the decoders pay per chunk (the store's streams come in 64 KiB); else the store's.
 */
async function openBody(ctx: SourceContext): Promise<Readable> {
  if (ctx.localPath) {
    try {
      return (await fs.promises.open(ctx.localPath, 'r')).createReadStream({ highWaterMark: 1 << 20 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  return (await ctx.store.getObject(ctx.bucket, ctx.key)).stream;
}

/** Opens the object as a stream, as many times as a decoder asks, counting and tracking each open. */
function streamOpener(ctx: SourceContext, signal: AbortSignal, passes: ByteCounters[], open: Set<Readable>) {
  const compression = ctx.request.input.compression;
  return async (): Promise<Readable> => {
    signal.throwIfAborted();
    const counters: ByteCounters = { scanned: 0, processed: 0 };
    passes.push(counters);
    const body = { stream: await openBody(ctx) };
    const out = new PassThrough({ highWaterMark: 1 << 20 });
    const stages: NodeJS.ReadWriteStream[] = [];
    const raw = new PassThrough();
    raw.on('data', (c: Buffer) => { counters.scanned += c.length; });
    stages.push(raw);
    const dec = decompressor(compression);
    if (dec) stages.push(dec);
    const plain = new PassThrough();
    plain.on('data', (c: Buffer) => { counters.processed += c.length; });
    stages.push(plain);
    open.add(body.stream).add(out);
    const stop = () => { body.stream.destroy(); out.destroy(signal.reason as Error); };
    signal.addEventListener('abort', stop, { once: true });
    pipeline([body.stream, ...stages, out] as unknown as [Readable, PassThrough])
      .catch((e: unknown) => out.destroy(compression === 'NONE' ? (e as Error) : decompressionError(e, compression)))
      .finally(() => {
        signal.removeEventListener('abort', stop);
        open.delete(body.stream);
        open.delete(out);
      });
    return out;
  };
}

/** Total length of the union of [start, end) ranges (kept sorted and merged). */
class Coverage {
  private readonly spans: [number, number][] = [];
  bytes = 0;
  add(start: number, end: number): void {
    const merged: [number, number][] = [];
    let s = start;
    let e = end;
    for (const span of this.spans) {
      if (span[1] < s || span[0] > e) merged.push(span);
      else {
        s = Math.min(s, span[0]);
        e = Math.max(e, span[1]);
      }
    }
    merged.push([s, e]);
    merged.sort((a, b) => a[0] - b[0]);
    this.spans.splice(0, this.spans.length, ...merged);
    this.bytes = merged.reduce((n, [a, b]) => n + b - a, 0);
  }
}

/**
 * Random reads for ORC: the local file when there is one (its inode stays this version), else ranged
 * GETs. The counters report each byte once, however often the tail or a stream is read.
 */
async function orcFile(ctx: SourceContext, signal: AbortSignal, counters: ByteCounters) {
  const handle = ctx.localPath ? await fs.promises.open(ctx.localPath, 'r') : undefined;
  const coverage = new Coverage();
  const read = async (offset: number, length: number): Promise<Uint8Array> => {
    signal.throwIfAborted();
    if (length === 0) return new Uint8Array(0);
    coverage.add(offset, offset + length);
    counters.scanned = counters.processed = coverage.bytes;
    if (handle) {
      const buf = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    }
    const body = await ctx.store.getObject(ctx.bucket, ctx.key, { start: offset, end: offset + length - 1 });
    const chunks: Buffer[] = [];
    for await (const c of body.stream) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };
  return { source: { size: ctx.info.size, read }, close: async () => { await handle?.close(); } };
}

/** Records a MessagePack sample reads before columns are guessed from them. */
export const MSGPACK_SAMPLE_RECORDS = 16384;

/** A decode with a sample's columns met the object's real ones, which differ: decode again with these. */
export class SampleMismatch extends Error {
  constructor(readonly inference: MsgpackInference) {
    super('the MessagePack sample did not show every column');
  }
}

/** The batches, then a check that the sample's columns are the whole object's (a failure, too, is checked). */
async function* checkedAgainst(batches: AsyncIterable<arrow.RecordBatch>, sample: MsgpackInference, whole: Promise<MsgpackInference>) {
  try {
    yield* batches;
  } catch (e) {
    const w = await whole.catch(() => undefined);
    if (w && !sameFields(w.fields, sample.fields)) throw new SampleMismatch(w);
    throw e;
  }
  const w = await whole;
  if (!sameFields(w.fields, sample.fields)) throw new SampleMismatch(w);
}

/** An Avro or Protobuf decode split with the decoding thread (tail-split.ts). */
interface SplitParts {
  /** Decodes the head, stopping before the first record at or past `stopAt` (reported to `onStop`). */
  head(stopAt: number, onStop: (at: number) => void): Promise<ArrowDecoded>;
  /** The tail from the decoding thread. */
  tail(): Promise<Tail>;
  /** Decodes the tail on this thread, from where the head stopped. */
  rest(at: number): Promise<AsyncIterable<arrow.RecordBatch>>;
}

async function splitDecode(from: number, parts: SplitParts, readRest: () => void): Promise<ArrowDecoded> {
  let stop: number | undefined;
  const head = await parts.head(from, (at) => { stop = at; });
  // Nested columns do not cross threads: this thread then reads the rest too.
  const flat = tableColumns(head.schema) !== undefined;
  const startTail = flat ? () => parts.tail() : () => Promise.reject(new Error('nested columns'));
  return { schema: head.schema, batches: joinTail({ head: head.batches, stopped: () => stop, startTail, rest: parts.rest, readRest }) };
}

/**
 * `speculate` (a first query): a MessagePack object in a local uncompressed file may be decoded with the
 * columns of its first MSGPACK_SAMPLE_RECORDS records while the decoding thread reads all of them (one
 * pass on this thread instead of two); a mismatch fails the decode with SampleMismatch. Such objects,
 * and local Avro and Protobuf files, may have their tail decoded on that thread.
 */
export async function openDecoder(kind: BinaryKind, ctx: SourceContext, signal: AbortSignal, proto?: ProtobufChoice, speculate = false): Promise<ObjectDecoder> {
  const passes: ByteCounters[] = [];
  const open = new Set<Readable>();
  const deps: string[] = [];
  const counters = () => passes.reduce((best, c) => (c.scanned > best.scanned ? c : best), { scanned: 0, processed: 0 });
  const closeStreams = () => { for (const s of open) s.destroy(); open.clear(); };

  if (kind === 'orc') {
    if (ctx.request.input.compression !== 'NONE') throw s3Error('InvalidRequestParameter', 'CompressionType must be NONE for ORC objects.');
    const orcCounters: ByteCounters = { scanned: 0, processed: 0 };
    passes.push(orcCounters);
    const file = await orcFile(ctx, signal, orcCounters);
    let reader: OrcReader;
    try {
      reader = await openOrc(file.source);
    } catch (e) {
      await file.close();
      throw e;
    }
    return {
      deps,
      counters,
      schema: async () => reader.arrowSchema(),
      decode: async (req) => ({
        schema: reader.arrowSchema(req.columns),
        batches: reader.readBatches({ columns: req.columns, stripeFilter: req.stripeFilter }),
      }),
      close: file.close,
    };
  }

  const opener = streamOpener(ctx, signal, passes, open);
  let decode: (req: DecodeRequest) => Promise<ArrowDecoded>;
  let msgpack: Pick<ObjectDecoder, 'wholeInference' | 'reinfer'> = {};
  // A first query over a local file decodes its head here and its tail on the decoding thread.
  const localFile = speculate && ctx.request.input.compression === 'NONE' ? ctx.localPath : undefined;
  // The other thread reads the tail's bytes, or this one reads on past the head: the object is read whole.
  const readRest = () => { passes.push({ scanned: ctx.info.size, processed: ctx.info.size }); };
  const from = localFile ? tailSplitOffset(ctx.info.size) : undefined;
  const split = (parts: SplitParts) => splitDecode(from!, parts, readRest);
  const splits = () => from !== undefined && decodeThreadReady();
  if (kind === 'avro') {
    decode = async (req) => {
      const opts = { columns: req.columns };
      if (!splits()) return decodeAvroToArrow(opener, opts);
      return split({
        head: (stopAt, onStop) => decodeAvroToArrow(opener, { ...opts, stopAt, onStop }),
        tail: () => avroTailOnThread(localFile!, from!, req.columns, signal),
        rest: async (at) => (await decodeAvroFrom(localFile!, at, opts)).batches,
      });
    };
  }
  else if (kind === 'msgpack') {
    // Pass 1 (the schema) reads the whole object once, or a sample of it while the schema thread reads
    // the whole; each decode after it reads only its columns.
    let inferred: Promise<MsgpackInference> | undefined;
    let whole: Promise<MsgpackInference> | undefined;
    let tailJob: TailJob | undefined;
    const infer = async (): Promise<MsgpackInference> => {
      if (!localFile || !decodeThreadReady()) return inferMsgpack(opener);
      const sample = await inferMsgpack(opener, undefined, MSGPACK_SAMPLE_RECORDS);
      if (sample.partial) {
        const thread = inferOnThread(localFile, signal);
        tailJob = thread.job;
        // Should the thread itself fail (not the object), this thread reads the records after all.
        whole = thread.whole.catch((e: unknown) => (e instanceof S3Error || signal.aborted ? Promise.reject(e) : inferMsgpack(opener)));
        whole.catch(() => undefined);
      }
      return sample;
    };
    decode = async (req) => {
      const pass1 = await (inferred ??= infer());
      const shapes = wantedShapes(pass1.fields, req.columns);
      const at = pass1.partial && tailJob ? splitOffset(ctx.info.size, shapes) : undefined;
      let decoded: ArrowDecoded;
      if (at !== undefined) {
        const cutter = cutterFor(shapes, {});
        decoded = { schema: cutter.schema, batches: decodeWithTail(opener, shapes, cutter, tailJob!, at, readRest) };
      } else decoded = await decodeMsgpackToArrow(opener, { columns: req.columns, inferred: pass1 });
      return pass1.partial && whole ? { schema: decoded.schema, batches: checkedAgainst(decoded.batches, pass1, whole) } : decoded;
    };
    msgpack = {
      wholeInference: () => whole,
      reinfer: (i) => {
        inferred = Promise.resolve(i);
        whole = undefined;
        tailJob = undefined;
      },
    };
  }
  else {
    const { root, read, sources } = await loadProtobufSchema(ctx, proto!);
    deps.push(...read);
    const messageType = proto!.messageType;
    decode = async (req) => {
      const opts = { root, messageType, columns: req.columns };
      if (!splits()) return decodeProtobufToArrow(opener, opts);
      return split({
        head: (stopAt, onStop) => decodeProtobufToArrow(opener, { ...opts, stopAt, onStop }),
        tail: () => protobufTailOnThread(localFile!, from!, req.columns, messageType, sources, signal),
        rest: async (at) => {
          const start = await messageAt(localFile!, at);
          const stream = fs.createReadStream(localFile!, { start: start.offset, highWaterMark: 1 << 20 });
          return (await decodeProtobufToArrow(stream, { ...opts, start })).batches;
        },
      });
    };
  }
  return {
    deps,
    counters,
    ...msgpack,
    // Learning the schema opens the object too: that pass is closed right away.
    schema: async () => {
      const probe = await decode({});
      closeStreams();
      return probe.schema;
    },
    decode,
    close: async () => closeStreams(),
  };
}
