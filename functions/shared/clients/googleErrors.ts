/**
 * Whether a Google client library error means "not found". In REST (fallback) mode the error can
 * arrive in two shapes: a decoded Google error with gRPC `code` 5, or, when the auth client's
 * fetch rejects the HTTP 404 before google-gax decodes it (google-gax 5 with
 * google-auth-library 10), a Gaxios error carrying the HTTP status. Both are handled.
 */
export function isNotFound(err: unknown): boolean {
  const e = err as { code?: unknown; status?: unknown; response?: { status?: unknown } } | undefined;
  return e?.code === 5 || e?.code === 404 || e?.status === 404 || e?.response?.status === 404;
}

/** gRPC statuses Google documents as retryable: DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, UNAVAILABLE. */
const TRANSIENT_GRPC_CODES = new Set([4, 8, 10, 14]);
/** The same in REST: too many requests, service unavailable. */
const TRANSIENT_HTTP_STATUSES = new Set([429, 503]);

/**
 * Whether a Google client library error is one that a later attempt may not meet: contention
 * (ABORTED, e.g. Firestore transactions on a hot document), quota or overload, a deadline, the
 * service briefly down. The libraries have already retried such errors with back-off by the time
 * our code sees one, so the request is answered 503 with `Retry-After` rather than 500.
 */
export function isTransient(err: unknown): boolean {
  const e = err as { code?: unknown; status?: unknown; response?: { status?: unknown } } | undefined;
  return (
    TRANSIENT_GRPC_CODES.has(e?.code as number) ||
    TRANSIENT_HTTP_STATUSES.has(e?.code as number) ||
    TRANSIENT_HTTP_STATUSES.has(e?.status as number) ||
    TRANSIENT_HTTP_STATUSES.has(e?.response?.status as number)
  );
}
