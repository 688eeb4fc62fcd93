/** Longest failure detail reported: a message, not a dump. */
const MAX_DETAIL_CHARS = 300;

/** What a public caller is told about a failed run, from the payload the workflow raised. */
export function failureDetail(payload: unknown): string {
  let detail: unknown;
  if (typeof payload === 'string') detail = payload;
  else if (payload !== null && typeof payload === 'object') {
    const error = payload as { detail?: unknown; message?: unknown };
    detail = typeof error.detail === 'string' ? error.detail : error.message;
  }
  if (typeof detail !== 'string' || detail.trim() === '') return 'The workflow run failed.';
  return detail.length > MAX_DETAIL_CHARS ? detail.slice(0, MAX_DETAIL_CHARS) + '…' : detail;
}
