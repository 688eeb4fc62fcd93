import type { Request } from '@google-cloud/functions-framework';
import { HttpError } from '../errors';
import { hasBody, isJsonContentType } from './body';
import { isMultipartFormData } from './multipart';

export type BodyKind = 'json' | 'multipart';

const MEDIA_TYPES: Record<BodyKind, string> = { json: 'application/json', multipart: 'multipart/form-data' };

/**
 * Which of the accepted body kinds the request carries. For endpoints that take a JSON body or
 * an uploaded file (System D, whose API answers every unusable body with a 400): no body at all,
 * or a body of any other type, is a 400 problem naming what is accepted, with `Accept-Post`.
 */
export function bodyKind(req: Request, accepted: readonly BodyKind[]): BodyKind {
  const wanted = accepted.map((k) => MEDIA_TYPES[k]).join(' or ');
  const headers = { 'Accept-Post': accepted.map((k) => MEDIA_TYPES[k]).join(', ') };
  if (!hasBody(req)) throw new HttpError('invalid_body', `The body is empty; send ${wanted}.`, { headers });
  if (accepted.includes('json') && isJsonContentType(req)) return 'json';
  if (accepted.includes('multipart') && isMultipartFormData(req)) return 'multipart';
  const declared = req.headers['content-type'] ?? 'no Content-Type';
  throw new HttpError('invalid_body', `The body must be ${wanted}, got ${declared}.`, { headers });
}
