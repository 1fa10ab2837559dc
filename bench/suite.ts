// Suites: files under bench/suites/, either JSON (`<name>.json`) or TypeScript modules whose default export
// is a Suite (compiled to dist/bench/suites/<name>.js). A select suite lists queries, each with the object it
// reads (data set + format), its S3 Select expression and the equivalent DuckDB SQL for the baseline.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../datasets/manifest.js';

export interface SelectQuery {
  name: string;
  dataset: string;
  /** A derivation of the data set (csv, csv.gz, jsonl, parquet…): the object queried is its built file. */
  format: string;
  expression: string;
  output?: 'csv' | 'json';
  /** DuckDB SQL over the same local file; `{input}` becomes a FROM-item that reads it. */
  baseline: string;
  /** Compare rows in order (scans, LIMIT, ORDER BY); otherwise as multisets (GROUP BY). */
  ordered?: boolean;
  relTol?: number;
}

export interface SelectSuite {
  name: string;
  kind: 'select';
  description: string;
  queries: SelectQuery[];
  /** Size for generated data sets (`--scale` overrides it). */
  scale?: string;
  runs?: number;
  /** Keep the server's RSS timeline in the JSON results. */
  recordRss?: boolean;
}

export interface ObjectsSuite {
  name: string;
  kind: 'objects';
  description: string;
  /** Object sizes for PUT and GET, in bytes. */
  sizes: number[];
  /** HEAD requests per timed run. */
  headOps: number;
  /** Keys listed with ListObjectsV2. */
  listKeys: number;
  runs?: number;
}

/** Output formats of /_sql that the sql suite measures (and DuckDB can produce in-process beside it). */
export type SqlOutput = 'json' | 'csv' | 'arrow';

/**
 * A small query sent `ops` times per run, for request latency. `{object}` is the object's s3:// URL (ours)
 * or a reader of the local file (the baseline); `{n}` is the operation's number. With `bind`, `{n}` is
 * `$1` and n is bound, so the text never changes (what a plan cache can reuse) and the baseline reuses one
 * prepared statement; without it, n is written into the text, which differs every time, and the baseline
 * prepares each statement anew.
 */
export interface SqlLatencyQuery {
  kind: 'latency';
  name: string;
  dataset: string;
  format: string;
  sql: string;
  bind: boolean;
  ops: number;
}

/**
 * A large result, for throughput: `sql` (with `{object}`) is answered as `output` by /_sql, and by
 * in-process DuckDB writing the same format. Answers are checked by row count and checksums of `checksum`.
 */
export interface SqlResultQuery {
  kind: 'result';
  name: string;
  dataset: string;
  format: string;
  sql: string;
  output: SqlOutput;
  checksum: string[];
  /** The checksums depend on row order too. */
  ordered?: boolean;
}

export type SqlQuery = SqlLatencyQuery | SqlResultQuery;

export interface SqlSuite {
  name: string;
  kind: 'sql';
  description: string;
  queries: SqlQuery[];
  runs?: number;
}

export type Suite = SelectSuite | ObjectsSuite | SqlSuite;

export const SUITE_SOURCE_DIR = path.join(ROOT, 'bench', 'suites');
export const SUITE_BUILD_DIR = path.join(ROOT, 'dist', 'bench', 'suites');

function fail(where: string, what: string): never {
  throw new Error(`suite ${where}: ${what}`);
}

