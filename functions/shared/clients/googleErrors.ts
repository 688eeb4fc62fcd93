/**
 * Whether a Google client library error means "not found". In REST (fallback) mode the error can
 * arrive in two shapes: a decoded Google error with gRPC `code` 5, or, when the auth client's
 * fetch rejects the HTTP 404 before google-gax decodes it (google-gax 5 with
 * google-auth-library 10), a Gaxios error carrying the HTTP status. Both are handled.
 */
export function isNotFound(err: unknown): boolean {
  return matches(err, [5], [404]);
}

/** Whether a Firestore `create` (or a commit holding one) found the document already there. */
export function isAlreadyExists(err: unknown): boolean {
  return matches(err, [6], [409]);
}

/** Whether a write's precondition (`lastUpdateTime`, `exists`) did not hold. */
export function isFailedPrecondition(err: unknown): boolean {
  return matches(err, [9], []);
}

/**
 * Failures another attempt cannot fix: a bad request, a missing resource, no permission, a
 * failed precondition, no credentials.
 */
export function isPermanent(err: unknown): boolean {
  return matches(err, PERMANENT_GRPC_CODES, PERMANENT_HTTP_STATUSES);
}

const PERMANENT_GRPC_CODES = [3, 5, 7, 9, 16]; // INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED, FAILED_PRECONDITION, UNAUTHENTICATED
const PERMANENT_HTTP_STATUSES = [400, 401, 403, 404];

/**
 * Whether the error carries one of `grpcCodes` (a decoded Google error's `code`) or one of
 * `httpStatuses` (REST errors put it in `code`, Gaxios errors in `status` or `response.status`).
 */
function matches(err: unknown, grpcCodes: readonly number[], httpStatuses: readonly number[]): boolean {
  const e = err as { code?: unknown; status?: unknown; response?: { status?: unknown } } | undefined;
  const has = (list: readonly number[], value: unknown): boolean => typeof value === 'number' && list.includes(value);
  return has(grpcCodes, e?.code) || has(httpStatuses, e?.code) || has(httpStatuses, e?.status) || has(httpStatuses, e?.response?.status);
}

/**
 * Whether a Google client library error is one that a later attempt may not meet: contention
 * (ABORTED, e.g. Firestore transactions on a hot document), quota or overload, a deadline, the
 * service briefly down. The libraries have already retried such errors with back-off by the time
 * our code sees one, so the request is answered 503 with `Retry-After` rather than 500.
 */
export function isTransient(err: unknown): boolean {
  // gRPC: DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, UNAVAILABLE; REST: 429, 503.
  return matches(err, [4, 8, 10, 14], [429, 503]);
}
