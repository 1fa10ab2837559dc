// SelectObjectContent: request XML → SelectRequest → format choice → source (the object, or its Parquet
// shadow from the columnar cache) → translated plan (cached) → DuckDB COPY into a pipe → event stream.
// Failures before the first result byte are XML errors; later ones are error events.
import type { Readable } from 'node:stream';
import type { Engine } from '../duckdb/engine.js';
import { S3Error, s3Error } from '../errors.js';
import { bucketOf, keyOf, type Handler, type S3Context } from '../http/context.js';
import { readSmallBody } from '../http/xml.js';
import { Counter, Gauge, type Registry } from '../metrics.js';
import { EventWriter } from './event-writer.js';
import { ObjectFacts } from './object-facts.js';
import { PlanCache } from './plan-cache.js';
import { MAX_EXPRESSION_BYTES, parseSelectRequest, type CsvInput, type JsonInput, type SelectRequest } from './request.js';
import { chooseInputKind } from './format-choice.js';
import type { ShadowCache } from './shadow-cache.js';
import { prepareBinary } from './sources/binary-source.js';
import { liveTables } from './sources/decoded-table.js';
import { prepareParquet } from './sources/parquet-source.js';
import type { PreparedSource, SourceContext } from './sources/source.js';
import { prepareText } from './sources/text-shadow.js';
import { translate, type Translation } from './translate/index.js';

export interface SelectDeps {
  engine: Engine;
  /** Directory for per-query pipes, inside DuckDB's allowed directories. */
  pipeDir: string;
  /** Directory for per-query Parquet files of decoded objects, inside DuckDB's allowed directories. */
  tempDir?: string;
  /** The columnar cache (Parquet shadows of CSV, JSON and decoded objects). */
  shadows?: ShadowCache;
  metrics: Registry;
  planCacheSize?: number;
  /** Keep-alive (Cont) interval; tests shorten it. */
  keepAliveMs?: number;
  progressIntervalMs?: number;
}

const ARCHIVED = new Set(['GLACIER', 'DEEP_ARCHIVE', 'REDUCED_REDUNDANCY']);

async function prepareSource(sctx: SourceContext, deps: SelectDeps, stamp: number): Promise<PreparedSource> {
  const format = sctx.request.input.format;
  const kind = await chooseInputKind(sctx);
  switch (kind) {
    case 'csv': return prepareText(sctx, format as CsvInput, deps.engine, deps.shadows, stamp);
    case 'json': return prepareText(sctx, format as JsonInput, deps.engine, deps.shadows, stamp);
    case 'parquet': return prepareParquet(sctx, deps.engine);
    default:
      return prepareBinary(sctx, kind, { engine: deps.engine, shadows: deps.shadows, stamp, tempDir: deps.tempDir ?? deps.pipeDir });
  }
}

function cacheKey(req: SelectRequest, fingerprint: string): string {
  return JSON.stringify([req.expression, req.input.format, req.output, fingerprint]);
}

export function selectHandler(deps: SelectDeps): Handler {
  const lookups = deps.metrics.add(new Counter('selectd_select_plan_cache_total', 'S3 Select plan cache lookups by result'));
  deps.metrics.add(new Gauge('selectd_select_decoded_tables', 'tables of decoded Avro, ORC, Protobuf and MessagePack rows held by running queries', liveTables));
  const plans = new PlanCache<Translation>(deps.planCacheSize ?? 512, { lookups });
  const facts = new ObjectFacts();

  return async (ctx: S3Context) => {
    const bucket = bucketOf(ctx);
    const key = keyOf(ctx);
    if (ctx.headers.range !== undefined) throw s3Error('UnsupportedRangeHeader');
    const request = parseSelectRequest(await readSmallBody(ctx.body, MAX_EXPRESSION_BYTES + 64 * 1024));
    const stamp = deps.shadows?.stamp() ?? 0;
    const info = await ctx.store.headObject(bucket, key);
    if (info.storageClass && ARCHIVED.has(info.storageClass)) throw s3Error('UnsupportedStorageClass');
    const localPath = await ctx.store.localPath?.(bucket, key);
    const sctx: SourceContext = { store: ctx.store, bucket, key, info, localPath, request, pipeDir: deps.pipeDir, signal: ctx.signal, facts };
    let source = await prepareSource(sctx, deps, stamp);
    try {
      let plan: Translation;
      try {
        plan = planFor(request, source);
      } catch (e) {
        if (!(await source.settle?.())) throw e;
        plan = planFor(request, source);
      }
      if (source.covers && !source.covers(plan.referenced) && source.fallback) {
        const next = await source.fallback();
        await source.close();
        source = next;
        plan = planFor(request, source);
      }
      if ((await source.materialize?.(plan.referenced)) === 'reshaped') {
        plan = planFor(request, source);
        await source.materialize!(plan.referenced);
      }
      if (await run(ctx, request, source, plan)) source.completed?.(plan.referenced);
    } finally {
      await source.close();
    }
  };

  function planFor(request: SelectRequest, source: PreparedSource): Translation {
    return plans.getOrBuild(cacheKey(request, source.fingerprint), () => translate(request.expression, source.shape, request.output));
  }

  /** Streams the query's events; true when every record was delivered. */
  async function run(ctx: S3Context, request: SelectRequest, source: PreparedSource, plan: Translation): Promise<boolean> {
    const sql = plan.sql(source.relation(plan.referenced));
    let feedError: S3Error | undefined;
    const fed = source.feed?.().catch((e) => { feedError = e instanceof S3Error ? e : s3Error('InternalError', String(e)); });
    let rows: Readable;
    try {
      rows = await deps.engine.copyToStream(sql, undefined,
        { format: 'csv', header: false, quote: '', escape: '', delimiter: '\u001f', newline: request.output.recordDelimiter },
        { signal: ctx.signal });
    } catch (e) {
      await source.close();
      await fed;
      throw feedError ?? (e instanceof S3Error && source.queryError ? source.queryError(e) : e);
    }
    if (feedError) {
      rows.destroy();
      throw feedError;
    }
    const writer = new EventWriter({
      counters: () => source.counters(),
      progress: request.requestProgress,
      keepAliveMs: deps.keepAliveMs,
      progressIntervalMs: deps.progressIntervalMs,
    });
    const onAbort = () => rows.destroy();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    ctx.reply.code(200).header('content-type', 'application/octet-stream').send(writer);
    try {
      for await (const chunk of rows) {
        if (!writer.write(chunk)) {
          await new Promise<void>((resolve) => { writer.once('drain', resolve); writer.once('close', resolve); });
        }
        if (writer.destroyed) break;
      }
      await fed;
      if (feedError) writer.failWith(feedError);
      else {
        const whole = !writer.destroyed;
        writer.end();
        return whole;
      }
    } catch (e) {
      await fed;
      const err = feedError ?? (e instanceof S3Error ? source.queryError?.(e) ?? e : s3Error('InternalError', (e as Error).message));
      if (err.status >= 500) ctx.reply.log.error({ err: err.cause ?? err, code: err.code }, 'select failed after the response started');
      writer.failWith(err);
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
    return false;
  }
}
