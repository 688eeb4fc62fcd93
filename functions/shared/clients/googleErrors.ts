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
