// Avro, ORC, Protobuf and MessagePack objects: decoded to Arrow, then handed to DuckDB and queried like
// a table. A query decodes only the columns it references (named by the translator before any row is
// read), and ORC skips the stripes whose statistics rule out the WHERE clause. Flat columns are appended
// to a table of the instance (decoded-table.ts); an object with nested or union columns is written to
// a Parquet file with parquet-wasm instead. With the columnar cache on, later queries read the object's
// shadow: when the first query decoded every column and row, its table (or file) becomes the shadow,
// otherwise the full shadow is built in the background afterwards. MessagePack has no schema: a query
// plans against the columns of a sample of its first records and decodes with them while the decoding
// thread reads every record; when the two disagree the query is planned and decoded again (materialize
// answers 'reshaped'), and one the sample cannot plan waits for the object's columns (settle). A first
// query over a local MessagePack, Avro or Protobuf file has that thread decode the file's tail too.
import type * as arrow from 'apache-arrow';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Engine } from '../../duckdb/engine.js';
import { S3Error, s3Error, type S3ErrorCode } from '../../errors.js';
import type { MsgpackInference } from '../../formats/msgpack.js';
import { writeParquetFile } from '../../formats/to-parquet.js';
import { decodeThreadReady } from '../../formats/decode-thread.js';
import type { ShadowBuilder, ShadowCache, ShadowLease } from '../shadow-cache.js';
import type { Translation } from '../translate/index.js';
import { openDecoder, SampleMismatch, type BinaryKind, type DecodeRequest, type ObjectDecoder } from './binary-decode.js';
import { DecodedTable, tableColumns, type Columns } from './decoded-table.js';
import { orcStripeFilter } from './orc-stripes.js';
import { parquetSafe } from './parquet-safe.js';
import { protobufChoice, type ProtobufChoice } from './protobuf-input.js';
import { sqlString, type ByteCounters, type PreparedSource, type SourceContext } from './source.js';

// The decoding thread starts with the server, so that the first query does not wait for it.
// The Parquet writer thread starts with the first object that needs it (nested columns): flat objects,
// the common case, never do.
decodeThreadReady();

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

interface BinaryMeta { columns: Columns; counters: ByteCounters }

