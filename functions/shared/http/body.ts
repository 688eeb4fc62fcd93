import type { Request } from '@google-cloud/functions-framework';
import { HttpError } from '../errors';
import { nonIntegerLiteralPointers } from './numberLiterals';

/** Default cap on JSON request bodies: every body this kit accepts is a few hundred bytes. */
export const DEFAULT_MAX_JSON_BYTES = 64 * 1024;

/** True when the request carries a body at all (a length, chunked transfer, or bytes the framework saved). */
export function hasBody(req: Request): boolean {
  const length = Number(req.headers['content-length'] ?? '0');
  return length > 0 || req.headers['transfer-encoding'] !== undefined || (req.rawBody?.length ?? 0) > 0;
}

export function isJsonContentType(req: Pick<Request, 'headers'>): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  return type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type);
}

/**
 * The request's body as a JSON object, or an `HttpError` a client can act on: 400 when there is
 * none or it is not an object, 413 over `maxBytes`, 415 when it is not declared as JSON.
 * (Malformed JSON never reaches here: the framework's parser rejects it first, and
 * `frameworkErrors.ts` turns that rejection into a problem body.)
 */
export function readJsonObject(req: Request, maxBytes = DEFAULT_MAX_JSON_BYTES): Record<string, unknown> {
  if (!hasBody(req)) {
    throw new HttpError('invalid_body', 'A JSON object body is required.');
  }
  const size = req.rawBody?.length ?? Number(req.headers['content-length'] ?? '0');
  if (size > maxBytes) {
    throw new HttpError('payload_too_large', `The body is ${size} bytes; at most ${maxBytes} are accepted.`);
  }
  if (!isJsonContentType(req)) {
    const declared = req.headers['content-type'] ?? 'none';
    throw new HttpError('unsupported_media_type', `Content-Type must be application/json, got ${declared}.`, {
      headers: { 'Accept-Post': 'application/json' },
    });
  }
  const body: unknown = req.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError('invalid_body', `The body must be a JSON object, got ${describeJsonType(body)}.`);
  }
  rememberDecimalLiterals(body, req.rawBody?.toString('utf8') ?? '');
  return body as Record<string, unknown>;
}

/**
 * Records, for `body` parsed from `raw`, which numbers were written as decimals (`4.0`), so the
 * validator can refuse them where an integer is required. For JSON parsed outside
 * `readJsonObject` (an uploaded file). A fraction or exponent in JSON always follows a digit,
 * so a body with none (the common case) is not scanned.
 */
export function rememberDecimalLiterals(body: object, raw: string): void {
  if (/\d[.eE]/.test(raw)) decimalLiterals.set(body, nonIntegerLiteralPointers(raw));
}

/**
 * For bodies read by `readJsonObject`: the pointers of numbers written as decimals (`4.0`), which
 * parse to the same value as integers; the validator refuses them where an integer is required.
 */
const decimalLiterals = new WeakMap<object, Set<string>>();

export function decimalLiteralPointers(body: unknown): Set<string> | undefined {
  return typeof body === 'object' && body !== null ? decimalLiterals.get(body) : undefined;
}

export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
