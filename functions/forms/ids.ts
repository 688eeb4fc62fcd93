import type { HttpError } from '../shared/errors';

/**
 * Ids the stores generate are 20 letters and digits. Other ids of this alphabet are let through
 * (they are simply not found), except Firestore's reserved form `__…__`, which Firestore refuses
 * with INVALID_ARGUMENT: such an id cannot name a form or a response, so it is a 404, never a 500.
 */
const ID_PATTERN = /^(?!__.*__$)[A-Za-z0-9_-]{1,128}$/;

export function resourceId(id: string, notFound: (id: string) => HttpError): string {
  if (!ID_PATTERN.test(id)) throw notFound(id);
  return id;
}
