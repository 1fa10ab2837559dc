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

export type Suite = SelectSuite | ObjectsSuite;

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
  if (s.kind !== 'select') fail(where, '"kind" must be "select" or "objects"');
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
