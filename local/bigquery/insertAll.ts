/**
 * `tabledata.insertAll`: the streaming insert. Each row is checked against the table schema
 * the way BigQuery checks it (unknown field, wrong type, missing REQUIRED value), and the
 * answer carries per-row `insertErrors` instead of failing the request:
 *
 * - with `skipInvalidRows: false` (the default) one bad row stops the whole batch: bad rows get
 *   `reason: "invalid"`, the good ones `reason: "stopped"`, and nothing is written;
 * - with `skipInvalidRows: true` the good rows are written and only bad rows are reported;
 * - a row whose `insertId` was already accepted is acknowledged and not written again.
 */
import { BigQueryError } from './errors';
import { columnName, type Catalog, type TableEntry } from './catalog';
import { quoteIdent, type BindValue } from './database';
import { findField, type FieldSchema } from './schema';
import { storeRepeated } from './rows';
import { coerceScalar, type StoredValue } from './values';

/** One entry of `insertErrors[].errors`. */
export interface InsertErrorProto {
  reason: 'invalid' | 'stopped';
  location: string;
  debugInfo: string;
  message: string;
}

/** One entry of `insertErrors`. */
export interface InsertError {
  index: number;
  errors: InsertErrorProto[];
}

/** The `tabledata.insertAll` response body. */
export interface InsertAllResponse {
  kind: 'bigquery#tableDataInsertAllResponse';
  insertErrors?: InsertError[];
}

/** A row checked against a schema: the stored value per column, or what is wrong with it. */
export type CheckedRow = { ok: true; values: StoredValue[] } | { ok: false; errors: InsertErrorProto[] };

const invalid = (location: string, message: string): InsertErrorProto => ({
  reason: 'invalid',
  location,
  debugInfo: '',
  message,
});

function checkValue(field: FieldSchema, value: unknown): { value: StoredValue } | { error: InsertErrorProto } {
  if (value === null || value === undefined) {
    if (field.mode === 'REQUIRED') return { error: invalid(field.name, `Missing required field: ${field.name}.`) };
    return { value: field.mode === 'REPEATED' ? storeRepeated([]) : null };
  }
  if (field.mode === 'REPEATED') {
    if (!Array.isArray(value)) return { error: invalid(field.name, `Non-array value specified for repeated field: ${field.name}.`) };
    const stored: StoredValue[] = [];
    for (const [i, item] of value.entries()) {
      if (item === null || item === undefined)
        return { error: invalid(`${field.name}[${i}]`, `Null value in repeated field: ${field.name}.`) };
      const coerced = coerceScalar(field.type, item);
      if (!coerced.ok) return { error: invalid(`${field.name}[${i}]`, `${coerced.message} (field ${field.name})`) };
      stored.push(coerced.value);
    }
    return { value: storeRepeated(stored) };
  }
  if (Array.isArray(value) && field.type !== 'JSON') {
    return { error: invalid(field.name, `Array specified for non-repeated field: ${field.name}.`) };
  }
  const coerced = coerceScalar(field.type, value);
  if (!coerced.ok) return { error: invalid(field.name, `${coerced.message} (field ${field.name})`) };
  return { value: coerced.value };
}

/**
 * Checks one row's `json` object against a schema. Pure, so the rules are testable without a
 * server. Field names match case-insensitively, as in BigQuery.
 */
export function checkRow(schema: readonly FieldSchema[], json: unknown, ignoreUnknownValues: boolean): CheckedRow {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, errors: [invalid('', 'Row must be a JSON object in the "json" property.')] };
  }
  const errors: InsertErrorProto[] = [];
  const given = new Map<string, unknown>();
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    const field = findField(schema, key);
    if (!field) {
      if (!ignoreUnknownValues) errors.push(invalid(key, `no such field: ${key}.`));
      continue;
    }
    given.set(field.name, value);
  }
  const values = schema.map((field) => {
    const checked = checkValue(field, given.get(field.name));
    if ('error' in checked) {
      errors.push(checked.error);
      return null;
    }
    return checked.value;
  });
  return errors.length ? { ok: false, errors } : { ok: true, values };
}

/**
 * Runs `tabledata.insertAll` on a table.
 * @throws 400 invalid for a malformed request (no rows, templateSuffix).
 */
export function insertAll(catalog: Catalog, table: TableEntry, body: Record<string, unknown>): InsertAllResponse {
  const rows = body.rows;
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new BigQueryError('invalid', 'No rows present in the request.');
  }
  if (body.templateSuffix !== undefined) {
    throw new BigQueryError('notImplemented', 'The local BigQuery does not support templateSuffix.');
  }
  const skipInvalidRows = body.skipInvalidRows === true;
  const ignoreUnknownValues = body.ignoreUnknownValues === true;

  const insertErrors: InsertError[] = [];
  const accepted: { index: number; insertId?: string; values: StoredValue[] }[] = [];
  rows.forEach((raw: unknown, index) => {
    const row = (typeof raw === 'object' && raw !== null ? raw : {}) as { insertId?: unknown; json?: unknown };
    const checked = checkRow(table.schema, row.json, ignoreUnknownValues);
    if (!checked.ok) {
      insertErrors.push({ index, errors: checked.errors });
      return;
    }
    const insertId = typeof row.insertId === 'string' && row.insertId !== '' ? row.insertId : undefined;
    accepted.push({ index, insertId, values: checked.values });
  });

  if (insertErrors.length > 0 && !skipInvalidRows) {
    // BigQuery's all-or-nothing default: report every good row as stopped, write nothing.
    for (const row of accepted) {
      insertErrors.push({ index: row.index, errors: [{ reason: 'stopped', location: '', debugInfo: '', message: '' }] });
    }
    insertErrors.sort((a, b) => a.index - b.index);
    return { kind: 'bigquery#tableDataInsertAllResponse', insertErrors };
  }

  const fresh = accepted.filter((row) => {
    if (row.insertId === undefined) return true;
    if (table.insertIds.has(row.insertId)) return false;
    table.insertIds.add(row.insertId);
    return true;
  });
  if (fresh.length > 0 && table.schema.length > 0) {
    const columns = table.schema.map((_, i) => columnName(i)).join(', ');
    const marks = table.schema.map(() => '?').join(', ');
    const sql = `INSERT INTO ${quoteIdent(table.sqlName)} (${columns}) VALUES (${marks})`;
    catalog.db.transaction(() => {
      for (const row of fresh) catalog.db.run(sql, row.values as BindValue[]);
    });
    table.lastModifiedTime = Date.now();
  }
  return insertErrors.length
    ? { kind: 'bigquery#tableDataInsertAllResponse', insertErrors }
    : { kind: 'bigquery#tableDataInsertAllResponse' };
}
