import type { Request } from '@google-cloud/functions-framework';
import { HttpError } from '../errors';

/**
 * The one value of query parameter `name`, read from the raw query string (not Express's parsed
 * object, whose shape depends on the parser setting). Missing, repeated or empty → 400 problem.
 */
export function singleQueryValue(req: Request, name: string): string {
  const values = queryValues(req, name);
  const pointer = `#/query/${name}`;
  if (values.length === 0) {
    throw new HttpError('validation_failed', `Query parameter ${name} is required.`, { errors: [{ pointer, detail: 'is required' }] });
  }
  if (values.length > 1) {
    throw new HttpError('validation_failed', `Query parameter ${name} must be given once, got ${values.length} values.`, {
      errors: [{ pointer, detail: 'must be given once' }],
    });
  }
  if (values[0] === '') {
    throw new HttpError('validation_failed', `Query parameter ${name} must not be empty.`, {
      errors: [{ pointer, detail: 'must not be empty' }],
    });
  }
  return values[0];
}

/** Every value of `name` in the query string, decoded. */
export function queryValues(req: Request, name: string): string[] {
  return new URL(req.originalUrl ?? req.url, 'http://query.invalid').searchParams.getAll(name);
}
