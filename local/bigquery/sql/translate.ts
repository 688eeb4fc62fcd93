/**
 * Translates a parsed GoogleSQL SELECT into SQLite, type-checking it on the way with
 * BigQuery's rules, and works out the result schema BigQuery would report. Whatever cannot be
 * translated exactly is refused with a 400 `invalidQuery`: a query must either give BigQuery's
 * answer or an error, never a plausible wrong answer.
 *
 * Values reach SQLite in their stored form (see `values.ts`): TIMESTAMP as microseconds, BOOL
 * as 0/1, so SQLite's ordering and equality are BigQuery's. Integers are written inline as
 * literals; strings are bound as numbered parameters (`?N`).
 */
import { invalidQuery } from '../errors';
import { columnName, type TableEntry } from '../catalog';
import { quoteIdent, type BindValue } from '../database';
import { findField, type FieldType } from '../schema';
import { coerceScalar, DATE_PREFIX, formatFloat, type StoredValue } from '../values';
import type { Expr, SelectStatement } from './ast';
import { position } from './lexer';
import { parseSelect, SUPPORTED_SUBSET } from './parser';
import type { QueryParameters, TypedValue } from './params';
import { NUMBERS, ORDERABLE, resultField, scalar, sqlName, type Base, type ResultField, type ValueType } from './types';

/** The SQLite statement to run and how to read its rows. */
export interface TranslatedQuery {
  sql: string;
  bindings: BindValue[];
  fields: ResultField[];
  /** The tables the query reads. */
  tables: TableEntry[];
}

/** Finds a table by its path in the query (`[project, dataset, table]`, `[dataset, table]` or `[table]`). */
export type TableResolver = (path: string[], offset: number) => TableEntry;

/** What the translator needs besides the query text. */
export interface TranslateContext {
  resolveTable: TableResolver;
  parameters: QueryParameters;
  /** The statement's CURRENT_TIMESTAMP(), fixed once per query as in BigQuery. */
  nowMicros: bigint;
}

/** A translated expression. */
interface Emitted {
  sql: string;
  type: ValueType;
  /** Contains an aggregate call. */
  aggregate: boolean;
  /** Columns referenced outside any aggregate, checked against GROUP BY in aggregate queries. */
  bareColumns?: string[];
  /** Set for literals, so they can be coerced when compared with a TIMESTAMP, DATE or NUMERIC. */
  literal?: Expr;
  /** The column name, for naming the output column. */
  columnName?: string;
}

/**
 * Parses and translates a query.
 * @throws 400 invalidQuery for anything outside the supported subset or ill-typed; 404
 *   notFound (from the resolver) for a missing table.
 */
export function translateQuery(query: string, ctx: TranslateContext): TranslatedQuery {
  return new Translator(query, ctx).translate(parseSelect(query));
}

class Translator {
  private readonly bindings: BindValue[] = [];
  private table?: TableEntry;
  /** The names the FROM table can be referred to by (its alias, else its table id), lower-cased. */
  private qualifier?: string;
  private inAggregate = false;
  private usedNamed = false;
  private usedPositional = false;

  constructor(
    private readonly query: string,
    private readonly ctx: TranslateContext,
  ) {}

  private at(offset: number): string {
    return position(this.query, offset);
  }

