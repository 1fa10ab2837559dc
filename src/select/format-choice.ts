// Which reader a request gets. An explicit <Avro/>, <ORC/>, <MessagePack/> or <Protobuf> element wins.
// Otherwise the object describes itself — magic bytes, then Content-Type, then key extension (see
// formats/detect.ts) — and a binary object is read as what it is under a Parquet or JSON element (boto3
// and the AWS CLI cannot send our elements). A CSV element over a binary object is refused: reading
// Avro or Parquet bytes as text would only produce garbage rows.
import { s3Error } from '../errors.js';
import { detectFormat, type BinaryFormat, type RequestFormat } from '../formats/detect.js';
import type { SourceContext } from './sources/source.js';

export type InputKind = 'csv' | 'json' | BinaryFormat;

const NAMES: Record<BinaryFormat, string> = { avro: 'Avro', orc: 'ORC', parquet: 'Parquet', msgpack: 'MessagePack', protobuf: 'Protobuf' };
const ELEMENTS: Record<BinaryFormat, string> = {
  avro: '<Avro/>', orc: '<ORC/>', parquet: '<Parquet/>', msgpack: '<MessagePack/>', protobuf: '<Protobuf>',
};

/** The first bytes of the object (fewer when it is shorter). */
function head(ctx: SourceContext, n: number): Promise<Buffer> {
  const read = () => readHead(ctx, n);
  return ctx.facts ? ctx.facts.get(ctx.bucket, ctx.key, ctx.info, `head:${n}`, read) : read();
}

async function readHead(ctx: SourceContext, n: number): Promise<Buffer> {
  if (ctx.info.size === 0) return Buffer.alloc(0);
  const body = await ctx.store.getObject(ctx.bucket, ctx.key, { start: 0, end: Math.min(ctx.info.size, n) - 1 });
  const chunks: Buffer[] = [];
  for await (const c of body.stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function reason(bytes: Buffer, ctx: SourceContext): string {
  if (detectFormat({ head: bytes, key: '' })) return 'by its leading bytes';
  if (detectFormat({ head: Buffer.alloc(0), key: '', contentType: ctx.info.contentType })) return `by its Content-Type ${ctx.info.contentType}`;
  return 'by its key extension';
}

export async function chooseInputKind(ctx: SourceContext): Promise<InputKind> {
  const requested = ctx.request.input.format.kind;
  if (requested === 'avro' || requested === 'orc' || requested === 'msgpack' || requested === 'protobuf') return requested;
  const bytes = await head(ctx, 4);
  const found = detectFormat({ explicit: requested as RequestFormat, head: bytes, contentType: ctx.info.contentType, key: ctx.key });
  if (!found) return requested;
  if (requested === 'csv') {
    throw s3Error('InvalidDataSource',
      `The object is ${NAMES[found]} (recognised ${reason(bytes, ctx)}), which CSV input cannot read. ` +
      `Use InputSerialization Parquet or JSON (the object's own format is used), or the ${ELEMENTS[found]} element.`);
  }
  const compression = ctx.request.input.compression;
  if (compression !== 'NONE' && (found === 'parquet' || found === 'orc')) {
    throw s3Error('InvalidRequestParameter', `CompressionType must be NONE for ${NAMES[found]} objects.`);
  }
  return found;
}
