// Walks the parse tree DuckDB's json_serialize_sql produces for one SELECT and enforces the policy:
// table references must be s3:// objects (or WITH names), table functions must be allow-listed, file
// readers must name their files with literals, refused functions and unbounded sizes are rejected.
// It returns where the file references are, so the caller can rewrite them into local paths.
import { s3Error, type S3Error } from '../errors.js';
import {
  DENIED_FUNCTIONS, DENIED_PREFIXES, DENIED_READER_OPTIONS, FILE_READERS, FORMAT_FUNCTIONS, GENERATORS,
  LIST_GENERATORS, MAX_GENERATED, RESERVED_NAME_PREFIXES, SIZE_ARGUMENTS, WHOLE_FILE_READERS,
} from './policy.js';

type Node = Record<string, unknown>;

export type FileRefKind =
  /** `FROM 's3://…'`: the literal becomes a reader chosen from the object's format. */
  | 'table'
  /** The first argument of a file reader: the literal becomes a path (or a list for a glob). */
  | 'reader'
  /** One literal of a list given as a reader's first argument: it becomes one or more list items. */
  | 'reader-list'
  /** A read_text/read_blob call: the whole call is wrapped so `filename` shows the URL. */
  | 'whole-file'
  /** A glob() call: the whole call becomes the list of matching URLs. */
  | 'glob';

export interface FileRef {
  kind: FileRefKind;
  /** The literal URLs (or, once rewritten, local paths) the reference names. */
  values: string[];
  /** Byte offset into the statement of the literal, or of the call for whole-file and glob. */
  location: number;
  /** The table function, for reader, reader-list, whole-file and glob. */
  fn?: string;
}

/** A refusal naming what was refused; the HTTP layer returns it as a 400 with a `refused` field. */
export function refused(what: string, why: string): S3Error {
  return s3Error('SqlNotAllowed', `${what} is not allowed: ${why}.`, { Refused: what });
}

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * What may sit where the tree holds table references or the operands of set operations (anything else
 * is refused, e.g. a new kind of reference in a newer DuckDB).
 */
const TABLE_REFS = new Set([
  'BASE_TABLE', 'TABLE_FUNCTION', 'JOIN', 'SUBQUERY', 'EXPRESSION_LIST', 'EMPTY', 'PIVOT', 'SHOW_REF',
  'SELECT_NODE', 'SET_OPERATION_NODE', 'RECURSIVE_CTE_NODE', 'CTE_NODE',
]);
/** Keys under which the tree holds table references (and set-operation operands). */
const REF_KEYS = new Set(['from_table', 'left', 'right', 'source']);

/** A constant string argument (a VARCHAR literal). */
function constString(e: unknown): string | undefined {
  if (!isNode(e) || e.class !== 'CONSTANT' || !isNode(e.value)) return undefined;
  const v = e.value;
  return isNode(v.type) && v.type.id === 'VARCHAR' && v.is_null === false && typeof v.value === 'string' ? v.value : undefined;
}

/** A constant number, looking through casts and unary minus. */
function constNumber(e: unknown): number | undefined {
  if (!isNode(e)) return undefined;
  if (e.class === 'CAST') return constNumber(e.child);
  if (e.class === 'FUNCTION' && e.function_name === '-' && Array.isArray(e.children) && e.children.length === 1) {
    const n = constNumber(e.children[0]);
    return n === undefined ? undefined : -n;
  }
  if (e.class !== 'CONSTANT' || !isNode(e.value) || e.value.is_null !== false) return undefined;
  const n = Number(e.value.value);
  return Number.isFinite(n) ? n : undefined;
}

function locationOf(n: Node): number {
  return typeof n.query_location === 'number' ? n.query_location : -1;
}

class Walker {
  readonly refs: FileRef[] = [];
  private readonly ctes = new Set<string>();

  constructor(private readonly reserved: ReadonlySet<string>) {}

  /** WITH names anywhere in the tree; each may be referenced as a table (names that shadow the catalog are refused). */
  collectCtes(v: unknown): void {
    if (Array.isArray(v)) return v.forEach((x) => this.collectCtes(x));
    if (!isNode(v)) return;
    if (isNode(v.cte_map) && Array.isArray(v.cte_map.map)) {
      for (const entry of v.cte_map.map) if (isNode(entry)) this.addCte(str(entry.key));
    }
    if (typeof v.cte_name === 'string') this.addCte(v.cte_name);
    for (const x of Object.values(v)) this.collectCtes(x);
  }

