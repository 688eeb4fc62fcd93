/**
 * The types the translator reasons with: GoogleSQL's names for messages, which types order and
 * compare, and the result schema fields BigQuery reports (legacy names, NULLABLE or REPEATED).
 */
import type { FieldType } from '../schema';

/** A column of the query result, as in the response's `schema.fields`. */
export interface ResultField {
  name: string;
  type: FieldType;
  mode: 'NULLABLE' | 'REPEATED';
}

/** A type as the translator tracks it; `NULL` is the type of an untyped NULL literal. */
export type Base = FieldType | 'NULL';

/** A value's type: a base type, possibly an ARRAY of it (a REPEATED column). */
export interface ValueType {
  base: Base;
  repeated: boolean;
}

/** Types with an order (ORDER BY, MIN/MAX, <, BETWEEN) that SQLite reproduces exactly. */
export const ORDERABLE = new Set<Base>(['STRING', 'INTEGER', 'FLOAT', 'BOOLEAN', 'TIMESTAMP', 'DATE', 'NULL']);
/** Types compared with each other numerically. */
export const NUMBERS = new Set<Base>(['INTEGER', 'FLOAT']);

/** GoogleSQL's name for a type, used in messages (`INT64` rather than `INTEGER`). */
export function sqlName(t: ValueType): string {
  const names: Record<Base, string> = {
    STRING: 'STRING',
    INTEGER: 'INT64',
    FLOAT: 'FLOAT64',
    BOOLEAN: 'BOOL',
    TIMESTAMP: 'TIMESTAMP',
    NUMERIC: 'NUMERIC',
    DATE: 'DATE',
    JSON: 'JSON',
    NULL: 'INT64',
  };
  return t.repeated ? `ARRAY<${names[t.base]}>` : names[t.base];
}

/** A non-array type. */
export const scalar = (base: Base): ValueType => ({ base, repeated: false });

/** The result-schema field of an output column. */
export function resultField(name: string, type: ValueType): ResultField {
  // An untyped NULL comes back as INT64, as in BigQuery.
  return { name, type: type.base === 'NULL' ? 'INTEGER' : type.base, mode: type.repeated ? 'REPEATED' : 'NULLABLE' };
}
