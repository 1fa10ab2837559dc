// AST of the S3 Select SQL dialect. Every node carries `kind` (switch on it exhaustively) and `pos`.
// Operator nodes (binary, logical, in, between, like, is) point `pos` at the operator; all other
// nodes point at their first token.

/** 1-based line and column (in code points) plus the 0-based UTF-16 offset into the expression. */
export interface Pos { line: number; col: number; offset: number }

/** A name as written: unquoted names match case-insensitively, "quoted" ones exactly. */
export interface Identifier { name: string; quoted: boolean; pos: Pos }

// ---------------------------------------------------------------- paths

/** `.name`, `."Name"` or `['name']` (bracketed strings are case-sensitive, so quoted=true). */
export interface FieldStep { kind: 'field'; name: string; quoted: boolean; pos: Pos }
/** `[n]`: zero-based array index. */
export interface IndexStep { kind: 'index'; index: number; pos: Pos }
/** `[*]`: every array element (FROM clause only). */
export interface WildcardStep { kind: 'wildcard'; pos: Pos }
/** `.*`: every member value of an object (FROM clause, or last step of a select item). */
export interface UnpivotStep { kind: 'unpivot'; pos: Pos }
export type PathStep = FieldStep | IndexStep | WildcardStep | UnpivotStep;

// ---------------------------------------------------------------- literals

/** Integer literal; `text` is exact (may exceed int64: check `fitsInt64`). Negation is folded in. */
export interface IntLiteral { kind: 'int'; text: string; fitsInt64: boolean; pos: Pos }
/** Exact decimal literal such as `1.50` (text kept verbatim, sign folded in). */
export interface DecimalLiteral { kind: 'decimal'; text: string; pos: Pos }
/** Approximate literal with an exponent such as `1.5e3` (text kept verbatim, sign folded in). */
export interface FloatLiteral { kind: 'float'; text: string; pos: Pos }
/** `'text'` with `''` unescaped, or an Ion string/symbol in backticks. */
export interface StringLiteral { kind: 'string'; value: string; pos: Pos }
/** TRUE / FALSE. */
export interface BoolLiteral { kind: 'bool'; value: boolean; pos: Pos }
/** NULL. */
export interface NullLiteral { kind: 'null'; pos: Pos }
/** MISSING (absent value, distinct from NULL). */
export interface MissingLiteral { kind: 'missing'; pos: Pos }

/** Components of a validated Ion timestamp; fields below `precision` are absent. */
export interface IonTimestamp {
  year: number;
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  second?: number;
  /** Digits after the decimal point of the seconds, verbatim (e.g. '250'). */
  fraction?: string;
  /** Offset from UTC in minutes; null when unknown (`-00:00`, or a date without time). */
  offsetMinutes: number | null;
  precision: 'year' | 'month' | 'day' | 'minute' | 'second' | 'fraction';
}
/** Backtick Ion timestamp such as `` `2010-01-01T` ``; `text` is the literal without backticks. */
export interface TimestampLiteral { kind: 'timestamp'; text: string; value: IonTimestamp; pos: Pos }

export type Literal =
  | IntLiteral | DecimalLiteral | FloatLiteral | StringLiteral | BoolLiteral | NullLiteral | MissingLiteral
  | TimestampLiteral;

// ---------------------------------------------------------------- expressions

/** Attribute reference: `a`, `s.a.b`, `s.a[0]`, `_1`, `s."Name"`, `s['a b']`. */
export interface PathExpr { kind: 'path'; root: Identifier; steps: PathStep[]; pos: Pos }

export type UnaryOp = '-' | '+' | 'NOT';
/** Prefix operator (numeric negation of non-literals, unary plus, logical NOT). */
export interface UnaryExpr { kind: 'unary'; op: UnaryOp; operand: Expr; pos: Pos }

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';
export type ComparisonOp = '=' | '<>' | '!=' | '<' | '>' | '<=' | '>=';
export type BinaryOp = ArithmeticOp | ComparisonOp | '||';
/** Arithmetic, comparison or `||` string concatenation. */
export interface BinaryExpr { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; pos: Pos }

/** AND / OR over two or more operands, flattened so long chains stay shallow. */
export interface LogicalExpr { kind: 'logical'; op: 'AND' | 'OR'; operands: Expr[]; pos: Pos }

/** `operand [NOT] IN (list…)`. */
export interface InExpr { kind: 'in'; negated: boolean; operand: Expr; list: Expr[]; pos: Pos }
/** `operand [NOT] BETWEEN low AND high`. */
export interface BetweenExpr { kind: 'between'; negated: boolean; operand: Expr; low: Expr; high: Expr; pos: Pos }
/** `operand [NOT] LIKE pattern [ESCAPE escape]`. */
export interface LikeExpr { kind: 'like'; negated: boolean; operand: Expr; pattern: Expr; escape?: Expr; pos: Pos }
/** `operand IS [NOT] NULL|MISSING`. */
export interface IsExpr { kind: 'is'; negated: boolean; operand: Expr; test: 'NULL' | 'MISSING'; pos: Pos }

/** One `WHEN when THEN then` arm of a CASE. */
export interface WhenClause { when: Expr; then: Expr; pos: Pos }
/** Simple CASE (`operand` set: compares it to each WHEN) or searched CASE (WHENs are conditions). */
export interface CaseExpr { kind: 'case'; operand?: Expr; whens: WhenClause[]; else?: Expr; pos: Pos }

export type TypeFamily = 'bool' | 'int' | 'float' | 'decimal' | 'string' | 'timestamp';
/** A CAST target; `written` is the spelling (e.g. 'DOUBLE PRECISION'); params are accepted and ignored. */
export interface TypeName { family: TypeFamily; written: string; params: number[]; pos: Pos }
/** `CAST(operand AS type)`. */
export interface CastExpr { kind: 'cast'; operand: Expr; type: TypeName; pos: Pos }

