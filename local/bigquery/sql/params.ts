/**
 * Query parameters from a `jobs.query` / `jobs.insert` request (`parameterMode` plus
 * `queryParameters: [{name?, parameterType: {type}, parameterValue: {value}}]`), checked and
 * converted to stored values once so the translator can treat them like typed literals.
 */
import { invalidQuery } from '../errors';
import { canonicalType, UNSUPPORTED_TYPES, type FieldType } from '../schema';
import { coerceScalar, DATE_PREFIX, type StoredValue } from '../values';

/** A typed scalar value. */
export interface TypedValue {
  type: FieldType;
  value: StoredValue;
}

/** The parameters of one query. */
export interface QueryParameters {
  /** `NAMED`, `POSITIONAL`, or undefined when the request has none. */
  mode?: 'NAMED' | 'POSITIONAL';
  /** Named values by lower-cased name (parameter names are case-insensitive in GoogleSQL). */
  named: Map<string, TypedValue>;
  positional: TypedValue[];
}

function toTypedValue(raw: unknown, label: string): TypedValue {
  const param = (typeof raw === 'object' && raw !== null ? raw : {}) as {
    parameterType?: { type?: unknown };
    parameterValue?: { value?: unknown } | null;
  };
  const typeName = typeof param.parameterType?.type === 'string' ? param.parameterType.type.toUpperCase() : '';
  const type = canonicalType(typeName);
  if (!type) {
    if (typeName === 'ARRAY' || UNSUPPORTED_TYPES.has(typeName)) {
      throw invalidQuery(`Query parameter ${label} has type ${typeName}, which is not supported by the local BigQuery.`);
    }
    throw invalidQuery(`Query parameter ${label} has an invalid parameterType: ${JSON.stringify(param.parameterType)}`);
  }
  const value = param.parameterValue?.value;
  if (value === undefined || value === null) return { type, value: null };
  if (type === 'STRING' && typeof value !== 'string') {
    throw invalidQuery(`Invalid value for query parameter ${label}: STRING parameters take a string value.`);
  }
  if (type === 'TIMESTAMP' && (typeof value !== 'string' || !DATE_PREFIX.test(value))) {
    throw invalidQuery(`Invalid value for query parameter ${label}: Invalid TIMESTAMP value: ${String(value)}`);
  }
  const coerced = coerceScalar(type, value);
  if (!coerced.ok) throw invalidQuery(`Invalid value for query parameter ${label}: ${coerced.message}`);
  return { type, value: coerced.value };
}

/**
 * Reads `parameterMode` and `queryParameters`. An absent mode is inferred from the
 * parameters (named ones have a `name`).
 * @throws 400 invalidQuery for a bad mode, type or value.
 */
export function readParameters(parameterMode: unknown, queryParameters: unknown): QueryParameters {
  const out: QueryParameters = { named: new Map(), positional: [] };
  const list = queryParameters === undefined || queryParameters === null ? [] : queryParameters;
  if (!Array.isArray(list)) throw invalidQuery('queryParameters must be an array.');
  let mode = typeof parameterMode === 'string' ? parameterMode.toUpperCase() : undefined;
  if (mode !== undefined && mode !== 'NAMED' && mode !== 'POSITIONAL') {
    throw invalidQuery(`Invalid parameterMode: ${String(parameterMode)}; use NAMED or POSITIONAL.`);
  }
  if (mode === undefined && list.length > 0) {
    mode = (list[0] as { name?: unknown })?.name !== undefined ? 'NAMED' : 'POSITIONAL';
  }
  out.mode = mode as QueryParameters['mode'];
  list.forEach((raw: unknown, index) => {
    const name = (raw as { name?: unknown })?.name;
    if (mode === 'NAMED') {
      if (typeof name !== 'string' || name === '') throw invalidQuery(`Query parameter ${index} has no name, but parameterMode is NAMED.`);
      if (out.named.has(name.toLowerCase())) throw invalidQuery(`Duplicate query parameter name: ${name}`);
      out.named.set(name.toLowerCase(), toTypedValue(raw, `'${name}'`));
    } else {
      if (typeof name === 'string' && name !== '') throw invalidQuery(`Positional query parameter ${index} must not have a name.`);
      out.positional.push(toTypedValue(raw, `${index + 1}`));
    }
  });
  return out;
}
