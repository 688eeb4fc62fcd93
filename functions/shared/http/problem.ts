import type { ServerResponse } from 'node:http';
import { optionalUrl } from '../config';
import { HttpError, STATUS_BY_CODE, TITLE_BY_CODE, type ErrorCode, type FieldError } from '../errors';

/**
 * The front door every function answers behind (`https://REGION-PROJECT.cloudfunctions.net`
 * deployed, the gateway locally), read once at cold start. A problem's `type` points at its
 * section of the documentation page served there.
 */
const PUBLIC_BASE_URL = optionalUrl('PUBLIC_BASE_URL');

/** The id of a problem type's section on the docs page: `validation_failed` → `problem-validation-failed`. */
export function problemAnchor(code: ErrorCode): string {
  return `problem-${code.replace(/_/g, '-')}`;
}

/**
 * The `type` of a problem with `code`: the section of the docs page that explains it, or
 * `about:blank` (RFC 9457's "nothing more than the status") when no front door is configured,
 * as when a function runs alone under the Functions Framework; never a URI that resolves nowhere.
 */
export function problemType(code: ErrorCode, publicBaseUrl: string | undefined = PUBLIC_BASE_URL): string {
  return publicBaseUrl === undefined ? 'about:blank' : `${publicBaseUrl}/docs/#${problemAnchor(code)}`;
}

/** The RFC 9457 body every error response carries. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

export function problemFor(code: ErrorCode, detail: string, status = STATUS_BY_CODE[code], errors?: FieldError[]): Problem {
  const problem: Problem = { type: problemType(code), title: TITLE_BY_CODE[code], status, detail };
  if (errors && errors.length > 0) problem.errors = errors;
  return problem;
}

/**
 * Writes `err` as `application/problem+json`; the single place responses for errors are made.
 * Takes a plain Node response (no Express helpers), so the body gate can answer before Express
 * has dressed the request.
 */
export function sendProblem(res: ServerResponse, err: HttpError): void {
  if (res.headersSent) {
    // A streamed response already started: the only honest thing left is to cut it short.
    res.destroy(err);
    return;
  }
  for (const [name, value] of Object.entries(err.options.headers ?? {})) res.setHeader(name, value);
  res.statusCode = err.status;
  res.setHeader('Content-Type', 'application/problem+json');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify({ ...problemFor(err.code, err.detail, err.status, err.options.errors), ...err.options.extensions }));
}
