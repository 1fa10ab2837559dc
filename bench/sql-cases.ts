// Cases of the sql suite. Our side sends the query to /_sql; the baseline is DuckDB in the runner's process
// reading the same local file:
// - latency: the same small query, `ops` times per run, either with one text and a bound parameter (beside
//   DuckDB reusing one prepared statement, and preparing that text anew each time, as the endpoint does) or
//   with the number written into a text that differs every time (beside DuckDB running those texts);
// - result: a large answer as JSON, CSV or Arrow. DuckDB writes JSON and CSV itself (`COPY … TO` a file);
//   DuckDB's node API has no Arrow export and this DuckDB has no Arrow COPY format, so the Arrow baseline
//   streams DuckDB's chunks through the same apache-arrow encoder the endpoint uses into a file: the ratio
//   then shows what the endpoint adds (checks, rewrite, HTTP), not a difference between encoders.
import { once } from 'node:events';
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { derivation, sqlString } from '../datasets/derivations.js';
import { ArrowStreamEncoder } from '../src/sql-endpoint/arrow.js';
import { ResultSummarizer } from './compare.js';
import type { Case, RunMode, RunOutcome, Side } from './measure.js';
import { CsvRowParser } from './rows.js';
import { checksumArrow, ColumnChecksum, JsonDocumentRows, scalarOfJson, valueText } from './sql-answers.js';
import { sqlChunks, sqlQuery, sqlResponse, type StreamedAnswer } from './sql-client.js';
import type { DatasetFile, Target } from './select-cases.js';
import { fileKey } from './select-cases.js';
import type { SqlLatencyQuery, SqlOutput, SqlResultQuery, SqlSuite } from './suite.js';

export interface SqlCaseContext {
  ours: Target;
  duck: DuckDBConnection;
  /** Built files by `<dataset>/<format>`. */
  files: Map<string, DatasetFile>;
  tmpDir: string;
}

export interface SqlCases {
  cases: Case[];
  /** Frees the baselines' prepared statements. */
  close(): void;
}

/** Replaces `{object}` and `{n}` in a suite's SQL. */
export function fillSql(template: string, object: string, n?: string): string {
  const withObject = template.split('{object}').join(object);
  return n === undefined ? withObject : withObject.split('{n}').join(n);
}

/** An answer of `rows`, each `[n, value]`, compared as rows. */
function latencyAnswer(rows: string[][]): RunOutcome['answer'] {
  const s = new ResultSummarizer();
  for (const r of rows) s.row(r);
  return { kind: 'rows', summary: s.summary() };
}

/** Runs `ops` operations numbered from a per-side counter; in check mode their answers are the result. */
function opsSide(name: string, ops: number, one: (n: number) => Promise<string>): Side {
  let next = 0;
  return {
    name,
    async run(mode: RunMode): Promise<RunOutcome> {
      const rows: string[][] = [];
      for (let i = 0; i < ops; i++) {
        const n = next++;
        const value = await one(n);
        if (mode === 'check') rows.push([String(n), value]);
      }
      return mode === 'check' ? { answer: latencyAnswer(rows) } : {};
    },
  };
}

function latencyCase(q: SqlLatencyQuery, file: DatasetFile, ctx: SqlCaseContext, prepared: DuckDBPreparedStatement[]): Case {
  const url = sqlString(`s3://${ctx.ours.bucket}/${file.name}`);
  const local = derivation(q.format).duckdbRead!(file.path, file.schema);
  const ours = opsSide('selectd', q.ops, async (n) => {
    const spec = q.bind ? { sql: fillSql(q.sql, url, '$1'), params: [n], format: 'json' } : { sql: fillSql(q.sql, url, String(n)), format: 'json' };
    const res = await sqlResponse(ctx.ours.client, spec);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return scalarOfJson(Buffer.concat(chunks).toString('utf8'));
  });
  const baselines = q.bind
    ? [duckLatencySide('reuse', q, local, ctx.duck, prepared), duckLatencySide('prepare', q, local, ctx.duck, prepared)]
    : [duckLatencySide('text', q, local, ctx.duck, prepared)];
  return { name: q.name, ops: q.ops, bytes: file.bytes, rows: file.rows, ordered: true, ours, baselines };
}

/**
 * In-process DuckDB answering a latency query: `reuse` binds n into one statement prepared once (what a
 * plan cache could give), `prepare` prepares the same text anew for every n (what the endpoint does),
 * `text` runs a text with n written into it.
 */
function duckLatencySide(how: 'reuse' | 'prepare' | 'text', q: SqlLatencyQuery, from: string, duck: DuckDBConnection, prepared: DuckDBPreparedStatement[]): Side {
  const first = (rows: unknown[][]): string => valueText(rows[0]![0]);
  if (how === 'text') return opsSide('duckdb new text', q.ops, async (n) => first((await duck.runAndReadAll(fillSql(q.sql, from, String(n)))).getRows()));
  const sql = fillSql(q.sql, from, '$1');
  if (how === 'prepare') return opsSide('duckdb prepared each time', q.ops, async (n) => first((await duck.runAndReadAll(sql, [n])).getRows()));
  let statement: DuckDBPreparedStatement | undefined;
  return opsSide('duckdb prepared once', q.ops, async (n) => {
    if (!statement) {
      statement = await duck.prepare(sql);
      prepared.push(statement);
    }
    statement.bind([n]);
    return first((await statement.runAndReadAll()).getRows());
  });
}