  translate(stmt: SelectStatement): TranslatedQuery {
    if (stmt.from) {
      this.table = this.ctx.resolveTable(stmt.from.path, stmt.from.offset);
      this.qualifier = (stmt.from.alias ?? stmt.from.path[stmt.from.path.length - 1]!).toLowerCase();
    }

    const outputs: { sql: string; field: ResultField; emitted?: Emitted }[] = [];
    let anonymous = 0;
    for (const item of stmt.items) {
      if (item.kind === 'star') {
        if (!this.table) throw invalidQuery(`SELECT * must have a FROM clause at ${this.at(item.offset)}`);
        if (item.qualifier !== undefined && item.qualifier.toLowerCase() !== this.qualifier) {
          throw invalidQuery(`Unrecognized name: ${item.qualifier} at ${this.at(item.offset)}`);
        }
        this.table.schema.forEach((f, i) => {
          outputs.push({ sql: columnName(i), field: resultField(f.name, { base: f.type, repeated: f.mode === 'REPEATED' }) });
        });
        continue;
      }
      const emitted = this.expr(item.expr);
      const name = item.alias ?? emitted.columnName ?? `f${anonymous++}_`;
      outputs.push({ sql: emitted.sql, field: resultField(name, emitted.type), emitted });
    }
    if (stmt.distinct) {
      for (const o of outputs) {
        if (o.field.mode === 'REPEATED' || o.field.type === 'JSON') {
          throw invalidQuery(
            `Column ${o.field.name} of type ${sqlName({ base: o.field.type, repeated: o.field.mode === 'REPEATED' })} cannot be used in SELECT DISTINCT`,
          );
        }
      }
    }
    const seen = new Set<string>();
    for (const o of outputs) {
      const lower = o.field.name.toLowerCase();
      if (seen.has(lower))
        throw invalidQuery(`Duplicate column names in the result are not supported. Found duplicate(s): ${o.field.name}`);
      seen.add(lower);
    }

    let where = '';
    if (stmt.where) {
      const cond = this.expr(stmt.where);
      if (cond.aggregate) throw invalidQuery(`Aggregate function not allowed in WHERE clause at ${this.at(stmt.where.offset)}`);
      this.requireBool(cond, 'WHERE clause', stmt.where.offset);
      where = ` WHERE ${cond.sql}`;
    }

    const order: string[] = [];
    const orderEmitted: Emitted[] = [];
    for (const key of stmt.orderBy) {
      const ref = this.orderReference(key.expr, stmt, outputs);
      let sql: string;
      let type: ValueType;
      if (ref !== undefined) {
        sql = `o${ref}`;
        type = { base: outputs[ref]!.field.type, repeated: outputs[ref]!.field.mode === 'REPEATED' };
      } else {
        const e = this.expr(key.expr);
        if (stmt.distinct) {
          const same = outputs.findIndex((o) => o.sql === e.sql);
          if (same < 0)
            throw invalidQuery(
              `ORDER BY clause expression references a column which is not visible after SELECT DISTINCT at ${this.at(key.expr.offset)}`,
            );
          sql = `o${same}`;
        } else {
          sql = e.sql;
        }
        type = e.type;
        orderEmitted.push(e);
      }
      this.requireOrderable(type, 'ORDER BY', key.expr.offset);
      order.push(`${sql}${key.desc ? ' DESC' : ''}`);
    }

    const groupBy = this.groupBy(stmt, outputs);
    let having = '';
    let havingEmitted: Emitted | undefined;
    if (stmt.having) {
      havingEmitted = this.expr(stmt.having);
      this.requireBool(havingEmitted, 'HAVING clause', stmt.having.offset);
      having = ` HAVING ${havingEmitted.sql}`;
    }

    const aggregateQuery =
      stmt.groupBy.length > 0 ||
      stmt.having !== undefined ||
      outputs.some((o) => o.emitted?.aggregate) ||
      orderEmitted.some((e) => e.aggregate);
    if (aggregateQuery) {
      // Every column used outside an aggregate must be grouped, as BigQuery requires.
      const ungrouped = (e: Emitted): string | undefined =>
        groupBy.sql.has(e.sql) ? undefined : (e.bareColumns ?? []).find((c) => !groupBy.columns.has(c.toLowerCase()));
      for (const o of outputs) {
        const bad = o.emitted ? ungrouped(o.emitted) : groupBy.columns.has(o.field.name.toLowerCase()) ? undefined : o.field.name;
        if (bad !== undefined)
          throw invalidQuery(`SELECT list expression references column ${bad} which is neither grouped nor aggregated`);
      }
      for (const [what, e] of [
        ...orderEmitted.map((e) => ['ORDER BY', e] as const),
        ...(havingEmitted ? [['HAVING', havingEmitted] as const] : []),
      ]) {
        const bad = ungrouped(e);
        if (bad !== undefined)
          throw invalidQuery(`${what} clause expression references column ${bad} which is neither grouped nor aggregated`);
      }
    }

    const limit = stmt.limit ? ` LIMIT ${this.count(stmt.limit, 'LIMIT')}` : '';
    const offset = stmt.offset ? ` OFFSET ${this.count(stmt.offset, 'OFFSET')}` : '';
    this.checkParameterMode();

    const select = outputs.map((o, i) => `${o.sql} AS o${i}`).join(', ');
    const from = this.table ? ` FROM ${quoteIdent(this.table.sqlName)}` : '';
    const orderBy = order.length ? ` ORDER BY ${order.join(', ')}` : '';
    const group = groupBy.keys.length ? ` GROUP BY ${groupBy.keys.join(', ')}` : '';
    const { sql, bindings } = this.compact(
      `SELECT ${stmt.distinct ? 'DISTINCT ' : ''}${select}${from}${where}${group}${having}${orderBy}${limit}${offset}`,
    );
    return {
      sql,
      bindings,
      fields: outputs.map((o) => o.field),
      tables: this.table ? [this.table] : [],
    };
  }

