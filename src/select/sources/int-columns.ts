// The rule for a BIGINT column kept beside text in a shadow (CSV fields, JSON keys): it may stand in for
// the text only if some value is an int and every value that is not NULL (nor one of `nullTexts`, such
// as JSON's `null`) is text exactly equal to its BIGINT's (so no sign, leading zero, fraction, exponent,
// spaces or int beyond 64 bits). The translator relies on it: where the BIGINT is NULL, so is the value.

/** An aggregate over the shadow's rows, true when the BIGINT column `int` may stand in for `text`. */
export function intAgreesSql(text: string, int: string, nullTexts: readonly string[] = []): string {
  const absent = [`${text} IS NULL`, ...nullTexts.map((t) => `${text} = '${t}'`)].join(' OR ');
  return `count(${int}) > 0 AND bool_and(CASE WHEN ${absent} THEN true ELSE coalesce(CAST(${int} AS VARCHAR) = ${text}, false) END)`;
}