/** Validates a suite read from JSON (TypeScript suites are checked by the compiler). */
export function parseSuite(raw: unknown, where: string): Suite {
  if (typeof raw !== 'object' || raw === null) fail(where, 'must be an object');
  const s = raw as Record<string, unknown>;
  if (typeof s.name !== 'string' || s.name === '') fail(where, '"name" must be a string');
  if (s.kind === 'objects') {
    if (!Array.isArray(s.sizes) || s.sizes.some((n) => !Number.isSafeInteger(n) || (n as number) <= 0)) fail(where, '"sizes" must be positive integers');
    if (!Number.isSafeInteger(s.headOps) || !Number.isSafeInteger(s.listKeys)) fail(where, '"headOps" and "listKeys" must be integers');
    return s as unknown as ObjectsSuite;
  }
  if (s.kind === 'sql') return { description: '', ...s, queries: parseSqlQueries(s.queries, where) } as unknown as SqlSuite;
  if (s.kind !== 'select') fail(where, '"kind" must be "select", "objects" or "sql"');
  if (!Array.isArray(s.queries) || s.queries.length === 0) fail(where, '"queries" must be a non-empty array');
  const names = new Set<string>();
  for (const [i, q] of (s.queries as unknown[]).entries()) {
    const at = `${where} query ${i + 1}`;
    if (typeof q !== 'object' || q === null) fail(at, 'must be an object');
    const r = q as Record<string, unknown>;
    for (const k of ['name', 'dataset', 'format', 'expression', 'baseline']) {
      if (typeof r[k] !== 'string' || r[k] === '') fail(at, `"${k}" must be a non-empty string`);
    }
    if (!(r.baseline as string).includes('{input}')) fail(at, 'the baseline must read {input}');
    if (r.output !== undefined && r.output !== 'csv' && r.output !== 'json') fail(at, '"output" must be csv or json');
    if (names.has(r.name as string)) fail(at, `duplicate query name ${String(r.name)}`);
    names.add(r.name as string);
  }
  return { description: '', ...s } as unknown as SelectSuite;
}

function parseSqlQueries(raw: unknown, where: string): SqlQuery[] {
  if (!Array.isArray(raw) || raw.length === 0) fail(where, '"queries" must be a non-empty array');
  const names = new Set<string>();
  for (const [i, q] of (raw as unknown[]).entries()) {
    const at = `${where} query ${i + 1}`;
    if (typeof q !== 'object' || q === null) fail(at, 'must be an object');
    const r = q as Record<string, unknown>;
    for (const k of ['name', 'dataset', 'format', 'sql']) {
      if (typeof r[k] !== 'string' || r[k] === '') fail(at, `"${k}" must be a non-empty string`);
    }
    if (!(r.sql as string).includes('{object}')) fail(at, 'the SQL must read {object}');
    if (r.kind === 'latency') {
      if (typeof r.bind !== 'boolean') fail(at, '"bind" must be true or false');
      if (!Number.isSafeInteger(r.ops) || (r.ops as number) < 1) fail(at, '"ops" must be a positive integer');
      if (!(r.sql as string).includes('{n}')) fail(at, 'a latency query must use {n}');
    } else if (r.kind === 'result') {
      if (r.output !== 'json' && r.output !== 'csv' && r.output !== 'arrow') fail(at, '"output" must be json, csv or arrow');
      if (!Array.isArray(r.checksum) || r.checksum.length === 0 || r.checksum.some((c) => typeof c !== 'string' || c === '')) {
        fail(at, '"checksum" must name at least one column');
      }
    } else {
      fail(at, '"kind" must be "latency" or "result"');
    }
    if (names.has(r.name as string)) fail(at, `duplicate query name ${String(r.name)}`);
    names.add(r.name as string);
  }
  return raw as SqlQuery[];
}

export function listSuites(): string[] {
  const names = new Set<string>();
  if (existsSync(SUITE_SOURCE_DIR)) {
    for (const f of readdirSync(SUITE_SOURCE_DIR)) if (f.endsWith('.json')) names.add(f.slice(0, -5));
  }
  if (existsSync(SUITE_BUILD_DIR)) {
    for (const f of readdirSync(SUITE_BUILD_DIR)) {
      if (!f.endsWith('.js')) continue;
      const name = f.slice(0, -3);
      if (existsSync(path.join(SUITE_SOURCE_DIR, `${name}.ts`))) names.add(name);
    }
  }
  return [...names].sort();
}

export async function loadSuite(name: string): Promise<Suite> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`bad suite name ${JSON.stringify(name)}`);
  const json = path.join(SUITE_SOURCE_DIR, `${name}.json`);
  if (existsSync(json)) return parseSuite(JSON.parse(readFileSync(json, 'utf8')), `${name}.json`);
  const js = path.join(SUITE_BUILD_DIR, `${name}.js`);
  if (existsSync(js) && existsSync(path.join(SUITE_SOURCE_DIR, `${name}.ts`))) {
    const mod = (await import(pathToFileURL(js).href)) as { default?: Suite };
    if (!mod.default) throw new Error(`suite ${name}.ts has no default export`);
    return mod.default;
  }
  throw new Error(`unknown suite ${JSON.stringify(name)} (known: ${listSuites().join(', ')})`);
}
