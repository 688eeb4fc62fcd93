import type { Firestore } from '@google-cloud/firestore';
import { projectId } from '../config';

let instance: Firestore | undefined;

/**
 * The Firestore client, created on first use and shared by every request of the instance. The
 * library is `require`d here, not imported at the top, so a function that never touches
 * Firestore never pays for loading it at cold start. With `FIRESTORE_EMULATOR_HOST` set the
 * library talks to the emulator on its own.
 */
export function firestore(): Firestore {
  if (!instance) {
    const { Firestore: Client } = require('@google-cloud/firestore') as typeof import('@google-cloud/firestore');
    instance = new Client({ projectId: projectId(), ignoreUndefinedProperties: true });
  }
  return instance;
}

/** The library's value classes (FieldValue, FieldPath...), loaded with the client. */
export function firestoreModule(): typeof import('@google-cloud/firestore') {
  return require('@google-cloud/firestore') as typeof import('@google-cloud/firestore');
}