  private addCte(name: string): void {
    const lower = name.toLowerCase();
    // A reference outside the WITH's scope falls through to DuckDB's file lookup: no path-like names.
    if (!/^[\p{L}_][\p{L}\p{N}_$]*$/u.test(name)) throw refused(`WITH name ${name}`, 'WITH names must be plain identifiers');
    if (this.reserved.has(lower) || RESERVED_NAME_PREFIXES.some((p) => lower.startsWith(p))) {
      throw refused(`WITH name ${name}`, 'it shadows a built-in table');
    }
    this.ctes.add(lower);
  }

  walk(v: unknown, key = ''): void {
    if (Array.isArray(v)) return v.forEach((x) => this.walk(x, key));
    if (!isNode(v)) return;
    if (typeof v.class === 'string') return this.expression(v);
    if (REF_KEYS.has(key) && typeof v.type === 'string' && !TABLE_REFS.has(v.type)) {
      throw refused(`table reference ${v.type}`, 'this kind of table reference is not supported');
    }
    switch (v.type) {
      case 'BASE_TABLE': return this.baseTable(v);
      case 'TABLE_FUNCTION': return this.tableFunction(v);
      case 'SHOW_REF':
        if (!isNode(v.query)) throw refused(`SHOW ${str(v.table_name)}`.trim(), 'only DESCRIBE or SUMMARIZE of a query or an s3:// object is allowed');
        return this.walk(v.query);
      default:
        for (const [k, x] of Object.entries(v)) this.walk(x, k);
    }
  }

  private expression(e: Node): void {
    if (typeof e.function_name === 'string') this.scalarFunction(e);
    for (const [k, x] of Object.entries(e)) this.walk(x, k);
  }

  private baseTable(t: Node): void {
    const name = str(t.table_name);
    const qualified = [str(t.catalog_name), str(t.schema_name), name].filter((p) => p !== '').join('.');
    if (qualified === name && this.ctes.has(name.toLowerCase())) return;
    if (qualified === name && name.startsWith('s3://')) {
      this.refs.push({ kind: 'table', values: [name], location: locationOf(t) });
      return;
    }
    throw refused(`table ${qualified}`, "only s3:// objects (FROM 's3://bucket/key') and WITH names can be read");
  }

  private tableFunction(t: Node): void {
    const f = isNode(t.function) ? t.function : {};
    const name = str(f.function_name).toLowerCase();
    const args = Array.isArray(f.children) ? f.children : [];
    if (str(f.schema) !== '' || str(f.catalog) !== '') throw refused(`table function ${str(f.schema)}.${name}()`, 'qualified table functions are not allowed');
    if (FILE_READERS.has(name) || WHOLE_FILE_READERS.has(name)) {
      this.fileArgument(name, args[0], WHOLE_FILE_READERS.has(name) ? locationOf(f) : undefined);
      for (const option of args.slice(1)) this.readerOption(name, option);
    } else if (name === 'glob') {
      const url = args.length === 1 ? constString(args[0]) : undefined;
      if (url === undefined) throw refused('glob()', 'its only argument must be an s3:// URL literal');
      this.refs.push({ kind: 'glob', values: [url], location: locationOf(f), fn: name });
    } else if (GENERATORS.has(name)) {
      this.walk(args);
    } else {
      throw refused(`table function ${name}()`, 'only read_csv/read_json/read_parquet-style readers over s3:// URLs, glob, range, generate_series, unnest, json_each and json_tree are available');
    }
  }

  /** A reader's first argument: a URL literal, or a list of URL literals. */
  private fileArgument(fn: string, arg: unknown, wholeCallLocation: number | undefined): void {
    const single = constString(arg);
    const list = isNode(arg) && arg.class === 'FUNCTION' && arg.function_name === 'list_value' && Array.isArray(arg.children)
      ? arg.children.map(constString) : undefined;
    const literals = single !== undefined ? [single] : list && list.length > 0 && list.every((x) => x !== undefined) ? (list as string[]) : undefined;
    if (!literals || !isNode(arg)) {
      throw refused(`${fn}() argument`, 'the files must be given as an s3:// URL literal or a list of them');
    }
    if (wholeCallLocation !== undefined) {
      this.refs.push({ kind: 'whole-file', values: literals, location: wholeCallLocation, fn });
    } else if (single !== undefined) {
      this.refs.push({ kind: 'reader', values: literals, location: locationOf(arg), fn });
    } else {
      (arg.children as Node[]).forEach((c, i) => this.refs.push({ kind: 'reader-list', values: [literals[i]!], location: locationOf(c), fn }));
    }
  }