  /**
   * Renumbers the `?N` placeholders the final SQL uses. A literal replaced by its coerced form
   * (a string compared with a TIMESTAMP) leaves its first binding unused, and sql.js refuses
   * more values than placeholders. The SQL holds no string literals (strings are always bound),
   * so every `?` in it is a placeholder.
   */
  private compact(sql: string): { sql: string; bindings: BindValue[] } {
    const bindings: BindValue[] = [];
    const renumbered = new Map<number, number>();
    const out = sql.replace(/\?(\d+)/g, (_, n: string) => {
      const old = Number(n);
      let index = renumbered.get(old);
      if (index === undefined) {
        bindings.push(this.bindings[old - 1]!);
        index = bindings.length;
        renumbered.set(old, index);
      }
      return `?${index}`;
    });
    return { sql: out, bindings };
  }

  /**
   * Resolves GROUP BY keys: columns, ordinals of the select list, or select-list aliases that
   * are not also column names. Returns the SQL of each key, the set of grouped expressions and
   * the grouped column names (lower-cased).
   */
  private groupBy(
    stmt: SelectStatement,
    outputs: { sql: string; field: ResultField; emitted?: Emitted }[],
  ): { keys: string[]; sql: Set<string>; columns: Set<string> } {
    const out = { keys: [] as string[], sql: new Set<string>(), columns: new Set<string>() };
    const groupOutput = (o: { sql: string; field: ResultField; emitted?: Emitted }, offset: number): void => {
      if (o.emitted?.aggregate) throw invalidQuery(`GROUP BY refers to an aggregate select item at ${this.at(offset)}`);
      this.requireGroupable({ base: o.field.type, repeated: o.field.mode === 'REPEATED' }, offset);
      out.keys.push(o.sql);
      out.sql.add(o.sql);
      const column = o.emitted ? o.emitted.columnName : o.field.name;
      if (column !== undefined && (o.emitted?.bareColumns ?? [column]).length === 1) out.columns.add(column.toLowerCase());
    };
    for (const key of stmt.groupBy) {
      if (key.kind === 'literal' && key.type === 'INT64') {
        const o = outputs[Number(key.value) - 1];
        if (!o)
          throw invalidQuery(
            `GROUP BY ordinal ${key.value} is out of range; the SELECT list has ${outputs.length} columns at ${this.at(key.offset)}`,
          );
        groupOutput(o, key.offset);
        continue;
      }
      if (key.kind === 'column' && key.path.length === 1 && !(this.table && findField(this.table.schema, key.path[0]!))) {
        const alias = key.path[0]!.toLowerCase();
        const index = outputs.findIndex((o) => o.field.name.toLowerCase() === alias && o.emitted !== undefined);
        const item = stmt.items.find((i) => i.kind === 'expr' && i.alias?.toLowerCase() === alias);
        if (index >= 0 && item) {
          groupOutput(outputs[index]!, key.offset);
          continue;
        }
      }
      const e = this.expr(key);
      if (e.aggregate) throw invalidQuery(`Aggregate functions are not allowed in GROUP BY at ${this.at(key.offset)}`);
      this.requireGroupable(e.type, key.offset);
      out.keys.push(e.sql);
      out.sql.add(e.sql);
      if (e.columnName !== undefined) out.columns.add(e.columnName.toLowerCase());
    }
    return out;
  }

