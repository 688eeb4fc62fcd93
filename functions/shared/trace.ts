/**
 * Reads the request's trace context, from W3C `traceparent` first, then Google's
 * `X-Cloud-Trace-Context` (`TRACE_ID/SPAN_ID;o=1`), so log lines can be correlated in Cloud Logging.
 */
export interface TraceContext {
  traceId: string;
  spanId?: string;
  sampled?: boolean;
}

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;
const CLOUD_TRACE = /^([\da-f]{32})(?:\/(\d+))?(?:;o=([01]))?$/i;

export function parseTraceContext(headers: Record<string, string | string[] | undefined>): TraceContext | undefined {
  const traceparent = first(headers['traceparent']);
  const w3c = traceparent ? TRACEPARENT.exec(traceparent.trim().toLowerCase()) : null;
  if (w3c && !/^0+$/.test(w3c[1])) {
    return { traceId: w3c[1], spanId: w3c[2], sampled: (parseInt(w3c[3], 16) & 1) === 1 };
  }
  const cloud = first(headers['x-cloud-trace-context']);
  const google = cloud ? CLOUD_TRACE.exec(cloud.trim()) : null;
  if (google) {
    // Cloud Logging wants the span id as 16 hex digits; the header carries it in decimal.
    const spanId = google[2] ? BigInt(google[2]).toString(16).padStart(16, '0').slice(-16) : undefined;
    return { traceId: google[1].toLowerCase(), spanId, sampled: google[3] === undefined ? undefined : google[3] === '1' };
  }
  return undefined;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
