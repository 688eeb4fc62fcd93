import type { ServerResponse } from 'node:http';
import { HttpError, STATUS_BY_CODE, TITLE_BY_CODE, type ErrorCode, type FieldError } from '../errors';

/** Base of every problem `type` URI; the OpenAPI document describes each one. */
export const PROBLEM_TYPE_BASE = 'https://github.com/gcf-backend-kit/problems/';

/** The RFC 9457 body every error response carries. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

export function problemFor(code: ErrorCode, detail: string, status = STATUS_BY_CODE[code], errors?: FieldError[]): Problem {
  const problem: Problem = { type: PROBLEM_TYPE_BASE + code.replace(/_/g, '-'), title: TITLE_BY_CODE[code], status, detail };
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
