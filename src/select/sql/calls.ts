// Function-call forms: aggregates, CAST, the SQL-92 special syntaxes (SUBSTRING … FROM … FOR, TRIM,
// EXTRACT) and ordinary scalar calls. Error codes follow the AWS/PartiQL parser: a wrong argument
// count for an ordinary scalar function is EvaluatorInvalidArguments (raised here, at parse time,
// because the arity of every supported function is fixed); aggregates use the Parse* arity codes.
import type {
  AggregateFn, DatePart, Expr, ExtractPart, ScalarFn, SubstringExpr, TrimExpr, TypeFamily, TypeName,
} from './ast.js';
import { describe } from './cursor.js';
import type { ExprParser } from './expr-parser.js';
import type { Token } from './lexer.js';

type NameToken = Extract<Token, { kind: 'ident' | 'keyword' }>;

const AGGREGATES: Record<string, AggregateFn> = { count: 'COUNT', sum: 'SUM', avg: 'AVG', min: 'MIN', max: 'MAX' };
const SCALARS: Record<string, { fn: ScalarFn; min: number; max: number }> = {
  coalesce: { fn: 'COALESCE', min: 1, max: Infinity },
  nullif: { fn: 'NULLIF', min: 2, max: 2 },
  char_length: { fn: 'CHAR_LENGTH', min: 1, max: 1 },
  character_length: { fn: 'CHAR_LENGTH', min: 1, max: 1 },
  lower: { fn: 'LOWER', min: 1, max: 1 },
  upper: { fn: 'UPPER', min: 1, max: 1 },
  to_string: { fn: 'TO_STRING', min: 2, max: 2 },
  to_timestamp: { fn: 'TO_TIMESTAMP', min: 1, max: 2 },
  utcnow: { fn: 'UTCNOW', min: 0, max: 0 },
};
const SPECIAL = new Set(['cast', 'substring', 'trim', 'extract', 'date_add', 'date_diff']);
const DATE_PARTS = new Set<string>(['year', 'month', 'day', 'hour', 'minute', 'second']);
const EXTRACT_PARTS = new Set<string>([...DATE_PARTS, 'timezone_hour', 'timezone_minute']);

/** [family, max type parameters]; parameters are accepted and ignored, as AWS does. */
const TYPES: Record<string, [TypeFamily, number]> = {
  bool: ['bool', 0], boolean: ['bool', 0],
  int: ['int', 0], integer: ['int', 0], smallint: ['int', 0], bigint: ['int', 0],
  string: ['string', 0], varchar: ['string', 1], char: ['string', 1], character: ['string', 1],
  float: ['float', 1], real: ['float', 0], double: ['float', 0],
  decimal: ['decimal', 2], numeric: ['decimal', 2], dec: ['decimal', 2],
  timestamp: ['timestamp', 0],
};

/** True when `word` (lower-case) names a supported function. */
export function isFunctionName(word: string): boolean {
  return word in AGGREGATES || word in SCALARS || SPECIAL.has(word);
}

/**
 * Parses a call whose name token was just consumed. Returns undefined when the name is not a
 * function (so an identifier can still be a column name); fails when a function lacks its '('.
 */
export function parseCall(p: ExprParser, name: NameToken): Expr | undefined {
  const word = name.text.toLowerCase();
  if (!isFunctionName(word)) return undefined;
  if (!p.isPunct(p.peek(), '(')) {
    if (name.kind === 'ident') return undefined;
    if (word === 'cast') p.fail('ParseExpectedLeftParenAfterCast', `Expected '(' after CAST but found ${describe(p.peek())}`, p.peek());
    p.fail('ParseExpectedLeftParenBuiltinFunctionCall', `Expected '(' after ${name.text.toUpperCase()} but found ${describe(p.peek())}`, p.peek());
  }
  p.next();
  const pos = name.pos;
  if (word in AGGREGATES) return parseAggregate(p, AGGREGATES[word], name);
  const scalar = SCALARS[word];
  if (scalar) {
    const args = parseArgs(p, scalar.max);
    if (args.length < scalar.min || args.length > scalar.max) {
      const want = scalar.min === scalar.max ? `${scalar.min}` : scalar.max === Infinity ? `at least ${scalar.min}` : `${scalar.min} to ${scalar.max}`;
      p.fail('EvaluatorInvalidArguments', `${scalar.fn} takes ${want} argument(s), got ${args.length}`, pos);
    }
    return p.node({ kind: 'call', fn: scalar.fn, args, pos });
  }
  switch (word) {
    case 'cast': {
      const operand = p.parseExpr();
      p.expectKeyword('as', ' in CAST');
      const type = parseType(p);
      closeCall(p);
      return p.node({ kind: 'cast', operand, type, pos });
    }
    case 'substring': return parseSubstring(p, name);
    case 'trim': return parseTrim(p, name);
    case 'extract': {
      const part = datePart(p, EXTRACT_PARTS) as ExtractPart;
      p.expectKeyword('from', ' in EXTRACT');
      const operand = p.parseExpr();
      closeCall(p);
      return p.node({ kind: 'extract', part, operand, pos });
    }
    default: {
      const part = datePart(p, DATE_PARTS) as DatePart;
      delimiter(p);
      const first = p.parseExpr();
      delimiter(p);
      const second = p.parseExpr();
      closeCall(p);
      return word === 'date_add'
        ? p.node({ kind: 'dateAdd', part, quantity: first, timestamp: second, pos })
        : p.node({ kind: 'dateDiff', part, from: first, to: second, pos });
    }
  }
}

