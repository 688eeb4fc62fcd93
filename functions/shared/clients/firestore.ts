import type { Firestore } from '@google-cloud/firestore';
import { projectId, requiredString } from '../config';

/**
 * The database every collection of this function lives in: each system has its own, and its
 * accounts are granted Firestore roles on that one only (manifest `databases`, an IAM condition
 * on the database's name). Read when the module loads, so a deploy without it fails at start-up.
 */
export const FIRESTORE_DATABASE = requiredString('FIRESTORE_DATABASE');

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
