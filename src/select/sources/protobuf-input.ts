// Which schema a Protobuf object is read with: the request's <Protobuf> element wins, else the object's
// metadata (x-amz-meta-protobuf-message / x-amz-meta-protobuf-schema). The schema key names a `.proto`
// object in the same bucket; its imports are keys relative to the schema's own folder (protoc's include
// path, rooted at that folder), except google/protobuf/* which come bundled.
import path from 'node:path';
import type protobuf from 'protobufjs';
import { S3Error, s3Error } from '../../errors.js';
import { loadProtoSchema, type ProtoTexts } from '../../formats/protobuf.js';
import type { Store } from '../../store/store.js';
import type { ProtobufInput } from '../request.js';
import type { SourceContext } from './source.js';

export const MESSAGE_META = 'protobuf-message';
export const SCHEMA_META = 'protobuf-schema';
const MAX_SCHEMA_OBJECT_BYTES = 4 * 1024 * 1024;

export interface ProtobufChoice { messageType: string; schemaKey: string }

/** The message type and schema key for the object; a 400 naming what is missing when either is. */
export function protobufChoice(ctx: SourceContext): ProtobufChoice {
  const element = ctx.request.input.format.kind === 'protobuf' ? (ctx.request.input.format as ProtobufInput) : undefined;
  const meta = ctx.info.userMeta ?? {};
  const messageType = element?.messageType ?? meta[MESSAGE_META]?.trim();
  const schemaKey = element?.schemaKey ?? meta[SCHEMA_META]?.trim();
  const missing = [
    !messageType && `the message type (x-amz-meta-${MESSAGE_META} on the object, or <MessageType> in <Protobuf>)`,
    !schemaKey && `the schema (x-amz-meta-${SCHEMA_META}: the key of a .proto object in this bucket, or <SchemaKey> in <Protobuf>)`,
  ].filter(Boolean);
  if (missing.length > 0) {
    throw s3Error('MissingRequiredParameter', `Protobuf input needs ${missing.join(' and ')}.`);
  }
  return { messageType: messageType!.replace(/^\./, ''), schemaKey: schemaKey! };
}

async function readText(store: Store, bucket: string, key: string, what: string): Promise<string> {
  let body;
  try {
    body = await store.getObject(bucket, key);
  } catch (e) {
    if (e instanceof S3Error && e.code === 'NoSuchKey') {
      throw s3Error('InvalidRequest', `The Protobuf ${what} '${key}' does not exist in bucket '${bucket}'.`);
    }
    throw e;
  }
  if (body.info.size > MAX_SCHEMA_OBJECT_BYTES) {
    body.stream.destroy();
    throw s3Error('InvalidRequest', `The Protobuf ${what} '${key}' is larger than ${MAX_SCHEMA_OBJECT_BYTES} bytes.`);
  }
  const chunks: Buffer[] = [];
  for await (const c of body.stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Loads the schema; `read` lists every object it came from (the schema key and its imports), `sources`
 * their texts.
 */
export async function loadProtobufSchema(ctx: SourceContext, choice: ProtobufChoice): Promise<{ root: protobuf.Root; read: string[]; sources: ProtoTexts }> {
  const read = [choice.schemaKey];
  const base = path.posix.dirname(choice.schemaKey);
  const text = await readText(ctx.store, ctx.bucket, choice.schemaKey, 'schema object');
  const imports: [string, string][] = [];
  const name = path.posix.basename(choice.schemaKey);
  const root = await loadProtoSchema(text, async (importPath) => {
    const key = base === '.' ? path.posix.normalize(importPath) : path.posix.join(base, importPath);
    read.push(key);
    const imported = await readText(ctx.store, ctx.bucket, key, 'schema import');
    imports.push([importPath, imported]);
    return imported;
  }, name);
  return { root, read, sources: { text, name, imports } };
}
