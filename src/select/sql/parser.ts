// Statement parser: SELECT [DISTINCT] list FROM S3Object… [WHERE] [GROUP BY] [HAVING] [ORDER BY]
// [LIMIT] [;]. The text is tokenized and parsed here in full; nothing the user wrote reaches DuckDB
// except through the AST.
import type {
  Expr, FromClause, Identifier, LimitClause, OrderItem, PathStep, Pos, Projection, SelectItem, SelectStatement,
} from './ast.js';
import { describe } from './cursor.js';
import { sqlError } from './error.js';
import { ExprParser } from './expr-parser.js';
import { MAX_EXPRESSION_BYTES, tokenize, type Token } from './lexer.js';

const INT64_MAX = 9223372036854775807n;
const JOIN_WORDS = ['join', 'inner', 'left', 'right', 'full', 'outer', 'cross', 'natural'];
const SET_OPERATIONS = ['union', 'intersect', 'except'];

/** Parses an S3 Select SQL expression; throws S3Error with the AWS error code on any problem. */
export function parseSql(sql: string): SelectStatement {
  if (Buffer.byteLength(sql, 'utf8') > MAX_EXPRESSION_BYTES) {
    throw sqlError('ExpressionTooLong', `The SQL expression is longer than ${MAX_EXPRESSION_BYTES} bytes`, { line: 1, col: 1, offset: 0 });
  }
  return new StatementParser(tokenize(sql)).parseStatement();
}

class StatementParser extends ExprParser {
  parseStatement(): SelectStatement {
    const first = this.next();
    if (!this.isKeyword(first, 'select')) {
      if (first.kind === 'eof') this.fail('ParseExpectedKeyword', 'Expected SELECT but the expression is empty', first);
      if (first.kind === 'keyword') this.fail('ParseUnsupportedSyntax', `Only SELECT statements are supported, found ${describe(first)}`, first);
      this.fail('ParseUnexpectedToken', `Expected SELECT but found ${describe(first)}`, first);
    }
    let distinct = false;
    if (this.acceptKeyword('distinct')) distinct = true;
    else this.acceptKeyword('all');
    const projection = this.parseProjection();
    const fromTok = this.peek();
    if (!this.isKeyword(fromTok, 'from')) this.fail('ParseSelectMissingFrom', `Expected FROM after the select list but found ${describe(fromTok)}`, fromTok);
    this.next();
    const stmt: SelectStatement = {
      kind: 'select', distinct, projection, from: this.parseFrom(fromTok.pos), groupBy: [], orderBy: [], pos: first.pos,
    };
    if (this.acceptKeyword('where')) stmt.where = this.parseExpr();
    if (this.acceptKeyword('group')) {
      this.expectKeyword('by', ' after GROUP');
      stmt.groupBy = this.commaList(() => this.groupKey());
    }
    if (this.acceptKeyword('having')) stmt.having = this.parseExpr();
    if (this.acceptKeyword('order')) {
      this.expectKeyword('by', ' after ORDER');
      stmt.orderBy = this.commaList(() => this.orderItem());
    }
    const limitTok = this.acceptKeyword('limit');
    if (limitTok) stmt.limit = this.parseLimit(limitTok.pos);
    this.acceptPunct(';');
    this.expectEnd();
    return stmt;
  }

  private expectEnd(): void {
    const t = this.peek();
    if (t.kind === 'eof') return;
    if (this.isKeyword(t, ...SET_OPERATIONS)) this.fail('ParseUnsupportedSyntax', `${t.text.toUpperCase()} is not supported`, t);
    if (this.isKeyword(t, ...JOIN_WORDS)) this.fail('ParseMalformedJoin', 'JOIN is not supported: a query reads one object', t);
    this.fail('ParseUnexpectedToken', `Unexpected ${describe(t)}`, t);
  }

  private commaList<T>(item: () => T): T[] {
    const out = [item()];
    while (this.acceptPunct(',')) out.push(item());
    return out;
  }

  // ------------------------------------------------------------ select list

  private parseProjection(): Projection {
    const t = this.peek();
    if (this.isKeyword(t, 'from') || t.kind === 'eof') this.fail('ParseEmptySelect', 'The select list is empty', t);
    if (this.isKeyword(t, 'value')) this.fail('ParseUnsupportedSelect', 'SELECT VALUE is not supported', t);
    if (this.isOp(t, '*')) {
      this.next();
      if (this.isPunct(this.peek(), ',')) this.starNotAlone(t);
      if (this.isKeyword(this.peek(), 'as')) this.fail('ParseUnsupportedAlias', "'*' cannot have an alias", this.peek());
      return { kind: 'star', pos: t.pos };
    }
    const items = this.commaList(() => this.selectItem());
    return { kind: 'items', items, pos: t.pos };
  }

  private starNotAlone(star: Token): never {
    return this.fail('ParseAsteriskIsNotAloneInSelectList', "'*' must be the only item in the select list", star);
  }

