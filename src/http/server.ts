// The HTTP gateway: fastify with every body left as a raw stream, one catch-all S3 route that resolves the
// operation, authenticates it (SigV4) and dispatches; plus /health, /ready and /metrics.
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { decodePayload } from '../auth/payload.js';
import { verifyRequest } from '../auth/sigv4.js';
import type { Config } from '../config.js';
import { S3Error, s3Error } from '../errors.js';
import { gatewayMetrics, Registry } from '../metrics.js';
import type { Store } from '../store/store.js';
import type { Handler } from './context.js';
import { handlers } from './handlers.js';
import { parseAddress, resolveOperation, type Operation } from './router.js';
import { errorXml } from './xml.js';

/** Operations whose request carries a body we read; for the rest any body is drained. */
const bodyOps: ReadonlySet<Operation> = new Set([
  'PutObject', 'UploadPart', 'CompleteMultipartUpload', 'DeleteObjects', 'CreateBucket', 'SelectObjectContent',
]);

declare module 'fastify' {
  interface FastifyRequest {
    s3op?: Operation | 'Health' | 'Ready' | 'Metrics';
    startBytes?: { read: number; written: number };
  }
}

export interface Gateway {
  app: FastifyInstance;
  metrics: Registry;
  url: string;
  close(): Promise<void>;
}

export interface GatewayOptions {
  config: Config;
  store: Store;
  /** The SelectObjectContent operation (the query layer), given the gateway's metrics registry. */
  select?: (metrics: Registry) => Handler;
  /** Extra hooks for layers built on the gateway (the SQL endpoint) to register routes and metrics. */
  extend?: (app: FastifyInstance, metrics: Registry) => Promise<void> | void;
}

function headersOf(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(',') : v;
  }
  return out;
}

function isSigned(req: FastifyRequest): boolean {
  return req.headers.authorization !== undefined || (req.url.includes('X-Amz-Signature=') || req.url.includes('x-amz-signature='));
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const { config, store } = opts;
  const https = config.tlsCert && config.tlsKey
    ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) }
    : null;
  const app = Fastify({
    logger: { level: config.logLevel },
    https,
    // One structured line per request is logged in onResponse instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomBytes(8).toString('hex').toUpperCase(),
    requestIdHeader: false,
    exposeHeadRoutes: false,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: false, ignoreDuplicateSlashes: false, maxParamLength: 65536 },
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
  const registry = new Registry();
  const m = gatewayMetrics(registry);

  // Bodies stay unread streams: handlers decide how to consume them (aws-chunked, hashing, streaming to disk).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-amz-request-id', req.id).header('x-amz-id-2', req.id).header('server', 'selectd');
    req.startBytes = { read: req.raw.socket?.bytesRead ?? 0, written: req.raw.socket?.bytesWritten ?? 0 };
  });
  app.addHook('onResponse', async (req, reply) => {
    const op = req.s3op ?? 'Unknown';
    const status = String(reply.statusCode);
    m.requests.inc({ operation: op, status });
    m.latency.observe({ operation: op }, reply.elapsedTime / 1000);
    const sock = req.raw.socket;
    if (sock && req.startBytes) {
      m.bytesIn.inc({}, Math.max(0, sock.bytesRead - req.startBytes.read));
      m.bytesOut.inc({}, Math.max(0, sock.bytesWritten - req.startBytes.written));
    }
    req.log.info({ reqId: req.id, op, method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  app.setErrorHandler(async (err: Error, req, reply) => sendError(err, req, reply));
  app.setNotFoundHandler(async (req, reply) => sendError(s3Error('MethodNotAllowed'), req, reply));

  if (opts.extend) await opts.extend(app, registry);
  const select = opts.select?.(registry);

  app.route({
    method: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
    url: '/*',
    handler: async (req, reply) => {
      const path = req.url.split('?', 1)[0];
      if (!isSigned(req) && (req.method === 'GET' || req.method === 'HEAD')) {
        if (path === '/health') return observe(req, reply, 'Health', async () => ({ status: 'ok' }));
        if (path === '/ready') {
          return observe(req, reply, 'Ready', async () => {
            if (!(await store.isWritable())) throw s3Error('SlowDown', 'The store is not writable.');
            return { status: 'ready' };
          });
        }
        if (path === '/metrics') {
          req.s3op = 'Metrics';
          return reply.header('content-type', 'text/plain; version=0.0.4').send(registry.render());
        }
      }
      await dispatch(req, reply);
      // Returning the reply tells fastify the handler answered (possibly with a stream still being sent).
      return reply;
    },
  });

  async function observe(req: FastifyRequest, reply: FastifyReply, op: 'Health' | 'Ready', f: () => Promise<object>) {
    req.s3op = op;
    return reply.header('content-type', 'application/json').send(JSON.stringify(await f()));
  }

  async function dispatch(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const headers = headersOf(req);
    const address = parseAddress(req.url, headers.host, config.domain);
    const op = resolveOperation(req.method, address, headers);
    req.s3op = op;
    const auth = verifyRequest(
      { method: req.method, rawUrl: req.url, headers, now: new Date() },
      (id) => (id === config.accessKey ? config.secretKey : undefined),
      config.region,
    );
    const controller = new AbortController();
    // The response closing before it finished means the client went away (a request's own 'close' only
    // says its body was read).
    reply.raw.on('close', () => { if (!reply.raw.writableFinished) controller.abort(); });
    let body: Readable = req.raw;
    let trailers = () => ({});
    if (bodyOps.has(op)) {
      const decoded = decodePayload(auth, headers, req.raw);
      body = decoded.body;
      trailers = decoded.trailers;
    }
    const handler = op === 'SelectObjectContent' ? select : handlers[op];
    if (!handler) throw s3Error('NotImplemented', 'This server was started without the query layer.');
    await handler({
      op, bucket: address.bucket, key: address.key, query: address.query, headers, body, trailers,
      requestId: req.id, store, config, reply, signal: controller.signal,
    });
  }

  function sendError(err: Error, req: FastifyRequest, reply: FastifyReply) {
    let s3: S3Error;
    if (err instanceof S3Error) {
      s3 = err;
      if (s3.status >= 500) req.log.error({ err: s3.cause ?? s3, reqId: req.id, code: s3.code }, 'server error');
    }
    else if ((err as { code?: string }).code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') s3 = s3Error('IncompleteBody');
    else {
      req.log.error({ err, reqId: req.id }, 'internal error');
      s3 = s3Error('InternalError');
    }
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy(err);
      return;
    }
    // A body may still be arriving; S3 answers at once and closes rather than reading it all.
    if (!req.raw.complete) reply.header('connection', 'close');
    reply.code(s3.status).headers(s3.headers);
    if (req.method === 'HEAD' || s3.status === 304) return reply.send();
    const path = req.url.split('?', 1)[0];
    return reply.header('content-type', 'application/xml').send(errorXml(s3, path, req.id));
  }

  await app.listen({ host: config.host, port: config.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    app,
    metrics: registry,
    url: `${https ? 'https' : 'http'}://${host}:${port}`,
    close: () => app.close(),
  };
}
