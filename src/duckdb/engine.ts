// The one DuckDB instance of a server, shared by the S3 Select pipeline and the SQL endpoint.
// It owns a fixed pool of connections (each with its own FIFO for COPY output), applies the sandbox at
// start-up and offers three ways to run a query:
//   copyToStream  bytes (CSV / JSON / Parquet) through a FIFO; a part-way failure is a stream error
//   queryRows     small materialised results (schema probes, aggregates)
//   streamChunks  DuckDB data chunks for callers that need values, guarded against silent truncation
//
// Every running query holds a libuv threadpool thread for its whole duration, so the process must start
// with UV_THREADPOOL_SIZE above the connection count (it cannot be raised once Node is running): the CLI
// sets it to recommendedThreadpoolSize(maxConnections) before anything else loads.
import type { DuckDBConnection, DuckDBInstance, DuckDBValue, JS } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { S3Error } from '../errors.js';
import { streamChunksOn, type ChunkStream } from './chunks.js';
import { copyToFifo, type CopyFormat } from './copy-stream.js';
import { QueryTimeoutError, isInterruptError, mapDuckDbError } from './errors.js';
import { createFifos, removeFifos, removeStaleFifos } from './fifo.js';
import { Pool } from './pool.js';
import { createInstance, loadSqlDir, lockDown } from './setup.js';

export type { ChunkStream } from './chunks.js';
export type { CopyFormat, CsvCopyFormat } from './copy-stream.js';

/** Threads kept free for file I/O, DNS and crypto next to the running queries. */
const SPARE_UV_THREADS = 4;
export const DEFAULT_MAX_CONNECTIONS = 4;
/** UV_THREADPOOL_SIZE for the default connection count. */
export const RECOMMENDED_UV_THREADPOOL_SIZE = DEFAULT_MAX_CONNECTIONS + SPARE_UV_THREADS;

export function recommendedThreadpoolSize(maxConnections: number = DEFAULT_MAX_CONNECTIONS): number {
  return maxConnections + SPARE_UV_THREADS;
}

export interface EngineOptions {
  dataDir: string;
  /** The only directory queries may read (the store's object files). Default: dataDir. */
  objectsDir?: string;
  /** DuckDB's spill (temp) directory, also home of the FIFOs. Default: `<dataDir>/.duckdb-tmp`. */
  spillDir?: string;
  /** DuckDB memory_limit, e.g. '1GB'. Default: DuckDB's (80 % of RAM). */
  memoryLimit?: string;
  threads?: number;
  maxConnections?: number;
  /** Callers allowed to wait for a connection before acquiring fails with Busy. Default 4 × maxConnections. */
  maxQueue?: number;
  /** Default per-query time limit in ms; 0 = none. */
  queryTimeoutMs?: number;
}

export interface QueryOptions {
  signal?: AbortSignal;
  /** Overrides the engine's queryTimeoutMs; 0 = none. */
  timeoutMs?: number;
}

export interface Lease {
  readonly conn: DuckDBConnection;
  /** Give the connection back; call exactly once, with no query of yours still running on it. */
  release(): void;
}

interface Slot {
  conn: DuckDBConnection;
  fifoPath: string;
}

