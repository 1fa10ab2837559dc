// An in-memory DuckDB with the project's macros, plus fixtures and relations shaped like the Select
// sources', for running translated S3 Select queries for real.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mapDuckDbError } from '../../src/duckdb/errors.js';
import { loadSqlDir } from '../../src/duckdb/setup.js';
import { keyedJsonRelation, writeKeyedJson } from '../../src/select/sources/json-keys.js';
import { asJsonError, jsonLinesSql } from '../../src/select/sources/json-source.js';
import { translate, type OutputFormat, type SourceShape } from '../../src/select/translate/index.js';

export const CSV_OUT: OutputFormat = {
  kind: 'csv', quoteFields: 'ASNEEDED', fieldDelimiter: ',', quoteCharacter: '"', quoteEscapeCharacter: '"', recordDelimiter: '\n',
};
export const JSON_OUT: OutputFormat = { kind: 'json', recordDelimiter: '\n' };

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

export class TranslateDb {
  private constructor(
    readonly conn: DuckDBConnection,
    private readonly instance: DuckDBInstance,
    readonly dir: string,
  ) {}

  static async open(): Promise<TranslateDb> {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const conn = await instance.connect();
    await conn.run(`SET TimeZone = 'UTC'`);
    await loadSqlDir(conn);
    return new TranslateDb(conn, instance, fs.mkdtempSync(path.join(os.tmpdir(), 'selectd-translate-')));
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  file(name: string, content: string): string {
    const p = path.join(this.dir, name);
    fs.writeFileSync(p, content);
    return p;
  }

  /** A CSV relation as the CSV source builds it (no header row in the file, fields as VARCHAR). */
  csvRelation(file: string, width: number): string {
    const cols = Array.from({ length: width }, (_, i) => `'c${i + 1}': 'VARCHAR'`).join(', ');
    return `read_csv(${lit(file)}, header = false, auto_detect = false, columns = {${cols}}, delim = ',', quote = '"', ` +
      `escape = '"', new_line = '\\n', comment = '', null_padding = true, strict_mode = false, nullstr = ${lit('\u0001\u0002')}) AS t`;
  }

  jsonRelation(file: string): string {
    return `read_json(${lit(file)}, format = 'auto', records = false, columns = {j: 'JSON'}) AS t`;
  }

  /** Runs `sql` and returns the `line` column. */
  async lines(sql: string): Promise<string[]> {
    const reader = await this.conn.runAndReadAll(sql);
    return reader.getRowObjectsJS().map((r) => {
      if (typeof r.line !== 'string') throw new Error(`line is not a string: ${String(r.line)}`);
      return r.line;
    });
  }
}

/** A data set plus its shape: run S3 Select queries against it. */
export class Dataset {
  constructor(
    private readonly db: TranslateDb,
    readonly shape: SourceShape,
    private readonly relation: string,
    private readonly keyed?: KeyedJsonShadow,
    private readonly linesRelation?: string,
  ) {}

  /** CSV data rows (no header line in the file, as the source skips it); `width` defaults to the header's. */
  static csv(db: TranslateDb, name: string, rows: string[], header?: string[], width = header?.length ?? 1): Dataset {
    const file = db.file(name, rows.map((r) => r + '\n').join(''));
    const shape: SourceShape = { format: 'csv', csvWidth: width };
    if (header) shape.csvHeader = header;
    return new Dataset(db, shape, db.csvRelation(file, width));
  }

  /**
   * JSON records. Every query also runs over the records as the columnar cache keeps them (a Parquet
   * shadow with one column per top-level key, when the key set allows) and must give the same answer.
   */
  static json(db: TranslateDb, name: string, text: string): Dataset {
    const file = db.file(name, text);
    const shadow = new KeyedJsonShadow(db, file, path.join(db.dir, `${name}.keyed.parquet`));
    // Line-delimited text is also read line by line, as JSON LINES queries reading no whole record are.
    const lines = text.split('\n').every((l) => l.trim() === '' || isJson(l)) ? jsonLinesSql(file, 'uncompressed') : undefined;
    return new Dataset(db, { format: 'json' }, db.jsonRelation(file), shadow, lines);
  }

  /** A Parquet file written by DuckDB from `select` (a query yielding the columns). */
  static async parquet(db: TranslateDb, name: string, select: string): Promise<Dataset> {
    const file = path.join(db.dir, name);
    await db.conn.run(`COPY (${select}) TO ${lit(file)} (FORMAT parquet)`);
    const described = (await db.conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${lit(file)})`)).getRowObjectsJS();
    const columns = described.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
    return new Dataset(db, { format: 'columnar', columns }, `read_parquet(${lit(file)}) AS t`);
  }

  sql(query: string, out: OutputFormat = CSV_OUT): string {
    return translate(query, this.shape, out).sql(this.relation);
  }

  async run(query: string, out: OutputFormat = CSV_OUT): Promise<string[]> {
    const plain = await outcome(() => this.db.lines(this.sql(query, out)));
    const describe = (o: Outcome) => ('lines' in o ? o.lines : `error ${asJsonError(mapDuckDbError(o.error)).code}`);
    const same = async (what: string, sql: () => string) => {
      const other = await outcome(async () => this.db.lines(sql()));
      if (JSON.stringify(describe(other)) !== JSON.stringify(describe(plain))) {
        throw new Error(`${what} differs for ${query}: ${JSON.stringify(describe(other))} vs ${JSON.stringify(describe(plain))}`);
      }
    };
    if (this.keyed) {
      const { shape, relation } = await this.keyed.open();
      await same('key-column shadow', () => translate(query, shape, out).sql(relation));
    }
    if (this.linesRelation) {
      const plan = translate(query, this.shape, out);
      if (!plan.referenced.all) await same('line-by-line reading', () => plan.sql(this.linesRelation!));
    }
    if ('error' in plain) throw plain.error;
    return plain.lines;
  }

  json(query: string): Promise<string[]> {
    return this.run(query, JSON_OUT);
  }
}

type Outcome = { lines: string[] } | { error: unknown };

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

async function outcome(run: () => Promise<string[]>): Promise<Outcome> {
  try {
    return { lines: await run() };
  } catch (error) {
    return { error };
  }
}

/** A JSON file's columnar-cache form, built as the shadow builder builds it (see json-keys.ts). */
export class KeyedJsonShadow {
  private opened: Promise<{ shape: SourceShape; relation: string }> | undefined;

  constructor(private readonly db: TranslateDb, private readonly source: string, private readonly file: string) {}

  open(): Promise<{ shape: SourceShape; relation: string }> {
    this.opened ??= (async () => {
      const records = `${this.file}.records`;
      await this.db.conn.run(`COPY (SELECT j FROM ${this.db.jsonRelation(this.source)}) TO ${lit(records)} (FORMAT parquet)`);
      const shape = await writeKeyedJson(async (sql) => (await this.db.conn.runAndReadAll(sql)).getRowObjectsJS(), records, this.file);
      return { shape, relation: keyedJsonRelation(this.file, shape) };
    })();
    return this.opened;
  }
}

/** The S3 error code a translation or query fails with (query errors mapped as the engine maps them). */
export async function failureCode(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (e) {
    return mapDuckDbError(e).code;
  }
  throw new Error('expected a failure');
}
