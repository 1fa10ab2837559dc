// Cases of a select suite: our side sends SelectObjectContent to the endpoint, the baseline runs the
// equivalent SQL in an in-process DuckDB on the same local file (COPY … TO a CSV file, which for SELECT *
// is DuckDB's own CSV export), and a peer endpoint, when named, answers the same request.
import { createReadStream, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { BuiltFile } from '../datasets/build.js';
import { derivation, sqlString } from '../datasets/derivations.js';
import type { Column } from '../datasets/manifest.js';
import { ResultSummarizer } from './compare.js';
import type { Case, RunMode, RunOutcome, Side } from './measure.js';
import { CsvRowParser, JsonLinesRowParser, type RowParser } from './rows.js';
import type { S3Client } from './s3-client.js';
import { selectObject, type SelectSpec } from './select-client.js';
import type { SelectQuery, SelectSuite } from './suite.js';

export interface Target {
  name: string;
  client: S3Client;
  bucket: string;
}

export interface DatasetFile extends BuiltFile {
  schema: Column[];
}

export interface SelectCaseContext {
  ours: Target;
  peer?: Target;
  duck: DuckDBConnection;
  /** Built files by `<dataset>/<format>`. */
  files: Map<string, DatasetFile>;
  /** Scratch directory for baseline outputs. */
  tmpDir: string;
}

export function fileKey(dataset: string, format: string): string {
  return `${dataset}/${format}`;
}

function parserFor(output: 'csv' | 'json' | undefined, onRow: (cells: string[]) => void): RowParser {
  return output === 'json' ? new JsonLinesRowParser(onRow) : new CsvRowParser(onRow);
}

/** Our side, or a peer's: the same request, decoded and checked the same way. */
export function selectSide(target: Target, key: string, spec: SelectSpec): Side {
  return {
    name: target.name,
    async run(mode: RunMode): Promise<RunOutcome> {
      if (mode === 'timed') {
        const r = await selectObject(target.client, target.bucket, key, spec);
        return { bytesReturned: r.bytesReturned, bytesScanned: r.stats?.bytesScanned };
      }
      const summary = new ResultSummarizer();
      const parser = parserFor(spec.output, summary.row);
      const r = await selectObject(target.client, target.bucket, key, spec, (chunk) => parser.pushBytes(chunk));
      parser.end();
      return { bytesReturned: r.bytesReturned, bytesScanned: r.stats?.bytesScanned, answer: { kind: 'rows', summary: summary.summary() } };
    },
  };
}

/** Replaces `{input}` in a baseline query with a FROM-item reading `file` as `format`. */
export function baselineSql(q: Pick<SelectQuery, 'baseline' | 'format' | 'name'>, file: string, schema: Column[]): string {
  const d = derivation(q.format);
  if (!d.duckdbRead) throw new Error(`query ${q.name}: DuckDB cannot read ${q.format} files, so it has no baseline`);
  return q.baseline.split('{input}').join(d.duckdbRead(file, schema));
}

export function duckdbSide(duck: DuckDBConnection, sql: string, outFile: string): Side {
  return {
    name: 'duckdb',
    async run(mode: RunMode): Promise<RunOutcome> {
      try {
        await duck.run(`COPY (${sql}) TO ${sqlString(outFile)} (FORMAT csv, HEADER false)`);
        const bytesReturned = statSync(outFile).size;
        if (mode === 'timed') return { bytesReturned };
        const summary = new ResultSummarizer();
        const parser = new CsvRowParser(summary.row);
        for await (const chunk of createReadStream(outFile, { highWaterMark: 1 << 20 })) parser.pushBytes(chunk as Buffer);
        parser.end();
        return { bytesReturned, answer: { kind: 'rows', summary: summary.summary() } };
      } finally {
        rmSync(outFile, { force: true });
      }
    },
  };
}

export function selectCases(suite: SelectSuite, ctx: SelectCaseContext): Case[] {
  return suite.queries.map((q, i): Case => {
    const file = ctx.files.get(fileKey(q.dataset, q.format));
    if (!file) throw new Error(`query ${q.name}: ${q.dataset} was not built as ${q.format}`);
    const d = derivation(q.format);
    if (!d.selectInput) throw new Error(`query ${q.name}: no S3 Select input serialization for ${q.format}`);
    const spec: SelectSpec = { expression: q.expression, input: d.selectInput, output: q.output };
    const baselines = [duckdbSide(ctx.duck, baselineSql(q, file.path, file.schema), path.join(ctx.tmpDir, `baseline-${i}.csv`))];
    if (ctx.peer) baselines.push(selectSide(ctx.peer, file.name, spec));
    return {
      name: q.name, bytes: file.bytes, rows: file.rows, ordered: q.ordered, relTol: q.relTol,
      ours: selectSide(ctx.ours, file.name, spec), baselines,
    };
  });
}
