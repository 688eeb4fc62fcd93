/** The syntax tree of the SELECT subset the local BigQuery understands. */

/** A literal as written in the query (typed literals keep their text for the translator to check). */
export type Literal =
  | { kind: 'literal'; type: 'STRING'; value: string }
  | { kind: 'literal'; type: 'INT64'; value: bigint }
  | { kind: 'literal'; type: 'FLOAT64'; value: number }
  | { kind: 'literal'; type: 'BOOL'; value: boolean }
  | { kind: 'literal'; type: 'NULL' }
  | { kind: 'literal'; type: 'TIMESTAMP' | 'DATE' | 'NUMERIC' | 'JSON'; value: string };

/** An expression; `offset` points into the query for error positions. */
export type Expr = (
  | Literal
  | { kind: 'param'; name: string }
  | { kind: 'positional'; index: number }
  | { kind: 'column'; path: string[] }
  | { kind: 'call'; name: string; args: Expr[]; star: boolean; distinct: boolean }
  | { kind: 'compare'; op: '=' | '!=' | '<' | '<=' | '>' | '>='; left: Expr; right: Expr }
  | { kind: 'logic'; op: 'AND' | 'OR'; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr }
  | { kind: 'isNull'; expr: Expr; negated: boolean }
  | { kind: 'in'; expr: Expr; list: Expr[]; negated: boolean }
  | { kind: 'between'; expr: Expr; low: Expr; high: Expr; negated: boolean }
  | { kind: 'like'; expr: Expr; pattern: Expr; negated: boolean }
) & { offset: number };

/** One item of the select list: `*`, `alias.*`, or an expression with an optional alias. */
export type SelectItem = { kind: 'star'; qualifier?: string; offset: number } | { kind: 'expr'; expr: Expr; alias?: string };

/** `FROM` a single table. */
export interface FromTable {
  /** Path segments after splitting backticked names on dots: [project?, dataset?, table]. */
  path: string[];
  alias?: string;
  offset: number;
}

/** An ORDER BY key. */
export interface OrderKey {
  expr: Expr;
  desc: boolean;
}

/** A whole SELECT statement. */
export interface SelectStatement {
  distinct: boolean;
  items: SelectItem[];
  from?: FromTable;
  where?: Expr;
  groupBy: Expr[];
  having?: Expr;
  orderBy: OrderKey[];
  limit?: Expr;
  offset?: Expr;
}