  private requireGroupable(type: ValueType, offset: number): void {
    if (type.repeated || type.base === 'JSON') {
      throw invalidQuery(`Grouping by expressions of type ${sqlName(type)} is not allowed at ${this.at(offset)}`);
    }
  }

  /** An ORDER BY key that names a select-list alias or an ordinal refers to that output column. */
  private orderReference(expr: Expr, stmt: SelectStatement, outputs: { field: ResultField }[]): number | undefined {
    if (expr.kind === 'literal' && expr.type === 'INT64') {
      const n = Number(expr.value);
      if (n < 1 || n > outputs.length)
        throw invalidQuery(
          `ORDER BY column number item is out of range. Column numbers start at 1 and the SELECT list has ${outputs.length} columns at ${this.at(expr.offset)}`,
        );
      return n - 1;
    }
    if (expr.kind === 'column' && expr.path.length === 1) {
      const name = expr.path[0]!.toLowerCase();
      const index = stmt.items.findIndex((item) => item.kind === 'expr' && item.alias?.toLowerCase() === name);
      if (index >= 0) {
        // Map the select item to its output position (a preceding `*` expands to several).
        let pos = 0;
        for (let i = 0; i < index; i++) {
          const item = stmt.items[i]!;
          pos += item.kind === 'star' ? this.table!.schema.length : 1;
        }
        return pos;
      }
    }
    return undefined;
  }

  /** A LIMIT or OFFSET count: a non-negative INT64 literal or parameter. */
  private count(expr: Expr, clause: string): string {
    const e = this.expr(expr);
    if (e.type.base !== 'INTEGER' || e.type.repeated || (e.bareColumns ?? []).length > 0 || e.aggregate) {
      throw invalidQuery(`${clause} expects an integer literal or parameter at ${this.at(expr.offset)}`);
    }
    if (!/^\d+$/.test(e.sql)) throw invalidQuery(`${clause} must not be negative or NULL at ${this.at(expr.offset)}`);
    return e.sql;
  }

  private checkParameterMode(): void {
    const mode = this.ctx.parameters.mode;
    if (this.usedNamed && this.usedPositional) throw invalidQuery('Query cannot mix named (@name) and positional (?) parameters.');
    if (this.usedNamed && mode === 'POSITIONAL')
      throw invalidQuery('Named parameters (@name) cannot be used with parameterMode POSITIONAL.');
    if (this.usedPositional && mode === 'NAMED') throw invalidQuery('Positional parameters (?) cannot be used with parameterMode NAMED.');
  }

  private requireBool(e: Emitted, what: string, offset: number): void {
    if (e.type.repeated || (e.type.base !== 'BOOLEAN' && e.type.base !== 'NULL')) {
      throw invalidQuery(`${what} should return type BOOL, but returns ${sqlName(e.type)} at ${this.at(offset)}`);
    }
  }

  private requireOrderable(type: ValueType, what: string, offset: number): void {
    if (type.repeated || type.base === 'JSON') {
      throw invalidQuery(`${what} does not support expressions of type ${sqlName(type)} at ${this.at(offset)}`);
    }
    if (!ORDERABLE.has(type.base)) {
      throw invalidQuery(`${what} on ${sqlName(type)} is not supported by the local BigQuery at ${this.at(offset)}`);
    }
  }

  /** Writes a typed constant: numbers inline, strings as a bound parameter. */
  private constant(type: Base, value: StoredValue): string {
    if (value === null || type === 'NULL') return 'NULL';
    if (typeof value === 'bigint') return value < 0n ? `(${value})` : String(value);
    if (typeof value === 'number') {
      if (type === 'FLOAT') {
        if (!Number.isFinite(value)) return value > 0 ? '9e999' : '(-9e999)';
        const text = formatFloat(value);
        return text.startsWith('-') ? `(${text})` : text;
      }
      return value < 0 ? `(${value})` : String(value);
    }
    this.bindings.push(value);
    return `?${this.bindings.length}`;
  }

  private typed(tv: TypedValue): Emitted {
    return { sql: this.constant(tv.type, tv.value), type: scalar(tv.type), aggregate: false };
  }

