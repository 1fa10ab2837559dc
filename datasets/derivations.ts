// The derivation table: every encoding a data set can be built in, how to build it, how S3 Select is told to
// read it, and how DuckDB reads it directly (the benchmark baseline). A new format (Avro, ORC, Protobuf,
// MessagePack) is one more `registerDerivation` row at the end of this file; nothing else needs to change.
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { finished, pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Column, Manifest } from './manifest.js';

export interface DerivationContext {
  manifest: Manifest;
  /** A SELECT yielding the canonical table (manifest schema, source order). */
  canonicalSql: string;
  db(): Promise<DuckDBConnection>;
  /** Path of the file this derivation's `dependsOn` format was built into. */
  input: string | undefined;
  /** Where to write; the builder renames it into place once complete. */
  outPath: string;
}

export interface Derivation {
  /** Format name, also the file extension: `<dataset>.<format>`. */
  format: string;
  description: string;
  /** A format to build first whose file is handed over as `input` (e.g. csv.gz compresses csv). */
  dependsOn?: string;
  /** Why this derivation cannot be built on this machine, or null when it can. */
  unavailable?(): string | null;
  build(ctx: DerivationContext): Promise<void>;
  /** InputSerialization children that make S3 Select read this format. */
  selectInput?: string;
  /** A DuckDB FROM-item reading a file of this format with the given schema; absent when DuckDB cannot read it. */
  duckdbRead?(file: string, schema: Column[]): string;
}

export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export function sqlIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** DuckDB `columns=` struct for a schema, so readers never sniff types. */
export function columnsStruct(schema: Column[]): string {
  return `{${schema.map((c) => `${sqlString(c.name)}: ${sqlString(c.type)}`).join(', ')}}`;
}

function csvRead(compression: string) {
  return (file: string, schema: Column[]): string =>
    `read_csv(${sqlString(file)}, header=true, auto_detect=false, delim=',', quote='"', escape='"', ` +
    `compression='${compression}', columns=${columnsStruct(schema)})`;
}

async function copyTo(ctx: DerivationContext, options: string): Promise<void> {
  const db = await ctx.db();
  await db.run(`COPY (${ctx.canonicalSql}) TO ${sqlString(ctx.outPath)} (${options})`);
}

function needInput(ctx: DerivationContext): string {
  if (ctx.input === undefined) throw new Error(`derivation for ${ctx.outPath} needs its input file`);
  return ctx.input;
}

/** Whether a command can be run at all (ENOENT means it is not installed). */
export function commandAvailable(cmd: string, args: string[] = ['--help']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.error === undefined;
}

/** Runs `cmd` with a file as stdin and another as stdout. */
async function filter(cmd: string, args: string[], input: string, output: string): Promise<void> {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? 1));
  });
  const [, , code] = await Promise.all([
    pipeline(createReadStream(input), child.stdin), pipeline(child.stdout, createWriteStream(output)), exited,
  ]);
  if (code !== 0) throw new Error(`${cmd} exited with ${code}`);
}

const CSV_SELECT = '<CSV><FileHeaderInfo>USE</FileHeaderInfo></CSV>';

const table = new Map<string, Derivation>();

export function registerDerivation(d: Derivation): void {
  if (table.has(d.format)) throw new Error(`derivation ${d.format} is already registered`);
  table.set(d.format, d);
}

export function derivation(format: string): Derivation {
  const d = table.get(format);
  if (!d) throw new Error(`unknown format ${JSON.stringify(format)} (known: ${[...table.keys()].join(', ')})`);
  return d;
}

export function derivationFormats(): string[] {
  return [...table.keys()];
}

registerDerivation({
  format: 'csv',
  description: 'CSV with a header row, comma-separated, RFC 4180 quoting',
  build: (ctx) => copyTo(ctx, 'FORMAT csv, HEADER true'),
  selectInput: `<CompressionType>NONE</CompressionType>${CSV_SELECT}`,
  duckdbRead: csvRead('none'),
});

registerDerivation({
  format: 'csv.gz',
  description: 'the CSV, gzip-compressed (node:zlib, level 6)',
  dependsOn: 'csv',
  build: async (ctx) => pipeline(createReadStream(needInput(ctx)), createGzip({ level: 6 }), createWriteStream(ctx.outPath)),
  selectInput: `<CompressionType>GZIP</CompressionType>${CSV_SELECT}`,
  duckdbRead: csvRead('gzip'),
});

registerDerivation({
  format: 'csv.bz2',
  description: 'the CSV, bzip2-compressed (the bzip2 command, -9)',
  dependsOn: 'csv',
  unavailable: () => (commandAvailable('bzip2') ? null
    : 'the bzip2 command is not installed (e.g. `apt-get install bzip2`); Node has no bzip2 compressor'),
  build: (ctx) => filter('bzip2', ['-c', '-9'], needInput(ctx), ctx.outPath),
  selectInput: `<CompressionType>BZIP2</CompressionType>${CSV_SELECT}`,
  // DuckDB cannot read bzip2: a baseline has to use another encoding of the same data.
});

registerDerivation({
  format: 'csv.zst',
  description: 'the CSV, zstd-compressed (DuckDB writer)',
  build: (ctx) => copyTo(ctx, 'FORMAT csv, HEADER true, COMPRESSION zstd'),
  selectInput: `<CompressionType>ZSTD</CompressionType>${CSV_SELECT}`,
  duckdbRead: csvRead('zstd'),
});

registerDerivation({
  format: 'jsonl',
  description: 'JSON LINES: one object per line',
  build: (ctx) => copyTo(ctx, 'FORMAT json'),
  selectInput: '<CompressionType>NONE</CompressionType><JSON><Type>LINES</Type></JSON>',
  duckdbRead: (file, schema) => `read_json(${sqlString(file)}, format='newline_delimited', columns=${columnsStruct(schema)})`,
});

registerDerivation({
  format: 'json',
  description: 'JSON DOCUMENT: each record an object spread over lines, concatenated (what LINES cannot read)',
  dependsOn: 'jsonl',
  build: async (ctx) => {
    const out = createWriteStream(ctx.outPath);
    // Each JSON LINES record is one `{…}` line: breaking after `{` and before `}` leaves its values untouched.
    const lines = createInterface({ input: createReadStream(needInput(ctx)), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line === '') continue;
      if (!out.write(`{\n  ${line.slice(1, -1)}\n}\n`)) await once(out, 'drain');
    }
    out.end();
    await finished(out);
  },
  selectInput: '<CompressionType>NONE</CompressionType><JSON><Type>DOCUMENT</Type></JSON>',
  duckdbRead: (file, schema) => `read_json(${sqlString(file)}, format='auto', columns=${columnsStruct(schema)})`,
});

registerDerivation({
  format: 'parquet',
  description: 'Parquet (DuckDB writer, snappy, default row groups)',
  build: (ctx) => copyTo(ctx, 'FORMAT parquet'),
  selectInput: '<CompressionType>NONE</CompressionType><Parquet/>',
  duckdbRead: (file) => `read_parquet(${sqlString(file)})`,
});
