// Avro, ORC, Protobuf and MessagePack objects: decoded to Arrow, written as Parquet (parquet-wasm), then
// queried like Parquet objects. A query decodes only the columns it references (named by the translator
// before any row is read) into a file of its own, and ORC skips the stripes whose statistics rule out the
// WHERE clause. With the columnar cache on, later queries read the object's shadow instead: when the first
// query's file holds every column and row it becomes the shadow, otherwise the full shadow is built in
// the background afterwards. MessagePack has no schema: learning the columns takes a pass over every
// record (its decoder keeps what that pass found), then a second pass decodes the referenced columns.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Engine } from '../../duckdb/engine.js';
import { S3Error, s3Error, type S3ErrorCode } from '../../errors.js';
import { startParquetWriter } from '../../formats/parquet-thread.js';
import { writeParquetFile } from '../../formats/to-parquet.js';
import type { ShadowBuilder, ShadowCache, ShadowLease } from '../shadow-cache.js';
import type { Translation } from '../translate/index.js';
import { openDecoder, type BinaryKind, type DecodeRequest, type ObjectDecoder } from './binary-decode.js';
import { orcStripeFilter } from './orc-stripes.js';
import { parquetSafe } from './parquet-safe.js';
import { protobufChoice, type ProtobufChoice } from './protobuf-input.js';
import { sqlString, type ByteCounters, type PreparedSource, type SourceContext } from './source.js';

// The Parquet writer thread starts with the server, so the first query does not wait for it to load.
void startParquetWriter();

const FORMAT_NAMES: Record<BinaryKind, string> = { avro: 'Avro', orc: 'ORC', msgpack: 'MessagePack', protobuf: 'Protobuf' };
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

/** Decodes every column into a shadow file (the cache's builder; its signal follows the cache). */
function fullBuilder(ctx: SourceContext, kind: BinaryKind, engine: Engine, proto?: ProtobufChoice): ShadowBuilder<BinaryMeta> {
  return async (tmp, signal) => {
    const dec = await openDecoder(kind, ctx, signal, proto);
    try {
      await writeDecoded(kind, dec, {}, tmp);
      const columns = await describe(engine, tmp);
      return { meta: { columns, counters: dec.counters() }, deps: dec.deps.map((key) => ({ bucket: ctx.bucket, key })) };
    } finally {
      await dec.close();
    }
  };
}

/** Exact column names to decode for a query; at least one, so the row count survives. */
function wantedColumns(referenced: Translation['referenced'], columns: Columns): string[] | undefined {
  if (referenced.all) return undefined;
  const names = new Set(columns.map((c) => c.name));
  const wanted = (referenced.keys ?? []).filter((n) => names.has(n));
  return wanted.length > 0 ? wanted : columns.slice(0, 1).map((c) => c.name);
}

interface PerQuery {
  source: PreparedSource;
  /** After the query: whether its file holds every column and row (then it can become the shadow). */
  complete(): boolean;
  file: string;
  meta(): BinaryMeta;
  deps(): string[];
  /** Awaited by close() before the file is removed (the cache may be taking it over). */
  handover?: Promise<unknown>;
}

async function perQuery(ctx: SourceContext, kind: BinaryKind, deps: BinaryDeps, proto?: ProtobufChoice): Promise<PerQuery> {
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
  const keeps = kind === 'orc' ? orcStripeFilter(ctx.request.expression, columns) : undefined;
  let skipped = false;
  let everyColumn = false;
  const stripeFilter = keeps && ((stats: Parameters<typeof keeps>[0]) => {
    const keep = keeps(stats);
    if (!keep) skipped = true;
    return keep;
  });
  const state: PerQuery = {
    file: data,
    complete: () => everyColumn && !skipped,
    meta: () => ({ columns, counters: dec.counters() }),
    deps: () => dec.deps,
    source: columnarSource(kind, columns, data, {
      materialize: async (referenced) => {
        const wanted = wantedColumns(referenced, columns);
        everyColumn = wanted === undefined;
        await writeDecoded(kind, dec, { columns: wanted, stripeFilter }, data);
      },
      counters: () => dec.counters(),
      close: async () => {
        await dec.close();
        await state.handover;
        await fs.promises.rm(data, { force: true });
      },
    }),
  };
  return state;
}

export async function prepareBinary(ctx: SourceContext, kind: BinaryKind, deps: BinaryDeps): Promise<PreparedSource> {
  if (ctx.request.scanRange) throw s3Error('UnsupportedScanRangeInput', `ScanRange is not supported for ${FORMAT_NAMES[kind]} objects.`);
  const proto = kind === 'protobuf' ? protobufChoice(ctx) : undefined;
  const shadows = deps.shadows?.enabled && ctx.info.size <= deps.shadows.maxBytes ? deps.shadows : undefined;
  if (!shadows) return (await perQuery(ctx, kind, deps, proto)).source;

  const variant = JSON.stringify([kind, ctx.request.input.compression, proto?.messageType ?? null, proto?.schemaKey ?? null]);
  const ref = { bucket: ctx.bucket, key: ctx.key, etag: ctx.info.etag };
  const shadowSource = (lease: ShadowLease<BinaryMeta>) =>
    columnarSource(kind, lease.meta.columns, lease.path, { counters: () => lease.meta.counters, close: lease.release });
  const hit = shadows.lookup<BinaryMeta>(ref, variant);
  if (hit) return shadowSource(hit);
  const q = await perQuery(ctx, kind, deps, proto);
  q.source.completed = () => {
    if (q.complete()) {
      q.handover = shadows.adopt(ref, variant, deps.stamp, q.file, { meta: q.meta(), deps: q.deps().map((key) => ({ bucket: ctx.bucket, key })) });
    } else {
      shadows.schedule(ref, variant, deps.stamp, fullBuilder(ctx, kind, deps.engine, proto));
    }
  };
  return q.source;
}

export type { BinaryKind } from './binary-decode.js';