  /** `name = value` options of a reader; refused ones are named, the values are walked like any expression. */
  private readerOption(fn: string, option: unknown): void {
    if (isNode(option) && option.type === 'COMPARE_EQUAL' && isNode(option.left) && option.left.class === 'COLUMN_REF') {
      const names = Array.isArray(option.left.column_names) ? option.left.column_names : [];
      const optionName = str(names[0]).toLowerCase();
      if (DENIED_READER_OPTIONS.has(optionName)) throw refused(`${fn}() option ${optionName}`, 'it would expose server paths or create tables');
      return this.walk(option.right);
    }
    this.walk(option);
  }

  private scalarFunction(e: Node): void {
    const name = str(e.function_name).toLowerCase();
    const args = Array.isArray(e.children) ? e.children : [];
    const denied = DENIED_FUNCTIONS.get(name);
    if (denied) throw refused(`function ${name}()`, denied);
    if (DENIED_PREFIXES.some((p) => name.startsWith(p))) throw refused(`function ${name}()`, 'internal functions are not available');
    for (const i of SIZE_ARGUMENTS.get(name) ?? []) {
      if (i >= args.length) continue;
      const n = constNumber(args[i]);
      if (n === undefined || n > MAX_GENERATED) {
        throw refused(`${name}() size argument`, `argument ${i + 1} sets the size of the result and must be a constant of at most ${MAX_GENERATED}`);
      }
    }
    if (LIST_GENERATORS.has(name) && e.class === 'FUNCTION') this.listGenerator(name, args);
    if (FORMAT_FUNCTIONS.has(name)) this.formatString(name, args[0]);
  }

  /** Scalar range()/generate_series(): constant numeric bounds giving at most MAX_GENERATED items. */
  private listGenerator(name: string, args: unknown[]): void {
    const nums = args.map(constNumber);
    const why = `as a scalar function its bounds must be numeric constants giving at most ${MAX_GENERATED} items (use it in FROM to generate rows)`;
    if (nums.length === 0 || nums.some((n) => n === undefined)) throw refused(`${name}() list`, why);
    const [a, b, step] = nums.length === 1 ? [0, nums[0]!, 1] : [nums[0]!, nums[1]!, nums[2] ?? 1];
    const count = step === 0 ? Infinity : Math.floor((b - a) / step) + 1;
    if (count > MAX_GENERATED) throw refused(`${name}() list`, why);
  }

  /** printf/format: a literal format string without dynamic or huge widths. */
  private formatString(name: string, arg: unknown): void {
    const fmt = constString(arg);
    const why = `the format string must be a literal without dynamic widths or widths above ${MAX_GENERATED}`;
    if (fmt === undefined || fmt.includes('*') || /\{[^}]*\{/.test(fmt)) throw refused(`${name}() format`, why);
    for (const digits of fmt.match(/\d+/g) ?? []) if (Number(digits) > MAX_GENERATED) throw refused(`${name}() format`, why);
  }
}

/**
 * Checks one serialised statement (`statements[0]` of json_serialize_sql's output) against the policy and
 * returns its file references. `reserved` holds the lower-cased names of built-in tables and views.
 */
export function analyzeStatement(statement: unknown, reserved: ReadonlySet<string>): FileRef[] {
  const walker = new Walker(reserved);
  const node = isNode(statement) ? statement.node : undefined;
  if (!isNode(node)) throw refused('statement', 'it is not a query');
  walker.collectCtes(node);
  walker.walk(node);
  return walker.refs;
}

/** The root SHOW_REF of a DESCRIBE / SUMMARIZE statement, if the statement is one. */
export function showRefOf(statement: unknown): { showType: string; hasQuery: boolean } | undefined {
  const node = isNode(statement) ? statement.node : undefined;
  const from = isNode(node) ? node.from_table : undefined;
  if (!isNode(from) || from.type !== 'SHOW_REF') return undefined;
  return { showType: str(from.show_type), hasQuery: isNode(from.query) };
}