/** Feeds a JSON or CSV answer, chunk by chunk, into a checksum; `end()` finishes and checks it. */
function textChecker(output: 'json' | 'csv', sum: ColumnChecksum): { push(chunk: Buffer): void; end(): void } {
  if (output === 'json') {
    const p = new JsonDocumentRows(sum.object);
    return {
      push: (c) => p.pushBytes(c),
      end() {
        p.end();
        if (p.declaredRows !== undefined && p.declaredRows !== sum.rowCount) {
          throw new Error(`the JSON answer says "rows":${p.declaredRows} but holds ${sum.rowCount}`);
        }
      },
    };
  }
  let header = true;
  const p = new CsvRowParser((cells) => {
    if (header) sum.header(cells);
    else sum.cells(cells);
    header = false;
  });
  return { push: (c) => p.pushBytes(c), end: () => p.end() };
}

function oursResultSide(q: SqlResultQuery, sql: string, target: Target): Side {
  const spec = { sql, format: q.output };
  return {
    name: 'selectd',
    async run(mode: RunMode): Promise<RunOutcome> {
      if (mode === 'timed') return { bytesReturned: await sqlQuery(target.client, spec) };
      const sum = new ColumnChecksum(q.checksum, q.ordered);
      if (q.output === 'arrow') {
        const seen: StreamedAnswer = { bytes: 0, complete: false };
        await checksumArrow(sqlChunks(target.client, spec, seen), sum);
        if (!seen.complete) throw new Error('the Arrow answer has bytes after its end-of-stream marker');
        return { bytesReturned: seen.bytes, answer: { kind: 'digest', value: sum.digest() } };
      }
      const checker = textChecker(q.output, sum);
      const bytesReturned = await sqlQuery(target.client, spec, (c) => checker.push(c));
      checker.end();
      return { bytesReturned, answer: { kind: 'digest', value: sum.digest() } };
    },
  };
}

/** DuckDB's chunks for `sql`, as an Arrow IPC stream written to `outFile` (with back-pressure). */
async function arrowToFile(duck: DuckDBConnection, sql: string, outFile: string): Promise<void> {
  const result = await duck.stream(sql);
  const encoder = new ArrowStreamEncoder(result.columnNames(), result.columnTypes());
  const out = createWriteStream(outFile);
  const write = async (b: Buffer): Promise<void> => {
    if (!out.write(b)) await once(out, 'drain');
  };
  try {
    await write(encoder.start());
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const n = chunk.rowCount;
      const columns = [];
      for (let k = 0; k < chunk.columnCount; k++) columns.push(chunk.getColumnVector(k).toArray().slice(0, n));
      await write(encoder.batch(columns, n));
    }
    await write(encoder.finish());
  } finally {
    out.end();
    await once(out, 'close');
  }
}

const COPY_OPTIONS: Record<Exclude<SqlOutput, 'arrow'>, string> = {
  csv: 'FORMAT csv, HEADER true',
  json: 'FORMAT json, ARRAY true',
};

function duckdbResultSide(q: SqlResultQuery, sql: string, duck: DuckDBConnection, outFile: string): Side {
  return {
    name: q.output === 'arrow' ? 'duckdb chunks -> arrow' : `duckdb COPY ${q.output}`,
    async run(mode: RunMode): Promise<RunOutcome> {
      try {
        if (q.output === 'arrow') await arrowToFile(duck, sql, outFile);
        else await duck.run(`COPY (${sql}) TO ${sqlString(outFile)} (${COPY_OPTIONS[q.output]})`);
        const bytesReturned = statSync(outFile).size;
        if (mode === 'timed') return { bytesReturned };
        const sum = new ColumnChecksum(q.checksum, q.ordered);
        const file = createReadStream(outFile, { highWaterMark: 1 << 20 });
        if (q.output === 'arrow') {
          await checksumArrow(file, sum);
        } else {
          const checker = textChecker(q.output, sum);
          for await (const c of file) checker.push(c as Buffer);
          checker.end();
        }
        return { bytesReturned, answer: { kind: 'digest', value: sum.digest() } };
      } finally {
        rmSync(outFile, { force: true });
      }
    },
  };
}

export function sqlCases(suite: SqlSuite, ctx: SqlCaseContext): SqlCases {
  const prepared: DuckDBPreparedStatement[] = [];
  const cases = suite.queries.map((q, i): Case => {
    const file = ctx.files.get(fileKey(q.dataset, q.format));
    if (!file) throw new Error(`query ${q.name}: ${q.dataset} was not built as ${q.format}`);
    if (!derivation(q.format).duckdbRead) throw new Error(`query ${q.name}: DuckDB cannot read ${q.format} files, so it has no baseline`);
    if (q.kind === 'latency') return latencyCase(q, file, ctx, prepared);
    const ours = oursResultSide(q, fillSql(q.sql, sqlString(`s3://${ctx.ours.bucket}/${file.name}`)), ctx.ours);
    const local = fillSql(q.sql, derivation(q.format).duckdbRead!(file.path, file.schema));
    const baseline = duckdbResultSide(q, local, ctx.duck, path.join(ctx.tmpDir, `sql-baseline-${i}.${q.output}`));
    return { name: q.name, bytes: file.bytes, rows: file.rows, ours, baselines: [baseline] };
  });
  return { cases, close: () => { for (const p of prepared) p.destroySync(); } };
}
