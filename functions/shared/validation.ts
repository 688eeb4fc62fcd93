import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { HttpError, type FieldError } from './errors';

/**
 * ajv validation with errors mapped to problem `errors[]` (JSON Pointers into the input).
 * The schemas validated here are the same objects the OpenAPI document embeds, so the
 * documentation cannot drift from what the functions accept.
 */
let ajv: Ajv | undefined;

function instance(): Ajv {
  // Created on first use: compiling is part of cold start only for functions that validate.
  ajv ??= new Ajv({ allErrors: true, strict: true, strictTypes: false, keywords: ['example'] });
  return ajv;
}

export type JsonSchema = Record<string, unknown>;

/** Compiles `schema` once and returns a validator that throws a 400 problem listing every violation. */
export function validator<T>(schema: JsonSchema, where: 'body' | 'query' = 'body'): (data: unknown) => T {
  let compiled: ValidateFunction | undefined;
  return (data: unknown): T => {
    compiled ??= instance().compile(schema);
    if (compiled(data)) return data as T;
    const errors = (compiled.errors ?? []).map((e) => toFieldError(e, where));
    const summary = errors.map((e) => `${e.pointer.replace(/^#\/?/, '') || where}: ${e.detail}`).join('; ');
    throw new HttpError('validation_failed', `The ${where} is not valid: ${summary}.`, { errors });
  };
}

function toFieldError(error: ErrorObject, where: 'body' | 'query'): FieldError {
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
  return { pointer: (where === 'query' ? '#/query' : '#') + pointer, detail };
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
