import { STATUS_BY_CODE, TITLE_BY_CODE, type ErrorCode } from '../shared/errors';
import { problemAnchor } from '../shared/http/problem';

/**
 * What each problem `type` means, for the "Problem types" section of the docs page: every
 * problem a function answers links to its entry here (`problemType()` in `shared/http/problem.ts`).
 * A `Record` over every code, so a new code without an explanation does not compile.
 */
const EXPLANATIONS: Record<ErrorCode, string> = {
  bad_request:
    'The request cannot be read as sent: a query parameter missing, repeated or empty, a path segment that is not valid percent-encoding, an identifier of the wrong form. `detail` says which; fix the request before sending it again.',
  invalid_body:
    'The body is missing, is not well-formed JSON, or is JSON but not an object (a bare `true`, an array). Send a JSON object with `Content-Type: application/json`.',
  validation_failed:
    'The body (or query) is well-formed but breaks the schema of the operation: a field missing, of the wrong type (`4.0` or `"4"` where an integer is required), out of range, or not allowed. `errors` lists every offending field with a JSON Pointer to it; the operation\'s request schema on this page is what it is checked against.',
  not_found:
    'Nothing exists at this path, or the resource it names does not exist (an unknown id). Deleting something already gone is not an error where the operation says so.',
  unauthorized:
    'The operation is for form admins and the request carries no valid Google-signed ID token (`Authorization: Bearer <token>`). Send one for an account listed in `form_admins`.',
  forbidden:
    'The request is authenticated, but its identity is not allowed to do this (an ID token of an account that is not a form admin).',
  unprocessable:
    'The request is well-formed and valid, but a synchronous plug-in refused it (a business rule in reject mode). The problem carries its findings; nothing was stored. Fix the answers and submit again.',
  method_not_allowed: 'The path exists but does not take this method. The `Allow` header lists the methods it takes.',
  conflict:
    'The request conflicts with the state of the resource: an `Idempotency-Key` reused for another body, an email another account has, an operation already running on the same group. `detail` names what is in the way.',
  payload_too_large:
    'The body is larger than this operation accepts (64 KiB unless the operation says otherwise, e.g. 5 MiB for an image). It was refused before being read.',
  unsupported_media_type:
    'The body is declared with a `Content-Type` this operation does not take. JSON operations want `application/json`.',
  upstream_failed:
    'A Google service or another function this one calls answered with an error, so the operation did not complete. Nothing is known to have been applied unless `detail` says so.',
  unavailable:
    'A Google service this function depends on is busy or briefly unavailable (contention on a hot document, a quota, a deadline). Retry after the `Retry-After` delay. A write may have been applied before the failure: retry it with the same `Idempotency-Key` where the operation takes one.',
  internal:
    "An unexpected failure. It was logged at ERROR with this request's trace id (send `traceparent` to choose it); the body never carries internals.",
};

/** The Markdown section listing every problem type, each under the heading its `type` URI points at. */
export function problemTypesMarkdown(): string {
  const entries = (Object.keys(EXPLANATIONS) as ErrorCode[]).map(
    (code) =>
      `<h4 id="${problemAnchor(code)}">${TITLE_BY_CODE[code]} (${STATUS_BY_CODE[code]})</h4>\n\n` +
      `\`type\` ends in \`#${problemAnchor(code)}\`. ${EXPLANATIONS[code]}`,
  );
  return [
    '### Problem types',
    'Every error is `application/problem+json` (RFC 9457). Its `type` is a link to one of these sections; `title` is the heading, `detail` what went wrong with this request.',
    ...entries,
  ].join('\n\n');
}
