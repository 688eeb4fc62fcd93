/**
 * Table schemas: the `schema.fields` of the REST API and the JSON files Terraform reads
 * (`infra/schemas/<table>.json`, the `google_bigquery_table.schema` format), normalised to the
 * legacy type names BigQuery itself returns from `tables.get` (INT64 comes back as INTEGER).
 */
import * as fs from 'node:fs';
import { BigQueryError } from './errors';

/** A column type the local BigQuery stores, by the name `tables.get` reports. */
export type FieldType = 'STRING' | 'INTEGER' | 'FLOAT' | 'BOOLEAN' | 'TIMESTAMP' | 'NUMERIC' | 'DATE' | 'JSON';

/** A column mode. */
export type FieldMode = 'NULLABLE' | 'REQUIRED' | 'REPEATED';

/** One column, as the REST API and the Terraform schema file describe it. */
export interface FieldSchema {
  name: string;
  type: FieldType;
  mode: FieldMode;
  description?: string;
}

/** Standard SQL aliases → the name BigQuery reports in table metadata. */
const TYPE_ALIASES: Record<string, FieldType> = {
  STRING: 'STRING',
  INTEGER: 'INTEGER',
  INT64: 'INTEGER',
  FLOAT: 'FLOAT',
  FLOAT64: 'FLOAT',
  BOOLEAN: 'BOOLEAN',
  BOOL: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMP',
  NUMERIC: 'NUMERIC',
  DECIMAL: 'NUMERIC',
  DATE: 'DATE',
  JSON: 'JSON',
};

/**
 * Types real BigQuery has but this emulator does not handle, so the error can name them. A column
 * may also be a RECORD, and a query parameter an ARRAY; neither is supported here either.
 */
export const UNSUPPORTED_TYPES: ReadonlySet<string> = new Set([
  'STRUCT',
  'BYTES',
  'DATETIME',
  'TIME',
  'GEOGRAPHY',
  'BIGNUMERIC',
  'BIGDECIMAL',
  'RANGE',
  'INTERVAL',
]);

// BigQuery's flexible column names: letters, marks, digits, connectors, dashes and spaces of any
// script plus a few symbols, up to 300 characters; a few prefixes are reserved.
const FIELD_NAME = /^[\p{L}\p{M}\p{N}\p{Pc}\p{Pd}\p{Zs}&%=+:'<>#|]{1,300}$/u;
const RESERVED_PREFIX = /^(_TABLE_|_FILE_|_PARTITION|_ROW_TIMESTAMP|__ROOT__|_COLIDENTIFIER)/i;

/** Maps a type name (any letter case, legacy or standard SQL) to the stored type, or undefined. */
export function canonicalType(type: string): FieldType | undefined {
  return TYPE_ALIASES[type.toUpperCase()];
}

/**
 * Validates and normalises `schema.fields` from a request or a schema file.
 * @throws BigQueryError `invalid` naming the offending field.
 */
export function normalizeSchema(fields: unknown): FieldSchema[] {
  if (!Array.isArray(fields)) {
    throw new BigQueryError('invalid', 'Schema fields must be an array of {name, type, mode}.');
  }
  const seen = new Set<string>();
  return fields.map((raw, index) => {
    if (typeof raw !== 'object' || raw === null) {
      throw new BigQueryError('invalid', `Schema field ${index} is not an object.`);
    }
    const field = raw as Record<string, unknown>;
    const name = field.name;
    if (typeof name !== 'string' || !FIELD_NAME.test(name) || name.trim() !== name) {
      throw new BigQueryError(
        'invalid',
        `Invalid field name "${String(name)}". Fields must contain only letters, numbers, underscores, dashes, spaces and &%=+:'<>#| and be at most 300 characters long.`,
      );
    }
    if (RESERVED_PREFIX.test(name)) {
      throw new BigQueryError('invalid', `Invalid field name "${name}": the prefix is reserved.`);
    }
    // Column names are case-insensitive in BigQuery, so `Name` and `name` collide.
    if (seen.has(name.toLowerCase())) {
      throw new BigQueryError('invalid', `Field ${name} already exists in schema`);
    }
    seen.add(name.toLowerCase());
    const typeName = typeof field.type === 'string' ? field.type.toUpperCase() : '';
    const type = canonicalType(typeName);
    if (!type) {
      if (typeName === 'RECORD' || UNSUPPORTED_TYPES.has(typeName)) {
        throw new BigQueryError('invalid', `Field ${name}: type ${typeName} is not supported by the local BigQuery.`);
      }
      throw new BigQueryError('invalid', `Field ${name}: invalid type "${String(field.type)}".`);
    }
    const modeName = field.mode === undefined || field.mode === null ? 'NULLABLE' : String(field.mode).toUpperCase();
    if (modeName !== 'NULLABLE' && modeName !== 'REQUIRED' && modeName !== 'REPEATED') {
      throw new BigQueryError('invalid', `Field ${name}: invalid mode "${String(field.mode)}".`);
    }
    const out: FieldSchema = { name, type, mode: modeName };
    if (typeof field.description === 'string') out.description = field.description;
    return out;
  });
}

/**
 * Reads a Terraform schema file (a JSON array of fields) and normalises it.
 * @throws Error naming the file when it is missing or malformed.
 */
export function loadSchemaFile(file: string): FieldSchema[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read BigQuery schema file ${file}: ${(err as Error).message}`);
  }
  try {
    return normalizeSchema(parsed);
  } catch (err) {
    throw new Error(`bad BigQuery schema file ${file}: ${(err as Error).message}`);
  }
}

/** Finds a column by name, case-insensitively as BigQuery does. */
export function findField(fields: readonly FieldSchema[], name: string): FieldSchema | undefined {
  const lower = name.toLowerCase();
  return fields.find((f) => f.name.toLowerCase() === lower);
}
