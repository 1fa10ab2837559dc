// The statement allow-list. A request's SQL is classified by its leading keyword (EXPLAIN is peeled off
// here because DuckDB cannot serialise it), parsed by DuckDB's json_serialize_sql and walked (tree.ts).
// The same check runs again on the rewritten text, where every file must be one of the local paths the
// resolver produced: what executes is what was checked.
import type { Engine } from '../duckdb/engine.js';
import { s3Error } from '../errors.js';
import { STATEMENT_KINDS } from './policy.js';
import { hasStatementSeparator, skipTrivia, trimStatement, wordAt } from './sqltext.js';
import { analyzeStatement, refused, showRefOf, type FileRef } from './tree.js';

export type StatementKind = 'select' | 'describe' | 'summarize';

export interface GuardedStatement {
  kind: StatementKind;
  /** `EXPLAIN ` or `EXPLAIN ANALYZE ` when the request asked for a plan, else ''. */
  explain: string;
  /** The statement after any EXPLAIN prefix, without trailing semicolons and comments. */
  body: string;
  /** File references in `body` (byte offsets), to be rewritten. */
  refs: FileRef[];
}

/** Longest SQL text accepted. */
export const MAX_SQL_LENGTH = 256 * 1024;

interface Serialized {
  error?: boolean;
  error_type?: string;
  error_message?: string;
  statements?: unknown[];
}

export class SqlGuard {
  private reserved: Promise<ReadonlySet<string>> | undefined;

  constructor(private readonly engine: Engine) {}

  /** Lower-cased names of the built-in tables and views (a WITH clause must not shadow them). */
  private reservedNames(): Promise<ReadonlySet<string>> {
    this.reserved ??= this.engine
      .queryRows(`SELECT lower(view_name) AS n FROM duckdb_views() UNION SELECT lower(table_name) FROM duckdb_tables()`)
      .then((rows) => new Set(rows.map((r) => String(r.n))))
      .catch((err) => { this.reserved = undefined; throw err; });
    return this.reserved;
  }

  private async parse(body: string): Promise<unknown> {
    const rows = await this.engine.queryRows('SELECT json_serialize_sql($1::VARCHAR) AS j', [body]);
    const out = JSON.parse(String(rows[0]?.j)) as Serialized;
    if (out.error) {
      if (out.error_type === 'parser') throw s3Error('UnsupportedSyntax', `Syntax error: ${out.error_message ?? 'unknown'}.`);
      throw refused('this statement', 'it cannot be checked as a read-only query (a PIVOT needs an explicit IN list)');
    }
    const statements = out.statements ?? [];
    if (statements.length !== 1) throw refused(`${statements.length} statements`, 'send exactly one statement per request');
    return statements[0];
  }

  /** Classifies and checks a client's SQL; refusals are S3Errors with code SqlNotAllowed. */
  async inspect(sql: string): Promise<GuardedStatement> {
    if (sql.length > MAX_SQL_LENGTH) throw s3Error('ExpressionTooLong', `The SQL text is longer than ${MAX_SQL_LENGTH} characters.`);
    const text = trimStatement(sql);
    if (text === '') throw s3Error('ParseEmptySelect', 'The query is empty.');
    if (hasStatementSeparator(text)) throw refused('multiple statements', 'send exactly one statement per request');
    let explain = '';
    let body = text;
    const first = wordAt(text, 0);
    if (first?.word === 'EXPLAIN') {
      const next = wordAt(text, first.end);
      const analyze = next !== undefined && (next.word === 'ANALYZE' || next.word === 'ANALYSE');
      const rest = analyze ? next.end : first.end;
      if (text[skipTrivia(text, rest)] === '(') throw refused('EXPLAIN options', 'use EXPLAIN or EXPLAIN ANALYZE without options');
      explain = analyze ? 'EXPLAIN ANALYZE ' : 'EXPLAIN ';
      body = text.slice(skipTrivia(text, rest));
    }
    const lead = wordAt(body, 0);
    const kind = body[0] === '(' ? 'select' : lead && STATEMENT_KINDS.get(lead.word);
    if (!kind) {
      const what = lead?.word ?? (body.trim().slice(0, 20) || 'empty statement');
      throw refused(what, 'only SELECT, WITH, VALUES, FROM, EXPLAIN, DESCRIBE and SUMMARIZE queries are allowed');
    }
    const [statement, reserved] = await Promise.all([this.parse(body), this.reservedNames()]);
    const show = showRefOf(statement);
    // DuckDB reports DESCRIBE/SUMMARIZE as a SELECT over a SHOW reference: keyword and tree must agree.
    if ((kind !== 'select') !== (show !== undefined)) throw refused(lead?.word ?? 'statement', 'the statement does not match its keyword');
    if (show && !show.hasQuery) throw refused(`${lead?.word ?? 'SHOW'} without a query`, 'DESCRIBE and SUMMARIZE need a query or an s3:// object');
    return { kind, explain, body, refs: analyzeStatement(statement, reserved) };
  }

  /**
   * Checks rewritten text: it must pass the same policy, and every file it reads must be one of
   * `paths` (the local files the resolver chose). Anything else means the rewrite went wrong.
   */
  async verifyRewritten(body: string, paths: ReadonlySet<string>): Promise<void> {
    const [statement, reserved] = await Promise.all([this.parse(body), this.reservedNames()]);
    for (const ref of analyzeStatement(statement, reserved)) {
      const ok = (ref.kind === 'reader' || ref.kind === 'reader-list' || ref.kind === 'whole-file') && ref.values.every((v) => paths.has(v));
      if (!ok) throw refused(`file reference ${JSON.stringify(ref.values[0] ?? '')}`, 'it is not an object resolved from an s3:// URL');
    }
  }
}
