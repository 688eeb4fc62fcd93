import type { BigQuery } from '@google-cloud/bigquery';
import { emulatorAuthClient } from '../../functions/shared/clients/localAuth';
import { localEndpoints } from './endpoints';

let client: BigQuery | undefined;

/** A BigQuery client on the local cloud's BigQuery (the library's own BIGQUERY_EMULATOR_HOST switch). */
export function localBigQuery(): BigQuery {
  if (!client) {
    const endpoints = localEndpoints();
    process.env.BIGQUERY_EMULATOR_HOST = String(endpoints.bigquery);
    const { BigQuery: Client } = require('@google-cloud/bigquery') as typeof import('@google-cloud/bigquery');
    client = new Client({ projectId: endpoints.project, authClient: emulatorAuthClient() });
  }
  return client;
}

/** Rows of `dataset.table` whose `column` equals `value`. */
export async function rowsWhere(table: string, column: string, value: string): Promise<Record<string, unknown>[]> {
  const dataset = String(localEndpoints().bigquery_dataset);
  const [rows] = await localBigQuery().query({
    query: `SELECT * FROM \`${dataset}.${table}\` WHERE ${column} = @value`,
    params: { value },
  });
  return rows as Record<string, unknown>[];
}
