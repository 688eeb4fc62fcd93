import type { HttpError } from './errors';

/**
 * Ids of the documents the stores create: Firestore's generated ids, 20 letters and digits. Other
 * ids of this alphabet are let through (they are simply not found), except Firestore's reserved
 * form `__…__`, which Firestore refuses with INVALID_ARGUMENT: such an id cannot name a stored
 * document, so a request naming one is a 404 (or a 400 for a page token), never a 500.
 */
const STORED_ID = /^(?!__.*__$)[A-Za-z0-9_-]{1,128}$/;

/** Whether `id` can name a document the stores created. */
export function isStoredId(id: string): boolean {
  return STORED_ID.test(id);
}

/** `id` when it can name a stored document; otherwise throws `notFound(id)`. */
export function storedId(id: string, notFound: (id: string) => HttpError): string {
  if (!isStoredId(id)) throw notFound(id);
  return id;
}