async function describe(engine: Engine, file: string): Promise<Columns> {
  const rows = await engine.queryRows(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`);
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

/** The object's columns as DuckDB sees them: the appender's types, or (nested columns) a Parquet file's. */
async function objectColumns(schema: arrow.Schema, deps: BinaryDeps): Promise<Columns> {
  const flat = tableColumns(schema);
  if (flat) return flat;
  const probe = path.join(deps.tempDir, `q-${randomUUID()}.schema.parquet`);
  try {
    const full = parquetSafe(schema, (async function* () {})());
    await writeParquetFile(probe, full.schema, full.batches);
    return await describe(deps.engine, probe);
  } finally {
    await fs.promises.rm(probe, { force: true });
  }
}

/** Where a decode went: a table of the instance, or a Parquet file. */
interface Decoded {
  relation(): string;
  /** Leaves a Parquet file of it at `file` (a table is written there, a file moved). */
  saveParquet(file: string): Promise<void>;
  dispose(): Promise<void>;
}

/** Decodes (all or some columns); decoder bugs on hostile input become the format's parsing error. */
async function decodeInto(kind: BinaryKind, dec: ObjectDecoder, req: DecodeRequest, deps: BinaryDeps, signal: AbortSignal): Promise<Decoded> {
  try {
    const decoded = await dec.decode(req);
    const flat = tableColumns(decoded.schema);
    if (flat) {
      const table = await DecodedTable.create(deps.engine, flat);
      try {
        await table.fill(decoded.batches, signal);
      } catch (e) {
        await table.drop();
        throw e;
      }
      return { relation: () => table.relation(), saveParquet: (f) => table.writeParquet(f), dispose: () => table.drop() };
    }
    const file = path.join(deps.tempDir, `q-${randomUUID()}.parquet`);
    const safe = parquetSafe(decoded.schema, decoded.batches);
    await writeParquetFile(file, safe.schema, safe.batches);
    return {
      relation: () => `read_parquet(${sqlString(file)}) AS t`,
      saveParquet: (f) => fs.promises.rename(file, f),
      dispose: () => fs.promises.rm(file, { force: true }),
    };
  } catch (e) {
    if (e instanceof S3Error || e instanceof SampleMismatch || (e as Error).name === 'AbortError') throw e;
    throw s3Error(PARSE_ERRORS[kind], `Decoding the ${FORMAT_NAMES[kind]} object failed: ${(e as Error).message}`);
  }
}

const fingerprintOf = (kind: BinaryKind, columns: Columns) => `${kind}:${JSON.stringify(columns)}`;

function columnarSource(kind: BinaryKind, columns: Columns, relation: () => string, parts: Pick<PreparedSource, 'counters' | 'close'> & Partial<PreparedSource>): PreparedSource {
  return {
    shape: { format: 'columnar', columns },
    fingerprint: fingerprintOf(kind, columns),
    relation,
    ...parts,
  };
}

/** Decodes every column into a shadow file (the cache's builder; its signal follows the cache). */
function fullBuilder(ctx: SourceContext, kind: BinaryKind, deps: BinaryDeps, proto?: ProtobufChoice): ShadowBuilder<BinaryMeta> {
  return async (tmp, signal) => {
    const dec = await openDecoder(kind, ctx, signal, proto);
    let out: Decoded | undefined;
    try {
      out = await decodeInto(kind, dec, {}, deps, signal);
      await out.saveParquet(tmp);
      const columns = await describe(deps.engine, tmp);
      return { meta: { columns, counters: dec.counters() }, deps: dec.deps.map((key) => ({ bucket: ctx.bucket, key })) };
    } finally {
      await out?.dispose();
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
  /** After the query: whether it decoded every column and row (then it can become the shadow). */
  complete(): boolean;
  decoded(): Decoded | undefined;
  meta(): BinaryMeta;
  deps(): string[];
  /** Awaited by close() before the decoded data is dropped (the cache may be taking it over). */
  handover?: Promise<unknown>;
}

async function perQuery(ctx: SourceContext, kind: BinaryKind, deps: BinaryDeps, proto?: ProtobufChoice): Promise<PerQuery> {
  const dec = await openDecoder(kind, ctx, ctx.signal, proto, true);
  let columns: Columns;
  try {
    columns = await objectColumns(await dec.schema(), deps);
  } catch (e) {
    await dec.close();
    throw e instanceof S3Error ? e : s3Error(PARSE_ERRORS[kind], `Reading the ${FORMAT_NAMES[kind]} schema failed: ${(e as Error).message}`);
  }
  const keeps = kind === 'orc' ? orcStripeFilter(ctx.request.expression, columns) : undefined;
  let skipped = false;
  let everyColumn = false;
  let decoded: Decoded | undefined;
  const stripeFilter = keeps && ((stats: Parameters<typeof keeps>[0]) => {
    const keep = keeps(stats);
    if (!keep) skipped = true;
    return keep;
  });
  /** The object's real columns replace a sample's: the source's shape follows. */
  const reshape = async (inference: MsgpackInference) => {
    dec.reinfer!(inference);
    columns = await objectColumns(await dec.schema(), deps);
    Object.assign(state.source, { shape: { format: 'columnar', columns }, fingerprint: fingerprintOf(kind, columns) });
  };
  const state: PerQuery = {
    complete: () => everyColumn && !skipped,
    decoded: () => decoded,
    meta: () => ({ columns, counters: dec.counters() }),
    deps: () => dec.deps,
    source: columnarSource(kind, columns, () => decoded!.relation(), {
      materialize: async (referenced) => {
        const wanted = wantedColumns(referenced, columns);
        everyColumn = wanted === undefined;
        try {
          decoded = await decodeInto(kind, dec, { columns: wanted, stripeFilter }, deps, ctx.signal);
        } catch (e) {
          if (!(e instanceof SampleMismatch)) throw e;
          await reshape(e.inference);
          return 'reshaped';
        }
      },
      settle: async () => {
        const whole = await dec.wholeInference?.();
        if (!whole) return false;
        const before = fingerprintOf(kind, columns);
        await reshape(whole);
        return fingerprintOf(kind, columns) !== before;
      },
      counters: () => dec.counters(),
      close: async () => {
        await dec.close();
        await state.handover;
        await decoded?.dispose();
      },
    }),
  };
  return state;
}

/** Makes the first query's decoded data the object's shadow (through a Parquet file of it). */
async function handOver(q: PerQuery, shadows: ShadowCache, ctx: SourceContext, variant: string, deps: BinaryDeps): Promise<void> {
  const file = path.join(deps.tempDir, `q-${randomUUID()}.shadow.parquet`);
  try {
    await q.decoded()!.saveParquet(file);
    const ref = { bucket: ctx.bucket, key: ctx.key, etag: ctx.info.etag };
    await shadows.adopt(ref, variant, deps.stamp, file, { meta: q.meta(), deps: q.deps().map((key) => ({ bucket: ctx.bucket, key })) });
  } catch {
    // Not cached then: a later query builds the shadow.
  } finally {
    await fs.promises.rm(file, { force: true });
  }
}

export async function prepareBinary(ctx: SourceContext, kind: BinaryKind, deps: BinaryDeps): Promise<PreparedSource> {
  if (ctx.request.scanRange) throw s3Error('UnsupportedScanRangeInput', `ScanRange is not supported for ${FORMAT_NAMES[kind]} objects.`);
  const proto = kind === 'protobuf' ? protobufChoice(ctx) : undefined;
  const shadows = deps.shadows?.enabled && ctx.info.size <= deps.shadows.maxBytes ? deps.shadows : undefined;
  if (!shadows) return (await perQuery(ctx, kind, deps, proto)).source;

  const variant = JSON.stringify([kind, ctx.request.input.compression, proto?.messageType ?? null, proto?.schemaKey ?? null]);
  const ref = { bucket: ctx.bucket, key: ctx.key, etag: ctx.info.etag };
  const shadowSource = (lease: ShadowLease<BinaryMeta>) =>
    columnarSource(kind, lease.meta.columns, () => `read_parquet(${sqlString(lease.path)}) AS t`, { counters: () => lease.meta.counters, close: lease.release });
  const hit = shadows.lookup<BinaryMeta>(ref, variant);
  if (hit) return shadowSource(hit);
  const q = await perQuery(ctx, kind, deps, proto);
  q.source.completed = () => {
    if (q.complete()) q.handover = handOver(q, shadows, ctx, variant, deps);
    else shadows.schedule(ref, variant, deps.stamp, fullBuilder(ctx, kind, deps, proto));
  };
  return q.source;
}

export type { BinaryKind } from './binary-decode.js';
