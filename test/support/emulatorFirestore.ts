import type { Firestore } from '@google-cloud/firestore';
import { localEndpoints } from './endpoints';

let client: Firestore | undefined;

/** A Firestore client on the local cloud's emulator (the library switches to it through FIRESTORE_EMULATOR_HOST). */
export function emulatorFirestore(): Firestore {
  if (!client) {
    const endpoints = localEndpoints();
    process.env.FIRESTORE_EMULATOR_HOST = endpoints.firestore;
    const { Firestore: Client } = require('@google-cloud/firestore') as typeof import('@google-cloud/firestore');
    client = new Client({ projectId: endpoints.project });
  }
  return client;
}

/** A collection name no other test run uses, so emulator tests need no reset between them. */
export function uniqueCollection(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
