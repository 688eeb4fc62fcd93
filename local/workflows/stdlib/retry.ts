import { hasTag } from '../errors';
import { isMap, Value } from '../values';
import { def, StdFunction } from './registry';

const code = (e: Value): bigint | undefined => {
  if (!isMap(e) || !hasTag(e, 'HttpError')) return undefined;
  return typeof e.code === 'bigint' ? e.code : undefined;
};

/**
 * Documented: retries 429, 502, 503, 504, and any ConnectionError, ConnectionFailedError and TimeoutError
 * (https://cloud.google.com/workflows/docs/reference/stdlib/http/default_retry_predicate).
 */
export function defaultRetryPredicate(e: Value): boolean {
  const c = code(e);
  if (c !== undefined) return c === 429n || c === 502n || c === 503n || c === 504n;
  return hasTag(e, 'ConnectionError') || hasTag(e, 'ConnectionFailedError') || hasTag(e, 'TimeoutError');
}

/**
 * Documented: retries 429 and 503, and ConnectionFailedError (the request never left)
 * (https://cloud.google.com/workflows/docs/reference/stdlib/http/default_retry_predicate_non_idempotent).
 */
export function defaultRetryPredicateNonIdempotent(e: Value): boolean {
  const c = code(e);
  if (c !== undefined) return c === 429n || c === 503n;
  return hasTag(e, 'ConnectionFailedError');
}

/** The predicates as callable functions, so `${http.default_retry_predicate(e)}` also works in expressions. */
export const retryFunctions: StdFunction[] = [
  def('http.default_retry_predicate', ['exception'], ([e]) => defaultRetryPredicate(e ?? null)),
  def('http.default_retry_predicate_non_idempotent', ['exception'], ([e]) => defaultRetryPredicateNonIdempotent(e ?? null)),
  def('retry.always', ['exception'], () => true),
  def('retry.never', ['exception'], () => false),
];
