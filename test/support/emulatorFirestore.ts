import type { CollectionReference, Firestore } from '@google-cloud/firestore';
import { MANIFEST } from '../../manifest/manifest';
import { localEndpoints } from './endpoints';

const clients = new Map<string, Firestore>();

/**
 * A Firestore client on the local cloud's emulator (the library switches to it through
 * FIRESTORE_EMULATOR_HOST), on one database: by default the project's (default) one, which no
 * function uses, so emulator tests of a store there touch no system's data.
 */
export function emulatorFirestore(database = '(default)'): Firestore {
  let client = clients.get(database);
  if (!client) {
    const endpoints = localEndpoints();
    process.env.FIRESTORE_EMULATOR_HOST = endpoints.firestore;
    const { Firestore: Client } = require('@google-cloud/firestore') as typeof import('@google-cloud/firestore');
    // The same options as the functions' client (functions/shared/clients/firestore.ts).
    client = new Client({ projectId: endpoints.project, databaseId: database, ignoreUndefinedProperties: true });
    clients.set(database, client);
  }
  return client;
}

/** A collection of the manifest, in the database the local cloud's functions use for it (e2e checks of what they stored). */
export function emulatorCollection(collection: string): CollectionReference {
  const entry = MANIFEST.collections[collection];
  if (!entry) throw new Error(`no collection ${collection} in manifest/manifest.json`);
  return emulatorFirestore(entry.database).collection(collection);
}

/** A collection name no other test run uses, so emulator tests need no reset between them. */
export function uniqueCollection(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