export class Engine {
  private closing: Promise<void> | undefined;
  private onAllReleased: (() => void) | undefined;
  /** Copy streams whose query is still running, cancelled by close(). */
  private readonly activeStreams = new Set<Readable>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly pool: Pool<Slot>,
    private readonly fifos: string[],
    private readonly defaultTimeoutMs: number,
  ) {}

  static async open(opts: EngineOptions): Promise<Engine> {
    const dataDir = path.resolve(opts.dataDir);
    const objectsDir = path.resolve(opts.objectsDir ?? dataDir);
    const spillDir = path.resolve(opts.spillDir ?? path.join(dataDir, '.duckdb-tmp'));
    const maxConnections = Math.max(1, opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
    await fs.promises.mkdir(objectsDir, { recursive: true });
    await fs.promises.mkdir(spillDir, { recursive: true, mode: 0o700 });
    await removeStaleFifos(spillDir);

    const instance = await createInstance({ spillDir, memoryLimit: opts.memoryLimit, threads: opts.threads });
    const conns: DuckDBConnection[] = [];
    try {
      for (let i = 0; i < maxConnections; i++) conns.push(await instance.connect());
      // Macros are catalog entries of the instance, visible to every connection.
      await loadSqlDir(conns[0]!);
      await lockDown(conns[0]!, [objectsDir, spillDir]);
      const fifos = await createFifos(spillDir, maxConnections);
      const slots = conns.map((conn, i) => ({ conn, fifoPath: fifos[i]! }));
      return new Engine(instance, new Pool(slots, opts.maxQueue ?? 4 * maxConnections), fifos, opts.queryTimeoutMs ?? 0);
    } catch (err) {
      for (const c of conns) c.closeSync();
      instance.closeSync();
      throw err;
    }
  }

  private async acquireSlot(signal?: AbortSignal): Promise<Slot> {
    if (this.closing) throw new S3Error('InternalError', 'The query engine is shutting down.');
    return this.pool.acquire(signal);
  }

  private releaser(slot: Slot): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.pool.release(slot);
      if (this.onAllReleased && this.pool.inUse.size === 0) this.onAllReleased();
    };
  }

  /** A connection for direct use (e.g. prepared statements); waits in the queue, or fails with Busy. */
  async acquire(signal?: AbortSignal): Promise<Lease> {
    const slot = await this.acquireSlot(signal);
    return { conn: slot.conn, release: this.releaser(slot) };
  }

  /**
   * The caller's query as exactly one statement without trailing semicolons. copyToStream and
   * streamChunks embed it in a larger statement; text that parses as several statements (or not at
   * all) could otherwise close the parenthesis and run something else.
   */
  private async singleStatement(slot: Slot, sql: string, release: () => void): Promise<string> {
    const bare = sql.replace(/[\s;]+$/, '');
    try {
      if (bare.trim() === '') throw new S3Error('ParseEmptySelect', 'The query is empty.');
      const extracted = await slot.conn.extractStatements(bare);
      if (extracted.count !== 1) throw new S3Error('UnsupportedSqlStructure', 'Exactly one SELECT statement is expected.');
      return bare;
    } catch (err) {
      release();
      throw mapDuckDbError(err);
    }
  }

  private timeoutOf(opts: QueryOptions): number {
    return opts.timeoutMs ?? this.defaultTimeoutMs;
  }

  /** Runs a query and returns all rows as plain JS objects. For small results only. */
  async queryRows(sql: string, params?: DuckDBValue[] | Record<string, DuckDBValue>, opts: QueryOptions = {}): Promise<Record<string, JS>[]> {
    const slot = await this.acquireSlot(opts.signal);
    const release = this.releaser(slot);
    const timeoutMs = this.timeoutOf(opts);
    let stopped: Error | undefined;
    const stop = (reason: Error) => {
      stopped ??= reason;
      slot.conn.interrupt();
    };
    const onAbort = () => stop(opts.signal!.reason instanceof Error ? opts.signal!.reason : new Error('aborted'));
    const timer = timeoutMs > 0 ? setTimeout(() => stop(new QueryTimeoutError(timeoutMs)), timeoutMs) : undefined;
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      opts.signal?.throwIfAborted();
      const reader = await slot.conn.runAndReadAll(sql, params);
      return reader.getRowObjectsJS();
    } catch (err) {
      if (opts.signal?.aborted && !stopped) throw opts.signal.reason;
      throw stopped && isInterruptError(err) ? stopped : mapDuckDbError(err);
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      release();
    }
  }

  /**
   * Runs `COPY (<sql>) TO <fifo> (<format>)` and returns the output bytes. Resolves at the first byte
   * (or at the end of an empty result); rejects with an S3Error when the query fails before any output.
   * A later failure destroys the stream with an S3Error after the bytes produced before it.
   * Destroying the stream cancels the query. `sql` must be a single SELECT.
   */
  async copyToStream(sql: string, params: DuckDBValue[] | Record<string, DuckDBValue> | undefined, format: CopyFormat, opts: QueryOptions = {}): Promise<Readable> {
    const slot = await this.acquireSlot(opts.signal);
    const release = this.releaser(slot);
    const query = await this.singleStatement(slot, sql, release);
    let stream: Readable | undefined;
    let released = false;
    stream = await copyToFifo(
      {
        conn: slot.conn,
        fifoPath: slot.fifoPath,
        release: () => {
          released = true;
          if (stream) this.activeStreams.delete(stream);
          release();
        },
      },
      query,
      params,
      format,
      { signal: opts.signal, timeoutMs: this.timeoutOf(opts) },
    );
    if (!released) this.activeStreams.add(stream);
    return stream;
  }

  /**
   * Streams the result as DuckDB data chunks. Each chunk has one extra trailing column to ignore; the
   * stream throws (S3Error) instead of ending early when the query fails part-way. Iterate it to the end,
   * break out of the loop, or call close(): the connection is held until then.
   */
  async streamChunks(sql: string, params?: DuckDBValue[] | Record<string, DuckDBValue>, opts: QueryOptions = {}): Promise<ChunkStream> {
    const slot = await this.acquireSlot(opts.signal);
    const release = this.releaser(slot);
    const query = await this.singleStatement(slot, sql, release);
    return streamChunksOn({ conn: slot.conn, release }, query, params, {
      signal: opts.signal,
      timeoutMs: this.timeoutOf(opts),
    });
  }

  /**
   * Cancels running work, waits for every connection to come back, then closes DuckDB. Leases from
   * acquire() and chunk streams are interrupted but must still be released / iterated by their holders.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const reason = new S3Error('InternalError', 'The query engine is shutting down.');
      this.pool.close(reason);
      if (this.pool.inUse.size > 0) {
        const allReleased = new Promise<void>((resolve) => (this.onAllReleased = resolve));
        for (const s of this.activeStreams) s.destroy(reason);
        for (const slot of this.pool.inUse) slot.conn.interrupt();
        await allReleased;
      }
      for (const slot of this.pool.takeIdle()) slot.conn.closeSync();
      this.instance.closeSync();
      await removeFifos(this.fifos);
    })();
    return this.closing;
  }
}
