// Value-level streaming of a query's result as DuckDB data chunks, guarded against silent truncation.
//
// DuckDB's streaming results end quietly when a query fails part-way (the last, empty chunk looks like a
// normal end). The guard: the query is wrapped as
//   SELECT *, false AS <marker> FROM (<query>) UNION ALL BY NAME SELECT true AS <marker>
// With insertion order preserved (DuckDB's default, never changed by the engine), the union's second
// branch runs only after the first has finished, so the marker row arrives last and only if every row
// before it was produced. No marker → the query failed; it is then re-run once as an aggregate (which
// does reject) to recover the real error. A marker anywhere but last is reported as an internal error.
import type { DuckDBConnection, DuckDBDataChunk, DuckDBResult, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { S3Error } from '../errors.js';
import { QueryTimeoutError, isInterruptError, mapDuckDbError } from './errors.js';

const MARKER = '__selectd_complete';

export interface ChunkTarget {
  conn: DuckDBConnection;
  release: () => void;
}

export interface ChunkStream extends AsyncIterable<DuckDBDataChunk> {
  /** The query's columns. Chunks carry one extra trailing column (the marker): ignore it. */
  readonly columnNames: string[];
  readonly columnTypes: DuckDBType[];
  /** Stops early and frees the connection (also done by breaking out of `for await`). */
  close(): void;
}

/** `sql` must be one SELECT statement without a trailing semicolon (the engine checks). */
export async function streamChunksOn(
  target: ChunkTarget,
  sql: string,
  params: DuckDBValue[] | Record<string, DuckDBValue> | undefined,
  opts: { signal?: AbortSignal; timeoutMs: number },
): Promise<ChunkStream> {
  const { conn } = target;
  let stopReason: Error | undefined;
  let released = false;
  const stop = (reason: Error) => {
    stopReason ??= reason;
    conn.interrupt();
  };
  const onAbort = () => stop(opts.signal!.reason instanceof Error ? opts.signal!.reason : new Error('aborted'));
  const timer = opts.timeoutMs > 0 ? setTimeout(() => stop(new QueryTimeoutError(opts.timeoutMs)), opts.timeoutMs) : undefined;
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const finish = (interrupt: boolean) => {
    if (released) return;
    released = true;
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    if (interrupt) conn.interrupt();
    target.release();
  };
  const failure = (err: unknown): Error => (stopReason && isInterruptError(err) ? stopReason : mapDuckDbError(err));

  let result: DuckDBResult;
  try {
    opts.signal?.throwIfAborted();
    result = await conn.stream(`SELECT *, false AS ${MARKER} FROM (${sql}\n) UNION ALL BY NAME SELECT true AS ${MARKER}`, params);
  } catch (err) {
    finish(false);
    throw opts.signal?.aborted ? opts.signal.reason : failure(err);
  }
  const width = result.columnCount - 1;

  async function diagnose(): Promise<Error> {
    if (stopReason) return stopReason;
    try {
      // hash(t) of the whole row forces every column to be computed, as the streamed query did.
      await conn.run(`SELECT count(hash(t)) FROM (${sql}\n) t`, params);
    } catch (err) {
      return failure(err);
    }
    return new S3Error('InternalError', 'The query result ended early for an unknown reason.');
  }

  let started = false;
  async function* chunks(): AsyncGenerator<DuckDBDataChunk> {
    started = true;
    if (released) return;
    let complete = false;
    try {
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        if (complete) throw new S3Error('InternalError', 'Rows arrived after the end-of-result marker.');
        const marks = chunk.getColumnVector(width);
        const n = chunk.rowCount;
        for (let i = 0; i < n; i++) {
          if (marks.getItem(i) !== true) continue;
          if (i !== n - 1) throw new S3Error('InternalError', 'The end-of-result marker arrived before the last row.');
          complete = true;
        }
        if (complete) chunk.rowCount = n - 1;
        if (chunk.rowCount > 0) yield chunk;
      }
      if (stopReason) throw stopReason;
      if (!complete) throw await diagnose();
    } catch (err) {
      throw err instanceof S3Error || err === stopReason ? err : failure(err);
    } finally {
      finish(!complete);
    }
  }

  const iterator = chunks();
  return {
    columnNames: result.columnNames().slice(0, width),
    columnTypes: result.columnTypes().slice(0, width),
    [Symbol.asyncIterator]: () => iterator,
    close: () => {
      // Before iteration nothing runs on the connection; afterwards the generator's `finally` frees it.
      if (!started) finish(true);
      else void iterator.return(undefined).catch(() => undefined);
    },
  };
}
