// What the SQL endpoint lets a query use. Table functions are allow-listed; scalar functions are open
// except for those that read server state, run nested SQL, sleep or write logs, and those whose output
// size is set by an argument (DuckDB allocates such results outside its memory limit: repeat('x', 3e9)
// took 6 GB, range(3e9) as a list 24 GB, without honouring interrupts).

/** Table functions that read files: the first argument must be an s3:// URL (or a list of them). */
export const FILE_READERS: ReadonlySet<string> = new Set([
  'read_csv', 'read_csv_auto', 'read_json', 'read_json_auto', 'read_ndjson', 'read_ndjson_auto',
  'read_json_objects', 'read_json_objects_auto', 'read_ndjson_objects', 'read_parquet', 'parquet_scan',
]);

/** File readers whose `filename` column would show server paths: the call is wrapped to show s3:// URLs. */
export const WHOLE_FILE_READERS: ReadonlySet<string> = new Set(['read_text', 'read_blob']);

/** Table functions that read nothing outside the query. */
export const GENERATORS: ReadonlySet<string> = new Set(['range', 'generate_series', 'unnest', 'json_each', 'json_tree']);

/** Reader options refused: they expose server paths or create tables. */
export const DENIED_READER_OPTIONS: ReadonlySet<string> = new Set(['filename', 'store_rejects', 'rejects_table', 'rejects_scan']);

/** Scalar / aggregate functions refused outright, with the reason given to the client. */
export const DENIED_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ['current_setting', 'it reads server settings'],
  ['getenv', 'it reads the server environment'],
  ['getvariable', 'it reads server state'],
  ['json_serialize_plan', 'it plans nested SQL'],
  ['json_serialize_sql', 'it parses nested SQL'],
  ['json_deserialize_sql', 'it builds nested SQL'],
  ['json_execute_serialized_sql', 'it runs nested SQL'],
  ['sleep_ms', 'it blocks a query slot'],
  ['pg_sleep', 'it blocks a query slot'],
  ['write_log', 'it writes to the server log'],
  ['nextval', 'it changes server state'],
  ['currval', 'it reads server state'],
]);

/** Name prefixes of internal functions (settings, catalog, pragmas). */
export const DENIED_PREFIXES: readonly string[] = ['duckdb_', 'pragma_'];

/** Largest string length / list size / count a query may ask a function to generate. */
export const MAX_GENERATED = 1_000_000;

/** Functions whose argument at these (0-based) positions sets the output size: each must be a constant ≤ MAX_GENERATED. */
export const SIZE_ARGUMENTS: ReadonlyMap<string, readonly number[]> = new Map([
  ['repeat', [1]],
  ['lpad', [1]],
  ['rpad', [1]],
  ['list_resize', [1]],
  ['array_resize', [1]],
  ['bitstring', [1]],
  ['to_base', [2]],
  ['bar', [3]],
  ['equi_width_bins', [2]],
  ['approx_top_k', [1]],
  ['reservoir_quantile', [2]],
]);

/** Scalar functions building a list from numeric bounds (range(n), generate_series(a, b, step)). */
export const LIST_GENERATORS: ReadonlySet<string> = new Set(['range', 'generate_series']);

/** Functions taking a format string whose widths set the output size. */
export const FORMAT_FUNCTIONS: ReadonlySet<string> = new Set(['printf', 'format']);

/** Catalog names a WITH clause may not shadow (internal views are refused as tables). */
export const RESERVED_NAME_PREFIXES: readonly string[] = ['duckdb_', 'pg_', 'sqlite_', 'pragma_', 'information_schema'];

/** Statement keywords accepted at the start of a request. */
export const STATEMENT_KINDS: ReadonlyMap<string, 'select' | 'describe' | 'summarize'> = new Map([
  ['SELECT', 'select'], ['WITH', 'select'], ['VALUES', 'select'], ['FROM', 'select'],
  ['DESCRIBE', 'describe'], ['DESC', 'describe'], ['SUMMARIZE', 'summarize'],
]);
