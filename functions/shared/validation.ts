import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { HttpError, type FieldError } from './errors';
import { decimalLiteralPointers } from './http/body';

/**
 * ajv validation with errors mapped to problem `errors[]` (JSON Pointers into the input).
 * The schemas validated here are the same objects the OpenAPI document embeds, so the
 * documentation cannot drift from what the functions accept.
 */
let ajv: Ajv | undefined;

function instance(): Ajv {
  // Loaded and created on first use (loading ajv alone is ~30 ms): a function pays for it on
  // the first request it validates, not at start-up, like the client libraries.
  if (!ajv) {
    const { default: AjvClass } = require('ajv') as typeof import('ajv');
    ajv = new AjvClass({ allErrors: true, strict: true, strictTypes: false, keywords: ['example'] });
  }
  return ajv;
}

export type JsonSchema = Record<string, unknown>;

/**
 * Violations listed in a problem: enough to fix any honest request, and a bound on the answer to
 * a hostile one (8,000 unknown keys made a 279 KB problem).
 */
export const MAX_LISTED_ERRORS = 20;

/** Compiles `schema` once and returns a validator that throws a 400 problem listing every violation. */
export function validator<T>(schema: JsonSchema): (data: unknown) => T {
  let compiled: ValidateFunction | undefined;
  return (data: unknown): T => {
    compiled ??= instance().compile(schema);
    const valid = compiled(data);
    const errors = valid ? [] : (compiled.errors ?? []).map(toFieldError);
    for (const pointer of decimalLiteralPointers(data) ?? []) {
      if (schemaAt(schema, pointer)?.type === 'integer' && !errors.some((e) => e.pointer === '#' + pointer)) {
        errors.push({ pointer: '#' + pointer, detail: 'must be an integer, written without a fraction or exponent' });
      }
    }
    if (errors.length === 0) return data as T;
    const listed = errors.slice(0, MAX_LISTED_ERRORS);
    const more = errors.length > listed.length ? `; and ${errors.length - listed.length} more` : '';
    const summary = listed.map((e) => `${e.pointer.replace(/^#\/?/, '') || 'body'}: ${e.detail}`).join('; ') + more;
    throw new HttpError('validation_failed', `The body is not valid: ${summary}.`, { errors: listed });
  };
}

function toFieldError(error: ErrorObject): FieldError {
  let pointer = error.instancePath;
  let detail = error.message ?? 'is not valid';
  if (error.keyword === 'required') {
    pointer += '/' + escapePointer(String(error.params.missingProperty));
    detail = 'is required';
  } else if (error.keyword === 'additionalProperties') {
    pointer += '/' + escapePointer(String(error.params.additionalProperty));
    detail = 'is not an allowed property';
  } else if (error.keyword === 'pattern') {
    detail = `must match ${String(error.params.pattern)}`;
  } else if (error.keyword === 'enum') {
    detail = `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return { pointer: '#' + pointer, detail };
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The sub-schema that governs the value at `pointer`, following `properties` and `items`. */
function schemaAt(schema: JsonSchema, pointer: string): JsonSchema | undefined {
  let current: JsonSchema | undefined = schema;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const properties = current?.properties as Record<string, JsonSchema> | undefined;
    current = properties?.[segment] ?? (current?.items as JsonSchema | undefined);
    if (!current) return undefined;
  }
  return current;
}