  private expr(e: Expr): Emitted {
    switch (e.kind) {
      case 'literal':
        return { ...this.literal(e), literal: e };
      case 'param': {
        this.usedNamed = true;
        this.checkParameterMode();
        const tv = this.ctx.parameters.named.get(e.name.toLowerCase());
        if (!tv) throw invalidQuery(`Query parameter '${e.name}' not found at ${this.at(e.offset)}`);
        return this.typed(tv);
      }
      case 'positional': {
        this.usedPositional = true;
        this.checkParameterMode();
        const tv = this.ctx.parameters.positional[e.index];
        if (!tv)
          throw invalidQuery(
            `Query has more positional parameters (?) than the ${this.ctx.parameters.positional.length} provided at ${this.at(e.offset)}`,
          );
        return this.typed(tv);
      }
      case 'column':
        return this.column(e.path, e.offset);
      case 'call':
        return this.call(e);
      case 'compare':
        return this.compare(e.op, e.left, e.right, e.offset);
      case 'logic': {
        const left = this.expr(e.left);
        const right = this.expr(e.right);
        this.requireBool(left, `Operator ${e.op} argument`, e.left.offset);
        this.requireBool(right, `Operator ${e.op} argument`, e.right.offset);
        return combine(`(${left.sql} ${e.op} ${right.sql})`, scalar('BOOLEAN'), left, right);
      }
      case 'not': {
        const inner = this.expr(e.expr);
        this.requireBool(inner, 'Operator NOT argument', e.expr.offset);
        return combine(`(NOT ${inner.sql})`, scalar('BOOLEAN'), inner);
      }
      case 'isNull': {
        const inner = this.expr(e.expr);
        return combine(`(${inner.sql} IS ${e.negated ? 'NOT ' : ''}NULL)`, scalar('BOOLEAN'), inner);
      }
      case 'in':
        return this.inList(e);
      case 'between':
        return this.between(e);
      case 'like':
        return this.like(e);
    }
  }

  private literal(e: Expr & { kind: 'literal' }): Emitted {
    switch (e.type) {
      case 'NULL':
        return { sql: 'NULL', type: scalar('NULL'), aggregate: false };
      case 'BOOL':
        return { sql: e.value ? '1' : '0', type: scalar('BOOLEAN'), aggregate: false };
      case 'INT64':
        return { sql: this.constant('INTEGER', e.value), type: scalar('INTEGER'), aggregate: false };
      case 'FLOAT64':
        return { sql: this.constant('FLOAT', e.value), type: scalar('FLOAT'), aggregate: false };
      case 'STRING':
        return { sql: this.constant('STRING', e.value), type: scalar('STRING'), aggregate: false };
      default:
        return this.castLiteral(e.value, e.type === 'NUMERIC' ? 'NUMERIC' : e.type, e.offset);
    }
  }

  /** A string literal as a TIMESTAMP, DATE, NUMERIC or JSON constant (typed literals and coercion). */
  private castLiteral(text: string, type: FieldType, offset: number): Emitted {
    // Epoch seconds are valid in insertAll, not as a TIMESTAMP literal.
    const coerced = type === 'TIMESTAMP' && !DATE_PREFIX.test(text) ? { ok: false as const } : coerceScalar(type, text);
    if (!coerced.ok) throw invalidQuery(`Could not cast literal "${text}" to type ${sqlName(scalar(type))} at ${this.at(offset)}`);
    return { sql: this.constant(type, coerced.value), type: scalar(type), aggregate: false };
  }

  private column(path: string[], offset: number): Emitted {
    const unrecognized = (): never => {
      throw invalidQuery(`Unrecognized name: ${path[0]} at ${this.at(offset)}`);
    };
    if (!this.table) return unrecognized();
    let name: string;
    if (path.length === 1) {
      name = path[0]!;
    } else if (path.length === 2 && path[0]!.toLowerCase() === this.qualifier) {
      name = path[1]!;
    } else if (path.length === 2 && findField(this.table.schema, path[0]!)) {
      throw invalidQuery(`Field access on ${path[0]} is not supported by the local BigQuery (no STRUCT columns) at ${this.at(offset)}`);
    } else {
      return unrecognized();
    }
    const index = this.table.schema.findIndex((f) => f.name.toLowerCase() === name.toLowerCase());
    if (index < 0) {
      if (path.length === 1 && name.toLowerCase() === this.qualifier) {
        throw invalidQuery(`Selecting a whole row as a STRUCT (${name}) is not supported by the local BigQuery at ${this.at(offset)}`);
      }
      return unrecognized();
    }
    const field = this.table.schema[index]!;
    return {
      sql: columnName(index),
      type: { base: field.type, repeated: field.mode === 'REPEATED' },
      aggregate: false,
      bareColumns: this.inAggregate ? [] : [field.name],
      // The implicit alias is the name as written in the query, as in GoogleSQL.
      columnName: name,
    };
  }

