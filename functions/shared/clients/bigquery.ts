import type { BigQuery } from '@google-cloud/bigquery';
import { projectId } from '../config';
import { emulatorAuthClient } from './localAuth';

let instance: BigQuery | undefined;

/**
 * The BigQuery client, created (and its library loaded) on first use. With
 * `BIGQUERY_EMULATOR_HOST` set, the library sends every call to that base URL (the local
 * BigQuery) and we hand it a fixed-token auth client so it looks for no credentials.
 */
export function bigquery(): BigQuery {
  if (!instance) {
    const { BigQuery: Client } = require('@google-cloud/bigquery') as typeof import('@google-cloud/bigquery');
    const local = process.env.BIGQUERY_EMULATOR_HOST ? { authClient: emulatorAuthClient() } : {};
    instance = new Client({ projectId: projectId(), ...local });
  }
  return instance;
}