function parseAggregate(p: ExprParser, fn: AggregateFn, name: NameToken): Expr {
  const t = p.peek();
  if (p.isPunct(t, ')')) p.fail('ParseNonUnaryAgregateFunctionCall', `${fn} takes exactly one argument`, t);
  if (p.isOp(t, '*')) {
    if (fn !== 'COUNT') p.fail('ParseUnsupportedCallWithStar', `${fn}(*) is not allowed; only COUNT(*)`, t);
    p.next();
    closeCall(p);
    return p.node({ kind: 'aggregate', fn, arg: null, pos: name.pos });
  }
  const arg = p.parseExpr();
  const extra = p.peek();
  if (p.isPunct(extra, ',')) p.fail('ParseNonUnaryAgregateFunctionCall', `${fn} takes exactly one argument`, extra);
  closeCall(p);
  return p.node({ kind: 'aggregate', fn, arg, pos: name.pos });
}

/** Comma-separated arguments up to and including ')'. */
function parseArgs(p: ExprParser, max: number): Expr[] {
  if (p.acceptPunct(')')) return [];
  if (p.isOp(p.peek(), '*')) p.fail('ParseUnsupportedCallWithStar', "'*' is only allowed in COUNT(*)", p.peek());
  const args = [p.parseExpr()];
  for (;;) {
    if (p.acceptPunct(')')) return args;
    const t = p.peek();
    if (!p.isPunct(t, ',')) {
      if (args.length >= max || t.kind === 'eof') closeCall(p);
      p.fail('ParseExpectedArgumentDelimiter', `Expected ',' or ')' between arguments but found ${describe(t)}`, t);
    }
    p.next();
    args.push(p.parseExpr());
  }
}

function closeCall(p: ExprParser): void {
  p.expectPunct(')', 'ParseExpectedRightParenBuiltinFunctionCall', ' to close the function call');
}

function delimiter(p: ExprParser): void {
  p.expectPunct(',', 'ParseExpectedArgumentDelimiter', ' between arguments');
}

function datePart(p: ExprParser, allowed: Set<string>): string {
  const t = p.next();
  const word = t.kind === 'keyword' || t.kind === 'ident' ? t.text.toLowerCase() : '';
  if (!allowed.has(word)) p.fail('ParseExpectedDatePart', `Expected one of ${[...allowed].join(', ')} but found ${describe(t)}`, t);
  return word.toUpperCase();
}

function parseSubstring(p: ExprParser, name: NameToken): Expr {
  const operand = p.parseExpr();
  const sql92 = p.acceptKeyword('from') !== undefined;
  if (!sql92 && !p.acceptPunct(',')) {
    p.fail('ParseExpectedArgumentDelimiter', `Expected FROM or ',' in SUBSTRING but found ${describe(p.peek())}`, p.peek());
  }
  const start = p.parseExpr();
  const node: SubstringExpr = { kind: 'substring', operand, start, pos: name.pos };
  const more = sql92 ? p.acceptKeyword('for') : p.acceptPunct(',');
  if (more) node.length = p.parseExpr();
  else if (!p.isPunct(p.peek(), ')')) {
    p.fail('ParseExpected2TokenTypes', `Expected ${sql92 ? 'FOR' : "','"} or ')' in SUBSTRING but found ${describe(p.peek())}`, p.peek());
  }
  closeCall(p);
  return p.node(node);
}

/** TRIM([[LEADING|TRAILING|BOTH] [chars] FROM] operand). */
function parseTrim(p: ExprParser, name: NameToken): Expr {
  const specTok = p.peek();
  let spec: 'LEADING' | 'TRAILING' | 'BOTH' = 'BOTH';
  let chars: Expr | undefined;
  let operand: Expr;
  if (p.isKeyword(specTok, 'leading', 'trailing', 'both')) {
    p.next();
    spec = specTok.text.toUpperCase() as typeof spec;
    if (!p.acceptKeyword('from')) {
      chars = p.parseExpr();
      p.expectKeyword('from', ' in TRIM');
    }
    operand = p.parseExpr();
  } else if (p.acceptKeyword('from')) {
    operand = p.parseExpr();
  } else {
    operand = p.parseExpr();
    if (p.acceptKeyword('from')) {
      chars = operand;
      operand = p.parseExpr();
    }
  }
  closeCall(p);
  const node: TrimExpr = { kind: 'trim', spec, operand, pos: name.pos };
  if (chars) node.chars = chars;
  return p.node(node);
}

/** Type name for CAST, with optional unsigned integer parameters (checked, then ignored). */
function parseType(p: ExprParser): TypeName {
  const t = p.next();
  let word = t.kind === 'keyword' || t.kind === 'ident' ? t.text.toLowerCase() : '';
  const entry = TYPES[word];
  if (!entry) p.fail('ParseExpectedTypeName', `Expected a type name but found ${describe(t)}`, t);
  let written = t.text.toUpperCase();
  if (word === 'double' && p.acceptKeyword('precision')) written += ' PRECISION';
  if ((word === 'character' || word === 'char') && p.acceptKeyword('varying')) {
    written += ' VARYING';
    word = 'varchar';
  }
  const [family, maxParams] = TYPES[word];
  const params: number[] = [];
  const open = p.acceptPunct('(');
  if (open) {
    for (;;) {
      const n = p.next();
      if (n.kind !== 'number' || n.numeric !== 'int' || n.text.length > 9) {
        p.fail('ParseInvalidTypeParam', `Type parameter of ${written} must be an unsigned integer, found ${describe(n)}`, n);
      }
      params.push(Number(n.text));
      if (p.acceptPunct(')')) break;
      if (!p.acceptPunct(',')) p.fail('ParseInvalidTypeParam', `Malformed parameters of ${written}: found ${describe(p.peek())}`, p.peek());
    }
    if (params.length > maxParams) p.fail('ParseCastArity', `${written} takes at most ${maxParams} parameter(s), got ${params.length}`, open);
  }
  return { family, written, params, pos: t.pos };
}
