// Parquet shadows of CSV and JSON objects, built in the background after a first query (which ran over
// the object as usual) and read by later queries with the same reader options.
//
// The shadow holds exactly what the text relation yields, so answers cannot change:
//   CSV   columns c1..cM, VARCHAR, rows as read_csv produced them under the request's options (header row
//         skipped, '' kept apart from the NULL of a short row's missing fields). M is one more than the
//         widest column seen so far; when that last column is NULL everywhere, no row is wider and any
//         higher index reads as NULL (MISSING); otherwise queries past M fall back to the object.
//         Beside a field whose every value is an int written as DuckDB writes a BIGINT, iK holds that
//         BIGINT, which CAST(… AS INT / FLOAT) reads instead of parsing the text.
//   JSON  column j holding each record as JSON text (Parquet's JSON type): absent attributes stay
//         absent (MISSING) and null stays null; beside it, when the key set allows, one column per
//         top-level key (see json-keys.ts).
// Every option that changes what is read is part of the shadow's key; ScanRange queries never use one.
import fs from 'node:fs';
import type { Engine } from '../../duckdb/engine.js';
import type { ObjectRef, ShadowBuilder, ShadowCache, ShadowLease } from '../shadow-cache.js';
import type { SourceShape, Translation } from '../translate/index.js';
import type { CsvInput, JsonInput } from '../request.js';
import { prepareCsv } from './csv-source.js';
import { intAgreesSql } from './int-columns.js';
import { keyedJsonRelation, writeKeyedJson } from './json-keys.js';
import { prepareJson } from './json-source.js';
import { sqlString, type ByteCounters, type PreparedSource, type SourceContext } from './source.js';

interface CsvMeta { width: number; header: string[] | null; columns: number; complete: boolean; counters: ByteCounters; ints: number[] }
interface JsonMeta { counters: ByteCounters; shape: SourceShape }

type TextFormat = CsvInput | JsonInput;

/** The shadow's variant key: the format and every option that shapes the rows. */
export function textVariant(ctx: SourceContext, format: TextFormat): string | undefined {
  if (ctx.request.scanRange) return undefined;
  return JSON.stringify([format, ctx.request.input.compression]);
}

const colName = (i: number) => `c${i}`;
const intName = (i: number) => `i${i}`;
const maxIndex = (referenced: Translation['referenced']) => Math.max(0, ...(referenced.csvIndexes ?? []));

function csvShadowSource(lease: ShadowLease<CsvMeta>): PreparedSource {
  const m = lease.meta;
  const covers = (referenced: Translation['referenced']) => m.complete || maxIndex(referenced) <= m.columns;
  return {
    shape: { format: 'csv', csvWidth: m.width, csvHeader: m.header ?? undefined, csvIntColumns: m.ints },
    fingerprint: `csv:${m.width}:${JSON.stringify(m.header)}:${m.ints.join(',')}`,
    covers,
    relation(referenced) {
      const width = Math.max(m.width, maxIndex(referenced), 1);
      const cols = Array.from({ length: width }, (_, k) => (k < m.columns ? colName(k + 1) : `CAST(NULL AS VARCHAR) AS ${colName(k + 1)}`));
      cols.push(...m.ints.map(intName));
      return `(SELECT ${cols.join(', ')} FROM read_parquet(${sqlString(lease.path)})) AS t`;
    },
    counters: () => ({ ...m.counters }),
    close: lease.release,
  };
}

function jsonShadowSource(lease: ShadowLease<JsonMeta>, json: JsonInput): PreparedSource {
  const { shape } = lease.meta;
  return {
    shape,
    fingerprint: `json:${json.type}:${JSON.stringify(shape)}`,
    relation: () => keyedJsonRelation(lease.path, shape),
    counters: () => ({ ...lease.meta.counters }),
    close: lease.release,
  };
}

