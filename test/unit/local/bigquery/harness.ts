/**
 * Shared set-up for the local BigQuery tests: a server on a free 127.0.0.1 port and a tiny
 * JSON-over-HTTP helper for calling the REST API the way the Workflows connectors do.
 */
import { BigQueryServer } from '../../../../local/bigquery/server';

/** The project every test uses. */
export const PROJECT = 'bq-test-project';

/** A response: status and parsed JSON body (undefined for 204). */
export interface JsonResponse {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Calls the server with an optional JSON body. */
export async function call(server: BigQueryServer, method: string, path: string, body?: unknown): Promise<JsonResponse> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Creates a dataset and a table through the REST API. */
export async function createTable(
  server: BigQueryServer,
  datasetId: string,
  tableId: string,
  fields: { name: string; type: string; mode?: string }[],
): Promise<void> {
  const base = `/bigquery/v2/projects/${PROJECT}/datasets`;
  const ds = await call(server, 'GET', `${base}/${datasetId}`);
  if (ds.status === 404) await call(server, 'POST', base, { datasetReference: { datasetId } });
  const t = await call(server, 'POST', `${base}/${datasetId}/tables`, { tableReference: { tableId }, schema: { fields } });
  if (t.status !== 200) throw new Error(`create table failed: ${JSON.stringify(t.body)}`);
}
