// Avro, ORC, Protobuf and MessagePack objects: decoded to Arrow, written as Parquet (parquet-wasm), then
// queried like Parquet objects. With the columnar cache on, the first query decodes every column and the
// file it writes is the object's shadow, which later queries (and concurrent ones) read directly. Without
// the cache (or for an object larger than the whole cache) each query decodes only the columns it
// references into a file of its own — after the translator has named them — and ORC skips the stripes
// whose statistics rule out the WHERE clause.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Engine } from '../../duckdb/engine.js';
import { S3Error, s3Error, type S3ErrorCode } from '../../errors.js';
import { writeParquetFile } from '../../formats/to-parquet.js';
import type { ShadowCache } from '../shadow-cache.js';
import type { Translation } from '../translate/index.js';
import { openDecoder, type BinaryKind, type DecodeRequest, type ObjectDecoder } from './binary-decode.js';
import { orcStripeFilter } from './orc-stripes.js';
import { parquetSafe } from './parquet-safe.js';
import { protobufChoice, type ProtobufChoice } from './protobuf-input.js';
import { sqlString, type ByteCounters, type PreparedSource, type SourceContext } from './source.js';

export const FORMAT_NAMES: Record<BinaryKind, string> = { avro: 'Avro', orc: 'ORC', msgpack: 'MessagePack', protobuf: 'Protobuf' };
const PARSE_ERRORS: Record<BinaryKind, S3ErrorCode> = {
  avro: 'AvroParsingError', orc: 'OrcParsingError', msgpack: 'MessagePackParsingError', protobuf: 'ProtobufParsingError',
};

export interface BinaryDeps {
  engine: Engine;
  shadows?: ShadowCache;
  /** Invalidation stamp taken before the object's metadata was read. */
  stamp: number;
  /** Directory for per-query Parquet files (inside DuckDB's allowed directories). */
  tempDir: string;
}

type Columns = { name: string; type: string }[];
interface BinaryMeta { columns: Columns; counters: ByteCounters }

async function describe(engine: Engine, file: string): Promise<Columns> {
  const rows = await engine.queryRows(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`);
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

/** Decodes (all or some columns) into a Parquet file; decoder bugs on hostile input become the format's parsing error. */
async function writeDecoded(kind: BinaryKind, dec: ObjectDecoder, req: DecodeRequest, file: string): Promise<void> {
  try {
    const decoded = await dec.decode(req);
    const safe = parquetSafe(decoded.schema, decoded.batches);
    await writeParquetFile(file, safe.schema, safe.batches);
  } catch (e) {
    if (e instanceof S3Error || (e as Error).name === 'AbortError') throw e;
    throw s3Error(PARSE_ERRORS[kind], `Decoding the ${FORMAT_NAMES[kind]} object failed: ${(e as Error).message}`);
  }
}

function columnarSource(kind: BinaryKind, columns: Columns, file: string, parts: Pick<PreparedSource, 'counters' | 'close'> & Partial<PreparedSource>): PreparedSource {
  return {
    shape: { format: 'columnar', columns },
    fingerprint: `${kind}:${JSON.stringify(columns)}`,
    relation: () => `read_parquet(${sqlString(file)}) AS t`,
    ...parts,
  };
}

async function viaShadow(ctx: SourceContext, kind: BinaryKind, deps: BinaryDeps, shadows: ShadowCache, proto?: ProtobufChoice): Promise<PreparedSource> {
  const variant = JSON.stringify([kind, ctx.request.input.compression, proto?.messageType ?? null, proto?.schemaKey ?? null]);
  const ref = { bucket: ctx.bucket, key: ctx.key, etag: ctx.info.etag };
  // The build is shared by concurrent queries, so it follows the cache's lifetime, not this request's.
  const lease = await shadows.getOrBuild<BinaryMeta>(ref, variant, deps.stamp, async (tmp, signal) => {
    const dec = await openDecoder(kind, ctx, signal, proto);
    try {
      await writeDecoded(kind, dec, {}, tmp);
      const columns = await describe(deps.engine, tmp);
      return { meta: { columns, counters: dec.counters() }, deps: dec.deps.map((key) => ({ bucket: ctx.bucket, key })) };
    } finally {
      await dec.close();
    }
  });
  return columnarSource(kind, lease.meta.columns, lease.path, { counters: () => lease.meta.counters, close: lease.release });
}

/** Exact column names to decode for a query; at least one, so the row count survives. */
function wantedColumns(referenced: Translation['referenced'], columns: Columns): string[] | undefined {
  if (referenced.all) return undefined;
  const names = new Set(columns.map((c) => c.name));
  const wanted = (referenced.keys ?? []).filter((n) => names.has(n));
  return wanted.length > 0 ? wanted : columns.slice(0, 1).map((c) => c.name);
}

async function perQuery(ctx: SourceContext, kind: BinaryKind, deps: BinaryDeps, proto?: ProtobufChoice): Promise<PreparedSource> {
  const dec = await openDecoder(kind, ctx, ctx.signal, proto);
  const probe = path.join(deps.tempDir, `q-${randomUUID()}.schema.parquet`);
  const data = path.join(deps.tempDir, `q-${randomUUID()}.parquet`);
  let columns: Columns;
  try {
    const full = parquetSafe(await dec.schema(), (async function* () {})());
    await writeParquetFile(probe, full.schema, full.batches);
    columns = await describe(deps.engine, probe);
  } catch (e) {
    await dec.close();
    throw e instanceof S3Error ? e : s3Error(PARSE_ERRORS[kind], `Reading the ${FORMAT_NAMES[kind]} schema failed: ${(e as Error).message}`);
  } finally {
    await fs.promises.rm(probe, { force: true });
  }
  const stripeFilter = kind === 'orc' ? orcStripeFilter(ctx.request.expression, columns) : undefined;
  return columnarSource(kind, columns, data, {
    materialize: (referenced) => writeDecoded(kind, dec, { columns: wantedColumns(referenced, columns), stripeFilter }, data),
    counters: () => dec.counters(),
    close: async () => {
      await dec.close();
      await fs.promises.rm(data, { force: true });
    },
  });
}

export async function prepareBinary(ctx: SourceContext, kind: BinaryKind, deps: BinaryDeps): Promise<PreparedSource> {
  if (ctx.request.scanRange) throw s3Error('UnsupportedScanRangeInput', `ScanRange is not supported for ${FORMAT_NAMES[kind]} objects.`);
  const proto = kind === 'protobuf' ? protobufChoice(ctx) : undefined;
  const shadows = deps.shadows;
  if (shadows?.enabled && ctx.info.size <= shadows.maxBytes) return viaShadow(ctx, kind, deps, shadows, proto);
  return perQuery(ctx, kind, deps, proto);
}

export type { BinaryKind } from './binary-decode.js';
