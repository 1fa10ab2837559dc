// The HTTP SQL endpoint: POST/GET /_sql and GET /_sql/tables, registered on the gateway's fastify app
// (before its S3 catch-all). A query request is: authenticate → admission (concurrency cap, else 503) →
// read the SQL → guard → resolve s3:// URLs and rewrite → guard again → execute into the chosen format.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Engine } from '../duckdb/engine.js';
import { QueryTimeoutError } from '../duckdb/errors.js';
import { S3Error, s3Error } from '../errors.js';
import { Counter, Histogram, type Registry } from '../metrics.js';
import type { Store } from '../store/store.js';
import { authenticate, checkPayload } from './auth.js';
import { execute } from './execute.js';
import { CONTENT_TYPES, type OutputFormat } from './formats.js';
import { SqlGuard } from './guard.js';
import { parseSqlRequest, readBody } from './request.js';
import { Resolver } from './resolve.js';
import { ClientGone, ResultSink, asS3Error, sendError } from './response.js';
import { rewriteStatement } from './rewrite.js';
import { listTables } from './tables.js';

export interface SqlEndpointDeps {
  engine: Engine;
  store: Store;
  config: Config;
  metrics: Registry;
}

/** Most objects one s3:// glob may expand to. */
export const MAX_GLOB_OBJECTS = 10_000;

function headersOf(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

/**
 * Aborts when the client goes away before the response is complete, or after `timeoutMs` (the limit
 * covers the whole response, so a client that stops reading cannot hold a query slot).
 */
function requestSignal(reply: FastifyReply, timeoutMs: number): { signal: AbortSignal; done(): void } {
  const controller = new AbortController();
  // The response closing unfinished means the client left (the request's own 'close' only means its body was read).
  reply.raw.on('close', () => { if (!reply.raw.writableFinished) controller.abort(new ClientGone()); });
  const timer = setTimeout(() => controller.abort(new QueryTimeoutError(timeoutMs)), timeoutMs);
  return { signal: controller.signal, done: () => clearTimeout(timer) };
}

function outcomeOf(err: S3Error): string {
  switch (err.code) {
    case 'SqlNotAllowed': return 'refused';
    case 'SqlQueryTimeout': return 'timeout';
    case 'SqlResultTooLarge': return 'too_large';
    case 'Busy': return 'busy';
    default: return err.status < 500 ? 'client_error' : 'error';
  }
}

export function registerSqlEndpoint(app: FastifyInstance, deps: SqlEndpointDeps): void {
  const { engine, store, config } = deps;
  const guard = new SqlGuard(engine);
  const queries = deps.metrics.add(new Counter('selectd_sql_queries_total', '/_sql requests by format and outcome'));
  const rowsSent = deps.metrics.add(new Counter('selectd_sql_rows_total', 'rows sent by /_sql in JSON, JSON lines and Arrow'));
  const duration = deps.metrics.add(new Histogram('selectd_sql_query_duration_seconds', '/_sql request duration by format',
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]));
  let active = 0;

  /** Runs `work` inside the concurrency cap; requests beyond it get 503 Busy with Retry-After at once. */
  async function admitted<T>(work: () => Promise<T>): Promise<T> {
    if (active >= config.sqlMaxConcurrent) {
      throw s3Error('Busy', `Too many SQL queries are running (limit ${config.sqlMaxConcurrent}); retry shortly.`);
    }
    active++;
    try {
      return await work();
    } finally {
      active--;
    }
  }

  /** Checks the SQL, resolves its s3:// URLs into local files and checks the rewritten text again. */
  async function prepare(text: string) {
    const statement = await guard.inspect(text);
    if (statement.refs.length === 0) return { statement, sql: statement.body, bytesRead: 0 };
    const resolver = new Resolver(store, { buckets: config.sqlBuckets, maxObjects: MAX_GLOB_OBJECTS });
    const rewritten = await rewriteStatement(statement, resolver);
    await guard.verifyRewritten(rewritten.body, rewritten.paths);
    // Objects only listed by glob() are not read.
    const bytesRead = (await resolver.objects()).reduce((n, o) => n + (rewritten.paths.has(o.path) ? o.info.size : 0), 0);
    return { statement, sql: rewritten.body, bytesRead };
  }

  function auth(req: FastifyRequest, headers: Record<string, string>) {
    // The gateway's metrics label requests by operation; this endpoint is not an S3 operation.
    (req as unknown as { s3op?: string }).s3op = 'Sql';
    return authenticate({ method: req.method, rawUrl: req.url, headers }, config);
  }

  async function query(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const startedAt = performance.now();
    const headers = headersOf(req);
    const url = new URL(req.url, 'http://localhost');
    let format: OutputFormat | undefined;
    let sink: ResultSink | undefined;
    let deadline: { signal: AbortSignal; done(): void } | undefined;
    try {
      const who = auth(req, headers);
      await admitted(async () => {
        deadline = requestSignal(reply, config.sqlTimeoutMs);
        const signal = deadline.signal;
        const body = req.method === 'POST' ? await readBody(req.raw, signal) : Buffer.alloc(0);
        checkPayload(who, body);
        const request = parseSqlRequest(req.method, url.searchParams, headers, body);
        format = request.format;
        const { statement, sql, bytesRead } = await prepare(request.sql);
        sink = new ResultSink(reply, { 'content-type': CONTENT_TYPES[request.format], 'cache-control': 'no-store' }, config.sqlMaxBytes, signal);
        const rows = await execute(engine, {
          body: sql, explain: statement.explain, params: request.params, format: request.format, signal,
          timeoutMs: config.sqlTimeoutMs, maxRows: config.sqlMaxRows, startedAt, bytesRead,
        }, sink);
        sink.end();
        if (rows > 0) rowsSent.inc({}, rows);
      });
      queries.inc({ format: format ?? 'none', outcome: 'ok' });
    } catch (err) {
      const e = asS3Error(err);
      const gone = err instanceof ClientGone || reply.raw.destroyed;
      queries.inc({ format: format ?? 'none', outcome: gone ? 'cancelled' : outcomeOf(e) });
      if (e.code === 'InternalError' && !(err instanceof S3Error)) req.log.error({ err, reqId: req.id }, 'sql endpoint failure');
      if (sink?.committed) {
        req.log.warn({ reqId: req.id, code: e.code, message: e.message }, 'sql result cut short');
        sink.abort(e);
      } else if (gone) {
        reply.raw.destroy();
      } else {
        sendError(req, reply, e, format);
      }
    } finally {
      deadline?.done();
      duration.observe({ format: format ?? 'none' }, (performance.now() - startedAt) / 1000);
    }
  }

  async function tables(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    try {
      auth(req, headersOf(req));
      const deadline = requestSignal(reply, config.sqlTimeoutMs);
      const page = await admitted(() => listTables(engine, store, new URL(req.url, 'http://localhost').searchParams,
        { buckets: config.sqlBuckets, timeoutMs: config.sqlTimeoutMs, signal: deadline.signal })).finally(deadline.done);
      reply.code(200).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(page) + '\n');
    } catch (err) {
      if (reply.raw.destroyed || err instanceof ClientGone) reply.raw.destroy();
      else sendError(req, reply, asS3Error(err), 'json');
    }
  }

  app.route({ method: ['GET', 'POST'], url: '/_sql', handler: query });
  app.route({ method: 'GET', url: '/_sql/tables', handler: tables });
}
