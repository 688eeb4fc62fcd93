/**
 * Errors in the JSON shape Google APIs return, so the official client (and the Workflows
 * connectors) see exactly what they would see from BigQuery: `{"error": {"code", "message",
 * "errors": [{"message", "domain", "reason"}], "status"}}`.
 */

/** The `reason` values the local BigQuery emits, each with the HTTP code BigQuery uses for it. */
const REASONS = {
  invalid: { code: 400, status: 'INVALID_ARGUMENT' },
  invalidQuery: { code: 400, status: 'INVALID_ARGUMENT' },
  required: { code: 400, status: 'INVALID_ARGUMENT' },
  resourceInUse: { code: 400, status: 'FAILED_PRECONDITION' },
  parseError: { code: 400, status: 'INVALID_ARGUMENT' },
  notFound: { code: 404, status: 'NOT_FOUND' },
  duplicate: { code: 409, status: 'ALREADY_EXISTS' },
  notImplemented: { code: 501, status: 'UNIMPLEMENTED' },
  internalError: { code: 500, status: 'INTERNAL' },
} as const;

/** One of the reasons above. */
export type BigQueryReason = keyof typeof REASONS;

/** An error the local BigQuery answers with; `reason` decides the HTTP status. */
export class BigQueryError extends Error {
  readonly reason: BigQueryReason;
  /** Where the error is, e.g. `q` for the query text or a field name for an insert error. */
  readonly location?: string;

  constructor(reason: BigQueryReason, message: string, location?: string) {
    super(message);
    this.name = 'BigQueryError';
    this.reason = reason;
    this.location = location;
  }

  /** The HTTP status BigQuery uses for this reason. */
  get code(): number {
    return REASONS[this.reason].code;
  }

  /** The `errors[]` entry (also what a failed job carries in `status.errorResult`). */
  toErrorProto(): { reason: string; message: string; location?: string; domain?: string } {
    const proto: { reason: string; message: string; location?: string; domain?: string } = {
      message: this.message,
      domain: 'global',
      reason: this.reason,
    };
    if (this.location !== undefined) proto.location = this.location;
    return proto;
  }

  /** The whole response body. */
  toBody(): { error: { code: number; message: string; errors: object[]; status: string } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        errors: [this.toErrorProto()],
        status: REASONS[this.reason].status,
      },
    };
  }
}

/** Shorthand for the 400 `invalidQuery` every unsupported or wrong query gets. */
export function invalidQuery(message: string): BigQueryError {
  return new BigQueryError('invalidQuery', message, 'q');
}

/**
 * Turns anything thrown while serving a request into a BigQueryError; unexpected exceptions
 * become a 500 so a bug in the emulator never looks like a client mistake.
 */
export function toBigQueryError(err: unknown): BigQueryError {
  if (err instanceof BigQueryError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new BigQueryError('internalError', `local BigQuery internal error: ${message}`);
}