  private compare(op: '=' | '!=' | '<' | '<=' | '>' | '>=', leftExpr: Expr, rightExpr: Expr, offset: number): Emitted {
    const [left, right] = this.comparable(op, this.expr(leftExpr), this.expr(rightExpr), offset);
    return combine(`(${left.sql} ${op === '!=' ? '<>' : op} ${right.sql})`, scalar('BOOLEAN'), left, right);
  }

  /**
   * Checks that two operands can be compared with `op` (after GoogleSQL's literal coercions)
   * and returns them coerced.
   */
  private comparable(op: string, leftIn: Emitted, rightIn: Emitted, offset: number): [Emitted, Emitted] {
    let left = leftIn;
    let right = rightIn;
    const fail = (): never => {
      throw invalidQuery(
        `No matching signature for operator ${op} for argument types: ${sqlName(left.type)}, ${sqlName(right.type)} at ${this.at(offset)}`,
      );
    };
    if (left.type.repeated || right.type.repeated) fail();
    // GoogleSQL coerces a string literal to the TIMESTAMP, DATE or NUMERIC it is compared with,
    // and an integer literal or parameter to NUMERIC.
    const coerce = (target: Emitted, other: Emitted): Emitted => {
      const lit = other.literal;
      if (lit?.kind === 'literal' && lit.type === 'STRING' && ['TIMESTAMP', 'DATE', 'NUMERIC'].includes(target.type.base)) {
        return this.castLiteral(lit.value, target.type.base as FieldType, lit.offset);
      }
      if (
        target.type.base === 'NUMERIC' &&
        other.type.base === 'INTEGER' &&
        !other.bareColumns?.length &&
        !other.aggregate &&
        /^\(?-?\d+\)?$/.test(other.sql)
      ) {
        return { sql: this.constant('NUMERIC', other.sql.replace(/[()]/g, '')), type: scalar('NUMERIC'), aggregate: false };
      }
      return other;
    };
    right = coerce(left, right);
    left = coerce(right, left);
    const a = left.type.base;
    const b = right.type.base;
    const compatible = a === b || a === 'NULL' || b === 'NULL' || (NUMBERS.has(a) && NUMBERS.has(b));
    if (!compatible || a === 'JSON' || b === 'JSON') fail();
    if (op !== '=' && op !== '!=' && op !== 'IN') {
      if (a === 'NUMERIC' || b === 'NUMERIC') {
        throw invalidQuery(
          `Operator ${op} on NUMERIC values is not supported by the local BigQuery (only =, != and IN) at ${this.at(offset)}`,
        );
      }
    }
    return [left, right];
  }

  private inList(e: Expr & { kind: 'in' }): Emitted {
    let left = this.expr(e.expr);
    const items: Emitted[] = [];
    for (const item of e.list) {
      const [l, r] = this.comparable('IN', left, this.expr(item), item.offset);
      left = l;
      items.push(r);
    }
    return combine(`(${left.sql} ${e.negated ? 'NOT ' : ''}IN (${items.map((i) => i.sql).join(', ')}))`, scalar('BOOLEAN'), left, ...items);
  }

  private between(e: Expr & { kind: 'between' }): Emitted {
    const value = this.expr(e.expr);
    const [v1, low] = this.comparable('BETWEEN', value, this.expr(e.low), e.low.offset);
    const [v2, high] = this.comparable('BETWEEN', v1, this.expr(e.high), e.high.offset);
    this.requireOrderable(v2.type, 'BETWEEN', e.offset);
    return combine(`(${v2.sql} ${e.negated ? 'NOT ' : ''}BETWEEN ${low.sql} AND ${high.sql})`, scalar('BOOLEAN'), v2, low, high);
  }

