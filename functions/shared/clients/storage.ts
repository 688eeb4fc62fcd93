import type { Storage } from '@google-cloud/storage';
import { projectId } from '../config';

let instance: Storage | undefined;

/**
 * The Cloud Storage client, created (and its library loaded) on first use, so a function that
 * never touches a bucket does not pay for it at cold start. With `STORAGE_EMULATOR_HOST` set
 * (the local cloud's Cloud Storage, `http://127.0.0.1:PORT`), the library sends its JSON API
 * calls there and, a custom endpoint being unauthenticated by default, looks for no credentials.
 */
export function storage(): Storage {
  if (!instance) {
    const { Storage: Client } = require('@google-cloud/storage') as typeof import('@google-cloud/storage');
    instance = new Client({ projectId: projectId() });
  }
  return instance;
}