/** COPYs `select` over the source's relation into `file`, running its pre-pass; a failed pre-pass fails the build. */
async function copyOut(engine: Engine, src: PreparedSource, select: string, file: string, signal: AbortSignal): Promise<void> {
  const fed = src.feed?.().then(() => undefined, (e: unknown) => e);
  try {
    await engine.queryRows(`COPY (${select}) TO ${sqlString(file)} (FORMAT parquet)`, undefined, { signal, timeoutMs: 0 });
  } catch (e) {
    await src.close();
    await fed;
    throw e;
  }
  const feedError = await fed;
  if (feedError) throw feedError;
}

function csvBuilder(ctx: SourceContext, csv: CsvInput, engine: Engine, widest: number): ShadowBuilder<CsvMeta> {
  return async (tmp, signal) => {
    const src = await prepareCsv({ ...ctx, signal }, csv);
    try {
      const header = src.shape.csvHeader ?? null;
      const width = src.shape.csvWidth ?? 1;
      const columns = Math.max(width, header?.length ?? 0, widest) + 1;
      const fields = Array.from({ length: columns - 1 }, (_, k) => k + 1);
      // Beside each field, its BIGINT where the text reads as one; kept for fields where every value does.
      const cols = [...fields.map(colName), colName(columns), ...fields.map((k) => `TRY_CAST(${colName(k)} AS BIGINT) AS ${intName(k)}`)];
      await copyOut(engine, src, `SELECT ${cols.join(', ')} FROM ${src.relation({ all: true, csvIndexes: [columns] })}`, tmp, signal);
      const checks = fields.map((k) => `${intAgreesSql(colName(k), intName(k))} AS ${intName(k)}`);
      const [row] = await engine.queryRows(
        `SELECT count(${colName(columns)}) AS n${checks.map((c) => `, ${c}`).join('')} FROM read_parquet(${sqlString(tmp)})`, undefined, { signal });
      const ints = fields.filter((k) => row?.[intName(k)] === true);
      return { meta: { width, header, columns, complete: Number(row?.n) === 0, counters: src.counters(), ints } };
    } finally {
      await src.close();
    }
  };
}

function jsonBuilder(ctx: SourceContext, json: JsonInput, engine: Engine): ShadowBuilder<JsonMeta> {
  return async (tmp, signal) => {
    const src = await prepareJson({ ...ctx, signal }, json);
    const records = `${tmp}.records`;
    try {
      // Records first, then the shadow with key columns read from them.
      await copyOut(engine, src, `SELECT j FROM ${src.relation({ all: true })}`, records, signal);
      const shape = await writeKeyedJson((sql) => engine.queryRows(sql, undefined, { signal, timeoutMs: 0 }), records, tmp);
      return { meta: { counters: src.counters(), shape } };
    } finally {
      await src.close();
      await fs.promises.rm(records, { force: true });
    }
  };
}

/**
 * The source for a CSV or JSON request: the shadow when there is one, else the object itself, which
 * schedules the shadow's build once its query has completed.
 */
export async function prepareText(ctx: SourceContext, format: TextFormat, engine: Engine, shadows: ShadowCache | undefined, stamp: number): Promise<PreparedSource> {
  const direct = () => (format.kind === 'csv' ? prepareCsv(ctx, format) : prepareJson(ctx, format));
  const variant = shadows?.enabled ? textVariant(ctx, format) : undefined;
  // An object larger than the whole cache would only be converted to be thrown away, competing with queries.
  if (!shadows || variant === undefined || ctx.info.size > shadows.maxBytes) return direct();
  const ref: ObjectRef = { bucket: ctx.bucket, key: ctx.key, etag: ctx.info.etag };
  if (format.kind === 'csv') {
    const lease = shadows.lookup<CsvMeta>(ref, variant);
    if (lease) return { ...csvShadowSource(lease), fallback: direct };
  } else {
    const lease = shadows.lookup<JsonMeta>(ref, variant);
    if (lease) return jsonShadowSource(lease, format);
  }
  const source = await direct();
  // Builders replace this request's signal (which aborts when the response ends) with the cache's own.
  source.completed = (referenced) => {
    if (format.kind === 'csv') shadows.schedule(ref, variant, stamp, csvBuilder(ctx, format, engine, maxIndex(referenced)));
    else shadows.schedule(ref, variant, stamp, jsonBuilder(ctx, format, engine));
  };
  return source;
}
