import type { DocumentReference, DocumentSnapshot, Firestore, Timestamp } from '@google-cloud/firestore';
import { projectId, requiredString } from '../config';

/**
 * The database every collection of this function lives in: each system has its own, and its
 * accounts are granted Firestore roles on that one only (manifest `databases`, an IAM condition
 * on the database's name). Read when the module loads, so a deploy without it fails at start-up.
 */
const FIRESTORE_DATABASE = requiredString('FIRESTORE_DATABASE');

let instance: Firestore | undefined;

/**
 * The Firestore client, created on first use and shared by every request of the instance. The
 * library is `require`d here, not imported at the top, so a function that never touches
 * Firestore never pays for loading it at cold start. With `FIRESTORE_EMULATOR_HOST` set the
 * library talks to the emulator on its own (which serves any database id without creating it).
 */
export function firestore(): Firestore {
  if (!instance) {
    const { Firestore: Client } = require('@google-cloud/firestore') as typeof import('@google-cloud/firestore');
    instance = new Client({ projectId: projectId(), databaseId: FIRESTORE_DATABASE, ignoreUndefinedProperties: true });
  }
  return instance;
}

/** The library's value classes (FieldValue, FieldPath...), loaded with the client. */
export function firestoreModule(): typeof import('@google-cloud/firestore') {
  return require('@google-cloud/firestore') as typeof import('@google-cloud/firestore');
}

/**
 * The document, when its last write is the one made at `at` (its `field` holds that write's own
 * time); else undefined. The library sends a commit again when its answer is lost (UNAVAILABLE),
 * and the second send meets the first one's effect (ALREADY_EXISTS for a create,
 * FAILED_PRECONDITION for a conditional update): a document bearing this write's time shows the
 * write was applied, so the call succeeded.
 */
export async function ownWrite(ref: DocumentReference, field: string, at: Date): Promise<DocumentSnapshot | undefined> {
  const snapshot = await ref.get();
  return snapshot.exists && (snapshot.get(field) as Timestamp | undefined)?.toMillis() === at.getTime() ? snapshot : undefined;
}
