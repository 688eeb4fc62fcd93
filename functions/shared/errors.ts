/**
 * The one error type handlers throw. Its `code` decides the HTTP status (through
 * `STATUS_BY_CODE`) and the problem's `type` and `title`; `problem.ts` is the one place that
 * turns it into a response.
 */
export type ErrorCode =
  | 'bad_request'
  | 'invalid_body'
  | 'validation_failed'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unprocessable'
  | 'upstream_failed'
  | 'unavailable'
  | 'internal';

/** One field-level problem, RFC 9457 style: `pointer` is a JSON Pointer into the request body (or `#/query/x`). */
export interface FieldError {
  pointer: string;
  detail: string;
}

export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  bad_request: 400,
  invalid_body: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  internal: 500,
  upstream_failed: 502,
  unavailable: 503,
};

export const TITLE_BY_CODE: Record<ErrorCode, string> = {
  bad_request: 'Bad request',
  invalid_body: 'The request body is not acceptable',
  validation_failed: 'The request is not valid',
  unauthorized: 'Authentication required',
  forbidden: 'Not allowed',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  conflict: 'Conflict',
  payload_too_large: 'The request body is too large',
  unsupported_media_type: 'Unsupported media type',
  unprocessable: 'The request was understood but refused',
  internal: 'Internal error',
  upstream_failed: 'A service this function depends on failed',
  unavailable: 'Temporarily unavailable',
};

export class HttpError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    /** Human-readable explanation specific to this occurrence; becomes the problem's `detail`. */
    readonly detail: string,
    readonly options: {
      errors?: FieldError[];
      /** RFC 9457 extension members added to the problem (a refused response's findings). */
      extensions?: Record<string, unknown>;
      headers?: Record<string, string>;
      /** Overrides the status of `code` (used by isValidInput's 500 for booleans). */
      status?: number;
      cause?: unknown;
    } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = 'HttpError';
    this.status = options.status ?? STATUS_BY_CODE[code];
  }
}