  private selectItem(): SelectItem {
    const start = this.peek();
    if (this.isOp(start, '*')) this.starNotAlone(start);
    this.pathContext = 'select';
    this.selectPathMarks = [];
    const expr = this.parseExpr();
    this.pathContext = 'other';
    const marks = this.selectPathMarks;
    const stars = marks.filter((m) => m.kind === 'star');
    const last = expr.kind === 'path' ? expr.steps[expr.steps.length - 1] : undefined;
    if (expr.kind === 'path' && last?.kind === 'unpivot' && stars.length === 1) {
      const bracket = marks.find((m) => m.kind === 'bracket');
      if (bracket) this.fail('ParseCannotMixSqbAndWildcardInSelectList', "A select item cannot combine '[…]' with '.*'", bracket.pos);
      if (this.isKeyword(this.peek(), 'as') || this.peek().kind === 'ident' || this.peek().kind === 'qident') {
        this.fail('ParseUnsupportedAlias', "A '.*' select item cannot have an alias", this.peek());
      }
      return { kind: 'pathStar', path: { ...expr, steps: expr.steps.slice(0, -1) }, pos: expr.pos };
    }
    if (stars.length > 0) this.fail('ParseInvalidContextForWildcardInSelectList', "Invalid use of '*' in the select list", stars[0].pos);
    const alias = this.optionalAlias();
    return alias ? { kind: 'expr', expr, alias, pos: start.pos } : { kind: 'expr', expr, pos: start.pos };
  }

  /** `[AS] name`; after AS a name is mandatory. */
  private optionalAlias(): Identifier | undefined {
    const as = this.acceptKeyword('as');
    const t = this.peek();
    if (t.kind === 'ident' || t.kind === 'qident') {
      this.next();
      return { name: t.text, quoted: t.kind === 'qident', pos: t.pos };
    }
    if (as) this.fail('ParseExpectedIdentForAlias', `Expected a name after AS but found ${describe(t)}`, t);
    return undefined;
  }

  // ------------------------------------------------------------ FROM

  private parseFrom(pos: Pos): FromClause {
    const t = this.next();
    if (this.isPunct(t, '(') || this.isKeyword(t, 'select')) this.fail('ParseUnsupportedSyntax', 'Subqueries are not supported in FROM', t);
    if (t.kind === 'eof') this.fail('ParseExpectedExpression', 'Expected S3Object after FROM', t);
    if (t.kind === 'keyword') this.fail('ParseUnExpectedKeyword', `Expected S3Object after FROM but found ${describe(t)}`, t);
    if (t.kind !== 'ident' && t.kind !== 'qident') this.fail('ParseUnexpectedToken', `Expected S3Object after FROM but found ${describe(t)}`, t);
    // Only one table exists; like PartiQL, any other name is a binding that does not exist.
    if (t.text.toLowerCase() !== 's3object') this.fail('EvaluatorBindingDoesNotExist', `Unknown table '${t.text}': only S3Object can be queried`, t);
    const name: Identifier = { name: t.text, quoted: t.kind === 'qident', pos: t.pos };
    let wildcard = false;
    let steps: PathStep[] = [];
    const n = this.peek();
    if (this.isPunct(n, '.')) this.fail('ParseInvalidPathComponent', 'A path after S3Object must start with [*], as in S3Object[*].path', n);
    if (this.isPunct(n, '[')) {
      this.pathContext = 'from';
      steps = this.parseSteps();
      this.pathContext = 'other';
      if (steps[0].kind !== 'wildcard') this.fail('ParseInvalidPathComponent', 'A path after S3Object must start with [*]', steps[0].pos);
      wildcard = true;
      steps = steps.slice(1);
    }
    const from: FromClause = { name, wildcard, steps, pos };
    const alias = this.optionalAlias();
    if (alias) from.alias = alias;
    const after = this.peek();
    if (this.isPunct(after, ',') || this.isKeyword(after, ...JOIN_WORDS)) {
      this.fail('ParseMalformedJoin', 'Joins are not supported: a query reads one object', after);
    }
    return from;
  }

  // ------------------------------------------------------------ trailing clauses

  private groupKey(): Expr {
    const e = this.parseExpr();
    if (['int', 'decimal', 'float', 'string', 'bool', 'null', 'missing', 'timestamp'].includes(e.kind)) {
      this.fail('ParseUnsupportedLiteralsGroupBy', 'GROUP BY does not accept literals or ordinals', e.pos);
    }
    return e;
  }

  private orderItem(): OrderItem {
    const start = this.peek();
    const expr = this.parseExpr();
    let direction: 'ASC' | 'DESC' = 'ASC';
    if (this.acceptKeyword('desc')) direction = 'DESC';
    else this.acceptKeyword('asc');
    const item: OrderItem = { expr, direction, pos: start.pos };
    const nulls = this.peek();
    // NULLS is not a reserved word, so it arrives as an identifier.
    if (nulls.kind === 'ident' && nulls.text.toLowerCase() === 'nulls') {
      this.next();
      const which = this.next();
      if (!this.isKeyword(which, 'first', 'last')) this.fail('ParseExpectedKeyword', `Expected FIRST or LAST after NULLS but found ${describe(which)}`, which);
      item.nulls = which.text.toUpperCase() as 'FIRST' | 'LAST';
    }
    return item;
  }

  private parseLimit(pos: Pos): LimitClause {
    let t = this.next();
    let negative = false;
    if (this.isOp(t, '-') || this.isOp(t, '+')) {
      negative = t.text === '-';
      t = this.next();
    }
    if (t.kind !== 'number' || t.numeric !== 'int') this.fail('ParseExpectedNumber', `LIMIT needs an integer but found ${describe(t)}`, t);
    const digits = t.text.replace(/^0+(?=\d)/, '');
    const value = digits.length > 19 ? INT64_MAX + 1n : BigInt(digits);
    if (negative && value !== 0n) this.fail('EvaluatorNegativeLimit', 'LIMIT must not be negative', t);
    if (value > INT64_MAX) this.fail('IntegerOverflow', 'LIMIT value exceeds the 64-bit integer range', t);
    return { value, pos };
  }
}