  /** LIKE runs through `bq_like` (see database.ts): SQLite's own LIKE ignores ASCII case, BigQuery's does not. */
  private like(e: Expr & { kind: 'like' }): Emitted {
    const value = this.expr(e.expr);
    const pattern = this.expr(e.pattern);
    for (const [operand, offset] of [
      [value, e.expr.offset],
      [pattern, e.pattern.offset],
    ] as const) {
      if (operand.type.repeated || (operand.type.base !== 'STRING' && operand.type.base !== 'NULL')) {
        throw invalidQuery(
          `No matching signature for operator LIKE for argument types: ${sqlName(value.type)}, ${sqlName(pattern.type)} at ${this.at(offset)}`,
        );
      }
    }
    return combine(`(${e.negated ? 'NOT ' : ''}bq_like(${value.sql}, ${pattern.sql}))`, scalar('BOOLEAN'), value, pattern);
  }

  private call(e: Expr & { kind: 'call' }): Emitted {
    const where = this.at(e.offset);
    switch (e.name) {
      case 'CURRENT_TIMESTAMP':
        if (e.args.length || e.star) throw invalidQuery(`CURRENT_TIMESTAMP takes no arguments at ${where}`);
        return { sql: this.constant('TIMESTAMP', this.ctx.nowMicros), type: scalar('TIMESTAMP'), aggregate: false };
      case 'CURRENT_DATE': {
        if (e.args.length || e.star) throw invalidQuery(`CURRENT_DATE with a time zone is not supported by the local BigQuery at ${where}`);
        const date = new Date(Number(this.ctx.nowMicros / 1000n)).toISOString().slice(0, 10);
        return { sql: this.constant('DATE', date), type: scalar('DATE'), aggregate: false };
      }
      case 'COUNT':
      case 'MIN':
      case 'MAX':
      case 'SUM':
      case 'AVG':
        return this.aggregate(e);
      default:
        throw invalidQuery(`Function ${e.name} is not supported by the local BigQuery at ${where}. ${SUPPORTED_SUBSET}`);
    }
  }

  private aggregate(e: Expr & { kind: 'call' }): Emitted {
    const where = this.at(e.offset);
    if (this.inAggregate) throw invalidQuery(`Aggregations of aggregations are not allowed at ${where}`);
    if (e.star) {
      if (e.name !== 'COUNT') throw invalidQuery(`${e.name}(*) is not valid at ${where}`);
      return { sql: 'COUNT(*)', type: scalar('INTEGER'), aggregate: true };
    }
    if (e.args.length !== 1) throw invalidQuery(`${e.name} takes exactly one argument at ${where}`);
    this.inAggregate = true;
    let arg: Emitted;
    try {
      arg = this.expr(e.args[0]!);
    } finally {
      this.inAggregate = false;
    }
    const distinct = e.distinct ? 'DISTINCT ' : '';
    const sql = `${e.name}(${distinct}${arg.sql})`;
    const t = arg.type;
    if (e.distinct || e.name !== 'COUNT') this.requireOrderable(t, `${e.name}${e.distinct ? '(DISTINCT)' : ''}`, e.args[0]!.offset);
    switch (e.name) {
      case 'COUNT':
        return { sql, type: scalar('INTEGER'), aggregate: true };
      case 'MIN':
      case 'MAX':
        return { sql, type: t.base === 'NULL' ? scalar('INTEGER') : t, aggregate: true };
      case 'SUM':
      case 'AVG':
        if (!NUMBERS.has(t.base) && t.base !== 'NULL') {
          throw invalidQuery(`No matching signature for aggregate function ${e.name} for argument types: ${sqlName(t)} at ${where}`);
        }
        return { sql, type: scalar(e.name === 'AVG' || t.base === 'FLOAT' ? 'FLOAT' : 'INTEGER'), aggregate: true };
      default:
        throw invalidQuery(`Function ${e.name} is not supported by the local BigQuery at ${where}`);
    }
  }
}

/** An operator's result: aggregate if any operand is, and the first bare column of the operands. */
function combine(sql: string, type: ValueType, ...parts: Emitted[]): Emitted {
  return {
    sql,
    type,
    aggregate: parts.some((p) => p.aggregate),
    bareColumns: parts.flatMap((p) => p.bareColumns ?? []),
  };
}