export type AggregateFn = 'COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX';
/** Aggregate call; `arg` is null only for COUNT(*). */
export interface AggregateExpr { kind: 'aggregate'; fn: AggregateFn; arg: Expr | null; pos: Pos }

/** Scalar functions with ordinary argument lists (CHARACTER_LENGTH is reported as CHAR_LENGTH). */
export type ScalarFn = 'COALESCE' | 'NULLIF' | 'CHAR_LENGTH' | 'LOWER' | 'UPPER' | 'TO_STRING' | 'TO_TIMESTAMP' | 'UTCNOW';
/** Call of a scalar function; arity is already checked by the parser. */
export interface CallExpr { kind: 'call'; fn: ScalarFn; args: Expr[]; pos: Pos }

/** `SUBSTRING(operand FROM start [FOR length])` or `SUBSTRING(operand, start[, length])`. */
export interface SubstringExpr { kind: 'substring'; operand: Expr; start: Expr; length?: Expr; pos: Pos }
/** `TRIM([[LEADING|TRAILING|BOTH] [chars] FROM] operand)`; `chars` absent means a space. */
export interface TrimExpr { kind: 'trim'; spec: 'LEADING' | 'TRAILING' | 'BOTH'; chars?: Expr; operand: Expr; pos: Pos }

export type DatePart = 'YEAR' | 'MONTH' | 'DAY' | 'HOUR' | 'MINUTE' | 'SECOND';
export type ExtractPart = DatePart | 'TIMEZONE_HOUR' | 'TIMEZONE_MINUTE';
/** `EXTRACT(part FROM operand)`. */
export interface ExtractExpr { kind: 'extract'; part: ExtractPart; operand: Expr; pos: Pos }
/** `DATE_ADD(part, quantity, timestamp)`. */
export interface DateAddExpr { kind: 'dateAdd'; part: DatePart; quantity: Expr; timestamp: Expr; pos: Pos }
/** `DATE_DIFF(part, from, to)`: whole units from `from` to `to`. */
export interface DateDiffExpr { kind: 'dateDiff'; part: DatePart; from: Expr; to: Expr; pos: Pos }

export type Expr =
  | Literal | PathExpr | UnaryExpr | BinaryExpr | LogicalExpr | InExpr | BetweenExpr | LikeExpr | IsExpr
  | CaseExpr | CastExpr | AggregateExpr | CallExpr | SubstringExpr | TrimExpr | ExtractExpr | DateAddExpr
  | DateDiffExpr;

// ---------------------------------------------------------------- statement

/** `expr [[AS] alias]` in the select list. */
export interface SelectExprItem { kind: 'expr'; expr: Expr; alias?: Identifier; pos: Pos }
/** `alias.*` or `path.*` in the select list; `path` excludes the trailing `.*`. */
export interface SelectStarItem { kind: 'pathStar'; path: PathExpr; pos: Pos }
export type SelectItem = SelectExprItem | SelectStarItem;

/** `SELECT *` alone, or a list of items. */
export type Projection = { kind: 'star'; pos: Pos } | { kind: 'items'; items: SelectItem[]; pos: Pos };

/**
 * FROM source. `name` is the table name as written (always S3Object, any case). `wildcard` is true when
 * `[*]` follows the name; `steps` are the path steps after it (only possible with the wildcard).
 */
export interface FromClause { name: Identifier; wildcard: boolean; steps: PathStep[]; alias?: Identifier; pos: Pos }

/** One ORDER BY key; `nulls` is absent when not written. */
export interface OrderItem { expr: Expr; direction: 'ASC' | 'DESC'; nulls?: 'FIRST' | 'LAST'; pos: Pos }

/** LIMIT n; n is a non-negative integer within int64. */
export interface LimitClause { value: bigint; pos: Pos }

/** The whole statement. GROUP BY, HAVING, ORDER BY and DISTINCT are extensions beyond AWS. */
export interface SelectStatement {
  kind: 'select';
  distinct: boolean;
  projection: Projection;
  from: FromClause;
  where?: Expr;
  groupBy: Expr[];
  having?: Expr;
  orderBy: OrderItem[];
  limit?: LimitClause;
  pos: Pos;
}

/** Direct sub-expressions of a node, in source order (for visitors). */
export function childrenOf(e: Expr): Expr[] {
  switch (e.kind) {
    case 'int': case 'decimal': case 'float': case 'string': case 'bool': case 'null': case 'missing':
    case 'timestamp': case 'path':
      return [];
    case 'unary': return [e.operand];
    case 'binary': return [e.left, e.right];
    case 'logical': return e.operands;
    case 'in': return [e.operand, ...e.list];
    case 'between': return [e.operand, e.low, e.high];
    case 'like': return e.escape ? [e.operand, e.pattern, e.escape] : [e.operand, e.pattern];
    case 'is': return [e.operand];
    case 'case': {
      const out: Expr[] = e.operand ? [e.operand] : [];
      for (const w of e.whens) out.push(w.when, w.then);
      if (e.else) out.push(e.else);
      return out;
    }
    case 'cast': return [e.operand];
    case 'aggregate': return e.arg ? [e.arg] : [];
    case 'call': return e.args;
    case 'substring': return e.length ? [e.operand, e.start, e.length] : [e.operand, e.start];
    case 'trim': return e.chars ? [e.chars, e.operand] : [e.operand];
    case 'extract': return [e.operand];
    case 'dateAdd': return [e.quantity, e.timestamp];
    case 'dateDiff': return [e.from, e.to];
  }
}
