import type { Request } from '@google-cloud/functions-framework';
import { hasBody, readJsonObject } from '../shared/http/body';
import { singleQueryValue } from '../shared/http/query';

/**
 * `x` from a JSON body `{"x": "..."}` or, when there is no body, from `?x=`, as the seed's
 * FastAPI endpoints took it. Returns the value and the pointer to blame in a problem.
 */
export function readX(req: Request, validate: (body: unknown) => { x: string }): { x: string; pointer: string } {
  if (hasBody(req)) return { x: validate(readJsonObject(req)).x, pointer: '#/x' };
  return { x: singleQueryValue(req, 'x'), pointer: '#/query/x' };
}
