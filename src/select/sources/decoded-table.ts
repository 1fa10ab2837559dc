// A decoded object (or the columns of it a query reads) as a table of the server's DuckDB instance, for
// the time of one query: its rows are appended as they are decoded (arrow-append.ts), kept in memory
// and spilled to the engine's spill directory when large. The table becomes the object's Parquet shadow
// through DuckDB's own writer. Table names are generated and unguessable; the SQL endpoint reads no
// tables but s3:// objects, and Select queries name only the relation their source gives.
import type * as arrow from 'apache-arrow';
import { randomUUID } from 'node:crypto';
import { appendBatches, duckType } from '../../duckdb/arrow-append.js';
import type { Engine } from '../../duckdb/engine.js';
import { sqlString } from './source.js';

export type Columns = { name: string; type: string }[];

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * The table's columns when every field can be appended directly and makes a valid, distinct column
 * name (DuckDB's names are case-insensitive); else undefined, and the object goes through a Parquet file.
 */
export function tableColumns(schema: arrow.Schema): Columns | undefined {
  const seen = new Set<string>();
  const out: Columns = [];
  for (const f of schema.fields) {
    const type = duckType(f.type);
    const folded = f.name.toLowerCase();
    if (!type || f.name === '' || f.name.includes('\0') || seen.has(folded)) return undefined;
    seen.add(folded);
    out.push({ name: f.name, type });
  }
  return out.length > 0 ? out : undefined;
}

let live = 0;
/** Tables created and not yet dropped, in this process (a gauge: each running query holds at most one). */
export const liveTables = (): number => live;

export class DecodedTable {
  private dropped: Promise<void> | undefined;

  private constructor(private readonly engine: Engine, private readonly name: string) {}

  static async create(engine: Engine, columns: Columns): Promise<DecodedTable> {
    const name = `selectd_decoded_${randomUUID().replace(/-/g, '')}`;
    await engine.queryRows(`CREATE TABLE ${ident(name)} (${columns.map((c) => `${ident(c.name)} ${c.type}`).join(', ')})`);
    live++;
    return new DecodedTable(engine, name);
  }

  /** The FROM relation (alias `t`). */
  relation(): string {
    return `${ident(this.name)} AS t`;
  }

  /** Appends the batches; resolves with the rows appended. */
  async fill(batches: AsyncIterable<arrow.RecordBatch>, signal?: AbortSignal): Promise<number> {
    const lease = await this.engine.acquire(signal);
    try {
      return await appendBatches(lease.conn, this.name, batches, signal);
    } finally {
      lease.release();
    }
  }

  /** Writes the table to a Parquet file (DuckDB's writer: row groups, statistics, dictionaries). */
  async writeParquet(file: string): Promise<void> {
    await this.engine.queryRows(`COPY ${ident(this.name)} TO ${sqlString(file)} (FORMAT parquet)`);
  }

  /** Drops the table; safe to call more than once. A failure (the engine shutting down) is not reported. */
  drop(): Promise<void> {
    this.dropped ??= this.engine.queryRows(`DROP TABLE IF EXISTS ${ident(this.name)}`).then(() => undefined, () => undefined).finally(() => live--);
    return this.dropped;
  }
}
